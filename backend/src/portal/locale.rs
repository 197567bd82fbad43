//! The portal's five locales, in the path (`/uz/…`, `/uz-Cyrl/…`), and the choice of one for
//! a visitor who comes without (`Accept-Language`, Uzbek in Latin script by default).

/// A locale of the portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    /// Uzbek in Latin script, the default.
    Uz,
    /// Uzbek in Cyrillic script.
    UzCyrl,
    Az,
    Ru,
    En,
}

impl Locale {
    /// Every locale, in the order of the language switch.
    pub const ALL: [Locale; 5] = [Self::Uz, Self::UzCyrl, Self::Az, Self::Ru, Self::En];

    /// The path segment and BCP 47 tag (`uz-Cyrl`).
    pub fn tag(self) -> &'static str {
        match self {
            Self::Uz => "uz",
            Self::UzCyrl => "uz-Cyrl",
            Self::Az => "az",
            Self::Ru => "ru",
            Self::En => "en",
        }
    }

    /// The tag content is stored under (publications say `uz-Latn` for Latin Uzbek).
    pub fn content_tag(self) -> &'static str {
        match self {
            Self::Uz => "uz-Latn",
            other => other.tag(),
        }
    }

    /// The locale's own name, as the language switch shows it.
    pub fn endonym(self) -> &'static str {
        match self {
            Self::Uz => "Oʻzbekcha",
            Self::UzCyrl => "Ўзбекча",
            Self::Az => "Azərbaycanca",
            Self::Ru => "Русский",
            Self::En => "English",
        }
    }

    /// The locale of a path segment, exactly as the portal writes it.
    pub fn from_tag(tag: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.tag() == tag)
    }

    /// The best locale for an `Accept-Language` header: the first range (by weight, then
    /// order) that one of ours matches; Uzbek (Latin) when none does.
    pub fn negotiate(accept_language: Option<&str>) -> Self {
        let Some(header) = accept_language else {
            return Self::Uz;
        };
        let mut ranges: Vec<(f32, usize, String)> = header
            .split(',')
            .enumerate()
            .filter_map(|(order, part)| {
                let mut pieces = part.trim().split(';');
                let range = pieces.next()?.trim().to_ascii_lowercase();
                let weight = pieces
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
                (!range.is_empty() && weight > 0.0).then_some((weight, order, range))
            })
            .collect();
        ranges.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        ranges
            .iter()
            .find_map(|(_, _, range)| Self::matching(range))
            .unwrap_or(Self::Uz)
    }

    fn matching(range: &str) -> Option<Self> {
        let mut subtags = range.split(['-', '_']);
        match subtags.next()? {
            "uz" => Some(if subtags.any(|s| s == "cyrl") {
                Self::UzCyrl
            } else {
                Self::Uz
            }),
            "az" => Some(Self::Az),
            "ru" => Some(Self::Ru),
            "en" => Some(Self::En),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_picks_the_best_locale_we_have_and_uzbek_otherwise() {
        assert_eq!(Locale::negotiate(None), Locale::Uz);
        assert_eq!(
            Locale::negotiate(Some("ru-RU,ru;q=0.9,en;q=0.8")),
            Locale::Ru
        );
        assert_eq!(
            Locale::negotiate(Some("de, en;q=0.5, az;q=0.7")),
            Locale::Az
        );
        assert_eq!(Locale::negotiate(Some("uz-Cyrl-UZ")), Locale::UzCyrl);
        assert_eq!(Locale::negotiate(Some("uz-UZ;q=0.9, ru;q=0.1")), Locale::Uz);
        assert_eq!(Locale::negotiate(Some("fr, de;q=0.5")), Locale::Uz);
        assert_eq!(Locale::negotiate(Some("ru;q=0, en")), Locale::En);
        assert_eq!(Locale::negotiate(Some(";;;,q=,en;q=abc")), Locale::Uz);
        for locale in Locale::ALL {
            assert_eq!(Locale::from_tag(locale.tag()), Some(locale));
        }
        assert_eq!(Locale::from_tag("uz-cyrl"), None, "paths are exact");
    }
}
