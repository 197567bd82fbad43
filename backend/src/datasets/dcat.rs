//! The DCAT-AP catalogue: `/catalog.ttl` and `/catalog.jsonld` (paged, with Hydra paging as
//! ckanext-dcat writes it) and `/dataset/{name}.ttl|.jsonld`. Built as RDF triples with
//! oxrdf and written by oxttl (Turtle) and oxjsonld (JSON-LD), never by string templates.
//! The catalogue lists public datasets only; a single dataset is served to whoever may read
//! it by the open-data policy.

use actix_web::{HttpRequest, HttpResponse, web};
use oxrdf::vocab::{rdf, xsd};
use oxrdf::{BlankNode, GraphNameRef, Literal, NamedNode, NamedOrBlankNode, Term, Triple};
use serde::Deserialize;

use super::domain;
use super::resources::ResourceView;
use super::service;
use super::views::DatasetView;
use crate::error::{ApiError, ApiResult};
use crate::identity::caller::Caller;
use crate::state::AppState;

const DCAT: &str = "http://www.w3.org/ns/dcat#";
const DCT: &str = "http://purl.org/dc/terms/";
const FOAF: &str = "http://xmlns.com/foaf/0.1/";
const VCARD: &str = "http://www.w3.org/2006/vcard/ns#";
const HYDRA: &str = "http://www.w3.org/ns/hydra/core#";
const SPDX: &str = "http://spdx.org/rdf/terms#";
const OWL: &str = "http://www.w3.org/2002/07/owl#";
const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";
const PREFIXES: &[(&str, &str)] = &[
    ("dcat", DCAT),
    ("dct", DCT),
    ("foaf", FOAF),
    ("vcard", VCARD),
    ("hydra", HYDRA),
    ("spdx", SPDX),
    ("owl", OWL),
    ("skos", SKOS),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
];

/// The routes (not in OpenAPI: RDF documents, described in docs/api.md).
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .route("/catalog.{format}", web::get().to(catalog))
        .route("/dataset/{name}.{format}", web::get().to(dataset));
}

/// An RDF serialisation this catalogue writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Turtle,
    JsonLd,
}

impl Format {
    fn parse(extension: &str) -> ApiResult<Self> {
        match extension {
            "ttl" => Ok(Self::Turtle),
            "jsonld" => Ok(Self::JsonLd),
            other => Err(ApiError::not_found(format_args!(
                "catalogue format `{other}` (use ttl or jsonld)"
            ))),
        }
    }

    fn media_type(self) -> &'static str {
        match self {
            Self::Turtle => "text/turtle; charset=utf-8",
            Self::JsonLd => "application/ld+json",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Self::Turtle => "ttl",
            Self::JsonLd => "jsonld",
        }
    }
}

fn iri(text: &str) -> Option<NamedNode> {
    NamedNode::new(text).ok()
}

fn term(namespace: &str, local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{namespace}{local}"))
}

/// Triples under construction.
#[derive(Default)]
struct Graph {
    triples: Vec<Triple>,
}

impl Graph {
    fn add(
        &mut self,
        subject: impl Into<NamedOrBlankNode>,
        predicate: NamedNode,
        object: impl Into<Term>,
    ) {
        self.triples.push(Triple::new(subject, predicate, object));
    }

    fn text(
        &mut self,
        subject: &NamedOrBlankNode,
        predicate: NamedNode,
        value: &str,
        lang: Option<&str>,
    ) {
        if value.trim().is_empty() {
            return;
        }
        let literal = match lang {
            Some(tag) => Literal::new_language_tagged_literal(value, tag)
                .unwrap_or_else(|_| Literal::new_simple_literal(value)),
            None => Literal::new_simple_literal(value),
        };
        self.add(subject.clone(), predicate, literal);
    }

    fn typed(
        &mut self,
        subject: &NamedOrBlankNode,
        predicate: NamedNode,
        value: String,
        datatype: oxrdf::NamedNodeRef<'_>,
    ) {
        self.add(
            subject.clone(),
            predicate,
            Literal::new_typed_literal(value, datatype),
        );
    }

    fn write(self, format: Format) -> ApiResult<Vec<u8>> {
        match format {
            Format::Turtle => {
                let mut serializer = oxttl::TurtleSerializer::new();
                for (name, namespace) in PREFIXES {
                    serializer = serializer
                        .with_prefix(*name, *namespace)
                        .map_err(ApiError::internal)?;
                }
                let mut writer = serializer.for_writer(Vec::new());
                for triple in &self.triples {
                    writer
                        .serialize_triple(triple.as_ref())
                        .map_err(ApiError::internal)?;
                }
                writer.finish().map_err(ApiError::internal)
            }
            Format::JsonLd => {
                let mut serializer = oxjsonld::JsonLdSerializer::new();
                for (name, namespace) in PREFIXES {
                    serializer = serializer
                        .with_prefix(*name, *namespace)
                        .map_err(ApiError::internal)?;
                }
                let mut writer = serializer.for_writer(Vec::new());
                for triple in &self.triples {
                    writer
                        .serialize_quad(triple.as_ref().in_graph(GraphNameRef::DefaultGraph))
                        .map_err(ApiError::internal)?;
                }
                writer.finish().map_err(ApiError::internal)
            }
        }
    }
}

/// The EU "language" authority URI of a platform language tag.
fn language_uri(lang: &str) -> Option<NamedNode> {
    let code = match lang {
        "uz-Latn" | "uz-Cyrl" | "uz" => "UZB",
        "az" => "AZE",
        "ru" => "RUS",
        "en" => "ENG",
        _ => return None,
    };
    iri(&format!(
        "http://publications.europa.eu/resource/authority/language/{code}"
    ))
}

fn date_time(at: chrono::NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// The URIs of catalogue things, under the server's public URL.
struct Uris<'a> {
    base: &'a str,
}

impl Uris<'_> {
    fn catalog(&self) -> String {
        format!("{}/catalog", self.base)
    }
    fn dataset(&self, name: &str) -> String {
        format!("{}/dataset/{name}", self.base)
    }
    fn distribution(&self, name: &str, id: &str) -> String {
        format!("{}/dataset/{name}/resource/{id}", self.base)
    }
    fn publisher(&self, slug: &str) -> String {
        format!("{}/organization/{slug}", self.base)
    }
}

fn add_distribution(
    graph: &mut Graph,
    uris: &Uris<'_>,
    view: &DatasetView,
    resource: &ResourceView,
) -> Option<NamedNode> {
    let node = iri(&uris.distribution(&view.name, &resource.id))?;
    let subject: NamedOrBlankNode = node.clone().into();
    graph.add(
        subject.clone(),
        rdf::TYPE.into_owned(),
        term(DCAT, "Distribution"),
    );
    graph.text(&subject, term(DCT, "title"), &resource.name, None);
    graph.text(
        &subject,
        term(DCT, "description"),
        &resource.description,
        None,
    );
    let url = super::resources::absolute_url(uris.base, &resource.url);
    if let Some(access) = iri(&url) {
        graph.add(subject.clone(), term(DCAT, "accessURL"), access.clone());
        if resource.uploaded {
            graph.add(subject.clone(), term(DCAT, "downloadURL"), access);
        }
    }
    if let Some(media) = resource
        .media_type
        .as_deref()
        .and_then(|m| iri(&format!("https://www.iana.org/assignments/media-types/{m}")))
    {
        graph.add(subject.clone(), term(DCAT, "mediaType"), media);
    }
    if !resource.format.is_empty()
        && resource
            .format
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && let Some(format) = iri(&format!(
            "http://publications.europa.eu/resource/authority/file-type/{}",
            resource.format
        ))
    {
        graph.add(subject.clone(), term(DCT, "format"), format);
    }
    if let Some(size) = resource.size_bytes {
        graph.typed(
            &subject,
            term(DCAT, "byteSize"),
            size.to_string(),
            xsd::NON_NEGATIVE_INTEGER,
        );
    }
    if let Some(sha256) = &resource.sha256 {
        let checksum = BlankNode::default();
        graph.add(subject.clone(), term(SPDX, "checksum"), checksum.clone());
        let checksum: NamedOrBlankNode = checksum.into();
        graph.add(
            checksum.clone(),
            rdf::TYPE.into_owned(),
            term(SPDX, "Checksum"),
        );
        graph.add(
            checksum.clone(),
            term(SPDX, "algorithm"),
            term(SPDX, "checksumAlgorithm_sha256"),
        );
        graph.typed(
            &checksum,
            term(SPDX, "checksumValue"),
            sha256.clone(),
            xsd::HEX_BINARY,
        );
    }
    if let Some(licence) = domain::licence(&view.licence.id).and_then(|l| iri(l.dcat_uri)) {
        graph.add(subject.clone(), term(DCT, "license"), licence);
    }
    graph.typed(
        &subject,
        term(DCT, "issued"),
        date_time(resource.created_at),
        xsd::DATE_TIME,
    );
    graph.typed(
        &subject,
        term(DCT, "modified"),
        date_time(resource.updated_at),
        xsd::DATE_TIME,
    );
    Some(node)
}

/// Adds one dataset (with its publisher, contact point and distributions); returns its node.
fn add_dataset(graph: &mut Graph, uris: &Uris<'_>, view: &DatasetView) -> Option<NamedNode> {
    let node = iri(&uris.dataset(&view.name))?;
    let subject: NamedOrBlankNode = node.clone().into();
    graph.add(
        subject.clone(),
        rdf::TYPE.into_owned(),
        term(DCAT, "Dataset"),
    );
    graph.add(
        subject.clone(),
        term(DCT, "identifier"),
        Literal::new_simple_literal(&view.id),
    );
    graph.text(
        &subject,
        term(DCT, "title"),
        &view.title,
        Some(&view.language),
    );
    graph.text(
        &subject,
        term(DCT, "description"),
        &view.notes,
        Some(&view.language),
    );
    let mut languages = vec![view.language.clone()];
    for text in &view.translations {
        graph.text(&subject, term(DCT, "title"), &text.title, Some(&text.lang));
        graph.text(
            &subject,
            term(DCT, "description"),
            &text.notes,
            Some(&text.lang),
        );
        languages.push(text.lang.clone());
    }
    languages.sort();
    languages.dedup();
    for language in languages.iter().filter_map(|l| language_uri(l)) {
        graph.add(subject.clone(), term(DCT, "language"), language);
    }
    for tag in &view.tags {
        graph.text(&subject, term(DCAT, "keyword"), tag, None);
    }
    for theme in view.themes.iter().filter_map(|t| domain::theme(t)) {
        if let Some(uri) = iri(&theme.uri()) {
            graph.add(subject.clone(), term(DCAT, "theme"), uri);
        }
    }
    if let Some(publisher) = iri(&uris.publisher(&view.organisation.slug)) {
        graph.add(subject.clone(), term(DCT, "publisher"), publisher.clone());
        let agent: NamedOrBlankNode = publisher.into();
        graph.add(agent.clone(), rdf::TYPE.into_owned(), term(FOAF, "Agent"));
        graph.add(
            agent.clone(),
            rdf::TYPE.into_owned(),
            term(FOAF, "Organization"),
        );
        graph.text(&agent, term(FOAF, "name"), &view.organisation.name, None);
    }
    if view.maintainer.is_some() || view.maintainer_email.is_some() {
        let contact = BlankNode::default();
        graph.add(subject.clone(), term(DCAT, "contactPoint"), contact.clone());
        let contact: NamedOrBlankNode = contact.into();
        graph.add(contact.clone(), rdf::TYPE.into_owned(), term(VCARD, "Kind"));
        graph.text(
            &contact,
            term(VCARD, "fn"),
            view.maintainer
                .as_deref()
                .unwrap_or(&view.organisation.name),
            None,
        );
        if let Some(mail) = view
            .maintainer_email
            .as_deref()
            .and_then(|m| iri(&format!("mailto:{m}")))
        {
            graph.add(contact.clone(), term(VCARD, "hasEmail"), mail);
        }
    }
    if let Some(landing) = view.url.as_deref().and_then(iri) {
        graph.add(subject.clone(), term(DCAT, "landingPage"), landing);
    }
    if let Some(version) = &view.version {
        graph.text(&subject, term(OWL, "versionInfo"), version, None);
    }
    if let Some(frequency) = view
        .frequency
        .as_deref()
        .and_then(|f| iri(&domain::frequency_uri(f)))
    {
        graph.add(subject.clone(), term(DCT, "accrualPeriodicity"), frequency);
    }
    if view.temporal_start.is_some() || view.temporal_end.is_some() {
        let period = BlankNode::default();
        graph.add(subject.clone(), term(DCT, "temporal"), period.clone());
        let period: NamedOrBlankNode = period.into();
        graph.add(
            period.clone(),
            rdf::TYPE.into_owned(),
            term(DCT, "PeriodOfTime"),
        );
        if let Some(start) = view.temporal_start {
            graph.typed(
                &period,
                term(DCAT, "startDate"),
                start.to_string(),
                xsd::DATE,
            );
        }
        if let Some(end) = view.temporal_end {
            graph.typed(&period, term(DCAT, "endDate"), end.to_string(), xsd::DATE);
        }
    }
    if let Some(spatial) = &view.spatial {
        let location = BlankNode::default();
        graph.add(subject.clone(), term(DCT, "spatial"), location.clone());
        let location: NamedOrBlankNode = location.into();
        graph.add(
            location.clone(),
            rdf::TYPE.into_owned(),
            term(DCT, "Location"),
        );
        graph.text(&location, term(SKOS, "prefLabel"), spatial, None);
    }
    graph.typed(
        &subject,
        term(DCT, "issued"),
        date_time(view.created_at),
        xsd::DATE_TIME,
    );
    graph.typed(
        &subject,
        term(DCT, "modified"),
        date_time(view.updated_at),
        xsd::DATE_TIME,
    );
    for resource in &view.resources {
        if let Some(distribution) = add_distribution(graph, uris, view, resource) {
            graph.add(subject.clone(), term(DCAT, "distribution"), distribution);
        }
    }
    Some(node)
}

/// The page of the catalogue.
#[derive(Debug, Deserialize)]
pub struct CatalogParams {
    /// 1-based (default 1).
    pub page: Option<i64>,
}

/// One page of the catalogue as RDF bytes.
pub fn catalog_document(
    base: &str,
    title: &str,
    format: Format,
    page: i64,
    page_size: i64,
    views: &[DatasetView],
    total: i64,
) -> ApiResult<Vec<u8>> {
    let uris = Uris { base };
    let mut graph = Graph::default();
    let catalog: NamedOrBlankNode = NamedNode::new(uris.catalog())
        .map_err(ApiError::internal)?
        .into();
    graph.add(
        catalog.clone(),
        rdf::TYPE.into_owned(),
        term(DCAT, "Catalog"),
    );
    graph.text(&catalog, term(DCT, "title"), title, None);
    graph.text(
        &catalog,
        term(DCT, "description"),
        "Open data of the organisations of Uzbekistan and Azerbaijan on silkbridge",
        Some("en"),
    );
    if let Some(home) = iri(base) {
        graph.add(catalog.clone(), term(FOAF, "homepage"), home);
    }
    for language in ["uz-Latn", "az", "ru", "en"]
        .iter()
        .filter_map(|l| language_uri(l))
    {
        graph.add(catalog.clone(), term(DCT, "language"), language);
    }
    for view in views {
        if let Some(node) = add_dataset(&mut graph, &uris, view) {
            graph.add(catalog.clone(), term(DCAT, "dataset"), node);
        }
    }
    let last = ((total + page_size - 1) / page_size).max(1);
    let page_url = |n: i64| format!("{base}/catalog.{}?page={n}", format.extension());
    let paging: NamedOrBlankNode = NamedNode::new(page_url(page))
        .map_err(ApiError::internal)?
        .into();
    graph.add(
        paging.clone(),
        rdf::TYPE.into_owned(),
        term(HYDRA, "PagedCollection"),
    );
    graph.typed(
        &paging,
        term(HYDRA, "totalItems"),
        total.to_string(),
        xsd::INTEGER,
    );
    graph.typed(
        &paging,
        term(HYDRA, "itemsPerPage"),
        page_size.to_string(),
        xsd::INTEGER,
    );
    graph.text(&paging, term(HYDRA, "firstPage"), &page_url(1), None);
    graph.text(&paging, term(HYDRA, "lastPage"), &page_url(last), None);
    if page < last {
        graph.text(&paging, term(HYDRA, "nextPage"), &page_url(page + 1), None);
    }
    if page > 1 {
        graph.text(
            &paging,
            term(HYDRA, "previousPage"),
            &page_url(page - 1),
            None,
        );
    }
    graph.write(format)
}

async fn catalog(
    state: web::Data<AppState>,
    format: web::Path<String>,
    params: web::Query<CatalogParams>,
) -> ApiResult<HttpResponse> {
    let format = Format::parse(&format.into_inner())?;
    let page = params.page.unwrap_or(1);
    if page < 1 {
        return Err(ApiError::invalid_parameter("page starts at 1"));
    }
    let size = i64::from(state.config.datasets.catalog_page_size.max(1));
    let (views, total) =
        service::public_page(&state, (page - 1).saturating_mul(size), size).await?;
    let base = state.config.public_url.trim_end_matches('/').to_owned();
    let title = state.config.datasets.catalog_title.clone();
    let body = catalog_document(&base, &title, format, page, size, &views, total)?;
    Ok(HttpResponse::Ok()
        .content_type(format.media_type())
        .body(body))
}

async fn dataset(
    _req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (name, format) = path.into_inner();
    let format = Format::parse(&format)?;
    let view = service::get(&state, &caller, &name).await?;
    if view.state != "active" {
        return Err(ApiError::not_found(format_args!("dataset `{}`", view.name)));
    }
    let base = state.config.public_url.trim_end_matches('/').to_owned();
    let mut graph = Graph::default();
    add_dataset(&mut graph, &Uris { base: &base }, &view);
    Ok(HttpResponse::Ok()
        .content_type(format.media_type())
        .body(graph.write(format)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_catalogue_is_valid_turtle_with_paging() {
        let bytes =
            catalog_document("http://example.org", "t", Format::Turtle, 1, 100, &[], 0).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains("dcat:Catalog"), "{text}");
        assert!(text.contains("hydra:totalItems"), "{text}");
        let parsed: Vec<_> = oxttl::TurtleParser::new()
            .for_slice(text.as_bytes())
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(parsed.len() >= 5);
    }
}
