//! The last day an account may sign in on ("valid until").

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Serialize, Serializer};

use crate::error::Error;

/// A day in UTC, written `YYYY-MM-DD`. The account signs in through the
/// end of that day and is expired from the next one on. Stored in the same
/// form, which compares like the dates it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ValidUntil(NaiveDate);

impl ValidUntil {
    /// Reads `2026-12-31` (surrounding spaces ignored). Anything else is
    /// refused with a sentence that shows the form wanted.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let trimmed = text.trim();
        NaiveDate::parse_from_str(trimmed, "%Y-%m-%d")
            .ok()
            .filter(|date| trimmed.len() == 10 && (1900..=9999).contains(&date_year(*date)))
            .map(Self)
            .ok_or_else(|| Error::InvalidDate {
                value: text.to_owned(),
            })
    }

    /// Reads what [`Self::as_string`] once wrote; `None` for anything else.
    pub fn from_stored(text: &str) -> Option<Self> {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().map(Self)
    }

    pub fn of(date: NaiveDate) -> Self {
        Self(date)
    }

    pub fn date(self) -> NaiveDate {
        self.0
    }

    /// `YYYY-MM-DD`, as stored and shown.
    pub fn as_string(self) -> String {
        self.0.format("%Y-%m-%d").to_string()
    }

    /// True once the day has ended (in UTC) at `now`.
    pub fn has_passed(self, now: DateTime<Utc>) -> bool {
        self.0 < now.date_naive()
    }

    /// The stored value every expired date is below at `now`: today's date.
    pub fn expiry_bound(now: DateTime<Utc>) -> String {
        Self(now.date_naive()).as_string()
    }
}

fn date_year(date: NaiveDate) -> i32 {
    chrono::Datelike::year(&date)
}

impl fmt::Display for ValidUntil {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_string())
    }
}

impl Serialize for ValidUntil {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.as_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn an_iso_date_parses_and_prints_the_same() {
        let date = ValidUntil::parse(" 2026-12-31 ").unwrap();
        assert_eq!(date.as_string(), "2026-12-31");
        assert_eq!(ValidUntil::from_stored("2026-12-31"), Some(date));
    }

    #[test]
    fn other_shapes_are_refused_with_the_form_wanted() {
        for text in [
            "31/12/2026",
            "2026-02-30",
            "2026-1-5",
            "tomorrow",
            "",
            "0999-01-01",
        ] {
            let error = ValidUntil::parse(text).unwrap_err();
            assert!(error.to_string().contains("YYYY-MM-DD"), "{text}: {error}");
        }
    }

    #[test]
    fn the_day_itself_is_still_valid_and_the_next_is_not() {
        let date = ValidUntil::parse("2026-06-30").unwrap();
        let last_moment = Utc.with_ymd_and_hms(2026, 6, 30, 23, 59, 59).unwrap();
        let next_day = Utc.with_ymd_and_hms(2026, 7, 1, 0, 0, 0).unwrap();
        assert!(!date.has_passed(last_moment));
        assert!(date.has_passed(next_day));
        assert!(date.as_string() < ValidUntil::expiry_bound(next_day));
        assert!(date.as_string() >= ValidUntil::expiry_bound(last_moment));
    }
}
