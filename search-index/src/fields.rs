//! The Tantivy schema. Bump `SCHEMA_VERSION` whenever it changes: an index written with
//! another version is rebuilt rather than misread.

use tantivy::schema::{FAST, FacetOptions, Field, INDEXED, STORED, STRING, Schema, TEXT};

/// Version of the field layout below.
pub const SCHEMA_VERSION: u32 = 2;

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
    pub organisation_id: Field,
    pub country: Field,
    pub access: Field,
    pub updated_at: Field,
    /// `/kind/<kind>` and `/country/<code>`, for facet counts.
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
        organisation_id: builder.add_text_field("organisation_id", STRING | STORED | FAST),
        country: builder.add_text_field("country", STRING | STORED | FAST),
        access: builder.add_text_field("access", STRING),
        updated_at: builder.add_i64_field("updated_at", INDEXED | STORED | FAST),
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
        organisation_id: schema.get_field("organisation_id")?,
        country: schema.get_field("country")?,
        access: schema.get_field("access")?,
        updated_at: schema.get_field("updated_at")?,
        facets: schema.get_field("facets")?,
    })
}
