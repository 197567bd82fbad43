//! The exchange's states and the only transitions between them. A document is a draft, then
//! sent, or recalled before anyone received it; each recipient's copy goes sent → delivered →
//! accepted or rejected, and an accepted one may be signed. Everything else is refused with
//! 409 `invalid_transition`, whichever path asked.

use crate::error::{ApiError, ApiResult, ErrorCode};

/// What an organisation does to a document.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, async_graphql::Enum,
)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// The sender sends the draft to its recipients.
    Send,
    /// The sender takes a sent document back before any recipient has received it.
    Recall,
    /// A recipient acknowledges receipt (a signed delivery receipt).
    Deliver,
    /// A recipient accepts the document (a signed acceptance receipt).
    Accept,
    /// A recipient rejects the document, with a reason.
    Reject,
    /// A recipient signs the accepted document.
    Sign,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Send => "send",
            Self::Recall => "recall",
            Self::Deliver => "deliver",
            Self::Accept => "accept",
            Self::Reject => "reject",
            Self::Sign => "sign",
        }
    }

    /// Whether a recipient takes this step (else the sender does).
    pub fn by_recipient(self) -> bool {
        matches!(
            self,
            Self::Deliver | Self::Accept | Self::Reject | Self::Sign
        )
    }

    /// The event the other side is told of.
    pub fn event(self) -> &'static str {
        match self {
            Self::Send => "document.sent",
            Self::Recall => "document.recalled",
            Self::Deliver => "document.delivered",
            Self::Accept => "document.accepted",
            Self::Reject => "document.rejected",
            Self::Sign => "document.signed",
        }
    }
}

impl std::str::FromStr for Step {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        Ok(match text {
            "send" => Self::Send,
            "recall" => Self::Recall,
            "deliver" => Self::Deliver,
            "accept" => Self::Accept,
            "reject" => Self::Reject,
            "sign" => Self::Sign,
            other => return Err(format!("unknown step `{other}`")),
        })
    }
}

fn refused(step: Step, from: &str) -> ApiError {
    ApiError::new(
        ErrorCode::InvalidTransition,
        format!("cannot {} a document that is {from}", step.as_str()),
    )
}

/// The document's state after a sender's step, or the refusal. `any_received` says whether
/// some recipient has already received it (recall is then too late).
pub fn sender_step(
    step: Step,
    document_state: &str,
    any_received: bool,
) -> ApiResult<&'static str> {
    match (step, document_state) {
        (Step::Send, "draft") => Ok("sent"),
        (Step::Recall, "sent") if !any_received => Ok("recalled"),
        (Step::Recall, "sent") => Err(ApiError::new(
            ErrorCode::InvalidTransition,
            "cannot recall a document a recipient has already received",
        )),
        (_, state) => Err(refused(step, state)),
    }
}

/// A recipient copy's state after a recipient's step, or the refusal.
pub fn recipient_step(
    step: Step,
    document_state: &str,
    copy_state: &str,
) -> ApiResult<&'static str> {
    if document_state != "sent" {
        return Err(refused(step, document_state));
    }
    match (step, copy_state) {
        (Step::Deliver, "sent") => Ok("delivered"),
        (Step::Accept, "delivered") => Ok("accepted"),
        (Step::Reject, "delivered") => Ok("rejected"),
        (Step::Sign, "accepted") => Ok("signed"),
        (_, state) => Err(refused(step, state)),
    }
}

/// Confidentiality levels.
pub const CONFIDENTIALITY: &[&str] = &["public", "internal", "confidential"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_legal_transitions_pass() {
        assert_eq!(sender_step(Step::Send, "draft", false).ok(), Some("sent"));
        assert!(sender_step(Step::Send, "sent", false).is_err());
        assert_eq!(
            sender_step(Step::Recall, "sent", false).ok(),
            Some("recalled")
        );
        assert!(sender_step(Step::Recall, "sent", true).is_err());
        assert!(sender_step(Step::Recall, "draft", false).is_err());
        assert!(sender_step(Step::Recall, "recalled", false).is_err());
        let legal = [
            (Step::Deliver, "sent", "delivered"),
            (Step::Accept, "delivered", "accepted"),
            (Step::Reject, "delivered", "rejected"),
            (Step::Sign, "accepted", "signed"),
        ];
        for step in [Step::Deliver, Step::Accept, Step::Reject, Step::Sign] {
            for copy in ["sent", "delivered", "accepted", "rejected", "signed"] {
                let expected = legal
                    .iter()
                    .find(|(s, from, _)| *s == step && *from == copy)
                    .map(|(_, _, to)| *to);
                let got = recipient_step(step, "sent", copy);
                assert_eq!(got.as_ref().ok().copied(), expected, "{step:?} from {copy}");
                if expected.is_none() {
                    assert_eq!(
                        got.err().map(|e| e.code),
                        Some(ErrorCode::InvalidTransition)
                    );
                }
                assert!(recipient_step(step, "recalled", copy).is_err());
                assert!(recipient_step(step, "draft", copy).is_err());
            }
        }
    }
}
