//! Collects every broken rule of an input at once, so a client fixes all of them in one go.

use std::str::FromStr;

use crate::error::{ApiError, ApiResult, FieldError};

#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    pub fn fail(&mut self, field: impl Into<String>, code: &str, message: impl Into<String>) {
        self.errors.push(FieldError {
            field: field.into(),
            code: code.to_owned(),
            message: message.into(),
        });
    }

    /// Non-blank text of at most `max` characters.
    pub fn text(&mut self, field: &str, value: &str, max: usize) {
        if value.trim().is_empty() {
            self.fail(field, "required", "must not be empty");
        } else if value.chars().count() > max {
            self.fail(
                field,
                "too_long",
                format!("must be at most {max} characters"),
            );
        }
    }

    /// Free text a person typed (a reference, a note): at most `max` characters, no control
    /// characters but line breaks; `required` text must not be blank, absent text is fine
    /// otherwise.
    pub fn typed_text(&mut self, field: &str, value: Option<&str>, required: bool, max: usize) {
        match value.map(str::trim) {
            None | Some("") if required => self.fail(field, "required", "required"),
            Some(text) if text.chars().count() > max => {
                self.fail(field, "too_long", format!("at most {max} characters"))
            }
            Some(text) if text.chars().any(|c| c.is_control() && c != '\n') => {
                self.fail(field, "control_character", "no control characters")
            }
            _ => {}
        }
    }

    /// Lower-case letters, digits and single hyphens, 2 to 64 characters.
    pub fn slug(&mut self, field: &str, value: &str) {
        let ok = (2..=64).contains(&value.len())
            && value.split('-').all(|part| {
                !part.is_empty()
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        if !ok {
            self.fail(
                field,
                "invalid_format",
                "use 2 to 64 lower-case letters, digits and single hyphens",
            );
        }
    }

    pub fn http_url(&mut self, field: &str, value: &str) {
        match url::Url::parse(value) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {}
            _ => self.fail(field, "invalid_format", "must be an http or https URL"),
        }
    }

    pub fn email(&mut self, field: &str, value: &str) {
        let ok = value.len() <= 254
            && value.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
            });
        if !ok {
            self.fail(field, "invalid_format", "must be an e-mail address");
        }
    }

    /// Parses an enumeration, recording its error message.
    pub fn parse<T: FromStr<Err = String>>(&mut self, field: &str, value: &str) -> Option<T> {
        match value.parse() {
            Ok(v) => Some(v),
            Err(message) => {
                self.fail(field, "unknown_value", message);
                None
            }
        }
    }

    pub fn finish(self) -> ApiResult<()> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(self.errors))
        }
    }
}
