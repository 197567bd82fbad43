//! The marketplace's GraphQL fields: the same service calls as REST.

use async_graphql::{Context, Object, Result};

use super::service::{
    self, CategoryView, DecisionInput, EnquiryInput, EnquiryView, ListingInput, ListingQuery,
    ListingView, RevisionView,
};
use crate::db;
use crate::graphql::{caller_of, state_of};
use crate::http::pagination::Page;

#[derive(Default)]
pub struct MarketplaceQuery;

#[Object]
impl MarketplaceQuery {
    /// The managed category taxonomy.
    async fn listing_categories(&self, ctx: &Context<'_>) -> Result<Vec<CategoryView>> {
        let state = state_of(ctx)?;
        db::run(&state.db, service::categories)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Published listings.
    async fn listings(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] filter: ListingQuery,
        first: Option<u32>,
        after: Option<String>,
    ) -> Result<Page<ListingView>> {
        let state = state_of(ctx)?;
        db::run(&state.db, move |conn| {
            service::list_published(conn, &filter, first, after.as_deref())
        })
        .await
        .map_err(|e| e.into_graphql())
    }

    /// One listing the caller may see; null otherwise.
    async fn listing(&self, ctx: &Context<'_>, id: String) -> Result<Option<ListingView>> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        match db::run(&state.db, move |conn| service::get(conn, &caller, &id)).await {
            Ok(found) => Ok(Some(found)),
            Err(e) if e.code == crate::error::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into_graphql()),
        }
    }

    /// An organisation's listings in every state (its members).
    async fn organisation_listings(
        &self,
        ctx: &Context<'_>,
        slug: String,
        #[graphql(default)] filter: ListingQuery,
        first: Option<u32>,
        after: Option<String>,
    ) -> Result<Page<ListingView>> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        db::run(&state.db, move |conn| {
            service::list_for_organisation(conn, &caller, &slug, &filter, first, after.as_deref())
        })
        .await
        .map_err(|e| e.into_graphql())
    }

    /// What awaits the moderators.
    async fn review_queue(&self, ctx: &Context<'_>) -> Result<Vec<ListingView>> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        db::run(&state.db, move |conn| service::review_queue(conn, &caller))
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Every version of a listing.
    async fn listing_history(&self, ctx: &Context<'_>, id: String) -> Result<Vec<RevisionView>> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        db::run(&state.db, move |conn| service::history(conn, &caller, &id))
            .await
            .map_err(|e| e.into_graphql())
    }

    /// An organisation's enquiry inbox.
    async fn enquiries(&self, ctx: &Context<'_>, slug: String) -> Result<Vec<EnquiryView>> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        db::run(&state.db, move |conn| service::inbox(conn, &caller, &slug))
            .await
            .map_err(|e| e.into_graphql())
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
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        let created = state
            .write(move |conn| service::create(conn, &caller, &organisation, input))
            .await
            .map_err(|e| e.into_graphql())?;
        Ok(created)
    }

    /// Replaces a listing's content; edits of published listings go back through review.
    async fn update_listing(
        &self,
        ctx: &Context<'_>,
        id: String,
        input: ListingInput,
    ) -> Result<ListingView> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        let updated = state
            .write(move |conn| service::update(conn, &caller, &id, input))
            .await
            .map_err(|e| e.into_graphql())?;
        Ok(updated)
    }

    /// Sends a listing to review.
    async fn submit_listing(&self, ctx: &Context<'_>, id: String) -> Result<ListingView> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        state
            .write(move |conn| service::submit(conn, &caller, &id))
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Approves or rejects (moderators).
    async fn decide_listing(
        &self,
        ctx: &Context<'_>,
        id: String,
        input: DecisionInput,
    ) -> Result<ListingView> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        let decided = state
            .write(move |conn| service::decide(conn, &caller, &id, input))
            .await
            .map_err(|e| e.into_graphql())?;
        Ok(decided)
    }

    /// Archives a listing.
    async fn archive_listing(&self, ctx: &Context<'_>, id: String) -> Result<ListingView> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        let archived = state
            .write(move |conn| service::archive(conn, &caller, &id))
            .await
            .map_err(|e| e.into_graphql())?;
        Ok(archived)
    }

    /// Sends an enquiry to a listing's organisation.
    async fn send_enquiry(
        &self,
        ctx: &Context<'_>,
        listing_id: String,
        input: EnquiryInput,
    ) -> Result<EnquiryView> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        let per_hour = state.config.marketplace.enquiries_per_hour;
        state
            .write(move |conn| service::send_enquiry(conn, &caller, &listing_id, input, per_hour))
            .await
            .map_err(|e| e.into_graphql())
    }
}
