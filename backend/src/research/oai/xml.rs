//! OAI-PMH XML: the response envelope, record headers and Dublin Core (`oai_dc`) metadata,
//! written with quick-xml so every text is escaped.

use std::io;

use chrono::NaiveDateTime;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::request::{OaiError, OaiErrorCode, OaiRequest};
use crate::research::input::PublicationInput;

pub type XmlWriter = Writer<Vec<u8>>;

/// Writes the content of a verb's element.
pub type WriteBody<'a> = Box<dyn FnOnce(&mut XmlWriter) -> io::Result<()> + 'a>;

/// A verb's element name and content, or the protocol error answered instead.
pub type VerbResult<'a> = Result<(&'a str, WriteBody<'a>), OaiError>;

/// An OAI-PMH datestamp (UTC, seconds).
pub fn datestamp(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Drops characters XML 1.0 cannot carry (control characters other than tab and newlines).
fn xml_safe(text: &str) -> String {
    text.chars()
        .filter(|c| matches!(c, '\t' | '\n' | '\r') || !c.is_control())
        .collect()
}

/// An element with text content.
pub fn text_element(
    writer: &mut XmlWriter,
    name: &str,
    attributes: &[(&str, &str)],
    text: &str,
) -> io::Result<()> {
    let safe = xml_safe(text);
    writer
        .create_element(name)
        .with_attributes(attributes.iter().copied())
        .write_text_content(BytesText::new(&safe))?;
    Ok(())
}

/// The whole response: envelope, the echoed request, and either the verb's content or an
/// error. After `badVerb` and `badArgument` the request is echoed without attributes, as
/// the protocol requires.
pub fn response(
    base_url: &str,
    request: Option<&OaiRequest>,
    result: VerbResult<'_>,
) -> io::Result<Vec<u8>> {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 1);
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    writer
        .create_element("OAI-PMH")
        .with_attributes([
            ("xmlns", "http://www.openarchives.org/OAI/2.0/"),
            ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
            (
                "xsi:schemaLocation",
                "http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd",
            ),
        ])
        .write_inner_content(|w| {
            text_element(w, "responseDate", &[], &datestamp(chrono::Utc::now().naive_utc()))?;
            let echo_attributes = match (&result, request) {
                (Err(error), _)
                    if matches!(error.code, OaiErrorCode::BadVerb | OaiErrorCode::BadArgument) =>
                {
                    Vec::new()
                }
                (_, Some(request)) => {
                    let mut attributes = vec![("verb", request.verb.as_str())];
                    attributes.extend(
                        request
                            .arguments
                            .iter()
                            .map(|(k, v)| (k.as_str(), v.as_str())),
                    );
                    attributes
                }
                (_, None) => Vec::new(),
            };
            text_element(w, "request", &echo_attributes, base_url)?;
            match result {
                Ok((verb, body)) => {
                    w.create_element(verb).write_inner_content(body)?;
                }
                Err(error) => {
                    text_element(w, "error", &[("code", error.code.as_str())], &error.message)?;
                }
            }
            Ok(())
        })?;
    Ok(writer.into_inner())
}

/// What a record's header says.
pub struct Header<'a> {
    pub identifier: &'a str,
    pub datestamp: NaiveDateTime,
    pub sets: &'a [String],
    pub deleted: bool,
}

pub fn header(writer: &mut XmlWriter, header: &Header<'_>) -> io::Result<()> {
    let attributes: &[(&str, &str)] = if header.deleted {
        &[("status", "deleted")]
    } else {
        &[]
    };
    writer
        .create_element("header")
        .with_attributes(attributes.iter().copied())
        .write_inner_content(|w| {
            text_element(w, "identifier", &[], header.identifier)?;
            text_element(w, "datestamp", &[], &datestamp(header.datestamp))?;
            for set in header.sets {
                text_element(w, "setSpec", &[], set)?;
            }
            Ok(())
        })?;
    Ok(())
}

/// The ISO 639-1 code Dublin Core expects for a language tag (`uz-Cyrl` → `uz`).
fn iso639(lang: &str) -> &str {
    lang.split('-').next().unwrap_or(lang)
}

/// The COAR/info:eu-repo type vocabulary harvesters such as OpenAIRE map on.
fn eu_repo_type(publication_type: &str) -> &'static str {
    match publication_type {
        "article" | "dataset_paper" => "info:eu-repo/semantics/article",
        "conference_paper" => "info:eu-repo/semantics/conferenceObject",
        "report" => "info:eu-repo/semantics/report",
        "thesis" => "info:eu-repo/semantics/doctoralThesis",
        "book" => "info:eu-repo/semantics/book",
        "book_chapter" => "info:eu-repo/semantics/bookPart",
        _ => "info:eu-repo/semantics/preprint",
    }
}

/// Everything `oai_dc` shows of a publication.
pub struct DublinCore<'a> {
    pub content: &'a PublicationInput,
    pub publisher: &'a str,
    pub landing_url: &'a str,
    pub file_urls: &'a [String],
}

pub fn oai_dc(writer: &mut XmlWriter, record: &DublinCore<'_>) -> io::Result<()> {
    let content = record.content;
    writer
        .create_element("oai_dc:dc")
        .with_attributes([
            ("xmlns:oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc/"),
            ("xmlns:dc", "http://purl.org/dc/elements/1.1/"),
            ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
            (
                "xsi:schemaLocation",
                "http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
            ),
        ])
        .write_inner_content(|w| {
            text_element(w, "dc:title", &[("xml:lang", &content.language)], &content.title)?;
            for text in &content.translations {
                text_element(w, "dc:title", &[("xml:lang", &text.lang)], &text.title)?;
            }
            for author in &content.authors {
                text_element(w, "dc:creator", &[], &author.name)?;
            }
            for term in content.keywords.iter().chain(&content.subjects) {
                text_element(w, "dc:subject", &[], term)?;
            }
            text_element(
                w,
                "dc:description",
                &[("xml:lang", &content.language)],
                &content.abstract_text,
            )?;
            for text in &content.translations {
                text_element(
                    w,
                    "dc:description",
                    &[("xml:lang", &text.lang)],
                    &text.abstract_text,
                )?;
            }
            text_element(w, "dc:publisher", &[], record.publisher)?;
            text_element(w, "dc:date", &[], &content.issued)?;
            text_element(w, "dc:type", &[], eu_repo_type(&content.publication_type))?;
            text_element(w, "dc:type", &[], &content.publication_type)?;
            if let Some(doi) = &content.doi {
                text_element(w, "dc:identifier", &[], &format!("https://doi.org/{doi}"))?;
            }
            text_element(w, "dc:identifier", &[], record.landing_url)?;
            for url in record.file_urls {
                text_element(w, "dc:identifier", &[], url)?;
            }
            if let Some(venue) = &content.venue {
                text_element(w, "dc:source", &[], venue)?;
            }
            text_element(w, "dc:language", &[], iso639(&content.language))?;
            text_element(
                w,
                "dc:rights",
                &[],
                &format!("https://spdx.org/licenses/{}.html", content.licence),
            )?;
            text_element(w, "dc:rights", &[], "info:eu-repo/semantics/openAccess")?;
            Ok(())
        })?;
    Ok(())
}
