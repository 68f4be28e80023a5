//! Qualification questions of a booth and their answers (docs/DECISIONS.md,
//! "Qualification questions"): what a question may be, what an answer to it may
//! be, and the points an answer adds to the lead's intent score.

use crate::validate::{self, FieldError};
use serde::{Deserialize, Serialize};

/// At most this many options a choice question.
pub const MAX_OPTIONS: usize = 20;
/// The points of one option, of a text answer or of a rating's star: 0 to this.
pub const MAX_POINTS: i32 = 50;
/// Ratings run from 1 to this many stars.
pub const RATING_MAX: i64 = 5;
/// A text answer: at most this many characters.
pub const MAX_TEXT_ANSWER: usize = 2000;

crate::statuses::string_enum!(
    /// What kind of answer a question takes: free text, one option, several
    /// options, or a rating of 1 to 5 stars.
    QuestionKind {
        Text => "text",
        SingleChoice => "single_choice",
        MultipleChoice => "multiple_choice",
        Rating => "rating",
    }
);

crate::try_from_string!(QuestionKind);

/// One option of a choice question and what choosing it is worth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChoiceOption {
    /// 1 to 100 characters, unique within the question.
    pub label: String,
    /// 0 to 50 (default 0).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 50))]
    pub points: i32,
}

/// Checks a question's options and points for its kind: choice questions have 2
/// to 20 options with distinct labels and no points of their own; text and
/// rating questions have no options. Returns the options, trimmed.
pub fn check_shape(
    kind: QuestionKind,
    options: &[ChoiceOption],
    points: i32,
) -> Result<Vec<ChoiceOption>, Vec<FieldError>> {
    let mut errors = Vec::new();
    if !(0..=MAX_POINTS).contains(&points) {
        errors.push(FieldError::new("points", format!("must be 0 to {MAX_POINTS}")));
    }
    let mut out = Vec::new();
    match kind {
        QuestionKind::SingleChoice | QuestionKind::MultipleChoice => {
            if options.len() < 2 || options.len() > MAX_OPTIONS {
                errors.push(FieldError::new("options", format!("a choice needs 2 to {MAX_OPTIONS} options")));
            }
            if points != 0 {
                errors.push(FieldError::new("points", "a choice question scores by its options' points"));
            }
            for (i, o) in options.iter().enumerate() {
                match validate::text(&format!("options[{i}].label"), &o.label, 1, 100) {
                    Ok(label) if out.iter().any(|p: &ChoiceOption| p.label == label) => {
                        errors.push(FieldError::new(&format!("options[{i}].label"), "is there twice"));
                    }
                    Ok(label) => out.push(ChoiceOption { label, points: o.points }),
                    Err(e) => errors.push(e),
                }
                if !(0..=MAX_POINTS).contains(&o.points) {
                    errors.push(FieldError::new(&format!("options[{i}].points"), format!("must be 0 to {MAX_POINTS}")));
                }
            }
        }
        QuestionKind::Text | QuestionKind::Rating => {
            if !options.is_empty() {
                errors.push(FieldError::new("options", "only choice questions have options"));
            }
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// Checks an answer against its question and gives it in normal form with the
/// points it is worth: text (non-blank, at most 2,000 characters) scores the
/// question's points; a single choice is one option's label; a multiple choice
/// is a list of distinct labels (at least one) scoring the sum of theirs; a
/// rating is a whole number of stars from 1 to 5, each worth the question's points.
pub fn check_answer(
    field: &str,
    kind: QuestionKind,
    options: &[ChoiceOption],
    points: i32,
    value: &serde_json::Value,
) -> Result<(serde_json::Value, i32), FieldError> {
    use serde_json::Value;
    let label_points = |label: &str| options.iter().find(|o| o.label == label).map(|o| o.points);
    let not_an_option = || {
        let labels: Vec<&str> = options.iter().map(|o| o.label.as_str()).collect();
        FieldError::new(field, format!("must be one of: {}", labels.join(", ")))
    };
    match (kind, value) {
        (QuestionKind::Text, Value::String(s)) => {
            let t = validate::text(field, s, 1, MAX_TEXT_ANSWER)?;
            Ok((Value::String(t), points))
        }
        (QuestionKind::Text, _) => Err(FieldError::new(field, "must be text")),
        (QuestionKind::SingleChoice, Value::String(s)) => {
            let p = label_points(s.trim()).ok_or_else(not_an_option)?;
            Ok((Value::String(s.trim().to_string()), p))
        }
        (QuestionKind::SingleChoice, _) => Err(FieldError::new(field, "must be one option's label")),
        (QuestionKind::MultipleChoice, Value::Array(items)) => {
            if items.is_empty() {
                return Err(FieldError::new(field, "must choose at least one option"));
            }
            let mut chosen: Vec<String> = Vec::new();
            let mut total = 0;
            for item in items {
                let label = item.as_str().map(str::trim).ok_or_else(|| FieldError::new(field, "must list labels"))?;
                let p = label_points(label).ok_or_else(not_an_option)?;
                if chosen.iter().any(|c| c == label) {
                    return Err(FieldError::new(field, format!("lists {label} twice")));
                }
                chosen.push(label.to_string());
                total += p;
            }
            Ok((Value::from(chosen), total))
        }
        (QuestionKind::MultipleChoice, _) => Err(FieldError::new(field, "must be a list of option labels")),
        (QuestionKind::Rating, Value::Number(n)) => {
            let stars = n
                .as_i64()
                .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
                .filter(|s| (1..=RATING_MAX).contains(s))
                .ok_or_else(|| FieldError::new(field, format!("must be a whole number of stars, 1 to {RATING_MAX}")))?;
            Ok((Value::from(stars), points * stars as i32))
        }
        (QuestionKind::Rating, _) => {
            Err(FieldError::new(field, format!("must be a whole number of stars, 1 to {RATING_MAX}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn opts() -> Vec<ChoiceOption> {
        vec![
            ChoiceOption { label: "Under 10k".into(), points: 0 },
            ChoiceOption { label: "10k-100k".into(), points: 10 },
            ChoiceOption { label: "Over 100k".into(), points: 25 },
        ]
    }

    #[test]
    fn shapes() {
        assert!(check_shape(QuestionKind::SingleChoice, &opts(), 0).is_ok());
        assert!(check_shape(QuestionKind::SingleChoice, &opts()[..1], 0).is_err(), "one option is no choice");
        assert!(check_shape(QuestionKind::SingleChoice, &opts(), 5).is_err(), "points go on the options");
        let twice = vec![opts()[0].clone(), ChoiceOption { label: " Under 10k ".into(), points: 1 }];
        let e = check_shape(QuestionKind::MultipleChoice, &twice, 0).unwrap_err();
        assert_eq!(e[0].field, "options[1].label");
        assert!(check_shape(QuestionKind::Text, &opts(), 0).is_err(), "text has no options");
        assert!(check_shape(QuestionKind::Rating, &[], 51).is_err());
        let big = vec![ChoiceOption { label: "a".into(), points: 60 }, ChoiceOption { label: "b".into(), points: 0 }];
        assert_eq!(check_shape(QuestionKind::SingleChoice, &big, 0).unwrap_err()[0].field, "options[0].points");
    }

    #[test]
    fn answers_and_their_points() {
        let o = opts();
        let a = |k, v| check_answer("answers[0].value", k, &o, 4, &v);
        assert_eq!(a(QuestionKind::Text, json!(" needs SSO ")).unwrap(), (json!("needs SSO"), 4));
        assert!(a(QuestionKind::Text, json!("  ")).is_err());
        assert!(a(QuestionKind::Text, json!(3)).is_err());
        assert_eq!(a(QuestionKind::SingleChoice, json!("Over 100k")).unwrap(), (json!("Over 100k"), 25));
        let e = a(QuestionKind::SingleChoice, json!("Lots")).unwrap_err();
        assert!(e.message.contains("Under 10k, 10k-100k, Over 100k"), "{}", e.message);
        assert_eq!(
            a(QuestionKind::MultipleChoice, json!(["10k-100k", "Over 100k"])).unwrap(),
            (json!(["10k-100k", "Over 100k"]), 35)
        );
        assert!(a(QuestionKind::MultipleChoice, json!([])).is_err());
        assert!(a(QuestionKind::MultipleChoice, json!(["Over 100k", "Over 100k"])).is_err());
        assert!(a(QuestionKind::MultipleChoice, json!("Over 100k")).is_err());
        assert_eq!(a(QuestionKind::Rating, json!(3)).unwrap(), (json!(3), 12));
        assert_eq!(a(QuestionKind::Rating, json!(5.0)).unwrap(), (json!(5), 20));
        assert!(a(QuestionKind::Rating, json!(0)).is_err());
        assert!(a(QuestionKind::Rating, json!(6)).is_err());
        assert!(a(QuestionKind::Rating, json!(2.5)).is_err());
    }
}
