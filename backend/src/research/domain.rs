//! The research vocabulary and the identifiers scholarly metadata carries: DOI, ORCID, SPDX
//! licence ids and partial ISO dates. Each check says exactly what is wrong.

use chrono::{Datelike, NaiveDate};

use crate::vocabulary::vocabulary;

vocabulary!(
    /// What kind of work a publication is (maps onto BibTeX, RIS and CSL types).
    PublicationType, "publication type", {
        Article => "article", ConferencePaper => "conference_paper", Report => "report",
        Thesis => "thesis", Book => "book", BookChapter => "book_chapter",
        DatasetPaper => "dataset_paper", Preprint => "preprint",
    }
);

vocabulary!(
    /// Who may read a publication: everyone, its organisation's members, or its members until
    /// the embargo date and everyone after.
    AccessLevel, "access level", {
        Open => "open", Organisation => "organisation", Embargoed => "embargoed",
    }
);

/// A DOI in its canonical form (`10.` prefix, registrant code, `/`, suffix), lower-cased
/// (DOIs are case-insensitive); a `https://doi.org/` or `doi:` prefix is accepted and removed.
pub fn normalise_doi(text: &str) -> Result<String, String> {
    let trimmed = text.trim();
    let bare = [
        "https://doi.org/",
        "http://doi.org/",
        "https://dx.doi.org/",
        "doi:",
    ]
    .iter()
    .find_map(|prefix| {
        trimmed
            .get(..prefix.len())
            .filter(|head| head.eq_ignore_ascii_case(prefix))
            .map(|_| &trimmed[prefix.len()..])
    })
    .unwrap_or(trimmed);
    let Some((prefix, suffix)) = bare.split_once('/') else {
        return Err("a DOI looks like 10.1234/suffix".into());
    };
    let registrant = prefix.strip_prefix("10.").unwrap_or("");
    let registrant_ok = !registrant.is_empty()
        && registrant
            .split('.')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
        && registrant
            .split('.')
            .next()
            .is_some_and(|first| first.len() >= 4);
    if !registrant_ok {
        return Err("a DOI starts with `10.` and a registrant code of at least 4 digits".into());
    }
    if suffix.is_empty() || suffix.len() > 200 || suffix.chars().any(char::is_whitespace) {
        return Err("a DOI's suffix after `/` is 1 to 200 characters without spaces".into());
    }
    Ok(format!("{prefix}/{suffix}").to_lowercase())
}

/// An ORCID iD (`0000-0002-1825-0097`, with or without `https://orcid.org/`) whose check
/// character is right (ISO 7064 MOD 11-2).
pub fn normalise_orcid(text: &str) -> Result<String, String> {
    let trimmed = text.trim();
    let bare = trimmed
        .strip_prefix("https://orcid.org/")
        .or_else(|| trimmed.strip_prefix("http://orcid.org/"))
        .unwrap_or(trimmed);
    let shape_ok = bare.len() == 19
        && bare.split('-').count() == 4
        && bare.split('-').all(|group| group.len() == 4);
    let chars: Vec<char> = bare.chars().filter(|c| *c != '-').collect();
    let digits_ok = chars.len() == 16
        && chars[..15].iter().all(char::is_ascii_digit)
        && (chars[15].is_ascii_digit() || chars[15] == 'X');
    if !shape_ok || !digits_ok {
        return Err("an ORCID iD looks like 0000-0002-1825-0097".into());
    }
    let total = chars[..15]
        .iter()
        .fold(0u32, |total, c| (total + c.to_digit(10).unwrap_or(0)) * 2);
    let check = (12 - total % 11) % 11;
    let expected = if check == 10 {
        'X'
    } else {
        char::from_digit(check, 10).unwrap_or('?')
    };
    if chars[15] != expected {
        return Err("this ORCID iD's check character is wrong".into());
    }
    Ok(bare.to_owned())
}

/// An SPDX licence id, in SPDX's own spelling (`cc-by-4.0` becomes `CC-BY-4.0`).
pub fn normalise_licence(text: &str) -> Result<String, String> {
    let trimmed = text.trim();
    let exact = spdx::identifiers::LICENSES
        .iter()
        .find(|(name, _, _)| name.eq_ignore_ascii_case(trimmed))
        .map(|(name, _, _)| *name);
    exact
        .and_then(spdx::license_id)
        .filter(|id| !id.is_deprecated())
        .map(|id| id.name.to_owned())
        .ok_or_else(|| {
            format!("`{trimmed}` is not an SPDX licence id (e.g. CC-BY-4.0, CC0-1.0, MIT)")
        })
}

/// A publication date as precise as known: `2024`, `2024-05` or `2024-05-17`, between 1000
/// and next year. Returns the normalised text and the year.
pub fn parse_issued(text: &str) -> Result<(String, i32), String> {
    let parts: Vec<&str> = text.trim().split('-').collect();
    let number = |part: &str, len: usize| {
        (part.len() == len && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse::<u32>().ok())
            .flatten()
    };
    let invalid = || {
        format!(
            "`{}` is not a date like 2024, 2024-05 or 2024-05-17",
            text.trim()
        )
    };
    let year = parts
        .first()
        .and_then(|y| number(y, 4))
        .ok_or_else(invalid)?;
    let year = i32::try_from(year).map_err(|_| invalid())?;
    let month = parts
        .get(1)
        .map(|m| number(m, 2).ok_or_else(invalid))
        .transpose()?;
    let day = parts
        .get(2)
        .map(|d| number(d, 2).ok_or_else(invalid))
        .transpose()?;
    if parts.len() > 3 {
        return Err(invalid());
    }
    let latest = chrono::Utc::now().year() + 1;
    if !(1000..=latest).contains(&year) {
        return Err(format!("the year must be between 1000 and {latest}"));
    }
    match (month, day) {
        (None, _) => Ok((format!("{year:04}"), year)),
        (Some(m), None) if (1..=12).contains(&m) => Ok((format!("{year:04}-{m:02}"), year)),
        (Some(m), Some(d)) if NaiveDate::from_ymd_opt(year, m, d).is_some() => {
            Ok((format!("{year:04}-{m:02}-{d:02}"), year))
        }
        _ => Err(invalid()),
    }
}

/// The (year, month, day) parts of a stored `issued` date, for citation formats.
pub fn issued_parts(issued: &str) -> Vec<u32> {
    issued
        .split('-')
        .filter_map(|part| part.parse::<u32>().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dois_are_normalised_and_malformed_ones_refused() {
        assert_eq!(
            normalise_doi("https://doi.org/10.18653/V1/2020.ACL-MAIN.1").as_deref(),
            Ok("10.18653/v1/2020.acl-main.1")
        );
        assert_eq!(
            normalise_doi("doi:10.1000/xyz").as_deref(),
            Ok("10.1000/xyz")
        );
        for bad in [
            "10.12/abc",
            "11.1234/abc",
            "10.1234/",
            "10.1234",
            "10.1234/a b",
            "x",
        ] {
            assert!(normalise_doi(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn orcid_check_characters_are_verified() {
        assert_eq!(
            normalise_orcid("https://orcid.org/0000-0002-1825-0097").as_deref(),
            Ok("0000-0002-1825-0097")
        );
        assert!(normalise_orcid("0000-0002-1694-233X").is_ok());
        assert!(normalise_orcid("0000-0002-1825-0098").is_err());
        assert!(normalise_orcid("0000-0002-1825-009").is_err());
        assert!(normalise_orcid("0000-0002-18a5-0097").is_err());
    }

    #[test]
    fn licences_are_spdx_ids() {
        assert_eq!(normalise_licence("cc-by-4.0").as_deref(), Ok("CC-BY-4.0"));
        assert_eq!(normalise_licence("MIT").as_deref(), Ok("MIT"));
        assert!(normalise_licence("CC-BY-5.0").is_err());
        assert!(normalise_licence("public domain-ish").is_err());
    }

    #[test]
    fn issued_dates_may_be_partial_but_must_exist() {
        assert_eq!(parse_issued("2024"), Ok(("2024".into(), 2024)));
        assert_eq!(parse_issued("2024-05"), Ok(("2024-05".into(), 2024)));
        assert_eq!(parse_issued("2024-02-29"), Ok(("2024-02-29".into(), 2024)));
        for bad in [
            "2023-02-29",
            "2024-13",
            "24",
            "2024-5",
            "3024",
            "2024-01-01-01",
            "soon",
        ] {
            assert!(parse_issued(bad).is_err(), "{bad} accepted");
        }
        assert_eq!(issued_parts("2024-05"), vec![2024, 5]);
    }
}
