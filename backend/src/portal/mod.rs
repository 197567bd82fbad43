//! The web portal for people: server-rendered pages in five locales (`/uz/…`, `/uz-Cyrl/…`,
//! `/az/…`, `/ru/…`, `/en/…`), complete without JavaScript, from compile-time checked
//! templates (`backend/templates/portal/`) and Fluent messages (`backend/locales/`). It is a
//! third adapter beside REST and GraphQL: each page makes the same service calls they do, with
//! the visitor's `Caller`, so it can never show what the API would refuse.

pub mod assets;
mod chrome;
pub mod i18n;
pub mod locale;
mod pages;

use actix_web::web;

/// The locale segment of every portal path.
const LOCALE: &str = "{locale:uz|uz-Cyrl|az|ru|en}";

/// The portal's routes; registered after every API route, so none is shadowed.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .route("/", web::get().to(pages::root))
        .route("/robots.txt", web::get().to(pages::robots))
        .route("/sitemap.xml", web::get().to(pages::sitemap::index))
        .route("/sitemap-{kind}.xml", web::get().to(pages::sitemap::kind))
        .route("/assets/{file}", web::get().to(assets::serve))
        .route(&format!("/{LOCALE}"), web::get().to(pages::locale_root))
        .route(&format!("/{LOCALE}/"), web::get().to(pages::home::page))
        .route(
            &format!("/{LOCALE}/search"),
            web::get().to(pages::search::page),
        )
        .route(&format!("/{LOCALE}/imei"), web::get().to(pages::imei::page))
        .route(
            &format!("/{LOCALE}/marketplace"),
            web::get().to(pages::marketplace::browse),
        )
        .route(
            &format!("/{LOCALE}/marketplace/{{id}}"),
            web::get().to(pages::marketplace::listing),
        )
        .route(
            &format!("/{LOCALE}/publications/{{id}}"),
            web::get().to(pages::publication::page),
        )
        .route(
            &format!("/{LOCALE}/datasets/{{key}}"),
            web::get().to(pages::dataset::page),
        )
        .route(
            &format!("/{LOCALE}/organisations/{{key}}"),
            web::get().to(pages::organisation::page),
        )
        .route(
            "/{kind:publications|datasets|organisations}/{key}",
            web::get().to(pages::negotiated),
        );
}
