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

/// The characters `char::is_whitespace` trims, as a regular-expression class body
/// (the same in ECMA-262 and Python), and those of them that are not control
/// characters.
const WS: &str = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";
const EDGE_WS: &str = r"[\t\n\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*";
/// Control characters refused in text (all but tab, line feed and carriage return).
const CC: &str = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f";

fn has_control(raw: &str) -> bool {
    raw.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
}

/// What a validator accepts, stated as JSON Schema for the OpenAPI document
/// (docs/DECISIONS.md, "The API contract"): the contract test sends what the schema
/// allows and what it forbids, and checks the server agrees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// [`text`] with `min` of 1: non-blank, at most `max` characters as sent.
    Text {
        max: usize,
    },
    /// [`optional_text`].
    OptionalText {
        max: usize,
    },
    /// [`email`] / [`optional_email`].
    Email,
    OptionalEmail,
    /// [`url`] / [`optional_url`].
    Url,
    OptionalUrl,
    Slug,
    Timezone,
    Color,
    Currency,
    Password,
    /// A list of [`text`] items, at most `items` of them.
    TextList {
        items: usize,
        max: usize,
    },
    /// [`scalar_map`]: named values (text, numbers, booleans, null).
    ScalarMap,
}

impl Rule {
    /// The JSON Schema keywords of the rule (`pattern`, `minLength`, `maxLength`,
    /// `maxItems`, `items`), to merge into a property's schema.
    pub fn json_schema(self) -> serde_json::Value {
        use serde_json::json;
        let solid = format!("[^{WS}{CC}]");
        let text = format!("^[^{CC}]*{solid}[^{CC}]*$");
        let email = format!("{EDGE_WS}[^@{WS}{CC}]+@[^@.{WS}{CC}][^@{WS}{CC}]*\\.[^@{WS}{CC}]*[^@.{WS}{CC}]{EDGE_WS}");
        let url = format!("{EDGE_WS}https?://[^{WS}{CC}]+{EDGE_WS}");
        match self {
            Rule::Text { max } => json!({"pattern": text, "maxLength": max}),
            Rule::OptionalText { max } => json!({"pattern": format!("^[^{CC}]*$"), "maxLength": max}),
            Rule::Email => json!({"pattern": format!("^{email}$"), "maxLength": 254}),
            Rule::OptionalEmail => json!({"pattern": format!("^(?:{EDGE_WS}|{email})$"), "maxLength": 254}),
            Rule::Url => json!({"pattern": format!("^{url}$"), "maxLength": 2000}),
            Rule::OptionalUrl => json!({"pattern": format!("^(?:{EDGE_WS}|{url})$"), "maxLength": 2000}),
            Rule::Slug => json!({"pattern": format!("^{EDGE_WS}[a-z0-9]+(?:-[a-z0-9]+)*{EDGE_WS}$"), "maxLength": 100}),
            Rule::Timezone => json!({"pattern": format!("^{EDGE_WS}[A-Za-z0-9/_+-]{{1,64}}{EDGE_WS}$")}),
            Rule::Color => json!({"pattern": format!("^{EDGE_WS}#[0-9A-Fa-f]{{6}}{EDGE_WS}$")}),
            Rule::Currency => json!({"pattern": format!("^{EDGE_WS}[A-Za-z]{{3}}{EDGE_WS}$")}),
            Rule::Password => json!({"minLength": 8, "maxLength": 256}),
            Rule::TextList { items, max } => {
                json!({"maxItems": items, "items": {"type": "string", "pattern": text, "maxLength": max}})
            }
            Rule::ScalarMap => json!({
                "maxProperties": SCALAR_MAP_ENTRIES,
                "propertyNames": {"pattern": text, "maxLength": SCALAR_MAP_NAME},
                "additionalProperties": {"anyOf": [
                    {"type": "string", "pattern": format!("^[^{CC}]*$"), "maxLength": SCALAR_MAP_VALUE},
                    {"type": ["number", "boolean", "null"]},
                ]},
            }),
        }
    }
}

/// A lowercased, trimmed e-mail address of plausible shape, at most 254 characters
/// as sent.
pub fn email(field: &str, raw: &str) -> Result<String, FieldError> {
    let e = raw.trim().to_lowercase();
    let ok = raw.chars().count() <= 254
        && !has_control(raw)
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

/// Trimmed text of `min..=max` characters without control characters (tab and
/// line breaks allowed). The upper bound counts the text as sent, blanks around it
/// included, as the schema's `maxLength` does.
pub fn text(field: &str, raw: &str, min: usize, max: usize) -> Result<String, FieldError> {
    if raw.chars().count() > max {
        return Err(FieldError::new(field, format!("must be at most {max} characters")));
    }
    if has_control(raw) {
        return Err(FieldError::new(field, "must not contain control characters"));
    }
    let t = raw.trim();
    if t.chars().count() < min {
        return Err(FieldError::new(
            field,
            if min == 1 { "must not be empty".to_string() } else { format!("must be at least {min} characters") },
        ));
    }
    Ok(t.to_string())
}

/// Optional text: blank becomes `None`.
pub fn optional_text(field: &str, raw: Option<&str>, max: usize) -> Result<Option<String>, FieldError> {
    match raw {
        None => Ok(None),
        Some(t) => match text(field, t, 1, max) {
            Err(_) if !has_control(t) && t.chars().count() <= max => Ok(None),
            r => r.map(Some),
        },
    }
}

/// A URL-friendly slug: lowercase letters, digits and single dashes.
pub fn slug(field: &str, raw: &str) -> Result<String, FieldError> {
    let s = raw.trim();
    let ok = (1..=100).contains(&raw.chars().count())
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
    let rest = u.strip_prefix("https://").or_else(|| u.strip_prefix("http://"));
    let ok = rest.is_some_and(|r| !r.is_empty())
        && raw.chars().count() <= 2000
        && !has_control(raw)
        && !u.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok { Ok(u.to_string()) } else { Err(FieldError::new(field, "must be an http(s) URL")) }
}

/// Optional URL: blank becomes `None`.
pub fn optional_url(field: &str, raw: Option<&str>) -> Result<Option<String>, FieldError> {
    match raw {
        Some(u) if !u.trim().is_empty() || has_control(u) || u.chars().count() > 2000 => url(field, u).map(Some),
        _ => Ok(None),
    }
}

/// Optional e-mail: blank becomes `None`.
pub fn optional_email(field: &str, raw: Option<&str>) -> Result<Option<String>, FieldError> {
    match raw {
        Some(e) if !e.trim().is_empty() || has_control(e) || e.chars().count() > 254 => email(field, e).map(Some),
        _ => Ok(None),
    }
}

/// A `#rrggbb` colour.
pub fn color(field: &str, raw: &str) -> Result<String, FieldError> {
    let c = raw.trim();
    let ok = c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit());
    if ok { Ok(c.to_ascii_uppercase()) } else { Err(FieldError::new(field, "must be a colour like #FFD700")) }
}

const SCALAR_MAP_ENTRIES: usize = 20;
const SCALAR_MAP_NAME: usize = 50;
const SCALAR_MAP_VALUE: usize = 500;

/// Named values, as custom fields are: at most 20, names [`text`] of 1 to 50
/// characters, values text of at most 500 characters (no control characters but
/// tab and line breaks), numbers, booleans or null.
pub fn scalar_map(
    field: &str,
    raw: &serde_json::Map<String, serde_json::Value>,
) -> Result<serde_json::Map<String, serde_json::Value>, FieldError> {
    if raw.len() > SCALAR_MAP_ENTRIES {
        return Err(FieldError::new(field, format!("at most {SCALAR_MAP_ENTRIES} fields")));
    }
    let ok_value = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.chars().count() <= SCALAR_MAP_VALUE && !has_control(s),
        serde_json::Value::Array(_) | serde_json::Value::Object(_) => false,
        _ => true,
    };
    for (k, v) in raw {
        if text(field, k, 1, SCALAR_MAP_NAME).is_err() || !ok_value(v) {
            return Err(FieldError::new(
                field,
                format!(
                    "must map names (1 to {SCALAR_MAP_NAME} characters) to text (at most {SCALAR_MAP_VALUE} characters), numbers, booleans or null"
                ),
            ));
        }
    }
    Ok(raw.clone())
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
