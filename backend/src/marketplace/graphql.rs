//! The marketplace's GraphQL fields: the same service calls as REST.

use async_graphql::{Context, Object, Result};

use super::input::{DecisionInput, EnquiryInput, ListingInput, ListingQuery};
use super::service;
use super::views::{CategoryView, EnquiryView, ListingView, RevisionView};
use crate::graphql::{answer, found, request};
use crate::http::pagination::{PageParams, graphql_page};

graphql_page!(ListingPage, ListingView);

#[derive(Default)]
pub struct MarketplaceQuery;

#[Object]
impl MarketplaceQuery {
    /// The managed category taxonomy.
    async fn listing_categories(&self, ctx: &Context<'_>) -> Result<Vec<CategoryView>> {
        let (state, _) = request(ctx)?;
        answer(service::categories(state).await)
    }

    /// Published listings.
    async fn listings(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] filter: ListingQuery,
        first: Option<u32>,
        after: Option<String>,
    ) -> Result<ListingPage> {
        let (state, _) = request(ctx)?;
        let page = PageParams {
            limit: first,
            cursor: after,
        };
        answer(service::list_published(state, filter, page).await).map(ListingPage::from)
    }

    /// One listing the caller may see; null otherwise.
    async fn listing(&self, ctx: &Context<'_>, id: String) -> Result<Option<ListingView>> {
        let (state, caller) = request(ctx)?;
        found(service::get(state, &caller, &id).await)
    }

    /// An organisation's listings in every state (its members).
    async fn organisation_listings(
        &self,
        ctx: &Context<'_>,
        slug: String,
        #[graphql(default)] filter: ListingQuery,
        first: Option<u32>,
        after: Option<String>,
    ) -> Result<ListingPage> {
        let (state, caller) = request(ctx)?;
        let page = PageParams {
            limit: first,
            cursor: after,
        };
        answer(service::list_for_organisation(state, &caller, &slug, filter, page).await)
            .map(ListingPage::from)
    }

    /// What awaits the moderators.
    async fn review_queue(&self, ctx: &Context<'_>) -> Result<Vec<ListingView>> {
        let (state, caller) = request(ctx)?;
        answer(service::review_queue(state, &caller).await)
    }

    /// Every version of a listing.
    async fn listing_history(&self, ctx: &Context<'_>, id: String) -> Result<Vec<RevisionView>> {
        let (state, caller) = request(ctx)?;
        answer(service::history(state, &caller, &id).await)
    }

    /// An organisation's enquiry inbox.
    async fn enquiries(&self, ctx: &Context<'_>, slug: String) -> Result<Vec<EnquiryView>> {
        let (state, caller) = request(ctx)?;
        answer(service::inbox(state, &caller, &slug).await)
    }
}

#[derive(Default)]
pub struct MarketplaceMutation;

#[Object]
impl MarketplaceMutation {
    /// Creates a draft listing for an organisation (its editors).
    async fn create_listing(
        &self,
        ctx: &Context<'_>,
        organisation: String,
        input: ListingInput,
    ) -> Result<ListingView> {
        let (state, caller) = request(ctx)?;
        answer(service::create(state, &caller, &organisation, input).await)
    }

    /// Replaces a listing's content; edits of published listings go back through review.
    async fn update_listing(
        &self,
        ctx: &Context<'_>,
        id: String,
        input: ListingInput,
    ) -> Result<ListingView> {
        let (state, caller) = request(ctx)?;
        answer(service::update(state, &caller, &id, input).await)
    }

    /// Sends a listing to review.
    async fn submit_listing(&self, ctx: &Context<'_>, id: String) -> Result<ListingView> {
        let (state, caller) = request(ctx)?;
        answer(service::submit(state, &caller, &id).await)
    }

    /// Approves or rejects (moderators).
    async fn decide_listing(
        &self,
        ctx: &Context<'_>,
        id: String,
        input: DecisionInput,
    ) -> Result<ListingView> {
        let (state, caller) = request(ctx)?;
        answer(service::decide(state, &caller, &id, input).await)
    }

    /// Archives a listing.
    async fn archive_listing(&self, ctx: &Context<'_>, id: String) -> Result<ListingView> {
        let (state, caller) = request(ctx)?;
        answer(service::archive(state, &caller, &id).await)
    }

    /// Sends an enquiry to a listing's organisation.
    async fn send_enquiry(
        &self,
        ctx: &Context<'_>,
        listing_id: String,
        input: EnquiryInput,
    ) -> Result<EnquiryView> {
        let (state, caller) = request(ctx)?;
        answer(service::send_enquiry(state, &caller, &listing_id, input).await)
    }
}
