//! The joint IT hub's vocabulary: kinds of programme, where programmes and applications stand,
//! the decisions, and the eligibility terms (stages, sectors).

use chrono::NaiveDateTime;
use serde::Serialize;
use utoipa::ToSchema;

use crate::vocabulary::vocabulary;

vocabulary!(
    /// What a programme is.
    ProgrammeKind, "programme kind", {
        Accelerator => "accelerator", Hackathon => "hackathon", DemoDay => "demo_day",
        CoInvestment => "co_investment",
    }
);

vocabulary!(
    /// Whether a programme is public yet.
    ProgrammeState, "programme state", { Draft => "draft", Published => "published" }
);

vocabulary!(
    /// Where an application stands, as its startup moves it.
    ApplicationState, "application state", {
        Draft => "draft", Submitted => "submitted", Withdrawn => "withdrawn",
    }
);

vocabulary!(
    /// The organisers' decision on a submitted application.
    Decision, "decision", {
        Accepted => "accepted", Waitlisted => "waitlisted", Declined => "declined",
    }
);

vocabulary!(
    /// How far a startup has come.
    Stage, "stage", {
        Idea => "idea", Mvp => "mvp", Seed => "seed", Growth => "growth",
    }
);

vocabulary!(
    /// What a startup works on.
    Sector, "sector", {
        Fintech => "fintech", Govtech => "govtech", Edtech => "edtech",
        Healthtech => "healthtech", Agritech => "agritech", Logistics => "logistics",
        Ecommerce => "ecommerce", Cybersecurity => "cybersecurity", Ai => "ai",
        Telecom => "telecom", Other => "other",
    }
);

vocabulary!(
    /// What a question of a programme's form asks for.
    QuestionKind, "question kind", {
        Text => "text", Choice => "choice", Number => "number", File => "file",
    }
);

/// Where a programme is in its calendar, by server time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema, async_graphql::Enum)]
#[graphql(name = "HubPhase")]
#[schema(as = HubPhase)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Not published: its organisers' draft.
    Draft,
    /// Published; applications open later.
    Upcoming,
    /// Applications are open.
    Open,
    /// Applications closed; the panel reviews and the organisers decide.
    Reviewing,
    /// The decisions are published.
    Decided,
}

/// The phase of a programme at `now`.
pub fn phase(
    published: bool,
    opens: NaiveDateTime,
    closes: NaiveDateTime,
    results_published: bool,
    now: NaiveDateTime,
) -> Phase {
    if !published {
        Phase::Draft
    } else if results_published {
        Phase::Decided
    } else if now < opens {
        Phase::Upcoming
    } else if now < closes {
        Phase::Open
    } else {
        Phase::Reviewing
    }
}

/// Lowest and highest score of a criterion.
pub const SCORE_RANGE: std::ops::RangeInclusive<i32> = 1..=5;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_phase_follows_the_calendar_and_publication() {
        let at = |h: i64| {
            chrono::DateTime::from_timestamp(h * 3600, 0)
                .unwrap()
                .naive_utc()
        };
        let (opens, closes) = (at(10), at(20));
        assert_eq!(phase(false, opens, closes, false, at(15)), Phase::Draft);
        assert_eq!(phase(true, opens, closes, false, at(9)), Phase::Upcoming);
        assert_eq!(phase(true, opens, closes, false, at(10)), Phase::Open);
        assert_eq!(phase(true, opens, closes, false, at(20)), Phase::Reviewing);
        assert_eq!(phase(true, opens, closes, true, at(30)), Phase::Decided);
    }
}
