//! The documents module's queries. Only this module touches these tables.

use diesel::prelude::*;
use silkbridge_schema::DbConnection;
use silkbridge_schema::models::{
    DocumentFileRow, DocumentRecipientRow, DocumentRow, DocumentStepRow,
};
use silkbridge_schema::tables::{document_files, document_recipients, document_steps, documents};

pub fn document(conn: &mut DbConnection, id: &str) -> QueryResult<Option<DocumentRow>> {
    documents::table
        .find(id)
        .select(DocumentRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert_document(conn: &mut DbConnection, row: &DocumentRow) -> QueryResult<()> {
    diesel::insert_into(documents::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn save_document(conn: &mut DbConnection, row: &DocumentRow) -> QueryResult<()> {
    diesel::update(documents::table.find(&row.id))
        .set(row)
        .execute(conn)
        .map(drop)
}

pub fn recipients(
    conn: &mut DbConnection,
    ids: &[String],
) -> QueryResult<Vec<DocumentRecipientRow>> {
    document_recipients::table
        .filter(document_recipients::document_id.eq_any(ids))
        .order((
            document_recipients::document_id,
            document_recipients::organisation_id,
        ))
        .select(DocumentRecipientRow::as_select())
        .load(conn)
}

pub fn replace_recipients(
    conn: &mut DbConnection,
    id: &str,
    rows: &[DocumentRecipientRow],
) -> QueryResult<()> {
    diesel::delete(document_recipients::table.filter(document_recipients::document_id.eq(id)))
        .execute(conn)?;
    for row in rows {
        diesel::insert_into(document_recipients::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

pub fn save_recipient(conn: &mut DbConnection, row: &DocumentRecipientRow) -> QueryResult<()> {
    diesel::update(document_recipients::table.find((&row.document_id, &row.organisation_id)))
        .set(row)
        .execute(conn)
        .map(drop)
}

pub fn files(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<DocumentFileRow>> {
    document_files::table
        .filter(document_files::document_id.eq_any(ids))
        .order((
            document_files::document_id,
            document_files::created_at,
            document_files::id,
        ))
        .select(DocumentFileRow::as_select())
        .load(conn)
}

pub fn insert_file(conn: &mut DbConnection, row: &DocumentFileRow) -> QueryResult<()> {
    diesel::insert_into(document_files::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn steps(conn: &mut DbConnection, id: &str) -> QueryResult<Vec<DocumentStepRow>> {
    document_steps::table
        .filter(document_steps::document_id.eq(id))
        .order(document_steps::seq.asc())
        .select(DocumentStepRow::as_select())
        .load(conn)
}

pub fn insert_step(conn: &mut DbConnection, row: &DocumentStepRow) -> QueryResult<()> {
    diesel::insert_into(document_steps::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Documents sent by, or (once sent) addressed to, these organisations, newest first.
pub fn visible_ids(
    conn: &mut DbConnection,
    organisations: &[String],
    outbox: Option<bool>,
    after: Option<(chrono::NaiveDateTime, String)>,
    limit: i64,
) -> QueryResult<Vec<DocumentRow>> {
    let addressed = document_recipients::table
        .filter(document_recipients::organisation_id.eq_any(organisations.to_vec()))
        .select(document_recipients::document_id);
    let mut query = documents::table
        .select(DocumentRow::as_select())
        .into_boxed();
    query = match outbox {
        Some(true) => query.filter(documents::sender_id.eq_any(organisations.to_vec())),
        Some(false) => query
            .filter(documents::state.eq("sent"))
            .filter(documents::id.eq_any(addressed)),
        None => query.filter(
            documents::sender_id
                .eq_any(organisations.to_vec())
                .or(documents::state
                    .eq("sent")
                    .and(documents::id.eq_any(addressed))),
        ),
    };
    query = query.order((documents::updated_at.desc(), documents::id.desc()));
    if let Some((at, id)) = after {
        query = query
            .filter(documents::updated_at.le(at))
            .filter(documents::updated_at.lt(at).or(documents::id.lt(id)));
    }
    query.limit(limit).load(conn)
}

pub fn all_ids(conn: &mut DbConnection) -> QueryResult<Vec<String>> {
    documents::table
        .select(documents::id)
        .order(documents::id)
        .load(conn)
}

pub fn after_id(conn: &mut DbConnection, after: &str, limit: i64) -> QueryResult<Vec<DocumentRow>> {
    documents::table
        .filter(documents::id.gt(after))
        .order(documents::id.asc())
        .select(DocumentRow::as_select())
        .limit(limit)
        .load(conn)
}

pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
    documents::table.count().get_result(conn)
}

/// Which of `keys` a document file row refers to (for the object sweeper).
pub fn known_object_keys(conn: &mut DbConnection, keys: &[String]) -> QueryResult<Vec<String>> {
    document_files::table
        .filter(document_files::object_key.eq_any(keys))
        .select(document_files::object_key)
        .load(conn)
}

/// Touches a document's row before a transition: on PostgreSQL the update takes the row lock,
/// so concurrent transitions of one document wait for each other (SQLite writers are serial).
pub fn touch_for_update(
    conn: &mut DbConnection,
    id: &str,
    at: chrono::NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(documents::table.find(id))
        .set(documents::updated_at.eq(at))
        .execute(conn)
}
