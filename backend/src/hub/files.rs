//! Files answering an application's `file` questions (a pitch deck, financials): one per
//! question, streamed into the object store by `storage::receive`, replaced by a new upload,
//! removed by the startup's editors while the application is a draft before the deadline,
//! and read by whoever may read the application (`access`). A required `file` question is
//! answered only by a file, which `applications::submit` checks.

use serde::Serialize;
use silkbridge_schema::hub_models::{HubApplicationFile, HubProgramme};
use silkbridge_schema::{DbConnection, ids};
use utoipa::ToSchema;

use super::applications::{self, draft_for_change};
use super::domain::QuestionKind;
use super::input::Question;
use super::programmes::parse;
use super::store;
use crate::error::{ApiError, ApiResult};
use crate::identity::caller::Caller;
use crate::state::AppState;
use crate::storage::{Destination, Received, Upload};

/// An attached file, as every reader of the application sees it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[graphql(name = "HubApplicationFile")]
#[schema(as = HubApplicationFile)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationFileView {
    /// The `file` question it answers.
    pub question: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    /// Where it is downloaded (same access as the application).
    pub url: String,
}

pub(super) fn file_view(row: &HubApplicationFile) -> ApplicationFileView {
    ApplicationFileView {
        url: format!(
            "/api/v1/hub/applications/{}/files/{}",
            row.application_id, row.question_id
        ),
        question: row.question_id.clone(),
        file_name: row.file_name.clone(),
        content_type: row.content_type.clone(),
        size_bytes: row.size_bytes,
        sha256: row.sha256.clone(),
    }
}

/// The `file` question `question` of the programme's form, else 404.
fn file_question(programme: &HubProgramme, question: &str) -> ApiResult<Question> {
    let questions: Vec<Question> = parse(&programme.questions_json)?;
    questions
        .into_iter()
        .find(|q| q.id == question && q.kind == QuestionKind::File.as_str())
        .ok_or_else(|| ApiError::not_found(format_args!("file question `{question}`")))
}

/// Checks that the caller may attach a file to `question` now; answers its object key.
fn prepare(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    question: &str,
) -> ApiResult<String> {
    let (row, programme) = draft_for_change(conn, caller, id)?;
    file_question(&programme, question)?;
    Ok(format!("hub/{}/{question}/{}", row.id, ids::new_id()))
}

/// Records the received file (checked again: the application may have been submitted while
/// the bytes arrived); answers the object the new file replaces, for deletion.
fn record(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    question: &str,
    received: Received,
) -> ApiResult<(ApplicationFileView, Option<String>)> {
    let (mut row, programme) = draft_for_change(conn, caller, id)?;
    file_question(&programme, question)?;
    let replaced = store::application_file(conn, id, question)?.map(|f| f.object_key);
    let file = HubApplicationFile {
        application_id: id.to_owned(),
        question_id: question.to_owned(),
        object_key: received.object_key,
        file_name: received.file_name,
        content_type: received.content_type,
        size_bytes: received.size_bytes,
        sha256: received.sha256,
        uploaded_by: caller.actor(),
        uploaded_at: ids::now(),
    };
    store::save_application_file(conn, &file)?;
    // The version moves, so a submission racing this upload is refused or sees the file.
    applications::save(conn, &mut row)?;
    crate::changes::audit(
        conn,
        &caller.actor(),
        "hub.application.attach",
        &format!("hub_application:{id}"),
        serde_json::json!({ "question": question, "sha256": file.sha256, "size": file.size_bytes }),
    )?;
    Ok((file_view(&file), replaced))
}

/// Deletes an object the database no longer names (the hourly sweep collects it if this
/// fails).
async fn forget(state: &AppState, key: Option<String>) {
    use object_store::ObjectStoreExt;
    let Some(key) = key else { return };
    let path = object_store::path::Path::from(key.as_str());
    if let Err(error) = state.objects.delete(&path).await {
        tracing::warn!(object = %path, %error, "a replaced application file stayed; the sweep will collect it");
    }
}

/// Attaches (or replaces) the file answering `question`: the startup's editors, while the
/// application is a draft and applications are taken. Executables are refused. Audited.
pub async fn attach<S, E>(
    state: &AppState,
    caller: &Caller,
    id: &str,
    question: &str,
    upload: Upload<S>,
) -> ApiResult<ApplicationFileView>
where
    S: futures_util::Stream<Item = Result<bytes::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let (who, key, asked) = (caller.clone(), id.to_owned(), question.to_owned());
    let object_key = state
        .read(move |conn| prepare(conn, &who, &key, &asked))
        .await?;
    let (who, key, asked) = (caller.clone(), id.to_owned(), question.to_owned());
    let (view, replaced) = crate::storage::receive(
        state,
        upload,
        Destination {
            object_key,
            max_bytes: state.config.hub.file_max_bytes,
        },
        crate::http::files::check_any_data,
        move |conn, received| record(conn, &who, &key, &asked, received),
    )
    .await?;
    forget(state, replaced).await;
    Ok(view)
}

/// Removes the file answering `question` (as `attach` may). Audited.
pub async fn detach(state: &AppState, caller: &Caller, id: &str, question: &str) -> ApiResult<()> {
    let (who, key, asked) = (caller.clone(), id.to_owned(), question.to_owned());
    let removed = state
        .write(move |conn| {
            let (mut row, programme) = draft_for_change(conn, &who, &key)?;
            file_question(&programme, &asked)?;
            let file = store::application_file(conn, &key, &asked)?
                .ok_or_else(|| ApiError::not_found(format_args!("file of `{asked}`")))?;
            store::delete_application_file(conn, &key, &asked)?;
            applications::save(conn, &mut row)?;
            crate::changes::audit(
                conn,
                &who.actor(),
                "hub.application.detach",
                &format!("hub_application:{key}"),
                serde_json::json!({ "question": asked, "sha256": file.sha256 }),
            )?;
            Ok(file.object_key)
        })
        .await?;
    forget(state, Some(removed)).await;
    Ok(())
}

/// The file answering `question`, for whoever may read the application (404 otherwise).
pub async fn file(
    state: &AppState,
    caller: &Caller,
    id: &str,
    question: &str,
) -> ApiResult<HubApplicationFile> {
    let (who, key, asked) = (caller.clone(), id.to_owned(), question.to_owned());
    state
        .read(move |conn| {
            applications::visible(conn, &who, &key)?;
            store::application_file(conn, &key, &asked)?
                .ok_or_else(|| ApiError::not_found(format_args!("file of `{asked}`")))
        })
        .await
}

/// Which of `keys` an application file names (for the object sweep).
pub fn known_object_keys(conn: &mut DbConnection, keys: &[String]) -> ApiResult<Vec<String>> {
    Ok(store::known_file_keys(conn, keys)?)
}
