//! The Tantivy schema. Bump `SCHEMA_VERSION` whenever it changes: an index written with
//! another version is rebuilt rather than misread.

use tantivy::schema::{
    FAST, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TEXT,
    TextFieldIndexing, TextOptions,
};

/// Version of the field layout below.
pub const SCHEMA_VERSION: u32 = 4;

/// The analyzer of `text_stemmed` (registered by `analyzers::register`).
pub(crate) const STEMMED_ANALYZER: &str = "silkbridge_stemmed";

#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub key: Field,
    pub kind: Field,
    pub entity_id: Field,
    /// As written, for display and snippets.
    pub title: Field,
    pub body: Field,
    /// Folded (see `fold`), for matching.
    pub title_folded: Field,
    pub body_folded: Field,
    /// Title and body as written, lower-cased and stemmed (English and Russian Snowball), so
    /// `statistics` finds `statistical` and `исследования` finds `исследование`.
    pub text_stemmed: Field,
    pub organisation_id: Field,
    pub country: Field,
    pub access: Field,
    pub updated_at: Field,
    /// Year of publication (or of the item), for range filters.
    pub year: Field,
    /// Language tags the item can be read in.
    pub languages: Field,
    /// SPDX licence id.
    pub licence: Field,
    /// Keywords, tags or categories, folded.
    pub tags: Field,
    /// `/kind/<kind>`, `/country/<code>` and `/language/<tag>`, for facet counts.
    pub facets: Field,
}

pub(crate) fn build_schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let fields = Fields {
        key: builder.add_text_field("key", STRING | STORED),
        kind: builder.add_text_field("kind", STRING | STORED | FAST),
        entity_id: builder.add_text_field("entity_id", STRING | STORED),
        title: builder.add_text_field("title", STORED),
        body: builder.add_text_field("body", STORED),
        title_folded: builder.add_text_field("title_folded", TEXT),
        body_folded: builder.add_text_field("body_folded", TEXT),
        text_stemmed: builder.add_text_field(
            "text_stemmed",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(STEMMED_ANALYZER)
                    .set_index_option(IndexRecordOption::WithFreqs),
            ),
        ),
        organisation_id: builder.add_text_field("organisation_id", STRING | STORED | FAST),
        country: builder.add_text_field("country", STRING | STORED | FAST),
        access: builder.add_text_field("access", STRING),
        updated_at: builder.add_i64_field("updated_at", INDEXED | STORED | FAST),
        year: builder.add_i64_field("year", INDEXED | STORED | FAST),
        languages: builder.add_text_field("languages", STRING | STORED),
        licence: builder.add_text_field("licence", STRING | STORED),
        tags: builder.add_text_field("tags", STRING),
        facets: builder.add_facet_field("facets", FacetOptions::default()),
    };
    (builder.build(), fields)
}

pub(crate) fn fields_of(schema: &Schema) -> Result<Fields, tantivy::TantivyError> {
    Ok(Fields {
        key: schema.get_field("key")?,
        kind: schema.get_field("kind")?,
        entity_id: schema.get_field("entity_id")?,
        title: schema.get_field("title")?,
        body: schema.get_field("body")?,
        title_folded: schema.get_field("title_folded")?,
        body_folded: schema.get_field("body_folded")?,
        text_stemmed: schema.get_field("text_stemmed")?,
        organisation_id: schema.get_field("organisation_id")?,
        country: schema.get_field("country")?,
        access: schema.get_field("access")?,
        updated_at: schema.get_field("updated_at")?,
        year: schema.get_field("year")?,
        languages: schema.get_field("languages")?,
        licence: schema.get_field("licence")?,
        tags: schema.get_field("tags")?,
        facets: schema.get_field("facets")?,
    })
}
