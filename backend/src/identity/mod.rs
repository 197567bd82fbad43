//! Identity: organisations, users and their memberships. Other modules ask this one who
//! someone is and which organisations they belong to, through `service`, never through its
//! tables. (Federated login and partner clients are added by the identity issue.)

pub mod domain;
pub mod graphql;
pub mod rest;
pub mod service;
mod store;
