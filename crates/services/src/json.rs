//! JSON numbers as JSON Schema counts them: `798.0` is the integer 798, as the
//! OpenAPI document's `type: integer` promises (docs/DECISIONS.md, "The API
//! contract"). Serde's integer types refuse it, so integer fields of request
//! bodies go through these.

use serde::{Deserialize, Deserializer, de::Error as _};

fn integral<'de, D: Deserializer<'de>, T: TryFrom<i64>>(n: serde_json::Number) -> Result<T, D::Error> {
    let whole = n.as_i64().or_else(|| {
        // 2^63 itself is not an i64: the upper bound is strict (`i64::MAX as f64`
        // rounds up to 2^63).
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= -9_223_372_036_854_775_808.0 && *f < 9_223_372_036_854_775_808.0)
            .map(|f| f as i64)
    });
    whole
        .and_then(|i| T::try_from(i).ok())
        .ok_or_else(|| D::Error::custom(format!("invalid value: {n}, expected an integer in range")))
}

/// An optional integer (`null` or absent is `None`).
pub fn opt_int<'de, D: Deserializer<'de>, T: TryFrom<i64>>(d: D) -> Result<Option<T>, D::Error> {
    match Option::<serde_json::Number>::deserialize(d)? {
        None => Ok(None),
        Some(n) => integral::<D, T>(n).map(Some),
    }
}

/// A PATCH integer: absent (`None`), `null` (`Some(None)`) or a value.
pub fn patch_int<'de, D: Deserializer<'de>, T: TryFrom<i64>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    opt_int(d).map(Some)
}

#[cfg(test)]
mod tests {
    #[derive(serde::Deserialize)]
    struct T {
        #[serde(default, deserialize_with = "super::opt_int")]
        n: Option<i32>,
    }

    #[derive(serde::Deserialize)]
    struct Big {
        #[serde(default, deserialize_with = "super::opt_int")]
        n: Option<i64>,
    }

    #[test]
    fn integral_floats_are_integers() {
        let n = |s: &str| serde_json::from_str::<T>(s).map(|t| t.n);
        assert_eq!(n(r#"{"n": 798.0}"#).unwrap(), Some(798));
        assert_eq!(n(r#"{"n": 7}"#).unwrap(), Some(7));
        assert_eq!(n(r#"{"n": null}"#).unwrap(), None);
        assert_eq!(n(r#"{}"#).unwrap(), None);
        assert!(n(r#"{"n": 7.5}"#).is_err());
        assert!(n(r#"{"n": 1e12}"#).is_err());
        assert!(n(r#"{"n": "7"}"#).is_err());
        let big = |s: &str| serde_json::from_str::<Big>(s).map(|t| t.n);
        assert!(big(r#"{"n": 9223372036854775808}"#).is_err(), "2^63 is out of range");
        assert!(big(r#"{"n": 9223372036854775808.0}"#).is_err());
        assert_eq!(big(r#"{"n": 9223372036854775807}"#).unwrap(), Some(i64::MAX));
    }
}
