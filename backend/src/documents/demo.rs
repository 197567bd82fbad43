//! A demo exchange: a letter from the Uzbek statistics committee to its Azerbaijani
//! counterpart, sent, delivered and accepted, so the demo shows a signed history, receipts
//! and events. Its text was written for the demo; neither body wrote it.

use std::sync::Arc;

use object_store::ObjectStore;
use silkbridge_schema::Database;

use super::domain::Step;
use super::input::DocumentInput;
use super::keys::DocumentKeys;
use super::step_signing::StepSignature;
use super::{index, rules, steps};
use crate::error::ApiResult;
use crate::identity::caller::Caller;
use crate::identity::tokens::TokenKeys;
use crate::storage::Received;

const LETTER: &str = "Hurmatli hamkasblar,\n\nOʻzbekiston Respublikasi Davlat statistika qoʻmitasi 2025-yil uchun \
hududiy aholi koʻrsatkichlari almashinuvi boʻyicha hamkorlikni davom ettirishni taklif qiladi.\n\n\
Уважаемые коллеги, предлагаем продолжить обмен региональными демографическими показателями за 2025 год.\n\n\
(silkbridge demo document)\n";

fn acting_for(organisation_id: &str) -> Caller {
    Caller::seeding_editor("demo-seed", vec![organisation_id.to_owned()], false)
}

/// Seeds the demo exchange once (when there are no documents and both bodies exist).
pub async fn seed(
    db: &Database,
    objects: Arc<dyn ObjectStore>,
    keys: Arc<DocumentKeys>,
    platform: Arc<TokenKeys>,
) -> ApiResult<usize> {
    let found = crate::db::run(db, |conn| {
        let sender = crate::identity::rules::organisation_by_slug(conn, "stat-uz").ok();
        let recipient = crate::identity::rules::organisation_by_slug(conn, "azstat").ok();
        Ok((index::count(conn)?, sender, recipient))
    })
    .await?;
    let (0, Some(sender), Some(recipient)) = found else {
        return Ok(0);
    };
    let (as_sender, as_recipient) = (acting_for(&sender.id), acting_for(&recipient.id));
    let create_caller = as_sender.clone();
    let draft = crate::db::transaction(db, move |conn| {
        rules::create(
            conn,
            &create_caller,
            DocumentInput {
                sender: "stat-uz".into(),
                subject: "Hududiy aholi koʻrsatkichlari almashinuvi (2025) / Обмен региональными демографическими показателями".into(),
                document_type: "letter".into(),
                reference_number: "DEMO-01/2025".into(),
                confidentiality: Some("internal".into()),
                recipients: vec!["azstat".into()],
            },
        )
    })
    .await?;
    let file_id = silkbridge_schema::ids::new_id();
    let key = format!("documents/{}/{file_id}", draft.id);
    let stored = crate::storage::store_stream(
        objects,
        &object_store::path::Path::from(key.as_str()),
        futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from_static(
            LETTER.as_bytes(),
        ))]),
        u64::MAX,
        |_| Ok(()),
    )
    .await?;
    let id = draft.id.clone();
    crate::db::transaction(db, move |conn| {
        rules::record_file(
            conn,
            &as_sender,
            &id,
            file_id,
            Received {
                object_key: key,
                file_name: "letter.txt".into(),
                content_type: "text/plain".into(),
                size_bytes: i64::try_from(stored.size).unwrap_or(i64::MAX),
                sha256: stored.sha256,
            },
            100,
        )?;
        let keys = steps::StepKeys {
            documents: &keys,
            platform: &platform,
        };
        let by_platform = StepSignature::Platform;
        steps::sender_step(conn, keys, &by_platform, &as_sender, &id, Step::Send)?;
        for step in [Step::Deliver, Step::Accept] {
            steps::recipient_step(
                conn,
                keys,
                &by_platform,
                &as_recipient,
                &id,
                step,
                None,
                None,
            )?;
        }
        Ok(1)
    })
    .await
}
