//! `GET /api/v1/search`.

use actix_web::{get, web};

use super::service::{self, SearchParams, SearchResponse};
use crate::error::{ApiResult, Problem};
use crate::identity::caller::Caller;
use crate::state::AppState;

pub fn routes(config: &mut impl crate::http::routes::Routes) {
    config.service(search);
}

/// Searches everything the caller may see: organisations and published listings today,
/// publications, datasets and documents as their modules arrive.
#[utoipa::path(
    tag = "search",
    params(SearchParams),
    responses(
        (status = 200, body = SearchResponse),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`, `invalid_parameter`, `invalid_cursor`")
    )
)]
#[get("/search")]
pub async fn search(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<SearchParams>,
) -> ApiResult<web::Json<SearchResponse>> {
    Ok(web::Json(
        service::search(&state, &caller, params.into_inner()).await?,
    ))
}
