//! The open-data vocabularies: dataset names, the DCAT-AP data themes (CKAN's groups), the
//! licences publishers may choose (CKAN's licence register) and update frequencies. Fixed
//! lists, so every catalogue that harvests this one reads the same URIs.

/// A DCAT-AP data theme (EU Publications Office "data-theme" authority table). Themes are
/// this platform's CKAN groups: a fixed, shared vocabulary instead of ad-hoc groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// The authority code, lower-cased as a CKAN group name (`econ`).
    pub name: &'static str,
    pub title: &'static str,
}

impl Theme {
    /// The theme's URI in the EU authority table.
    pub fn uri(&self) -> String {
        format!(
            "http://publications.europa.eu/resource/authority/data-theme/{}",
            self.name.to_ascii_uppercase()
        )
    }
}

pub const THEMES: &[Theme] = &[
    Theme {
        name: "agri",
        title: "Agriculture, fisheries, forestry and food",
    },
    Theme {
        name: "econ",
        title: "Economy and finance",
    },
    Theme {
        name: "educ",
        title: "Education, culture and sport",
    },
    Theme {
        name: "ener",
        title: "Energy",
    },
    Theme {
        name: "envi",
        title: "Environment",
    },
    Theme {
        name: "gove",
        title: "Government and public sector",
    },
    Theme {
        name: "heal",
        title: "Health",
    },
    Theme {
        name: "intr",
        title: "International issues",
    },
    Theme {
        name: "just",
        title: "Justice, legal system and public safety",
    },
    Theme {
        name: "regi",
        title: "Regions and cities",
    },
    Theme {
        name: "soci",
        title: "Population and society",
    },
    Theme {
        name: "tech",
        title: "Science and technology",
    },
    Theme {
        name: "tran",
        title: "Transport",
    },
];

/// A theme by its group name or authority code, any case.
pub fn theme(name: &str) -> Option<&'static Theme> {
    THEMES
        .iter()
        .find(|t| t.name.eq_ignore_ascii_case(name.trim()))
}

/// A licence publishers may choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Licence {
    /// SPDX id where one exists (`CC-BY-4.0`), else CKAN's (`other-open`).
    pub id: &'static str,
    pub title: &'static str,
    pub url: &'static str,
    /// The EU "licence" authority URI DCAT-AP recommends for `dct:license`.
    pub dcat_uri: &'static str,
    /// Open Definition conformance, as CKAN reports it (`approved` or `not reviewed`).
    pub open: bool,
    /// CKAN's own ids for the same licence, accepted on input.
    pub ckan_aliases: &'static [&'static str],
}

pub const LICENCES: &[Licence] = &[
    Licence {
        id: "CC-BY-4.0",
        title: "Creative Commons Attribution 4.0",
        url: "https://creativecommons.org/licenses/by/4.0/",
        dcat_uri: "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0",
        open: true,
        ckan_aliases: &["cc-by"],
    },
    Licence {
        id: "CC-BY-SA-4.0",
        title: "Creative Commons Attribution Share-Alike 4.0",
        url: "https://creativecommons.org/licenses/by-sa/4.0/",
        dcat_uri: "http://publications.europa.eu/resource/authority/licence/CC_BYSA_4_0",
        open: true,
        ckan_aliases: &["cc-by-sa"],
    },
    Licence {
        id: "CC0-1.0",
        title: "Creative Commons CCZero",
        url: "https://creativecommons.org/publicdomain/zero/1.0/",
        dcat_uri: "http://publications.europa.eu/resource/authority/licence/CC0",
        open: true,
        ckan_aliases: &["cc-zero"],
    },
    Licence {
        id: "ODbL-1.0",
        title: "Open Data Commons Open Database License (ODbL)",
        url: "https://opendatacommons.org/licenses/odbl/1-0/",
        dcat_uri: "http://publications.europa.eu/resource/authority/licence/ODC_BL",
        open: true,
        ckan_aliases: &["odc-odbl"],
    },
    Licence {
        id: "ODC-By-1.0",
        title: "Open Data Commons Attribution License",
        url: "https://opendatacommons.org/licenses/by/1-0/",
        dcat_uri: "http://publications.europa.eu/resource/authority/licence/ODC_BY",
        open: true,
        ckan_aliases: &["odc-by"],
    },
    Licence {
        id: "PDDL-1.0",
        title: "Open Data Commons Public Domain Dedication and License (PDDL)",
        url: "https://opendatacommons.org/licenses/pddl/1-0/",
        dcat_uri: "http://publications.europa.eu/resource/authority/licence/ODC_PDDL",
        open: true,
        ckan_aliases: &["odc-pddl"],
    },
    Licence {
        id: "CC-BY-NC-4.0",
        title: "Creative Commons Non-Commercial 4.0",
        url: "https://creativecommons.org/licenses/by-nc/4.0/",
        dcat_uri: "http://publications.europa.eu/resource/authority/licence/CC_BYNC_4_0",
        open: false,
        ckan_aliases: &["cc-nc"],
    },
    Licence {
        id: "other-open",
        title: "Other (Open)",
        url: "",
        dcat_uri: "http://publications.europa.eu/resource/authority/licence/OP_DATPRO",
        open: true,
        ckan_aliases: &[],
    },
    Licence {
        id: "other-closed",
        title: "Other (Not Open)",
        url: "",
        dcat_uri: "http://publications.europa.eu/resource/authority/licence/PROP",
        open: false,
        ckan_aliases: &[],
    },
    Licence {
        id: "notspecified",
        title: "License not specified",
        url: "",
        dcat_uri: "http://publications.europa.eu/resource/authority/licence/NONE",
        open: false,
        ckan_aliases: &[],
    },
];

/// A licence by its id or a CKAN alias, any case.
pub fn licence(id: &str) -> Option<&'static Licence> {
    let id = id.trim();
    LICENCES.iter().find(|l| {
        l.id.eq_ignore_ascii_case(id) || l.ckan_aliases.iter().any(|a| a.eq_ignore_ascii_case(id))
    })
}

/// Update frequencies (EU "frequency" authority codes) for `dct:accrualPeriodicity`.
pub const FREQUENCIES: &[&str] = &[
    "CONT",
    "DAILY",
    "WEEKLY",
    "MONTHLY",
    "QUARTERLY",
    "BIANNUAL",
    "ANNUAL",
    "BIENNIAL",
    "IRREG",
    "NEVER",
    "UNKNOWN",
];

/// The frequency's URI in the EU authority table.
pub fn frequency_uri(code: &str) -> String {
    format!("http://publications.europa.eu/resource/authority/frequency/{code}")
}

/// Whether `name` is a valid dataset name (CKAN's rule): 2 to 100 characters of lower-case
/// ASCII letters, digits, `-` and `_`.
pub fn valid_name(name: &str) -> bool {
    (2..=100).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Whether `tag` is a valid tag (CKAN's rule, widened to every script): 2 to 100 characters
/// of letters, digits, spaces, `-`, `_` and `.`.
pub fn valid_tag(tag: &str) -> bool {
    let count = tag.chars().count();
    (2..=100).contains(&count)
        && tag.trim() == tag
        && tag
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_ckan_rules_and_tags_allow_every_script() {
        assert!(valid_name("population-2024_q1"));
        assert!(!valid_name("Population"));
        assert!(!valid_name("a"));
        assert!(!valid_name("has space"));
        assert!(!valid_name("тест"));
        assert!(valid_tag("statistika"));
        assert!(valid_tag("статистика"));
        assert!(valid_tag("open data"));
        assert!(!valid_tag(" padded"));
        assert!(!valid_tag("semi;colon"));
    }

    #[test]
    fn licences_and_themes_accept_ckan_names() {
        assert_eq!(licence("cc-by").map(|l| l.id), Some("CC-BY-4.0"));
        assert_eq!(licence("odbl-1.0").map(|l| l.id), Some("ODbL-1.0"));
        assert!(licence("GPL-3.0").is_none());
        assert_eq!(theme("ECON").map(|t| t.name), Some("econ"));
        assert_eq!(
            theme("tran").map(Theme::uri).as_deref(),
            Some("http://publications.europa.eu/resource/authority/data-theme/TRAN")
        );
    }
}
