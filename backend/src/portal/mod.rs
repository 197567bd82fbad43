//! The web portal for people: server-rendered pages in five locales (`/uz/…`, `/uz-Cyrl/…`,
//! `/az/…`, `/ru/…`, `/en/…`), complete without JavaScript, from compile-time checked
//! templates (`backend/templates/portal/`) and Fluent messages (`backend/locales/`). It is a
//! third adapter beside REST and GraphQL: each page makes the same service calls they do, with
//! the visitor's `Caller`, so it can never show what the API would refuse.

pub mod assets;
mod chart;
mod chrome;
mod csrf;
pub mod format;
mod forms;
pub mod i18n;
pub mod locale;
mod pages;
pub mod session;

use actix_web::web;

pub use pages::not_found;

/// The locale segment of every portal path.
const LOCALE: &str = "/{locale:uz|uz-Cyrl|az|ru|en}";

/// The signed-in pages and their forms (under the locale).
fn workspace_routes(config: &mut web::ServiceConfig) {
    use pages::{
        administration, application, cases, dataset_forms, document_forms, documents, hub_desk,
        invitation, listing_forms, moderation, programmes, publishing, sign_in, workspace,
    };
    config
        .route("/sign-in", web::get().to(sign_in::page))
        .route("/sign-in/demo", web::post().to(sign_in::demo_sign_in))
        .route("/sign-out", web::post().to(sign_in::sign_out))
        .route("/workspace", web::get().to(workspace::page))
        .route("/workspace/publications", web::post().to(publishing::save))
        .route(
            "/workspace/publications/new",
            web::get().to(publishing::new),
        )
        .route(
            "/workspace/publications/{id}",
            web::get().to(publishing::edit),
        )
        .route(
            "/workspace/publications/{id}",
            web::post().to(publishing::save),
        )
        .route(
            "/workspace/publications/{id}/files",
            web::post().to(publishing::upload),
        )
        .route(
            "/workspace/organisations/{slug}",
            web::get().to(administration::organisation),
        )
        .route(
            "/workspace/organisations/{slug}",
            web::post().to(administration::organisation_post),
        )
        .route(
            "/workspace/partners",
            web::get().to(administration::partners),
        )
        .route(
            "/workspace/partners",
            web::post().to(administration::partners_post),
        )
        .route("/workspace/datasets", web::post().to(dataset_forms::save))
        .route("/workspace/datasets/new", web::get().to(dataset_forms::new))
        .route(
            "/workspace/datasets/{name}",
            web::get().to(dataset_forms::edit),
        )
        .route(
            "/workspace/datasets/{name}",
            web::post().to(dataset_forms::save),
        )
        .route(
            "/workspace/datasets/{name}/links",
            web::post().to(dataset_forms::add_link),
        )
        .route(
            "/workspace/datasets/{name}/files",
            web::post().to(dataset_forms::upload),
        )
        .route("/workspace/listings", web::post().to(listing_forms::save))
        .route("/workspace/listings/new", web::get().to(listing_forms::new))
        .route(
            "/workspace/listings/{id}",
            web::get().to(listing_forms::edit),
        )
        .route(
            "/workspace/listings/{id}",
            web::post().to(listing_forms::save),
        )
        .route(
            "/workspace/listings/{id}/submit",
            web::post().to(listing_forms::submit),
        )
        .route("/workspace/moderation", web::get().to(moderation::page))
        .route("/workspace/moderation", web::post().to(moderation::decide))
        .route("/invitations/{token}", web::get().to(invitation::page))
        .route("/invitations/{token}", web::post().to(invitation::accept))
        .route("/workspace/programmes", web::get().to(hub_desk::list))
        .route("/workspace/programmes/{key}", web::get().to(hub_desk::desk))
        .route(
            "/workspace/programmes/{key}/applications",
            web::post().to(programmes::apply),
        )
        .route(
            "/workspace/programmes/{key}/{step}",
            web::post().to(hub_desk::step),
        )
        .route(
            "/workspace/applications/{id}",
            web::get().to(application::page),
        )
        .route(
            "/workspace/applications/{id}",
            web::post().to(application::save),
        )
        .route(
            "/workspace/applications/{id}/files/{question}",
            web::post().to(application::upload),
        )
        .route(
            "/workspace/applications/{id}/{step}",
            web::post().to(application::step),
        )
        .route("/workspace/cases", web::get().to(cases::list))
        .route(
            "/workspace/cases/statistics.csv",
            web::get().to(cases::statistics_csv),
        )
        .route("/workspace/cases/{id}", web::get().to(cases::page))
        .route("/workspace/cases/{id}/{step}", web::post().to(cases::step))
        .route("/workspace/documents", web::get().to(documents::list))
        .route(
            "/workspace/documents",
            web::post().to(document_forms::create),
        )
        .route(
            "/workspace/documents/new",
            web::get().to(document_forms::compose),
        )
        .route("/workspace/documents/{id}", web::get().to(documents::page))
        .route(
            "/workspace/documents/{id}/steps",
            web::post().to(document_forms::step),
        )
        .route(
            "/workspace/documents/{id}/files",
            web::post().to(document_forms::upload),
        )
        .route(
            "/workspace/documents/{id}/receipts/{seq}/verify",
            web::post().to(document_forms::verify),
        );
}

/// The portal's routes; registered after every API route, so none is shadowed. Pages,
/// sitemaps and the stylesheet are sent gzip-compressed to clients that accept it (a search
/// page's first load stays far under 60 KB); API responses are left as they are.
pub fn configure(config: &mut web::ServiceConfig) {
    let compressed = |path: &str| {
        web::resource(path.to_owned()).wrap(actix_web::middleware::Compress::default())
    };
    config
        .route("/", web::get().to(pages::root))
        .route("/robots.txt", web::get().to(pages::robots))
        .service(compressed("/sitemap.xml").route(web::get().to(pages::sitemap::index)))
        .service(compressed("/sitemap-{kind}.xml").route(web::get().to(pages::sitemap::kind)))
        .service(compressed("/assets/{file}").route(web::get().to(assets::serve)))
        .route("/auth/resume", web::get().to(session::resume))
        .route(
            "/invite/{token}",
            web::get().to(pages::invitation::negotiated),
        )
        .service(
            web::scope(LOCALE)
                .wrap(actix_web::middleware::Compress::default())
                .route("", web::get().to(pages::locale_root))
                .route("/", web::get().to(pages::home::page))
                .route("/search", web::get().to(pages::search::page))
                .route("/imei", web::get().to(pages::imei::page))
                .route("/programmes", web::get().to(pages::programmes::list))
                .route("/programmes/{key}", web::get().to(pages::programmes::page))
                .route(
                    "/programmes/{key}/{step}",
                    web::post().to(pages::programmes::place),
                )
                .route("/marketplace", web::get().to(pages::marketplace::browse))
                .route(
                    "/marketplace/{id}",
                    web::get().to(pages::marketplace::listing),
                )
                .route(
                    "/marketplace/{id}/enquiries",
                    web::post().to(pages::enquiry::send),
                )
                .route(
                    "/publications/{id}",
                    web::get().to(pages::publication::page),
                )
                .route("/datasets/{key}", web::get().to(pages::dataset::page))
                .route(
                    "/organisations/{key}",
                    web::get().to(pages::organisation::page),
                )
                .configure(workspace_routes),
        )
        .route(
            "/{kind:publications|datasets|organisations|programmes}/{key}",
            web::get().to(pages::negotiated),
        );
}
