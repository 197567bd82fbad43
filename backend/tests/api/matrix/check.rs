//! What the matrix asserts of one answer: the status its row expects for the caller and the
//! object, no canary the caller may not see, and (for answers compared across the two passes)
//! a text with the volatile parts and the objects' own ids replaced.

use serde_json::Value;

use super::world::{CANARIES, Variant, Who};

/// Whether `status` is what `letter` expects; `None` when the cell is not run.
pub fn expected(
    letter: char,
    who: Who,
    variant: Option<Variant>,
    owned: bool,
    status: u16,
) -> Option<bool> {
    let visible = variant.is_none_or(|v| v.visible_to(who));
    let ok = (200..300).contains(&status);
    let authorised = ok || matches!(status, 400 | 404 | 409 | 413 | 415 | 422);
    let refused_unseen = if visible {
        status == 403
    } else {
        status == 404
    };
    let editor = matches!(who, Who::Editor | Who::Admin) && owned;
    Some(match letter {
        '-' => return None,
        'o' => ok,
        'v' => authorised,
        'u' => status == 401,
        'f' => status == 403,
        'n' => status == 404,
        's' => {
            if visible {
                ok
            } else {
                status == 404
            }
        }
        'w' => {
            if visible {
                authorised
            } else {
                status == 404
            }
        }
        'r' => matches!(status, 403 | 422),
        'a' => {
            if visible {
                status == 401
            } else {
                status == 404
            }
        }
        'x' => refused_unseen,
        'e' => {
            if editor {
                authorised
            } else {
                refused_unseen
            }
        }
        'm' => {
            if who.insider() && owned {
                ok
            } else {
                refused_unseen
            }
        }
        other => panic!("unknown letter {other}"),
    })
}

/// Whether the letter expects a refusal for this caller and object (such calls change
/// nothing, so both passes make them).
pub fn refusal(letter: char, who: Who, variant: Option<Variant>, owned: bool) -> bool {
    let visible = variant.is_none_or(|v| v.visible_to(who));
    let editor = matches!(who, Who::Editor | Who::Admin) && owned;
    match letter {
        'u' | 'f' | 'n' | 'x' | 'r' | 'a' => true,
        's' | 'w' => !visible,
        'e' => !editor,
        'm' => !(who.insider() && owned),
        _ => false,
    }
}

/// Canaries in `body` that `who` may not see (a canary the request itself carried is not
/// counted: it may be echoed).
pub fn leaked(body: &str, who: Who, request: &str) -> Vec<&'static str> {
    CANARIES
        .iter()
        .filter(|c| !c.variant.visible_to(who))
        .filter(|c| !request.contains(c.text))
        .filter(|c| body.to_lowercase().contains(&c.text.to_lowercase()))
        .map(|c| c.text)
        .collect()
}

/// A GraphQL answer as a status: its first error's code, a null root field as 404.
pub fn graphql_status(field: &str, body: &str) -> u16 {
    let Ok(value) = serde_json::from_str::<Value>(body) else {
        return 0;
    };
    if let Some(error) = value["errors"].as_array().and_then(|e| e.first()) {
        return match error["extensions"]["code"].as_str().unwrap_or("") {
            "unauthenticated" => 401,
            "forbidden" | "insufficient_scope" => 403,
            "not_found" => 404,
            "conflict" => 409,
            "validation_failed" | "consent_required" => 422,
            "internal" | "internal_error" => 500,
            // The row's own document is wrong: never what a row expects.
            "invalid_graphql" => 0,
            _ => 400,
        };
    }
    if value["data"][field].is_null() {
        404
    } else {
        200
    }
}

/// The answer with what legitimately differs between two identical calls removed, and the
/// objects' ids (real in one pass, placeholders in the other) replaced by their role.
pub fn normalised(body: &str, ids: &[(String, String)]) -> String {
    let mut text = body.to_owned();
    for (id, label) in ids {
        if !id.is_empty() {
            text = text.replace(id.as_str(), label);
        }
    }
    for key in ["\"request_id\":\"", "\"requestId\":\"", "\"instance\":\""] {
        text = blank_after(&text, key, "\"");
    }
    let text = blank_after(&text, "<responseDate>", "<");
    // RDF blank nodes are labelled afresh by every serialisation.
    blank_nodes(&text)
}

/// `_:label` → `_:b`.
fn blank_nodes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("_:") {
        out.push_str(&rest[..at + 2]);
        rest = &rest[at + 2..];
        let end = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        out.push('b');
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// `text` with what follows each `start` up to `end` blanked.
fn blank_after(text: &str, start: &str, end: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(start) {
        out.push_str(&rest[..at + start.len()]);
        rest = &rest[at + start.len()..];
        let stop = rest.find(end).unwrap_or(rest.len());
        out.push_str("<volatile>");
        rest = &rest[stop..];
    }
    out.push_str(rest);
    out
}
