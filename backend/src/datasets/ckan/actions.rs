//! The CKAN actions this platform answers, each a thin translation onto the open-data and
//! identity services: the same rules as REST and GraphQL, in CKAN's words.

use serde_json::{Value, json};

use super::envelope::{self, CkanError, Params};
use super::package;
use crate::datasets::domain::{LICENCES, THEMES};
use crate::datasets::input::DatasetInput;
use crate::datasets::resources::ResourceInput;
use crate::datasets::{service, views};
use crate::error::ApiError;
use crate::identity::caller::Caller;
use crate::identity::service as identity;
use crate::state::AppState;

/// Actions answered here (and by `GET /api/3/action/help_show`-less clients' discovery).
pub const ACTIONS: &[&str] = &[
    "status_show",
    "package_list",
    "package_search",
    "package_show",
    "package_create",
    "package_update",
    "package_patch",
    "package_delete",
    "resource_show",
    "resource_create",
    "organization_list",
    "organization_show",
    "group_list",
    "group_show",
    "tag_list",
    "license_list",
];

/// Actions that change something: CKAN accepts them only by POST.
pub fn writes(action: &str) -> bool {
    matches!(
        action,
        "package_create"
            | "package_update"
            | "package_patch"
            | "package_delete"
            | "resource_create"
    )
}

fn base(state: &AppState) -> String {
    state.config.public_url.clone()
}

/// Converts package dict fields over `base` input fields into `DatasetInput`.
fn input_over(
    base: serde_json::Map<String, Value>,
    params: &Params,
) -> Result<DatasetInput, CkanError> {
    let mut merged = base;
    merged.extend(package::input_fields(params)?);
    serde_json::from_value(Value::Object(merged)).map_err(|e| {
        CkanError::validation("__body", format!("the package does not fit a dataset: {e}"))
    })
}

/// Link resources given inline with `package_create` (CKAN accepts `resources: [...]`).
fn inline_links(params: &Params) -> Result<Vec<ResourceInput>, CkanError> {
    let Some(Value::Array(items)) = params.get("resources") else {
        return Ok(Vec::new());
    };
    items
        .iter()
        .map(|item| {
            let text = |key: &str| item.get(key).and_then(Value::as_str).map(str::to_owned);
            Ok(ResourceInput {
                name: text("name"),
                description: text("description").unwrap_or_default(),
                format: text("format"),
                url: Some(text("url").ok_or_else(|| {
                    CkanError::validation("resources", "each inline resource needs a url")
                })?),
            })
        })
        .collect()
}

/// Runs one action that needs no upload.
pub async fn run(
    state: &AppState,
    caller: Caller,
    action: &str,
    params: Params,
) -> Result<Value, CkanError> {
    let base = base(state);
    match action {
        "status_show" => Ok(json!({
            "site_title": state.config.datasets.catalog_title,
            "site_description": "",
            "site_url": base,
            "ckan_version": "2.10.0",
            "api_version": 3,
            "locale_default": "en",
            "extensions": ["silkbridge", "dcat", "fluent"],
        })),
        "package_list" => {
            let limit = envelope::integer(&params, "limit")?
                .unwrap_or(i64::MAX)
                .max(0);
            let offset = envelope::integer(&params, "offset")?.unwrap_or(0).max(0);
            let names = service::public_names(state, offset, limit).await?;
            Ok(json!(names))
        }
        "package_search" => super::search::package_search(state, caller, &params).await,
        "package_show" => {
            let key = envelope::required(&params, "id")?;
            let view = service::get(state, &caller, &key).await?;
            Ok(package::package(&base, &view))
        }
        "package_create" => {
            let input = input_over(serde_json::Map::new(), &params)?;
            let links = inline_links(&params)?;
            let view = service::create(state, &caller, input, links).await?;
            Ok(package::package(&base, &view))
        }
        "package_update" | "package_patch" => {
            let key = envelope::text(&params, "id")
                .or_else(|| envelope::text(&params, "name"))
                .ok_or_else(|| CkanError::validation("id", "Missing value"))?;
            let current = service::get(state, &caller, &key).await?;
            let over = if action == "package_patch" {
                match serde_json::to_value(views::current_input(&current)) {
                    Ok(Value::Object(map)) => map,
                    _ => {
                        return Err(
                            ApiError::internal(anyhow::anyhow!("input is not an object")).into(),
                        );
                    }
                }
            } else {
                // An update replaces the metadata; the organisation stays unless given.
                let mut map = serde_json::Map::new();
                map.insert("organisation".into(), json!(current.organisation.slug));
                map.insert("name".into(), json!(current.name));
                map
            };
            let input = input_over(over, &params)?;
            let view = service::update(state, &caller, &current.id, input).await?;
            Ok(package::package(&base, &view))
        }
        "package_delete" => {
            let key = envelope::required(&params, "id")?;
            service::delete(state, &caller, &key).await?;
            Ok(Value::Null)
        }
        "resource_show" => {
            let id = envelope::required(&params, "id")?;
            let view = service::resource_view(state, &caller, None, &id).await?;
            Ok(package::resource(&base, &view))
        }
        "resource_create" => {
            let dataset = envelope::required(&params, "package_id")?;
            let link = ResourceInput {
                name: envelope::text(&params, "name"),
                description: envelope::text(&params, "description").unwrap_or_default(),
                format: envelope::text(&params, "format"),
                url: Some(envelope::required(&params, "url")?),
            };
            let view = service::add_link(state, &caller, &dataset, link).await?;
            Ok(package::resource(&base, &view))
        }
        "organization_list" => {
            let all_fields = envelope::boolean(&params, "all_fields")?.unwrap_or(false);
            let orgs = identity::all_organisations(state).await?;
            Ok(if all_fields {
                json!(
                    orgs.iter()
                        .map(|o| package::organisation(o, None))
                        .collect::<Vec<_>>()
                )
            } else {
                json!(orgs.iter().map(|o| o.slug.clone()).collect::<Vec<_>>())
            })
        }
        "organization_show" => {
            let key = envelope::required(&params, "id")?;
            let (org, count) = service::publisher(state, &key).await?;
            let count = usize::try_from(count).unwrap_or(0);
            Ok(package::organisation(&org, Some(count)))
        }
        "group_list" => {
            let all_fields = envelope::boolean(&params, "all_fields")?.unwrap_or(false);
            Ok(if all_fields {
                json!(THEMES.iter().map(package::group).collect::<Vec<_>>())
            } else {
                json!(THEMES.iter().map(|t| t.name).collect::<Vec<_>>())
            })
        }
        "group_show" => {
            let key = envelope::required(&params, "id")?;
            crate::datasets::domain::theme(&key)
                .map(package::group)
                .ok_or_else(|| CkanError::not_found("Not found: Group was not found"))
        }
        "tag_list" => {
            let query = envelope::text(&params, "query").filter(|q| !q.is_empty());
            let all_fields = envelope::boolean(&params, "all_fields")?.unwrap_or(false);
            let tags = service::public_tags(state, query).await?;
            Ok(if all_fields {
                json!(tags.iter().map(|t| json!({"name": t, "display_name": t, "id": t, "vocabulary_id": null})).collect::<Vec<_>>())
            } else {
                json!(tags)
            })
        }
        "license_list" => Ok(json!(
            LICENCES
                .iter()
                .map(|l| json!({
                    "id": l.id,
                    "title": l.title,
                    "url": l.url,
                    "od_conformance": if l.open { "approved" } else { "not reviewed" },
                    "osd_conformance": "not reviewed",
                    "status": "active",
                    "maintainer": "",
                    "family": "",
                    "is_generic": l.url.is_empty(),
                    "domain_content": false,
                    "domain_data": true,
                    "domain_software": false,
                }))
                .collect::<Vec<_>>()
        )),
        other => Err(CkanError::new(
            actix_web::http::StatusCode::BAD_REQUEST,
            "Bad request",
            format!("Bad request - Action name not known: {other}"),
        )),
    }
}
