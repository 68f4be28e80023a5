//! Validated inputs: parse, don't validate. A value of these types is known good.
//! Failures name the field, so adapters can answer 422 with per-field errors.

use serde::Serialize;

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        FieldError { field: field.to_string(), message: message.into() }
    }
}

/// Collects field errors so one response lists them all.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    /// Keeps `Ok` values and records `Err` ones, so callers can go on validating.
    pub fn check<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.errors.push(e);
                None
            }
        }
    }

    /// For a PATCH field: when a new value was sent (`Some`) and is valid, stores it
    /// in `target`; an invalid one is recorded.
    pub fn set<T>(&mut self, target: &mut T, new: Option<Result<T, FieldError>>) {
        if let Some(v) = new.and_then(|r| self.check(r)) {
            *target = v;
        }
    }

    pub fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.errors.is_empty() { Ok(()) } else { Err(self.errors) }
    }
}

/// A lowercased, trimmed e-mail address of plausible shape.
pub fn email(field: &str, raw: &str) -> Result<String, FieldError> {
    let e = raw.trim().to_lowercase();
    let ok = e.len() <= 254
        && e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        })
        && !e.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok { Ok(e) } else { Err(FieldError::new(field, "must be an e-mail address")) }
}

/// Trimmed text of `min..=max` characters without control characters.
pub fn text(field: &str, raw: &str, min: usize, max: usize) -> Result<String, FieldError> {
    let t = raw.trim();
    let n = t.chars().count();
    if n < min {
        return Err(FieldError::new(
            field,
            if min == 1 { "must not be empty".to_string() } else { format!("must be at least {min} characters") },
        ));
    }
    if n > max {
        return Err(FieldError::new(field, format!("must be at most {max} characters")));
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(FieldError::new(field, "must not contain control characters"));
    }
    Ok(t.to_string())
}

/// Optional text: blank becomes `None`.
pub fn optional_text(field: &str, raw: Option<&str>, max: usize) -> Result<Option<String>, FieldError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => text(field, t, 1, max).map(Some),
    }
}

/// A URL-friendly slug: lowercase letters, digits and single dashes.
pub fn slug(field: &str, raw: &str) -> Result<String, FieldError> {
    let s = raw.trim();
    let ok = (1..=100).contains(&s.len())
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--");
    if ok {
        Ok(s.to_string())
    } else {
        Err(FieldError::new(field, "must be lowercase letters, digits and single dashes (1-100 characters)"))
    }
}

/// Derives a slug from a name ("RustConf 2026!" -> "rustconf-2026").
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let s: String = out.trim_end_matches('-').chars().take(100).collect();
    let s = s.trim_end_matches('-').to_string();
    if s.is_empty() { "event".to_string() } else { s }
}

/// An IANA-like time zone name ("Europe/Berlin", "UTC"); checked for shape only.
pub fn timezone(field: &str, raw: &str) -> Result<String, FieldError> {
    let t = raw.trim();
    let ok = (1..=64).contains(&t.len()) && t.chars().all(|c| c.is_ascii_alphanumeric() || "/_-+".contains(c));
    if ok { Ok(t.to_string()) } else { Err(FieldError::new(field, "must be a time zone name such as Europe/Berlin")) }
}

/// A password worth hashing: 8 to 256 characters.
pub fn password(field: &str, raw: &str) -> Result<String, FieldError> {
    let n = raw.chars().count();
    if n < 8 {
        Err(FieldError::new(field, "must be at least 8 characters"))
    } else if n > 256 {
        Err(FieldError::new(field, "must be at most 256 characters"))
    } else {
        Ok(raw.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(email("e", " Ada@Example.COM ").unwrap(), "ada@example.com");
        for bad in ["", "ada", "ada@", "@x.io", "a b@x.io", "a@x", "a@.x.io"] {
            assert!(email("e", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn texts_and_slugs() {
        assert!(text("n", "  ", 1, 10).is_err());
        assert!(text("n", "abcdefghijk", 1, 10).is_err());
        assert_eq!(text("n", " ok ", 1, 10).unwrap(), "ok");
        assert_eq!(optional_text("n", Some("  "), 5).unwrap(), None);
        assert!(slug("s", "rust-conf-2026").is_ok());
        assert!(slug("s", "Rust Conf").is_err());
        assert_eq!(slugify("RustConf 2026!"), "rustconf-2026");
        assert_eq!(slugify("!!!"), "event");
    }

    #[test]
    fn validator_collects_all_errors() {
        let mut v = Validator::new();
        v.check(email("email", "x"));
        v.check(text("name", "", 1, 5));
        assert_eq!(v.finish().unwrap_err().len(), 2);
    }
}

/// An http(s) URL of at most 2,000 characters.
pub fn url(field: &str, raw: &str) -> Result<String, FieldError> {
    let u = raw.trim();
    let ok = (u.starts_with("https://") || u.starts_with("http://"))
        && u.len() <= 2000
        && u.len() > "https://".len()
        && !u.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok { Ok(u.to_string()) } else { Err(FieldError::new(field, "must be an http(s) URL")) }
}

/// Optional URL: blank becomes `None`.
pub fn optional_url(field: &str, raw: Option<&str>) -> Result<Option<String>, FieldError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(u) => url(field, u).map(Some),
    }
}

/// Optional e-mail: blank becomes `None`.
pub fn optional_email(field: &str, raw: Option<&str>) -> Result<Option<String>, FieldError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(e) => email(field, e).map(Some),
    }
}

/// A `#rrggbb` colour.
pub fn color(field: &str, raw: &str) -> Result<String, FieldError> {
    let c = raw.trim();
    let ok = c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit());
    if ok { Ok(c.to_ascii_uppercase()) } else { Err(FieldError::new(field, "must be a colour like #FFD700")) }
}

/// A type whose values are a closed set of names (roles, statuses, levels).
pub trait ClosedSet: std::str::FromStr {
    const NAMES: &'static [&'static str];
}

/// One of the values of a closed set, parsed; the error lists the allowed names.
pub fn choice<T: ClosedSet>(field: &str, raw: &str) -> Result<T, FieldError> {
    raw.parse::<T>().map_err(|_| FieldError::new(field, format!("must be one of: {}", T::NAMES.join(", "))))
}

/// Tags: at most 50, each 1-50 characters, trimmed, duplicates removed.
pub fn tags(field: &str, raw: &[String]) -> Result<Vec<String>, FieldError> {
    if raw.len() > 50 {
        return Err(FieldError::new(field, "at most 50 tags"));
    }
    let mut out: Vec<String> = Vec::new();
    for t in raw {
        let t = text(field, t, 1, 50)?;
        if !out.contains(&t) {
            out.push(t);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod more_tests {
    use super::*;

    #[test]
    fn urls_colours_tags() {
        assert!(url("u", "https://acme.io/logo.png").is_ok());
        assert!(url("u", "javascript:alert(1)").is_err());
        assert_eq!(color("c", "#ffd700").unwrap(), "#FFD700");
        assert!(color("c", "gold").is_err());
        assert_eq!(tags("t", &["a".into(), " a ".into(), "b".into()]).unwrap(), ["a", "b"]);
        assert!(tags("t", &["".into()]).is_err());
    }
}
