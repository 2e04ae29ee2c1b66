//! Which backups are kept: the newest of each of the last `daily` days, of
//! the last `weekly` ISO weeks and of the last `monthly` months that have a
//! backup (7, 4 and 12 by default), and always the newest of all.

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};

/// The period a time falls in: (year, day, week or month).
type PeriodOf = fn(&DateTime<Utc>) -> (i32, u32);

/// How many backups of each period are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retention {
    pub daily: u32,
    pub weekly: u32,
    pub monthly: u32,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            daily: 7,
            weekly: 4,
            monthly: 12,
        }
    }
}

/// The most backups of one period that may be kept.
pub const MAX_KEPT: u32 = 1_000;

impl Retention {
    /// Refuses more than [`MAX_KEPT`] of any period.
    pub fn check(&self) -> Result<(), super::BackupError> {
        if [self.daily, self.weekly, self.monthly]
            .iter()
            .any(|kept| *kept > MAX_KEPT)
        {
            return Err(super::BackupError::TooManyKept);
        }
        Ok(())
    }

    /// For each time of `times` (any order), whether it is kept.
    pub fn keep(&self, times: &[DateTime<Utc>]) -> Vec<bool> {
        let mut order: Vec<usize> = (0..times.len()).collect();
        // Newest first, so the first of each period seen is its newest.
        order.sort_by(|a, b| times[*b].cmp(&times[*a]));
        let mut kept = vec![false; times.len()];
        if let Some(newest) = order.first() {
            kept[*newest] = true;
        }
        let periods: [(u32, PeriodOf); 3] = [
            (self.daily, |at| (at.year(), at.ordinal())),
            (self.weekly, |at| {
                let week = at.iso_week();
                (week.year(), week.week())
            }),
            (self.monthly, |at| (at.year(), at.month())),
        ];
        for (count, period_of) in periods {
            let mut seen: Vec<(i32, u32)> = Vec::new();
            for index in &order {
                if seen.len() >= count as usize {
                    break;
                }
                let period = period_of(&times[*index]);
                if !seen.contains(&period) {
                    seen.push(period);
                    kept[*index] = true;
                }
            }
        }
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn at(year: i32, month: u32, day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(year, month, day, hour, 0, 0)
            .single()
            .expect("a valid time")
    }

    #[test]
    fn a_backup_every_hour_for_two_years_keeps_seven_days_four_weeks_twelve_months() {
        let start = at(2024, 1, 1, 0);
        let times: Vec<_> = (0..(2 * 365 * 24))
            .map(|hour| start + Duration::hours(hour))
            .collect();
        let kept = Retention::default().keep(&times);
        let kept_times: Vec<_> = times
            .iter()
            .zip(&kept)
            .filter(|(_, kept)| **kept)
            .map(|(time, _)| *time)
            .collect();
        // 7 days, up to 4 weeks and 12 months, overlapping at the newest.
        assert!(
            kept_times.len() >= 12 && kept_times.len() <= 7 + 4 + 12,
            "{}",
            kept_times.len()
        );
        let newest = *times.last().expect("times");
        assert!(kept_times.contains(&newest));
        let oldest_kept = kept_times.iter().min().expect("kept");
        assert!(newest - *oldest_kept > Duration::days(300));
        assert!(newest - *oldest_kept < Duration::days(366));
        let last_week = kept_times
            .iter()
            .filter(|time| newest - **time < Duration::days(7))
            .count();
        assert_eq!(last_week, 7);
    }

    #[test]
    fn few_backups_are_all_kept() {
        let times = vec![at(2026, 1, 1, 9), at(2026, 1, 2, 9), at(2026, 2, 1, 9)];
        assert_eq!(Retention::default().keep(&times), vec![true; 3]);
    }

    #[test]
    fn only_the_newest_of_a_day_is_kept_and_nothing_is_kept_with_zero() {
        let times = vec![at(2026, 1, 1, 9), at(2026, 1, 1, 18), at(2026, 1, 1, 12)];
        assert_eq!(Retention::default().keep(&times), vec![false, true, false]);
        let none = Retention {
            daily: 0,
            weekly: 0,
            monthly: 0,
        };
        assert_eq!(none.keep(&times), vec![false, true, false]);
    }
}
