//! Dates and numbers as each locale writes them (CLDR data through ICU4X, compiled in):
//! `5 may 2024` in Uzbek, `5 мая 2024 г.` in Russian, `1 234` against `1,234`. Formatters
//! are built once per locale and thread on first use (ICU4X data is not shared between
//! threads without its `sync` feature); building one reads only compiled data.

use icu_calendar::Gregorian;
use icu_datetime::FixedCalendarDateTimeFormatter;
use icu_datetime::fieldsets::YMD;
use icu_datetime::input::Date;
use icu_decimal::DecimalFormatter;
use icu_decimal::input::Decimal;
use icu_locale_core::Locale as IcuLocale;

use super::locale::Locale;

struct Formatters {
    date: Option<FixedCalendarDateTimeFormatter<Gregorian, YMD>>,
    number: Option<DecimalFormatter>,
}

thread_local! {
    static FORMATTERS: Vec<Formatters> = Locale::ALL
        .into_iter()
        .map(|locale| {
            let icu: IcuLocale = locale.tag().parse().unwrap_or(IcuLocale::UNKNOWN);
            Formatters {
                date: FixedCalendarDateTimeFormatter::try_new((&icu).into(), YMD::long()).ok(),
                number: DecimalFormatter::try_new((&icu).into(), Default::default()).ok(),
            }
        })
        .collect();
}

/// Runs `f` with the formatters of `locale`.
fn with_formatters<T>(locale: Locale, f: impl FnOnce(&Formatters) -> T) -> T {
    let index = Locale::ALL
        .iter()
        .position(|l| *l == locale)
        .unwrap_or_default();
    FORMATTERS.with(|all| f(&all[index]))
}

/// A calendar date in the locale's long form; ISO 8601 if the locale has no data.
pub fn date(locale: Locale, date: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let gregorian = Date::try_new_gregorian(date.year(), date.month() as u8, date.day() as u8);
    with_formatters(locale, |f| match (&f.date, gregorian) {
        (Some(formatter), Ok(day)) => formatter.format(&day).to_string(),
        _ => date.to_string(),
    })
}

/// A date given as `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (publications' `issued`): full dates in
/// the locale's form, partial ones as written (a year reads the same in every locale).
pub fn issued(locale: Locale, issued: &str) -> String {
    match chrono::NaiveDate::parse_from_str(issued, "%Y-%m-%d") {
        Ok(day) => date(locale, day),
        Err(_) => issued.to_owned(),
    }
}

/// A whole number with the locale's grouping (`12 345` in Uzbek and Russian).
pub fn number(locale: Locale, value: i64) -> String {
    with_formatters(locale, |f| match &f.number {
        Some(formatter) => formatter.format(&Decimal::from(value)).to_string(),
        None => value.to_string(),
    })
}

/// A number with one decimal place, with the locale's separator (`1.2`, `1,2`).
pub fn tenths(locale: Locale, value: f64) -> String {
    let mut decimal = Decimal::from((value * 10.0).round() as i64);
    decimal.multiply_pow10(-1);
    with_formatters(locale, |f| match &f.number {
        Some(formatter) => formatter.format(&decimal).to_string(),
        None => format!("{value:.1}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_follow_each_locale() {
        let day = chrono::NaiveDate::from_ymd_opt(2024, 5, 1).unwrap_or_default();
        let written: Vec<String> = Locale::ALL.into_iter().map(|l| date(l, day)).collect();
        assert!(written[4].contains("May"), "{written:?}");
        assert!(written[3].contains("мая"), "{written:?}");
        assert!(written[1].contains("май"), "{written:?}");
        assert!(written[0].to_lowercase().contains("may"), "{written:?}");
        assert!(written[2].contains("may"), "{written:?}");
        // No locale falls back to ISO 8601.
        assert!(written.iter().all(|w| w != "2024-05-01"), "{written:?}");
    }

    #[test]
    fn numbers_group_as_each_locale_does() {
        assert_eq!(number(Locale::En, 1_234_567), "1,234,567");
        let russian = number(Locale::Ru, 1_234_567);
        assert_ne!(russian, "1,234,567");
        assert_eq!(russian.chars().filter(char::is_ascii_digit).count(), 7);
        assert_eq!(issued(Locale::En, "2021"), "2021");
    }
}
