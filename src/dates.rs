//! Calendar arithmetic, proleptic Gregorian, in one place: the metadata
//! dates of documents (`iso_date`), a date as seconds since 1970 for the
//! recency of a hit (`date_to_secs`), and days since 1970 to a calendar date
//! and back (`civil_from_days`, `days_from_civil`; Howard Hinnant's
//! algorithms) for whatever prints a time stamp.

/// The date part of a metadata date-time: `2024-03-05T10:00:00Z` →
/// `2024-03-05`, when it looks like a date at all. The empty dates office
/// programs write (year 0000, or 1601, the Windows epoch) are no date.
pub(crate) fn iso_date(value: &str) -> Option<String> {
    let date = value.trim().get(..10)?;
    let bytes = date.as_bytes();
    let shape = bytes.iter().enumerate().all(|(i, b)| if i == 4 || i == 7 { *b == b'-' } else { b.is_ascii_digit() });
    (shape && !date.starts_with("0000") && !date.starts_with("1601")).then(|| date.to_string())
}

/// Parses `YYYY-MM-DD` (optionally followed by a time) to seconds since 1970.
pub(crate) fn date_to_secs(date: &str) -> Option<i64> {
    let date = date.get(..10)?;
    let mut parts = date.split('-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some(days_from_civil(y, m, d) * 86_400)
}

/// Days since 1970-01-01 of a calendar date (month 1..=12, day 1..=31).
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let (m, d) = (i64::from(month), i64::from(day));
    let y = if m <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 to (year, month, day).
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `2026-11-28` for seconds since 1970.
pub(crate) fn day_of(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// `2026-11-28T22:15:00Z` for seconds since 1970.
pub(crate) fn iso_utc(secs: i64) -> String {
    let rem = secs.rem_euclid(86_400);
    format!("{}T{:02}:{:02}:{:02}Z", day_of(secs), rem / 3600, rem % 3600 / 60, rem % 60)
}

/// `22:15 UTC` (when `secs` is on the day of `now`) or `2026-11-28 22:15 UTC`.
pub(crate) fn short_utc(secs: i64, now: i64) -> String {
    let rem = secs.rem_euclid(86_400);
    let time = format!("{:02}:{:02} UTC", rem / 3600, rem % 3600 / 60);
    if secs.div_euclid(86_400) == now.div_euclid(86_400) {
        time
    } else {
        format!("{} {time}", day_of(secs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_dates_keep_their_date_part() {
        assert_eq!(iso_date(" 2024-03-05T10:00:00Z").as_deref(), Some("2024-03-05"));
        for no_date in ["0000-00-00T00:00:00", "1601-01-01T00:00:00Z", "5.3.2024", "2024"] {
            assert_eq!(iso_date(no_date), None, "{no_date}");
        }
    }

    #[test]
    fn dates_to_seconds() {
        assert_eq!(date_to_secs("1970-01-02"), Some(86_400));
        assert_eq!(date_to_secs("2025-03-01T10:00"), Some(1_740_787_200));
        assert_eq!(date_to_secs("1969-12-31"), Some(-86_400));
        assert_eq!(date_to_secs("yesterday"), None);
        assert_eq!(date_to_secs("2025-13-01"), None);
    }

    #[test]
    fn days_and_calendar_dates_round_trip() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_420), (2025, 11, 28));
        assert_eq!(days_from_civil(2000, 2, 29), 11_016);
        for days in (-800_000..800_000).step_by(97) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
    }

    #[test]
    fn time_stamps() {
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_utc(1_795_904_100), "2026-11-28T22:15:00Z");
        assert_eq!(short_utc(1_795_904_100, 1_795_904_200), "22:15 UTC");
        assert_eq!(short_utc(1_795_904_100, 1_795_904_100 + 86_400), "2026-11-28 22:15 UTC");
        assert_eq!(day_of(-1), "1969-12-31");
    }
}
