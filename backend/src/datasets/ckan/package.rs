//! Datasets in CKAN's shape, both ways: a dataset as `package_show` returns it, and a CKAN
//! package dict (as `package_create`, `package_update` and `package_patch` receive it) as
//! this platform's input. Read-only keys a client echoes back from `package_show`
//! (`metadata_modified`, `num_resources`, …) are ignored, as CKAN ignores them.

use chrono::NaiveDateTime;
use serde_json::{Map, Value, json};

use super::envelope::{CkanError, Params};
use crate::datasets::domain;
use crate::datasets::resources::{ResourceView, absolute_url};
use crate::datasets::views::{DatasetOwner, DatasetView};
use crate::identity::views::OrganisationView;

fn timestamp(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
}

/// CKAN's organisation dict: what its `organization_show` and a package's `organization`
/// share.
fn organisation_dict(
    id: &str,
    slug: &str,
    name: &str,
    country: &str,
) -> serde_json::Map<String, Value> {
    let value = json!({
        "id": id,
        "name": slug,
        "title": name,
        "display_name": name,
        "type": "organization",
        "is_organization": true,
        "state": "active",
        "approval_status": "approved",
        "description": "",
        "image_url": "",
        "country": country,
    });
    match value {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    }
}

/// An organisation as CKAN describes it.
pub fn organisation(org: &OrganisationView, package_count: Option<usize>) -> Value {
    let mut map = organisation_dict(&org.id, &org.slug, &org.name, org.country.as_str());
    map.insert("created".into(), json!(timestamp(org.created_at)));
    if let Some(count) = package_count {
        map.insert("package_count".into(), json!(count));
    }
    Value::Object(map)
}

fn owner(org: &DatasetOwner) -> Value {
    Value::Object(organisation_dict(
        &org.id,
        &org.slug,
        &org.name,
        org.country.as_str(),
    ))
}

/// A data theme as a CKAN group.
pub fn group(theme: &domain::Theme) -> Value {
    json!({
        "id": theme.name,
        "name": theme.name,
        "title": theme.title,
        "display_name": theme.title,
        "type": "group",
        "is_organization": false,
        "state": "active",
        "approval_status": "approved",
        "description": "",
        "image_url": "",
        "uri": theme.uri(),
    })
}

/// A resource as CKAN describes it.
pub fn resource(base: &str, resource: &ResourceView) -> Value {
    json!({
        "id": resource.id,
        "package_id": resource.dataset_id,
        "position": resource.position,
        "name": resource.name,
        "description": resource.description,
        "format": resource.format,
        "mimetype": resource.media_type,
        "url": absolute_url(base, &resource.url),
        "url_type": if resource.uploaded { Value::String("upload".into()) } else { Value::Null },
        "size": resource.size_bytes,
        "hash": resource.sha256.as_ref().map(|h| format!("sha256:{h}")),
        "state": "active",
        "created": timestamp(resource.created_at),
        "last_modified": timestamp(resource.updated_at),
        "metadata_modified": timestamp(resource.updated_at),
        "datastore_active": false,
        "preview": resource.preview,
    })
}

/// A dataset as `package_show` returns it.
pub fn package(base: &str, view: &DatasetView) -> Value {
    let mut title_translated = Map::new();
    let mut notes_translated = Map::new();
    title_translated.insert(view.language.clone(), json!(view.title));
    notes_translated.insert(view.language.clone(), json!(view.notes));
    for text in &view.translations {
        title_translated.insert(text.lang.clone(), json!(text.title));
        notes_translated.insert(text.lang.clone(), json!(text.notes));
    }
    let groups: Vec<Value> = view
        .themes
        .iter()
        .filter_map(|t| domain::theme(t))
        .map(group)
        .collect();
    json!({
        "id": view.id,
        "name": view.name,
        "type": "dataset",
        "title": view.title,
        "notes": view.notes,
        "language": view.language,
        "title_translated": title_translated,
        "notes_translated": notes_translated,
        "owner_org": view.organisation.id,
        "organization": owner(&view.organisation),
        "license_id": view.licence.id,
        "license_title": view.licence.title,
        "license_url": view.licence.url,
        "isopen": view.licence.open,
        "author": view.author,
        "author_email": view.author_email,
        "maintainer": view.maintainer,
        "maintainer_email": view.maintainer_email,
        "version": view.version,
        "url": view.url,
        "temporal_start": view.temporal_start,
        "temporal_end": view.temporal_end,
        "spatial": view.spatial,
        "frequency": view.frequency,
        "private": view.private,
        "state": view.state,
        "metadata_created": timestamp(view.created_at),
        "metadata_modified": timestamp(view.updated_at),
        "tags": view.tags.iter().map(|t| json!({
            "name": t, "display_name": t, "state": "active", "vocabulary_id": null
        })).collect::<Vec<_>>(),
        "num_tags": view.tags.len(),
        "groups": groups,
        "extras": view.extras.iter().map(|e| json!({"key": e.key, "value": e.value})).collect::<Vec<_>>(),
        "resources": view.resources.iter().map(|r| resource(base, r)).collect::<Vec<_>>(),
        "num_resources": view.resources.len(),
    })
}

/// Names out of CKAN's list-of-dicts (`[{"name": "x"}]`), or a plain list, or a
/// comma-separated string.
fn names(field: &str, value: &Value, keys: &[&str]) -> Result<Value, CkanError> {
    let name_of = |item: &Value| -> Result<String, CkanError> {
        match item {
            Value::String(s) => Ok(s.clone()),
            Value::Object(map) => keys
                .iter()
                .find_map(|k| map.get(*k).and_then(Value::as_str))
                .map(str::to_owned)
                .ok_or_else(|| CkanError::validation(field, "each item needs a name")),
            _ => Err(CkanError::validation(field, "expected a list of names")),
        }
    };
    let list: Vec<String> = match value {
        Value::Null => Vec::new(),
        Value::Array(items) => items.iter().map(name_of).collect::<Result<_, _>>()?,
        Value::String(s) => s
            .split(',')
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect(),
        _ => return Err(CkanError::validation(field, "expected a list")),
    };
    Ok(json!(list))
}

/// Key-value extras: CKAN's `[{"key", "value"}]` (a `deleted` one is dropped).
fn extras(value: &Value) -> Result<Value, CkanError> {
    let Value::Array(items) = value else {
        return Err(CkanError::validation(
            "extras",
            "expected a list of {key, value}",
        ));
    };
    let mut out = Vec::new();
    for item in items {
        let key = item.get("key").and_then(Value::as_str);
        let deleted = item
            .get("deleted")
            .is_some_and(|d| d.as_bool() == Some(true) || d.as_str() == Some("on"));
        let value = match item.get("value") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        match key {
            Some(key) if !deleted => out.push(json!({"key": key, "value": value})),
            Some(_) => {}
            None => return Err(CkanError::validation("extras", "each extra needs a key")),
        }
    }
    Ok(json!(out))
}

/// Translations out of `title_translated` / `notes_translated` (ckanext-fluent's fields),
/// leaving out the main language.
fn translations(params: &Params, main_language: Option<&str>) -> Result<Option<Value>, CkanError> {
    let object = |key: &str| -> Result<Map<String, Value>, CkanError> {
        match params.get(key) {
            None | Some(Value::Null) => Ok(Map::new()),
            Some(Value::Object(map)) => Ok(map.clone()),
            Some(_) => Err(CkanError::validation(
                key,
                "expected an object of language → text",
            )),
        }
    };
    let titles = object("title_translated")?;
    let notes = object("notes_translated")?;
    if titles.is_empty() && notes.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::new();
    for (lang, title) in &titles {
        if Some(lang.as_str()) == main_language {
            continue;
        }
        let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or_default().to_owned();
        out.push(json!({"lang": lang, "title": text(Some(title)), "notes": text(notes.get(lang))}));
    }
    Ok(Some(json!(out)))
}

/// A CKAN package dict as `DatasetInput` fields: only the keys present are returned, so the
/// same conversion serves create (over defaults), update and patch (over the current input).
pub fn input_fields(params: &Params) -> Result<Map<String, Value>, CkanError> {
    let mut out = Map::new();
    let copy = [
        "name",
        "title",
        "notes",
        "author",
        "author_email",
        "maintainer",
        "maintainer_email",
        "version",
        "url",
        "temporal_start",
        "temporal_end",
        "spatial",
        "frequency",
        "language",
    ];
    for key in copy {
        if let Some(value) = params.get(key) {
            let value = match value {
                Value::String(s)
                    if s.trim().is_empty() && key != "notes" && key != "title" && key != "name" =>
                {
                    Value::Null
                }
                other => other.clone(),
            };
            out.insert(key.to_owned(), value);
        }
    }
    if let Some(value) = params.get("owner_org") {
        out.insert("organisation".into(), value.clone());
    }
    if let Some(value) = params.get("license_id") {
        out.insert("licence".into(), value.clone());
    }
    if let Some(value) = params.get("private") {
        let private = match value {
            Value::Bool(b) => *b,
            Value::String(s) => {
                matches!(s.to_ascii_lowercase().as_str(), "true" | "1" | "yes" | "on")
            }
            _ => false,
        };
        out.insert("private".into(), json!(private));
    }
    if let Some(value) = params.get("tags") {
        out.insert(
            "tags".into(),
            names("tags", value, &["name", "display_name"])?,
        );
    } else if let Some(value) = params.get("tag_string") {
        out.insert("tags".into(), names("tags", value, &["name"])?);
    }
    if let Some(value) = params.get("groups") {
        out.insert("themes".into(), names("groups", value, &["name", "id"])?);
    }
    if let Some(value) = params.get("extras") {
        out.insert("extras".into(), extras(value)?);
    }
    let main = params.get("language").and_then(Value::as_str);
    if let Some(texts) = translations(params, main.or(Some("en")))? {
        out.insert("translations".into(), texts);
        if !params.contains_key("title")
            && let Some(title) = params
                .get("title_translated")
                .and_then(|t| t.get(main.unwrap_or("en")))
        {
            out.insert("title".into(), title.clone());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ckan_dicts_become_input_fields() {
        let params: Params = serde_json::from_value(json!({
            "name": "budget-2024",
            "owner_org": "minfin-az",
            "license_id": "cc-by",
            "tags": [{"name": "budget"}, {"name": "büdcə"}],
            "groups": [{"name": "econ"}],
            "extras": [{"key": "source", "value": "treasury"}, {"key": "old", "value": "x", "deleted": true}],
            "private": "True",
            "title_translated": {"en": "Budget", "az": "Büdcə"},
            "notes_translated": {"az": "Dövlət büdcəsi"},
            "metadata_modified": "2024-01-01T00:00:00",
            "num_resources": 3,
            "author": ""
        }))
        .unwrap();
        let fields = input_fields(&params).unwrap();
        assert_eq!(fields["organisation"], "minfin-az");
        assert_eq!(fields["licence"], "cc-by");
        assert_eq!(fields["tags"], json!(["budget", "büdcə"]));
        assert_eq!(fields["themes"], json!(["econ"]));
        assert_eq!(
            fields["extras"],
            json!([{"key": "source", "value": "treasury"}])
        );
        assert_eq!(fields["private"], json!(true));
        assert_eq!(fields["title"], "Budget");
        assert_eq!(
            fields["translations"],
            json!([{"lang": "az", "title": "Büdcə", "notes": "Dövlət büdcəsi"}])
        );
        assert_eq!(fields["author"], Value::Null);
        assert!(!fields.contains_key("metadata_modified"));
        assert!(input_fields(&serde_json::from_value(json!({"tags": 5})).unwrap()).is_err());
    }
}
