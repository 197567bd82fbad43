//! Formatted references (APA 7th edition, GOST R 7.0.5-2008) for the portal's citation box,
//! by a CSL processor (`hayagriva` with its bundled style archive) rather than hand-made
//! strings. The reference is built from the same BibTeX record the export writes, so the
//! formatted and exported citations cannot disagree.

use std::sync::LazyLock;

use hayagriva::archive::{ArchivedStyle, locales};
use hayagriva::citationberg::{FontStyle, FontWeight, IndependentStyle, Locale, Style};
use hayagriva::{
    BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, ElemChild, ElemChildren,
};

use super::citation;
use super::views::PublicationView;

/// A citation style the portal offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CitationStyle {
    /// American Psychological Association, 7th edition (author–date).
    Apa,
    /// GOST R 7.0.5-2008, the bibliographic reference standard read across the CIS.
    Gost,
}

impl CitationStyle {
    pub const ALL: [Self; 2] = [Self::Apa, Self::Gost];

    fn archived(self) -> ArchivedStyle {
        match self {
            Self::Apa => ArchivedStyle::AmericanPsychologicalAssociation,
            Self::Gost => ArchivedStyle::GostR7052008Numeric,
        }
    }

    /// The style's name as people know it (not translated: these are names of standards).
    pub fn label(self) -> &'static str {
        match self {
            Self::Apa => "APA",
            Self::Gost => "ГОСТ Р 7.0.5",
        }
    }
}

/// The styles and CSL locales, decoded from the bundled archive once per process (decoding
/// takes longer than formatting a reference).
static STYLES: LazyLock<Vec<(CitationStyle, Option<IndependentStyle>)>> = LazyLock::new(|| {
    CitationStyle::ALL
        .into_iter()
        .map(|style| match style.archived().get() {
            Style::Independent(independent) => (style, Some(independent)),
            Style::Dependent(_) => (style, None),
        })
        .collect()
});
static LOCALES: LazyLock<Vec<Locale>> = LazyLock::new(locales);

/// Formatted references by publication, last change and style: formatting one takes about
/// a millisecond, several times the rest of the page, and a record's reference changes only
/// when the record does (its `updated_at` is in the key, so an edit is never served stale).
type CacheKey = (String, i64, CitationStyle);
static FORMATTED: LazyLock<quick_cache::sync::Cache<CacheKey, Option<Vec<Span>>>> =
    LazyLock::new(|| quick_cache::sync::Cache::new(10_000));

/// A run of reference text and how it is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub text: String,
    pub italic: bool,
    pub bold: bool,
}

/// `publication` as one reference in `style`, as runs of text; `None` if the processor
/// could not read the record (never expected: the record is our own BibTeX).
pub fn reference(
    publication: &PublicationView,
    base_url: &str,
    style: CitationStyle,
) -> Option<Vec<Span>> {
    let key = (
        publication.id.clone(),
        publication.updated_at.and_utc().timestamp_micros(),
        style,
    );
    if let Some(cached) = FORMATTED.get(&key) {
        return cached;
    }
    let formatted = format(publication, base_url, style);
    FORMATTED.insert(key, formatted.clone());
    formatted
}

fn format(
    publication: &PublicationView,
    base_url: &str,
    style: CitationStyle,
) -> Option<Vec<Span>> {
    let bibtex = citation::bibtex(publication, base_url);
    let library = hayagriva::io::from_biblatex_str(&bibtex).ok()?;
    let entry = library.iter().next()?;
    let style = STYLES
        .iter()
        .find(|(s, _)| *s == style)
        .and_then(|(_, independent)| independent.as_ref())?;
    let locales: &[Locale] = &LOCALES;
    let mut driver = BibliographyDriver::new();
    driver.citation(CitationRequest::from_items(
        vec![CitationItem::with_entry(entry)],
        style,
        locales,
    ));
    let rendered = driver.finish(BibliographyRequest {
        style,
        locale: None,
        locale_files: locales,
    });
    let item = rendered.bibliography?.items.into_iter().next()?;
    let mut spans = Vec::new();
    collect(&item.content, &mut spans);
    // Runs of the same setting join, so the page does not carry one element per word.
    let mut joined: Vec<Span> = Vec::with_capacity(spans.len());
    for span in spans {
        match joined.last_mut() {
            Some(last) if last.italic == span.italic && last.bold == span.bold => {
                last.text.push_str(&span.text)
            }
            _ => joined.push(span),
        }
    }
    (!joined.is_empty()).then_some(joined)
}

fn collect(children: &ElemChildren, spans: &mut Vec<Span>) {
    for child in &children.0 {
        match child {
            ElemChild::Text(text) | ElemChild::Link { text, .. } => spans.push(Span {
                text: text.text.clone(),
                italic: matches!(text.formatting.font_style, FontStyle::Italic),
                bold: matches!(text.formatting.font_weight, FontWeight::Bold),
            }),
            ElemChild::Elem(elem) => collect(&elem.children, spans),
            ElemChild::Markup(text) => spans.push(Span {
                text: text.clone(),
                italic: false,
                bold: false,
            }),
            ElemChild::Transparent { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(spans: &[Span]) -> String {
        spans.iter().map(|s| s.text.as_str()).collect()
    }

    #[test]
    fn apa_and_gost_references_carry_authors_year_title_and_doi() {
        let publication = super::super::citation::tests::sample();
        let apa = reference(&publication, "http://x", CitationStyle::Apa).unwrap_or_default();
        let apa_text = text(&apa);
        assert!(apa_text.starts_with("Karimova, D."), "{apa_text}");
        assert!(apa_text.contains("(2024"), "{apa_text}");
        assert!(
            apa_text.contains("Morphological Analysis of Uzbek"),
            "{apa_text}"
        );
        assert!(
            apa_text.contains("https://doi.org/10.18653/v1/2024.turklang-1.3"),
            "{apa_text}"
        );
        assert!(
            apa.iter().any(|s| s.italic),
            "APA sets a title in italics: {apa:?}"
        );

        let gost =
            text(&reference(&publication, "http://x", CitationStyle::Gost).unwrap_or_default());
        assert!(gost.contains("Karimova"), "{gost}");
        assert!(gost.contains("2024"), "{gost}");
        assert_ne!(gost, apa_text, "two styles, two forms");
    }
}
