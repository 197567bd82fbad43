//! OAI-PMH 2.0 at `/oai`: the six verbs over the publications table itself (never a copy, so
//! harvesters cannot see something the repository no longer says). Only publications that
//! are open are disseminated; one that was open and is withdrawn or restricted stays as a
//! deleted record (`deletedRecord` = persistent). Lists page by keyset resumption tokens.

pub mod request;
pub mod xml;

use std::collections::BTreeMap;

use actix_web::http::Method;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDateTime;
use silkbridge_schema::DbConnection;
use silkbridge_schema::models::Publication;

use self::request::{OaiError, OaiErrorCode, OaiRequest, ResumptionToken, Verb};
use self::xml::{DublinCore, Header, XmlWriter};
use super::domain::PublicationType;
use super::rules::open_on;
use super::store::{self, HarvestFilter};
use super::views::content_of;
use crate::config::ResearchConfig;
use crate::error::{ApiError, ApiResult};
use crate::identity::rules as identity;
use crate::state::AppState;

/// The one metadata format disseminated.
pub const OAI_DC: &str = "oai_dc";

/// `/oai`, answering GET and form-encoded POST alike.
pub fn resource() -> actix_web::Resource {
    web::resource("/oai")
        .route(web::get().to(endpoint))
        .route(web::post().to(endpoint))
}

/// What the verbs need from the configuration.
struct Settings {
    base_url: String,
    public_url: String,
    research: ResearchConfig,
}

async fn endpoint(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let source: &[u8] = if req.method() == Method::POST {
        &body
    } else {
        req.query_string().as_bytes()
    };
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(source)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let public_url = state.config.public_url.trim_end_matches('/').to_owned();
    let settings = Settings {
        base_url: format!("{public_url}/oai"),
        public_url,
        research: state.config.research.clone(),
    };
    let document = state
        .read(move |conn| {
            let parsed = request::parse(&pairs);
            let answer = match &parsed {
                Ok(request) => match answer(conn, &settings, request) {
                    Ok(answer) => Ok(answer),
                    Err(Failure::Protocol(error)) => Err(error),
                    Err(Failure::Storage(error)) => return Err(error),
                },
                Err(error) => Err(error.clone()),
            };
            render(&settings, parsed.as_ref().ok(), answer).map_err(ApiError::internal)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/xml; charset=utf-8")
        .body(document))
}

/// A record as harvested: the row and what is shown with it.
struct Item {
    row: Publication,
    publisher: String,
    organisation_slug: String,
    file_urls: Vec<String>,
}

impl Item {
    /// Harvesters see a withdrawn publication, or one no longer open, as a deleted record.
    fn deleted(&self) -> bool {
        self.row.deleted_at.is_some() || !open_on(&self.row, chrono::Utc::now().date_naive())
    }
}

enum Answer {
    Identify {
        earliest: NaiveDateTime,
    },
    MetadataFormats,
    Sets(Vec<(String, String)>),
    Headers {
        items: Vec<Item>,
        token: Option<String>,
    },
    Records {
        items: Vec<Item>,
        token: Option<String>,
    },
    Record(Box<Item>),
}

fn oai_identifier(settings: &Settings, id: &str) -> String {
    format!("oai:{}:{id}", settings.research.oai_repository_identifier)
}

/// The publication an OAI identifier names, if harvesters may know of it.
fn harvested(
    conn: &mut DbConnection,
    settings: &Settings,
    identifier: &str,
) -> Result<Publication, Failure> {
    let unknown = || {
        OaiError::new(
            OaiErrorCode::IdDoesNotExist,
            format!("`{identifier}` is not an identifier of this repository"),
        )
    };
    let prefix = format!("oai:{}:", settings.research.oai_repository_identifier);
    let id = identifier.strip_prefix(&prefix).ok_or_else(unknown)?;
    match store::publication(conn, id)? {
        Some(row) if row.ever_open => Ok(row),
        _ => Err(unknown().into()),
    }
}

fn check_prefix(prefix: &str) -> Result<(), OaiError> {
    if prefix == OAI_DC {
        Ok(())
    } else {
        Err(OaiError::new(
            OaiErrorCode::CannotDisseminateFormat,
            format!("this repository disseminates {OAI_DC} only"),
        ))
    }
}

/// Why a request got no answer: the protocol's own errors go back in the XML with HTTP 200;
/// a storage failure is the server's problem and is answered as such (503/500).
enum Failure {
    Protocol(OaiError),
    Storage(ApiError),
}

impl From<OaiError> for Failure {
    fn from(error: OaiError) -> Self {
        Self::Protocol(error)
    }
}

impl From<ApiError> for Failure {
    fn from(error: ApiError) -> Self {
        Self::Storage(error)
    }
}

impl From<diesel::result::Error> for Failure {
    fn from(error: diesel::result::Error) -> Self {
        Self::Storage(error.into())
    }
}

/// Narrows a harvest to a set; `None` when the set cannot hold records.
fn apply_set(conn: &mut DbConnection, filter: &mut HarvestFilter, set: &str) -> Option<()> {
    match set.split_once(':') {
        None if set == "org" || set == "type" => Some(()),
        Some(("org", slug)) => {
            filter.organisation_id = Some(identity::organisation_by_slug(conn, slug).ok()?.id);
            Some(())
        }
        Some(("type", kind)) => {
            filter.publication_type =
                Some(kind.parse::<PublicationType>().ok()?.as_str().to_owned());
            Some(())
        }
        _ => None,
    }
}

fn answer(
    conn: &mut DbConnection,
    settings: &Settings,
    request: &OaiRequest,
) -> Result<Answer, Failure> {
    match request.verb {
        Verb::Identify => {
            let earliest =
                store::earliest_datestamp(conn)?.unwrap_or_else(|| chrono::Utc::now().naive_utc());
            Ok(Answer::Identify { earliest })
        }
        Verb::ListMetadataFormats => {
            if let Some(identifier) = request.get("identifier") {
                harvested(conn, settings, identifier)?;
            }
            Ok(Answer::MetadataFormats)
        }
        Verb::ListSets => {
            if request.get("resumptionToken").is_some() {
                return Err(OaiError::new(
                    OaiErrorCode::BadResumptionToken,
                    "ListSets answers in one response; there is nothing to resume",
                )
                .into());
            }
            let mut sets = vec![
                ("org".to_owned(), "Organisations".to_owned()),
                ("type".to_owned(), "Publication types".to_owned()),
            ];
            let owners = store::harvested_organisations(conn)?;
            let organisations =
                identity::organisations_by_ids(conn, owners.iter().map(String::as_str))?;
            sets.extend(
                organisations
                    .into_values()
                    .map(|o| (format!("org:{}", o.slug), o.name)),
            );
            sets.extend(
                PublicationType::ALL
                    .iter()
                    .map(|t| (format!("type:{t}"), t.as_str().replace('_', " "))),
            );
            Ok(Answer::Sets(sets))
        }
        Verb::GetRecord => {
            check_prefix(request.get("metadataPrefix").unwrap_or_default())?;
            let row = harvested(
                conn,
                settings,
                request.get("identifier").unwrap_or_default(),
            )?;
            let mut items = items(conn, settings, vec![row])?;
            items
                .pop()
                .map(|item| Answer::Record(Box::new(item)))
                .ok_or_else(|| ApiError::internal(anyhow::anyhow!("a record went missing")).into())
        }
        Verb::ListIdentifiers | Verb::ListRecords => {
            let (items, token) = list(conn, settings, request)?;
            Ok(if request.verb == Verb::ListRecords {
                Answer::Records { items, token }
            } else {
                Answer::Headers { items, token }
            })
        }
    }
}

/// One page of a list; the token is `Some("")` on the last page of a resumed list (the
/// protocol's empty token), `None` for a list complete in one response.
fn list(
    conn: &mut DbConnection,
    settings: &Settings,
    request: &OaiRequest,
) -> Result<(Vec<Item>, Option<String>), Failure> {
    let (selection, resumed) = match request.get("resumptionToken") {
        Some(token) => {
            let token = ResumptionToken::decode(token)?;
            let after = token.after.clone();
            (token, Some(after))
        }
        None => (
            ResumptionToken {
                metadata_prefix: request.get("metadataPrefix").unwrap_or_default().to_owned(),
                set: request.get("set").map(str::to_owned),
                from: request.get("from").map(str::to_owned),
                until: request.get("until").map(str::to_owned),
                after: (NaiveDateTime::default(), String::new()),
            },
            None,
        ),
    };
    check_prefix(&selection.metadata_prefix)?;
    let (from, until) = request::window(selection.from.as_deref(), selection.until.as_deref())?;
    let mut filter = HarvestFilter {
        from: from.map(|f| f.start()),
        until_before: until.map(|u| u.end_exclusive()),
        ..HarvestFilter::default()
    };
    let no_match = || {
        OaiError::new(
            OaiErrorCode::NoRecordsMatch,
            "no records match this request",
        )
    };
    if let Some(set) = &selection.set {
        apply_set(conn, &mut filter, set).ok_or_else(no_match)?;
    }
    let page_size = i64::from(settings.research.oai_page_size.max(1));
    let mut rows = store::harvest_page(conn, &filter, resumed.as_ref(), page_size + 1)?;
    let more = rows.len() as i64 > page_size;
    rows.truncate(usize::try_from(page_size).unwrap_or(usize::MAX));
    if rows.is_empty() && resumed.is_none() {
        return Err(no_match().into());
    }
    let token = match rows.last() {
        Some(last) if more => Some(
            ResumptionToken {
                after: (last.updated_at, last.id.clone()),
                ..selection
            }
            .encode(),
        ),
        _ if resumed.is_some() => Some(String::new()),
        _ => None,
    };
    Ok((items(conn, settings, rows)?, token))
}

fn items(
    conn: &mut DbConnection,
    settings: &Settings,
    rows: Vec<Publication>,
) -> Result<Vec<Item>, Failure> {
    let owners =
        identity::organisations_by_ids(conn, rows.iter().map(|r| r.organisation_id.as_str()))?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut files: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in store::files_of_many(conn, &ids)? {
        files
            .entry(file.publication_id.clone())
            .or_default()
            .push(format!(
                "{}{}",
                settings.public_url,
                super::files::view(file).url
            ));
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let (organisation_slug, publisher) = owners
                .get(&row.organisation_id)
                .map(|o| (o.slug.clone(), o.name.clone()))
                .unwrap_or_default();
            Item {
                file_urls: files.remove(&row.id).unwrap_or_default(),
                row,
                publisher,
                organisation_slug,
            }
        })
        .collect())
}

fn write_header(w: &mut XmlWriter, settings: &Settings, item: &Item) -> std::io::Result<()> {
    let deleted = item.deleted();
    let sets = [
        format!("org:{}", item.organisation_slug),
        format!("type:{}", item.row.publication_type),
    ];
    xml::header(
        w,
        &Header {
            identifier: &oai_identifier(settings, &item.row.id),
            datestamp: item.row.updated_at,
            sets: &sets,
            deleted,
        },
    )
}

fn write_record(w: &mut XmlWriter, settings: &Settings, item: &Item) -> std::io::Result<()> {
    w.create_element("record").write_inner_content(|w| {
        write_header(w, settings, item)?;
        if !item.deleted() {
            let content = content_of(&item.row).map_err(std::io::Error::other)?;
            let landing_url = format!(
                "{}/api/v1/research/publications/{}",
                settings.public_url, item.row.id
            );
            w.create_element("metadata").write_inner_content(|w| {
                xml::oai_dc(
                    w,
                    &DublinCore {
                        content: &content,
                        publisher: &item.publisher,
                        landing_url: &landing_url,
                        file_urls: &item.file_urls,
                    },
                )
            })?;
        }
        Ok(())
    })?;
    Ok(())
}

fn write_token(w: &mut XmlWriter, token: &Option<String>) -> std::io::Result<()> {
    match token {
        Some(token) if token.is_empty() => {
            w.create_element("resumptionToken").write_empty()?;
        }
        Some(token) => xml::text_element(w, "resumptionToken", &[], token)?,
        None => {}
    }
    Ok(())
}

fn render(
    settings: &Settings,
    request: Option<&OaiRequest>,
    answer: Result<Answer, OaiError>,
) -> std::io::Result<Vec<u8>> {
    let verb = request.map(|r| r.verb.as_str()).unwrap_or_default();
    let body: xml::VerbResult<'_> =
        answer.map(|answer| {
            let write: xml::WriteBody<'_> = match answer {
                Answer::Identify { earliest } => Box::new(move |w: &mut XmlWriter| {
                    let research = &settings.research;
                    xml::text_element(w, "repositoryName", &[], &research.oai_repository_name)?;
                    xml::text_element(w, "baseURL", &[], &settings.base_url)?;
                    xml::text_element(w, "protocolVersion", &[], "2.0")?;
                    xml::text_element(w, "adminEmail", &[], &research.oai_admin_email)?;
                    xml::text_element(w, "earliestDatestamp", &[], &xml::datestamp(earliest))?;
                    xml::text_element(w, "deletedRecord", &[], "persistent")?;
                    xml::text_element(w, "granularity", &[], "YYYY-MM-DDThh:mm:ssZ")?;
                    w.create_element("description").write_inner_content(|w| {
                        w.create_element("oai-identifier")
                            .with_attributes([
                                ("xmlns", "http://www.openarchives.org/OAI/2.0/oai-identifier"),
                                ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
                                ("xsi:schemaLocation", "http://www.openarchives.org/OAI/2.0/oai-identifier http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"),
                            ])
                            .write_inner_content(|w| {
                                xml::text_element(w, "scheme", &[], "oai")?;
                                xml::text_element(w, "repositoryIdentifier", &[], &research.oai_repository_identifier)?;
                                xml::text_element(w, "delimiter", &[], ":")?;
                                xml::text_element(w, "sampleIdentifier", &[], &oai_identifier(settings, "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"))?;
                                Ok(())
                            })?;
                        Ok(())
                    })?;
                    Ok(())
                }),
                Answer::MetadataFormats => Box::new(|w: &mut XmlWriter| {
                    w.create_element("metadataFormat").write_inner_content(|w| {
                        xml::text_element(w, "metadataPrefix", &[], OAI_DC)?;
                        xml::text_element(w, "schema", &[], "http://www.openarchives.org/OAI/2.0/oai_dc.xsd")?;
                        xml::text_element(w, "metadataNamespace", &[], "http://www.openarchives.org/OAI/2.0/oai_dc/")?;
                        Ok(())
                    })?;
                    Ok(())
                }),
                Answer::Sets(sets) => Box::new(move |w: &mut XmlWriter| {
                    for (spec, name) in &sets {
                        w.create_element("set").write_inner_content(|w| {
                            xml::text_element(w, "setSpec", &[], spec)?;
                            xml::text_element(w, "setName", &[], name)?;
                            Ok(())
                        })?;
                    }
                    Ok(())
                }),
                Answer::Headers { items, token } => Box::new(move |w: &mut XmlWriter| {
                    for item in &items {
                        write_header(w, settings, item)?;
                    }
                    write_token(w, &token)
                }),
                Answer::Records { items, token } => Box::new(move |w: &mut XmlWriter| {
                    for item in &items {
                        write_record(w, settings, item)?;
                    }
                    write_token(w, &token)
                }),
                Answer::Record(item) => Box::new(move |w: &mut XmlWriter| write_record(w, settings, &item)),
            };
            (verb, write)
        });
    xml::response(&settings.base_url, request, body)
}
