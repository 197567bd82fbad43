//! Biometrics: palm-vein templates that authorised partners' devices send, stored encrypted,
//! matched 1:1 and 1:N (exact, SIMD) for partners with the scope, under consent, and erased
//! on revocation or request. silkbridge never captures images and never returns a template.

pub mod agreements;
pub mod consents;
pub mod crypto;
pub mod evaluate;
pub mod gallery;
pub mod graphql;
pub mod input;
pub mod matching;
pub mod rest;
pub mod runtime;
pub mod service;
mod store;
pub mod synthetic;
pub mod tasks;
pub mod templates;
pub mod views;
