//! What a module hands the index for one of its items.

/// One searchable item, in index form.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IndexDocument {
    /// The module's kind name (`organisation`, `publication`, `dataset`, `listing`, `document`).
    pub kind: String,
    /// The item's id within its kind.
    pub entity_id: String,
    pub title: String,
    pub body: String,
    /// The owning organisation, if any.
    pub organisation_id: Option<String>,
    /// ISO 3166 alpha-2 country of the item.
    pub country: Option<String>,
    /// Who may see the item, as access tokens (`public`, `org:<id>`): a search matches only
    /// documents sharing a token with the caller, so the filter runs inside the query.
    pub access: Vec<String>,
    /// Last change, seconds since the Unix epoch (for sorting by date).
    pub updated_at: i64,
    /// Year of publication, where the kind has one.
    pub year: Option<i32>,
    /// Language tags (`uz-Latn`, `uz-Cyrl`, `az`, `ru`, `en`) the item can be read in.
    pub languages: Vec<String>,
    /// SPDX licence id, where the kind has one.
    pub licence: Option<String>,
    /// Keywords, tags or categories.
    pub tags: Vec<String>,
}

impl IndexDocument {
    /// The index-wide unique key: kind and id together.
    pub fn key(&self) -> String {
        document_key(&self.kind, &self.entity_id)
    }
}

/// The index-wide unique key of an item.
pub fn document_key(kind: &str, entity_id: &str) -> String {
    format!("{kind}:{entity_id}")
}
