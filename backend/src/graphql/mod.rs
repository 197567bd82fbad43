//! The GraphQL schema: each module contributes its query (and later mutation and
//! subscription) objects; this file merges them and serves them over HTTP.

pub mod cost;
mod credentials;

use actix_web::{HttpResponse, get, post, web};
use async_graphql::{Context, EmptySubscription, MergedObject, Schema};

use crate::biometrics::graphql::{BiometricsMutation, BiometricsQuery};
use crate::datasets::graphql::{DatasetsMutation, DatasetsQuery};
use crate::documents::graphql::{DocumentsMutation, DocumentsQuery};
use crate::error::{ApiError, ErrorCode};
use crate::hub::graphql::{HubMutation, HubQuery};
use crate::identity::caller::Caller;
use crate::identity::graphql::{IdentityMutation, IdentityQuery, IdentityQuery2};
use crate::imei::cases::graphql::{CasesMutation, CasesQuery};
use crate::imei::graphql::{ImeiMutation, ImeiQuery};
use crate::marketplace::graphql::{MarketplaceMutation, MarketplaceQuery};
use crate::research::graphql::{ResearchMutation, ResearchQuery};
use crate::search::graphql::SearchQuery;
use crate::state::AppState;

/// Fields every client may ask about the API itself.
#[derive(Default)]
pub struct MetaQuery;

#[async_graphql::Object]
impl MetaQuery {
    /// The server's version.
    async fn api_version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
}

#[derive(MergedObject, Default)]
pub struct QueryRoot(
    MetaQuery,
    IdentityQuery,
    IdentityQuery2,
    MarketplaceQuery,
    ResearchQuery,
    DatasetsQuery,
    DocumentsQuery,
    ImeiQuery,
    CasesQuery,
    HubQuery,
    BiometricsQuery,
    SearchQuery,
);

#[derive(MergedObject, Default)]
pub struct MutationRoot(
    IdentityMutation,
    MarketplaceMutation,
    ResearchMutation,
    DatasetsMutation,
    DocumentsMutation,
    ImeiMutation,
    CasesMutation,
    HubMutation,
    BiometricsMutation,
);

pub type ApiSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Bounds that keep one request from costing the server without limit.
const MAX_DEPTH: usize = 12;
const MAX_COMPLEXITY: usize = 1_000;

/// The schema without runtime data: for the SDL contract.
pub fn schema_builder() -> async_graphql::SchemaBuilder<QueryRoot, MutationRoot, EmptySubscription>
{
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .limit_depth(MAX_DEPTH)
    .limit_complexity(MAX_COMPLEXITY)
}

pub fn build_schema(state: AppState) -> ApiSchema {
    schema_builder().data(state).finish()
}

/// The SDL that `schema/schema.graphql` must equal.
pub fn sdl() -> String {
    schema_builder().finish().sdl()
}

/// The app state inside a resolver.
pub fn state_of<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a AppState> {
    ctx.data::<AppState>().map_err(|_| {
        ApiError::internal(anyhow::anyhow!("GraphQL context has no AppState")).into_graphql()
    })
}

/// The caller of the current request (anonymous if none was attached).
pub fn caller_of(ctx: &Context<'_>) -> Caller {
    ctx.data_opt::<Caller>().cloned().unwrap_or_default()
}

/// The app state and the caller of a resolver: what every service operation takes.
pub fn request<'a>(ctx: &Context<'a>) -> async_graphql::Result<(&'a AppState, Caller)> {
    Ok((state_of(ctx)?, caller_of(ctx)))
}

/// A service's answer as a resolver's: an error keeps its code in `extensions.code`.
pub fn answer<T>(result: crate::error::ApiResult<T>) -> async_graphql::Result<T> {
    result.map_err(ApiError::into_graphql)
}

/// A service's answer for a nullable field: "not found" is null (a hidden item does not
/// reveal that it exists, as REST's 404 does not), any other error stays an error.
pub fn found<T>(result: crate::error::ApiResult<T>) -> async_graphql::Result<Option<T>> {
    match result {
        Ok(found) => Ok(Some(found)),
        Err(e) if e.code == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e.into_graphql()),
    }
}

/// `POST /graphql`: the body is read under the same size limit as JSON bodies, then parsed,
/// so an oversized or malformed request gets the usual problem+json.
#[post("/graphql")]
pub async fn graphql_post(
    schema: web::Data<ApiSchema>,
    state: web::Data<AppState>,
    caller: Caller,
    http: actix_web::HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let request: async_graphql::BatchRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            ErrorCode::MalformedJson,
            format!("not a GraphQL request: {e}"),
        )
    })?;
    // The whole request is priced before anything runs (see `cost`).
    let operations: Vec<&async_graphql::Request> = match &request {
        async_graphql::BatchRequest::Single(one) => vec![one],
        async_graphql::BatchRequest::Batch(many) => many.iter().collect(),
    };
    let priced: Vec<cost::Operation<'_>> = operations
        .iter()
        .map(|r| cost::Operation {
            query: &r.query,
            operation_name: r.operation_name.as_deref(),
            variables: &r.variables,
        })
        .collect();
    if let Err(refusal) = cost::check(cost_model(), &priced) {
        return Ok(refused(&refusal));
    }
    if matches!(caller, Caller::Anonymous) && credentials::needs_credentials(&priced) {
        return Ok(refused(&crate::identity::policy::unauthenticated()));
    }
    // A partner's further operations count against its rate limit like requests do.
    if let Caller::Partner(partner) = &caller {
        let further = u32::try_from(operations.len().saturating_sub(1)).unwrap_or(u32::MAX);
        state
            .identity
            .limiter
            .charge(
                &state.db,
                &partner.id,
                partner.rate_limit_per_minute,
                further,
            )
            .await?;
    }
    // The same caller REST would see: the one policy decides in the resolvers.
    let client = crate::http::client::ClientAddress::of(&http);
    let mut response = schema
        .execute_batch(request.data(caller).data(client))
        .await;
    // Parse and validation failures of the document itself are the client's error (GraphQL
    // over HTTP, 6.4.1); errors raised while resolving fields are reported with 200.
    let status = if response.is_ok() || resolved_anything(&response) {
        actix_web::http::StatusCode::OK
    } else {
        mark_request_errors(&mut response);
        actix_web::http::StatusCode::BAD_REQUEST
    };
    let body = serde_json::to_vec(&response).map_err(ApiError::internal)?;
    Ok(HttpResponse::build(status)
        .content_type("application/graphql-response+json")
        .body(body))
}

/// The schema's cost model, read once from its SDL.
fn cost_model() -> &'static cost::CostModel {
    static MODEL: std::sync::OnceLock<cost::CostModel> = std::sync::OnceLock::new();
    MODEL.get_or_init(|| {
        cost::CostModel::from_sdl(&sdl()).unwrap_or_else(|error| {
            tracing::error!(%error, "the GraphQL cost model could not read the schema");
            cost::CostModel::default()
        })
    })
}

/// A request refused before execution, in the GraphQL response shape with the error's code.
fn refused(error: &ApiError) -> HttpResponse {
    let status = error.code.status();
    let body = serde_json::json!({
        "errors": [{
            "message": error.detail,
            "extensions": { "code": error.code.as_str(), "status": status.as_u16() }
        }]
    });
    HttpResponse::build(status)
        .content_type("application/graphql-response+json")
        .body(body.to_string())
}

/// Errors raised by resolvers carry a code; request-level errors (syntax, validation) do not.
fn resolved_anything(response: &async_graphql::BatchResponse) -> bool {
    let responses: Vec<&async_graphql::Response> = match response {
        async_graphql::BatchResponse::Single(r) => vec![r],
        async_graphql::BatchResponse::Batch(list) => list.iter().collect(),
    };
    responses.iter().any(|r| {
        r.errors.iter().any(|e| {
            e.extensions
                .as_ref()
                .is_some_and(|ext| ext.get("code").is_some())
        }) || !matches!(r.data, async_graphql::Value::Null)
    })
}

/// Gives the errors of a rejected document (async-graphql's parse and validation errors carry
/// no extensions) the same `code` and `status` every other silkbridge error has, so clients
/// branch on codes alone.
fn mark_request_errors(response: &mut async_graphql::BatchResponse) {
    let responses: Vec<&mut async_graphql::Response> = match response {
        async_graphql::BatchResponse::Single(r) => vec![r],
        async_graphql::BatchResponse::Batch(list) => list.iter_mut().collect(),
    };
    let code = ErrorCode::InvalidGraphql;
    for error in responses.into_iter().flat_map(|r| r.errors.iter_mut()) {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            extensions.set("code", code.as_str());
            extensions.set("status", code.status().as_u16());
        }
    }
}

/// `GET /graphql`: a self-contained playground page (no assets from elsewhere).
#[get("/graphql")]
pub async fn graphql_playground() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(include_str!("playground.html"))
}
