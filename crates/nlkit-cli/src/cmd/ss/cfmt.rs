//! The C `printf` conversions ss's text uses that Rust's formatting lacks
//! (`%g`, `%.3g`), and ss's timer and rate formats.

/// C's `%.{prec}g`.
pub fn g(v: f64, prec: usize) -> String {
    let prec = prec.max(1);
    if v == 0.0 {
        return if v.is_sign_negative() { "-0" } else { "0" }.into();
    }
    if !v.is_finite() {
        return if v.is_nan() {
            "nan".into()
        } else if v > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    let e = format!("{:.*e}", prec - 1, v);
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let x: i32 = exp.parse().unwrap_or(0);
    if x < -4 || x >= prec as i32 {
        let m = strip_zeros(mant);
        format!("{m}e{}{:02}", if x < 0 { '-' } else { '+' }, x.abs())
    } else {
        let f = format!("{:.*}", (prec as i32 - 1 - x).max(0) as usize, v);
        strip_zeros(&f).to_string()
    }
}

fn strip_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// ss's `print_ms_timer`: `1min2sec`, `1.500ms`, `200ms`.
pub fn ms_timer(timeout: u32) -> String {
    let mut secs = timeout / 1000;
    let minutes = secs / 60;
    secs %= 60;
    let mut msecs = timeout % 1000;
    let mut s = String::new();
    if minutes > 0 {
        msecs = 0;
        s.push_str(&format!("{minutes}min"));
        if minutes > 9 {
            secs = 0;
        }
    }
    if secs > 0 {
        if secs > 9 {
            msecs = 0;
        }
        s.push_str(&format!("{secs}{}", if msecs > 0 { "." } else { "sec" }));
    }
    if msecs > 0 {
        s.push_str(&format!("{msecs:03}ms"));
    }
    s
}

/// ss's `sprint_bw`: a rate in bits per second.
pub fn bw(numeric: bool, v: f64) -> String {
    if numeric {
        format!("{v:.0}")
    } else if v >= 1e12 {
        format!("{}T", g(v / 1e12, 3))
    } else if v >= 1e9 {
        format!("{}G", g(v / 1e9, 3))
    } else if v >= 1e6 {
        format!("{}M", g(v / 1e6, 3))
    } else if v >= 1e3 {
        format!("{}k", g(v / 1e3, 3))
    } else {
        g(v, 6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_g() {
        for (v, p, want) in [
            (0.031, 6, "0.031"),
            (204.0, 6, "204"),
            (1.0, 6, "1"),
            (0.5, 6, "0.5"),
            (1234567.0, 6, "1.23457e+06"),
            (0.00001234, 6, "1.234e-05"),
            (100000.0, 6, "100000"),
            (84.56258, 3, "84.6"),
            (999.9, 3, "1e+03"),
            (0.0, 6, "0"),
            (12.0, 3, "12"),
        ] {
            assert_eq!(g(v, p), want, "{v} %.{p}g");
        }
    }

    #[test]
    fn timers_and_rates() {
        assert_eq!(ms_timer(200), "200ms");
        assert_eq!(ms_timer(1500), "1.500ms");
        assert_eq!(ms_timer(12_000), "12sec");
        assert_eq!(ms_timer(61_000), "1min1sec");
        assert_eq!(ms_timer(11 * 60_000 + 5000), "11min");
        assert_eq!(ms_timer(0), "");
        assert_eq!(bw(true, 84562580645.0), "84562580645");
        assert_eq!(bw(false, 84562580645.0), "84.6G");
        assert_eq!(bw(false, 500.0), "500");
    }
}
