//! The research module's rules on a connection: who may read and edit publications, and
//! what every write records. The operations in `service.rs` run them in one transaction each;
//! the seed and the CLI compose them inside theirs.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use silkbridge_schema::models::{Publication, PublicationVersion};
use silkbridge_schema::{DbConnection, ids};

use super::domain::PublicationType;
use super::index::PUBLICATION_KIND;
use super::input::{self, CheckedContent, PublicationInput, PublicationQuery};
use super::store::{self, PublicationFilter, PublicationOrder, Readable};
use super::views::{
    PublicationVersionView, PublicationView, Tombstone, parse_json, to_json, view, views,
};
use crate::changes::Change;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::http::pagination::{NewestKey, NumberKey, Page, PageRequest, TextKey, invalid_cursor};
use crate::identity::caller::Caller;
use crate::identity::domain::LANGUAGE_TAGS;
use crate::identity::policy::{self, Action, authorize};
use crate::identity::rules as identity;
use crate::validate::Validator;

const CURSOR_SCOPE: &str = "publications";

/// Whether everyone may read the publication on `today`.
pub(super) fn open_on(row: &Publication, today: NaiveDate) -> bool {
    readable_by_all(&row.access_level, row.embargo_until, today)
}

/// Whether content of this access level is readable by everyone on `day`: open, or
/// embargoed with the embargo past.
fn readable_by_all(access_level: &str, embargo_until: Option<NaiveDate>, day: NaiveDate) -> bool {
    match access_level {
        "open" => true,
        "embargoed" => embargo_until.is_some_and(|until| until <= day),
        _ => false,
    }
}

pub(super) fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// A publication the caller may read, else 404: restricted publications do not reveal that
/// they exist to outsiders.
pub(super) fn readable(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<Publication> {
    let not_found = || ApiError::not_found(format_args!("publication `{id}`"));
    let row = store::publication(conn, id)?.ok_or_else(not_found)?;
    if row.deleted_at.is_some() {
        return Err(not_found());
    }
    let member = authorize(
        caller,
        Action::ReadOwn {
            organisation_id: &row.organisation_id,
        },
    )
    .is_ok();
    if open_on(&row, today()) || member {
        Ok(row)
    } else {
        Err(not_found())
    }
}

/// A publication the caller may edit (its organisation's editors).
pub(super) fn editable(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<Publication> {
    let row = readable(conn, caller, id)?;
    authorize(
        caller,
        Action::EditFor {
            organisation_id: &row.organisation_id,
        },
    )?;
    Ok(row)
}

/// Writes checked content into a row.
fn fill(row: &mut Publication, content: &CheckedContent) -> ApiResult<()> {
    let input = &content.input;
    let translations: BTreeMap<&str, (&str, &str)> = input
        .translations
        .iter()
        .map(|t| {
            (
                t.lang.as_str(),
                (t.title.as_str(), t.abstract_text.as_str()),
            )
        })
        .collect();
    row.publication_type = input.publication_type.clone();
    row.language = input.language.clone();
    row.title = input.title.clone();
    row.abstract_text = input.abstract_text.clone();
    row.translations_json = to_json(&translations)?;
    row.authors_json = to_json(&input.authors)?;
    row.keywords_json = to_json(&input.keywords)?;
    row.subjects_json = to_json(&input.subjects)?;
    row.issued = input.issued.clone();
    row.year = content.year;
    row.venue = input.venue.clone();
    row.doi = input.doi.clone();
    row.licence = input.licence.clone();
    row.access_level = input.access_level.clone();
    row.embargo_until = input.embargo_until;
    row.ever_open = row.ever_open || open_on(row, today());
    Ok(())
}

/// Refuses a DOI another live publication already carries.
fn check_doi_unique(conn: &mut DbConnection, row: &Publication) -> ApiResult<()> {
    if let Some(doi) = &row.doi
        && let Some(holder) = store::doi_holder(conn, doi, &row.id)?
    {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!("DOI {doi} is already registered for publication {holder}"),
        ));
    }
    Ok(())
}

/// Saves the row's languages, its version, and the change-log and audit entries: the steps
/// every edit ends with. `action` is `publication.create` or `publication.update`.
fn record(
    conn: &mut DbConnection,
    row: &Publication,
    content: &CheckedContent,
    by: &str,
    action: &str,
) -> ApiResult<()> {
    store::replace_languages(conn, &row.id, &content.languages())?;
    store::insert_version(
        conn,
        &PublicationVersion {
            publication_id: row.id.clone(),
            version: row.version,
            content_json: to_json(&content.input)?,
            edited_by: by.to_owned(),
            edited_at: row.updated_at,
        },
    )?;
    Change::upsert(PUBLICATION_KIND, &row.id).audited(
        conn,
        by,
        action,
        serde_json::json!({"version": row.version, "access_level": row.access_level}),
    )
}

fn changed(conn: &mut DbConnection, id: &str) -> ApiResult<()> {
    Change::upsert(PUBLICATION_KIND, id).record(conn)?;
    Ok(())
}

/// Creates a publication of the organisation `slug` (its editors).
pub(crate) fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    slug: &str,
    input: PublicationInput,
) -> ApiResult<PublicationView> {
    let organisation = identity::organisation_by_slug(conn, slug)?;
    authorize(
        caller,
        Action::EditFor {
            organisation_id: &organisation.id,
        },
    )?;
    let content = input::check(conn, input)?;
    let now = ids::now();
    let mut row = Publication {
        id: ids::new_id(),
        organisation_id: organisation.id,
        publication_type: String::new(),
        language: String::new(),
        title: String::new(),
        abstract_text: String::new(),
        translations_json: "{}".into(),
        authors_json: "[]".into(),
        keywords_json: "[]".into(),
        subjects_json: "[]".into(),
        issued: String::new(),
        year: 0,
        venue: None,
        doi: None,
        licence: String::new(),
        access_level: String::new(),
        embargo_until: None,
        version: 1,
        ever_open: false,
        deleted_at: None,
        created_by: caller.actor(),
        created_at: now,
        updated_at: now,
    };
    fill(&mut row, &content)?;
    check_doi_unique(conn, &row)?;
    store::insert_publication(conn, &row)?;
    record(conn, &row, &content, &caller.actor(), "publication.create")?;
    view(conn, row)
}

/// Replaces a publication's content (its organisation's editors); the previous version stays
/// in the history.
pub(crate) fn update(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    input: PublicationInput,
) -> ApiResult<PublicationView> {
    let mut row = editable(conn, caller, id)?;
    let content = input::check(conn, input)?;
    fill(&mut row, &content)?;
    check_doi_unique(conn, &row)?;
    row.version += 1;
    row.updated_at = ids::now();
    store::save_publication(conn, &row)?;
    record(conn, &row, &content, &caller.actor(), "publication.update")?;
    view(conn, row)
}

/// Withdraws a publication (its organisation's editors). The row stays, so harvesters that
/// saw it are told it is deleted; its files stay until an administrator purges them.
pub(crate) fn delete(conn: &mut DbConnection, caller: &Caller, id: &str) -> ApiResult<()> {
    let mut row = editable(conn, caller, id)?;
    let now = ids::now();
    row.deleted_at = Some(now);
    row.updated_at = now;
    store::save_publication(conn, &row)?;
    Change::upsert(PUBLICATION_KIND, &row.id).audited(
        conn,
        &caller.actor(),
        "publication.delete",
        serde_json::json!({}),
    )
}

/// Opens embargoed publications whose date has come: they become `open` with a fresh
/// datestamp, so incremental harvesters pick them up. Run at start and periodically.
pub(crate) fn release_embargoes(conn: &mut DbConnection) -> ApiResult<usize> {
    let today = today();
    let mut opened = 0;
    for row in store::embargoes_ended(conn, today)? {
        if store::open_if_embargo_ended(conn, &row.id, today, ids::now())? {
            changed(conn, &row.id)?;
            opened += 1;
        }
    }
    Ok(opened)
}

pub(crate) fn get(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<PublicationView> {
    let row = readable(conn, caller, id)?;
    view(conn, row)
}

/// Every version of a publication's content the caller may read, newest first. Members of
/// the owning organisation see them all; everyone else sees only the versions that were open
/// while they were current (a draft kept `organisation` before it was opened stays private).
pub(crate) fn versions(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<Vec<PublicationVersionView>> {
    let row = readable(conn, caller, id)?;
    let member = authorize(
        caller,
        Action::ReadOwn {
            organisation_id: &row.organisation_id,
        },
    )
    .is_ok();
    let mut shown = Vec::new();
    // Newest first: each version was current until the next one was written.
    let mut current_until = today();
    for v in store::versions(conn, id)? {
        let content: PublicationInput = parse_json(&v.content_json)?;
        let superseded = current_until;
        current_until = v.edited_at.date();
        // A version was readable by everyone at some point if it was so on the day the next
        // version replaced it (or today, for the current one).
        if member || readable_by_all(&content.access_level, content.embargo_until, superseded) {
            shown.push(PublicationVersionView {
                version: v.version,
                edited_by: v.edited_by,
                edited_at: v.edited_at,
                content,
            });
        }
    }
    Ok(shown)
}

/// The tombstone of a withdrawn publication that was once public: its last version everyone
/// could read. `None` for one that is not withdrawn, was never public, or does not exist, so a
/// tombstone reveals nothing a reader could not have seen before.
pub(crate) fn tombstone(conn: &mut DbConnection, id: &str) -> ApiResult<Option<Tombstone>> {
    let Some(row) = store::publication(conn, id)? else {
        return Ok(None);
    };
    let (Some(withdrawn_at), true) = (row.deleted_at, row.ever_open) else {
        return Ok(None);
    };
    // Newest first: each version was current until the next one (or the withdrawal).
    let mut current_until = withdrawn_at.date();
    for v in store::versions(conn, id)? {
        let content: PublicationInput = parse_json(&v.content_json)?;
        let superseded = current_until;
        current_until = v.edited_at.date();
        if readable_by_all(&content.access_level, content.embargo_until, superseded) {
            return Ok(Some(Tombstone {
                id: row.id,
                withdrawn_at,
                content,
            }));
        }
    }
    Ok(None)
}

/// Publications by id, in the order asked, each one the caller may read (citation export).
/// An id the caller may not read is a 404, like a single read.
pub(crate) fn readable_many(
    conn: &mut DbConnection,
    caller: &Caller,
    ids: &[String],
) -> ApiResult<Vec<PublicationView>> {
    let mut rows = Vec::with_capacity(ids.len());
    for id in ids {
        rows.push(readable(conn, caller, id)?);
    }
    views(conn, rows)
}

fn filter_of(
    conn: &mut DbConnection,
    query: &PublicationQuery,
) -> ApiResult<(PublicationFilter, String)> {
    let mut check = Validator::default();
    let mut filter = PublicationFilter::default();
    if let Some(slug) = &query.organisation {
        filter.organisation_id = Some(identity::organisation_by_slug(conn, slug)?.id);
    }
    if let Some(kind) = &query.publication_type {
        filter.publication_type = check
            .parse::<PublicationType>("publication_type", kind)
            .map(|k| k.as_str().to_owned());
    }
    filter.year_from = query.year.or(query.year_from);
    filter.year_to = query.year.or(query.year_to);
    if let (Some(from), Some(to)) = (filter.year_from, filter.year_to)
        && to < from
    {
        check.fail("year_to", "invalid_range", "year_to is before year_from");
    }
    match query.language.as_deref() {
        None => {}
        Some("uz") => filter.languages = vec!["uz-Latn".into(), "uz-Cyrl".into()],
        Some(lang) if LANGUAGE_TAGS.contains(&lang) => filter.languages = vec![lang.to_owned()],
        Some(_) => check.fail(
            "language",
            "unknown_value",
            format!("language must be uz or one of {}", LANGUAGE_TAGS.join(", ")),
        ),
    }
    if let Some(licence) = &query.licence {
        match super::domain::normalise_licence(licence) {
            Ok(id) => filter.licence = Some(id),
            Err(message) => check.fail("licence", "unknown_value", message),
        }
    }
    let sort = query.sort.clone().unwrap_or_else(|| "newest".into());
    if !["newest", "year", "title"].contains(&sort.as_str()) {
        check.fail(
            "sort",
            "unknown_value",
            "sort must be newest, year or title",
        );
    }
    check.finish()?;
    Ok((filter, sort))
}

/// Publications the caller may read, filtered, sorted and paginated by keyset.
pub(crate) fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    query: &PublicationQuery,
    limit: Option<u32>,
    cursor: Option<&str>,
) -> ApiResult<Page<PublicationView>> {
    let (filter, sort) = filter_of(conn, query)?;
    let scope = format!("{CURSOR_SCOPE}:{sort}");
    let readable = Readable {
        own: policy::read_scope(caller),
        today: Some(today()),
    };
    let fetch = |conn: &mut DbConnection, order: PublicationOrder, limit: i64| {
        store::search(conn, &readable, &filter, &order, limit)
    };
    let (rows, next_cursor) = match sort.as_str() {
        "year" => {
            let page = PageRequest::<NumberKey>::parse(limit, cursor, &scope)?;
            let after = match page.after.clone() {
                Some(key) => Some((
                    i32::try_from(key.number).map_err(|_| invalid_cursor())?,
                    key.id,
                )),
                None => None,
            };
            let rows = fetch(conn, PublicationOrder::Year { after }, page.fetch_limit())?;
            page.split(rows, &scope, |row| NumberKey {
                number: i64::from(row.year),
                id: row.id.clone(),
            })
        }
        "title" => {
            let page = PageRequest::<TextKey>::parse(limit, cursor, &scope)?;
            let after = page.after.clone().map(TextKey::into_pair);
            let rows = fetch(conn, PublicationOrder::Title { after }, page.fetch_limit())?;
            page.split(rows, &scope, |row| TextKey::of(&row.title, &row.id))
        }
        _ => {
            let page = PageRequest::<NewestKey>::parse(limit, cursor, &scope)?;
            let after = page.after.clone().map(NewestKey::into_pair);
            let rows = fetch(conn, PublicationOrder::Newest { after }, page.fetch_limit())?;
            page.split(rows, &scope, |row| NewestKey::of(&row.updated_at, &row.id))
        }
    };
    Ok(Page {
        items: views(conn, rows)?,
        next_cursor,
    })
}

/// Publications open to everyone now: what a complete harvest must return.
pub(crate) fn count_open(conn: &mut DbConnection) -> ApiResult<i64> {
    Ok(store::count_open(conn)?)
}
