//! Calendar arithmetic, once: dates as text and as seconds since 1970
//! (UTC, proleptic Gregorian; Howard Hinnant's algorithms).

/// Days since 1970-01-01 of a (year, month, day).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day) of a count of days since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
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

/// Parses `YYYY-MM-DD` (optionally followed by a time, which is ignored)
/// to seconds since 1970 at midnight UTC.
pub fn date_to_secs(date: &str) -> Option<i64> {
    let date = date.get(..10)?;
    let mut parts = date.split('-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some(days_from_civil(y, m, d) * 86_400)
}

/// `2026-11-28` for seconds since 1970.
pub fn iso_date(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// `2026-11-28T22:15:00Z` for seconds since 1970.
pub fn iso_utc(secs: i64) -> String {
    let rem = secs.rem_euclid(86_400);
    format!("{}T{:02}:{:02}:{:02}Z", iso_date(secs), rem / 3600, rem % 3600 / 60, rem % 60)
}

/// `22:15 UTC` (when `secs` is on the day of `now`) or `2026-11-28 22:15 UTC`.
pub fn short_utc(secs: i64, now: i64) -> String {
    let rem = secs.rem_euclid(86_400);
    let time = format!("{:02}:{:02} UTC", rem / 3600, rem % 3600 / 60);
    if secs.div_euclid(86_400) == now.div_euclid(86_400) {
        time
    } else {
        format!("{} {time}", iso_date(secs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_ways() {
        assert_eq!(date_to_secs("1970-01-02"), Some(86_400));
        assert_eq!(date_to_secs("2025-03-01T10:00"), Some(1_740_787_200));
        assert_eq!(date_to_secs("yesterday"), None);
        assert_eq!(date_to_secs("2025-13-01"), None);
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_utc(1_795_904_100), "2026-11-28T22:15:00Z");
        assert_eq!(short_utc(1_795_904_100, 1_795_904_200), "22:15 UTC");
        assert_eq!(short_utc(1_795_904_100, 1_795_904_100 + 86_400), "2026-11-28 22:15 UTC");
        // Every day of four centuries goes there and back.
        for days in (-146_097 * 2..146_097 * 2).step_by(7) {
            let text = iso_date(days * 86_400);
            assert_eq!(date_to_secs(&text), Some(days * 86_400), "{text}");
        }
        assert_eq!(iso_date(-86_400), "1969-12-31");
    }
}
