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
pub mod i18n;
pub mod locale;
mod pages;

use actix_web::web;

pub use pages::not_found;

/// The locale segment of every portal path.
const LOCALE: &str = "/{locale:uz|uz-Cyrl|az|ru|en}";

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
        .service(
            web::scope(LOCALE)
                .wrap(actix_web::middleware::Compress::default())
                .route("", web::get().to(pages::locale_root))
                .route("/", web::get().to(pages::home::page))
                .route("/search", web::get().to(pages::search::page))
                .route("/imei", web::get().to(pages::imei::page))
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
                ),
        )
        .route(
            "/{kind:publications|datasets|organisations}/{key}",
            web::get().to(pages::negotiated),
        );
}
