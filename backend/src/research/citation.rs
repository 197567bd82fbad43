//! Citation exports of publications: BibTeX (written by the `biblatex` crate, so escaping and
//! name lists follow its rules), RIS (tagged lines) and CSL-JSON (what Zotero, Pandoc and
//! citeproc read).

use biblatex::{Chunk, Entry, EntryType, Person, Spanned};
use serde_json::{Value, json};

use super::domain::{PublicationType, issued_parts};
use super::views::PublicationView;
use crate::vocabulary::vocabulary;

vocabulary!(
    /// A citation export format.
    CitationFormat, "citation format", {
        Bibtex => "bibtex", Ris => "ris", CslJson => "csl-json",
    }
);

impl CitationFormat {
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Bibtex => "application/x-bibtex; charset=utf-8",
            Self::Ris => "application/x-research-info-systems; charset=utf-8",
            Self::CslJson => "application/vnd.citationstyles.csl+json",
        }
    }

    pub fn file_extension(self) -> &'static str {
        match self {
            Self::Bibtex => "bib",
            Self::Ris => "ris",
            Self::CslJson => "json",
        }
    }
}

/// Renders publications in one format; `base_url` makes each record's link absolute.
pub fn render(format: CitationFormat, publications: &[PublicationView], base_url: &str) -> String {
    match format {
        CitationFormat::Bibtex => publications
            .iter()
            .map(|p| bibtex(p, base_url))
            .collect::<Vec<_>>()
            .join("\n\n"),
        CitationFormat::Ris => publications.iter().map(|p| ris(p, base_url)).collect(),
        CitationFormat::CslJson => {
            let items: Vec<Value> = publications.iter().map(|p| csl(p, base_url)).collect();
            serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".to_owned())
        }
    }
}

fn link(publication: &PublicationView, base_url: &str) -> String {
    match &publication.doi {
        Some(doi) => format!("https://doi.org/{doi}"),
        None => format!(
            "{}/api/v1/research/publications/{}",
            base_url.trim_end_matches('/'),
            publication.id
        ),
    }
}

/// (given names, family name) of a name as written: the last word is the family name.
fn split_name(name: &str) -> (String, String) {
    match name.trim().rsplit_once(' ') {
        Some((given, family)) => (given.trim().to_owned(), family.to_owned()),
        None => (String::new(), name.trim().to_owned()),
    }
}

fn kind(publication: &PublicationView) -> Option<PublicationType> {
    publication.publication_type.parse().ok()
}

/// A citation key from the first author's family name (folded to lower-case Latin), the
/// year and the id's tail: ASCII letters and digits only, as every BibTeX tool accepts.
fn citation_key(publication: &PublicationView) -> String {
    let family = publication
        .authors
        .first()
        .map(|a| split_name(&a.name).1)
        .unwrap_or_default();
    let folded: String = silkbridge_search_index::fold::fold(&family)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let tail: String = publication
        .id
        .chars()
        .rev()
        .filter(char::is_ascii_alphanumeric)
        .take(6)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!(
        "{}{}{}",
        if folded.is_empty() { "anon" } else { &folded },
        publication.year,
        tail
    )
}

fn chunks(text: &str) -> Vec<Spanned<Chunk>> {
    vec![Spanned::detached(Chunk::Normal(text.to_owned()))]
}

fn verbatim(text: &str) -> Vec<Spanned<Chunk>> {
    vec![Spanned::detached(Chunk::Verbatim(text.to_owned()))]
}

pub(super) fn bibtex(publication: &PublicationView, base_url: &str) -> String {
    let (entry_type, venue_field) = match kind(publication) {
        Some(PublicationType::Article | PublicationType::DatasetPaper) => {
            (EntryType::Article, "journal")
        }
        Some(PublicationType::ConferencePaper) => (EntryType::InProceedings, "booktitle"),
        Some(PublicationType::BookChapter) => (EntryType::InCollection, "booktitle"),
        Some(PublicationType::Report) => (EntryType::TechReport, "series"),
        Some(PublicationType::Thesis) => (EntryType::PhdThesis, "note"),
        Some(PublicationType::Book) => (EntryType::Book, "series"),
        Some(PublicationType::Preprint) | None => (EntryType::Misc, "howpublished"),
    };
    let mut entry = Entry::new(citation_key(publication), entry_type.clone());
    let authors: Vec<Person> = publication
        .authors
        .iter()
        .map(|a| {
            let (given_name, name) = split_name(&a.name);
            Person {
                name,
                given_name,
                prefix: String::new(),
                suffix: String::new(),
                id: None,
                prefix_initials: None,
                given_initials: None,
                use_prefix: None,
            }
        })
        .collect();
    entry.set_author(authors);
    // Braces keep the title's capitalisation (acronyms, proper names) as written.
    entry.set("title", verbatim(&publication.title));
    entry.set("year", chunks(&publication.year.to_string()));
    if let Some(month) = issued_parts(&publication.issued).get(1) {
        entry.set("month", chunks(&month.to_string()));
    }
    if let Some(venue) = &publication.venue {
        entry.set(venue_field, chunks(venue));
    }
    match entry_type {
        EntryType::TechReport => entry.set("institution", chunks(&publication.organisation.name)),
        EntryType::PhdThesis => entry.set("school", chunks(&publication.organisation.name)),
        EntryType::Book => entry.set("publisher", chunks(&publication.organisation.name)),
        _ => {}
    }
    if let Some(doi) = &publication.doi {
        entry.set("doi", chunks(doi));
    }
    entry.set("url", chunks(&link(publication, base_url)));
    entry.set("abstract", chunks(&publication.abstract_text));
    if !publication.keywords.is_empty() {
        entry.set("keywords", chunks(&publication.keywords.join(", ")));
    }
    entry.set("language", chunks(&publication.language));
    entry.set("copyright", chunks(&publication.licence));
    entry
        .to_bibtex_string()
        .unwrap_or_else(|_| format!("@misc{{{},}}", entry.key))
}

/// One RIS line; RIS values are single lines.
fn ris_line(out: &mut String, tag: &str, value: &str) {
    let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
    if !value.is_empty() {
        out.push_str(tag);
        out.push_str("  - ");
        out.push_str(&value);
        out.push_str("\r\n");
    }
}

fn ris(publication: &PublicationView, base_url: &str) -> String {
    let ty = match kind(publication) {
        Some(PublicationType::Article | PublicationType::DatasetPaper) => "JOUR",
        Some(PublicationType::ConferencePaper) => "CPAPER",
        Some(PublicationType::Report) => "RPRT",
        Some(PublicationType::Thesis) => "THES",
        Some(PublicationType::Book) => "BOOK",
        Some(PublicationType::BookChapter) => "CHAP",
        Some(PublicationType::Preprint) | None => "UNPB",
    };
    let mut out = String::new();
    ris_line(&mut out, "TY", ty);
    for author in &publication.authors {
        let (given, family) = split_name(&author.name);
        let name = if given.is_empty() {
            family
        } else {
            format!("{family}, {given}")
        };
        ris_line(&mut out, "AU", &name);
    }
    ris_line(&mut out, "TI", &publication.title);
    ris_line(&mut out, "PY", &publication.year.to_string());
    let parts = issued_parts(&publication.issued);
    if parts.len() > 1 {
        let part = |i: usize| parts.get(i).map(|p| format!("{p:02}")).unwrap_or_default();
        ris_line(
            &mut out,
            "DA",
            &format!("{:04}/{}/{}/", publication.year, part(1), part(2)),
        );
    }
    if let Some(venue) = &publication.venue {
        ris_line(&mut out, "T2", venue);
    }
    ris_line(&mut out, "AB", &publication.abstract_text);
    for keyword in &publication.keywords {
        ris_line(&mut out, "KW", keyword);
    }
    if let Some(doi) = &publication.doi {
        ris_line(&mut out, "DO", doi);
    }
    ris_line(&mut out, "UR", &link(publication, base_url));
    ris_line(&mut out, "LA", &publication.language);
    ris_line(&mut out, "PB", &publication.organisation.name);
    ris_line(&mut out, "C1", &format!("Licence: {}", publication.licence));
    out.push_str("ER  - \r\n");
    out
}

fn csl(publication: &PublicationView, base_url: &str) -> Value {
    let ty = match kind(publication) {
        Some(PublicationType::Article | PublicationType::DatasetPaper) => "article-journal",
        Some(PublicationType::ConferencePaper) => "paper-conference",
        Some(PublicationType::Report) => "report",
        Some(PublicationType::Thesis) => "thesis",
        Some(PublicationType::Book) => "book",
        Some(PublicationType::BookChapter) => "chapter",
        Some(PublicationType::Preprint) | None => "article",
    };
    let authors: Vec<Value> = publication
        .authors
        .iter()
        .map(|a| match split_name(&a.name) {
            (given, family) if given.is_empty() => json!({ "literal": family }),
            (given, family) => json!({ "family": family, "given": given }),
        })
        .collect();
    let mut item = json!({
        "id": publication.id,
        "type": ty,
        "title": publication.title,
        "abstract": publication.abstract_text,
        "author": authors,
        "issued": { "date-parts": [issued_parts(&publication.issued)] },
        "language": publication.language,
        "publisher": publication.organisation.name,
        "URL": link(publication, base_url),
        "license": publication.licence,
    });
    if let Some(map) = item.as_object_mut() {
        if let Some(venue) = &publication.venue {
            map.insert("container-title".into(), json!(venue));
        }
        if let Some(doi) = &publication.doi {
            map.insert("DOI".into(), json!(doi));
        }
        if !publication.keywords.is_empty() {
            map.insert("keyword".into(), json!(publication.keywords.join(", ")));
        }
    }
    item
}

#[cfg(test)]
pub(super) mod tests {
    use biblatex::ChunksExt;

    use super::*;
    use crate::identity::domain::Country;
    use crate::research::input::Author;
    use crate::research::views::PublicationOwner;

    pub(in crate::research) fn sample() -> PublicationView {
        let at = chrono::NaiveDate::from_ymd_opt(2024, 5, 17)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap_or_default();
        PublicationView {
            id: "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b".into(),
            organisation: PublicationOwner {
                slug: "tashkent-it-university".into(),
                name: "Tashkent University of Information Technologies".into(),
                country: Country::Uz,
            },
            publication_type: "conference_paper".into(),
            language: "en".into(),
            title: "Morphological Analysis of Uzbek {Cyrillic} & Latin Text".into(),
            abstract_text: "We study 100% of the corpus.\nA second line.".into(),
            translations: vec![],
            authors: vec![
                Author {
                    name: "Dilnoza Karimova".into(),
                    orcid: None,
                    affiliation: None,
                    organisation: None,
                },
                Author {
                    name: "Rəşad Məmmədov".into(),
                    orcid: None,
                    affiliation: None,
                    organisation: None,
                },
            ],
            keywords: vec!["morphology".into(), "Uzbek".into()],
            subjects: vec![],
            issued: "2024-05-17".into(),
            year: 2024,
            venue: Some("Proceedings of TurkLang 2024".into()),
            doi: Some("10.18653/v1/2024.turklang-1.3".into()),
            licence: "CC-BY-4.0".into(),
            access_level: "open".into(),
            embargo_until: None,
            version: 1,
            files: vec![],
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn bibtex_output_parses_back_with_the_same_fields() {
        let text = render(CitationFormat::Bibtex, &[sample()], "http://x");
        let parsed = biblatex::Bibliography::parse(&text);
        let bibliography = match parsed {
            Ok(b) => b,
            Err(error) => panic!("{error:?} in\n{text}"),
        };
        let entry = bibliography.iter().next();
        let Some(entry) = entry else {
            panic!("no entry in {text}")
        };
        assert_eq!(entry.key, "karimova20243f4a5b");
        assert_eq!(entry.entry_type, EntryType::InProceedings);
        let authors = entry.author().unwrap_or_default();
        assert_eq!(authors.len(), 2);
        assert_eq!(authors[1].name, "Məmmədov");
        assert_eq!(authors[1].given_name, "Rəşad");
        let title = entry
            .title()
            .map(|t| t.format_verbatim())
            .unwrap_or_default();
        assert_eq!(
            title,
            "Morphological Analysis of Uzbek {Cyrillic} & Latin Text"
        );
        assert_eq!(
            entry.doi().ok().as_deref(),
            Some("10.18653/v1/2024.turklang-1.3")
        );
    }

    #[test]
    fn ris_has_one_tag_per_line_and_ends_each_record() {
        let text = render(CitationFormat::Ris, &[sample(), sample()], "http://x");
        assert_eq!(text.matches("TY  - CPAPER\r\n").count(), 2);
        assert_eq!(text.matches("ER  - \r\n").count(), 2);
        assert!(text.contains("AU  - Karimova, Dilnoza\r\n"));
        assert!(text.contains("DA  - 2024/05/17/\r\n"));
        assert!(text.contains("AB  - We study 100% of the corpus. A second line.\r\n"));
        for line in text.split("\r\n").filter(|l| !l.is_empty()) {
            assert_eq!(&line[2..6], "  - ", "malformed line {line:?}");
        }
    }

    #[test]
    fn csl_json_carries_date_parts_and_split_names() {
        let text = render(CitationFormat::CslJson, &[sample()], "http://x");
        let items: Vec<Value> = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["type"], "paper-conference");
        assert_eq!(items[0]["issued"]["date-parts"], json!([[2024, 5, 17]]));
        assert_eq!(
            items[0]["author"][0],
            json!({"family": "Karimova", "given": "Dilnoza"})
        );
        assert_eq!(items[0]["DOI"], "10.18653/v1/2024.turklang-1.3");
        assert_eq!(
            items[0]["URL"],
            "https://doi.org/10.18653/v1/2024.turklang-1.3"
        );
    }
}
