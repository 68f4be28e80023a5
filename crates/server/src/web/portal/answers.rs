//! The booth's qualification questions as form fields (the capture form and the
//! lead page), and the answers the form carries. Field names:
//! `q.<id>.kind` (hidden, every question), `q.<id>.text`, `q.<id>.choice`,
//! `q.<id>.pick.<n>` (the n-th option of a multiple choice) and `q.<id>.rating`.

use super::view::FieldErrors;
use sponsorhub_domain::qualification::QuestionKind;
use sponsorhub_domain::validate::FieldError;
use sponsorhub_services::questions::{AnswerInput, LeadAnswer};
use sponsorhub_store::records::Question;
use std::collections::BTreeMap;
use uuid::Uuid;

/// What the form sent, by field name.
pub type Values = BTreeMap<String, String>;

pub struct OptionField {
    pub name: String,
    pub label: String,
    pub points: i32,
    pub checked: bool,
}

pub struct QuestionField {
    pub id: Uuid,
    pub prompt: String,
    pub kind: &'static str,
    pub required: bool,
    /// The options of a choice question, with what is chosen.
    pub options: Vec<OptionField>,
    /// A text answer, or a rating's stars, as typed.
    pub text: String,
    /// What an answer is worth, for the hint.
    pub hint: String,
    pub error: Option<String>,
}

impl QuestionField {
    /// An option is chosen.
    pub fn has_choice(&self) -> bool {
        self.options.iter().any(|o| o.checked)
    }

    pub fn is_rated(&self, stars: impl std::fmt::Display) -> bool {
        self.text == stars.to_string()
    }
}

/// The form fields of the questions, filled from `values`, with `errors` at theirs.
pub fn fields(questions: &[Question], values: &Values, errors: &FieldErrors) -> Vec<QuestionField> {
    questions
        .iter()
        .map(|q| {
            let key = |rest: &str| format!("q.{}.{rest}", q.id);
            let options = q
                .options
                .0
                .iter()
                .enumerate()
                .map(|(n, o)| {
                    let name =
                        if q.kind == QuestionKind::MultipleChoice { key(&format!("pick.{n}")) } else { key("choice") };
                    let checked = values.get(&name).is_some_and(|v| *v == o.label);
                    OptionField { name, label: o.label.clone(), points: o.points, checked }
                })
                .collect();
            let text = match q.kind {
                QuestionKind::Text => values.get(&key("text")).cloned().unwrap_or_default(),
                QuestionKind::Rating => values.get(&key("rating")).cloned().unwrap_or_default(),
                _ => String::new(),
            };
            let hint = match q.kind {
                QuestionKind::Text if q.points > 0 => format!("An answer adds {} points.", q.points),
                QuestionKind::Rating if q.points > 0 => format!("Each star adds {} points.", q.points),
                _ => String::new(),
            };
            QuestionField {
                id: q.id,
                prompt: q.prompt.clone(),
                kind: q.kind.as_str(),
                required: q.required,
                options,
                text,
                hint,
                error: errors.get(&format!("q.{}", q.id)).map(str::to_string),
            }
        })
        .collect()
}

/// The form values of answers given, to fill the lead page's form.
pub fn values_of(questions: &[Question], answers: &[LeadAnswer]) -> Values {
    let mut values = Values::new();
    for a in answers {
        let Some(q) = questions.iter().find(|q| q.id == a.question_id) else { continue };
        let key = |rest: &str| format!("q.{}.{rest}", q.id);
        match (&q.kind, &a.value) {
            (QuestionKind::Text, serde_json::Value::String(t)) => {
                values.insert(key("text"), t.clone());
            }
            (QuestionKind::SingleChoice, serde_json::Value::String(t)) => {
                values.insert(key("choice"), t.clone());
            }
            (QuestionKind::MultipleChoice, serde_json::Value::Array(items)) => {
                for (n, o) in q.options.0.iter().enumerate() {
                    if items.iter().any(|i| i.as_str() == Some(&o.label)) {
                        values.insert(key(&format!("pick.{n}")), o.label.clone());
                    }
                }
            }
            (QuestionKind::Rating, v) => {
                values.insert(key("rating"), v.to_string());
            }
            _ => {}
        }
    }
    values
}

/// The answers a form carries, one per question it showed (`null` for those left
/// empty), in a fixed order; none when it showed no questions.
pub fn inputs(values: &Values) -> Vec<AnswerInput> {
    let mut out = Vec::new();
    for (name, kind) in values {
        let Some(id) = name.strip_prefix("q.").and_then(|r| r.strip_suffix(".kind")) else { continue };
        let Ok(question_id) = Uuid::parse_str(id) else { continue };
        let get = |rest: &str| values.get(&format!("q.{id}.{rest}")).map(|v| v.trim()).filter(|v| !v.is_empty());
        let value = match kind.as_str() {
            "text" => get("text").map(serde_json::Value::from),
            "single_choice" => get("choice").map(serde_json::Value::from),
            "rating" => get("rating").map(|r| r.parse::<i64>().map(serde_json::Value::from).unwrap_or(r.into())),
            "multiple_choice" => {
                let prefix = format!("q.{id}.pick.");
                let picked: Vec<serde_json::Value> = values
                    .iter()
                    .filter(|(k, v)| k.starts_with(&prefix) && !v.trim().is_empty())
                    .map(|(_, v)| serde_json::Value::from(v.trim()))
                    .collect();
                (!picked.is_empty()).then_some(serde_json::Value::Array(picked))
            }
            _ => continue,
        };
        out.push(AnswerInput { question_id, value: value.unwrap_or(serde_json::Value::Null) });
    }
    out
}

/// The service's answer errors (`answers[<i>]…`) at their questions' fields.
pub fn errors_at_fields(inputs: &[AnswerInput], errors: Vec<FieldError>) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|e| {
            let at = e
                .field
                .strip_prefix("answers[")
                .and_then(|r| r.split(']').next())
                .and_then(|i| i.parse::<usize>().ok())
                .and_then(|i| inputs.get(i));
            match at {
                Some(input) => FieldError::new(&format!("q.{}", input.question_id), e.message),
                None => e,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_values_become_answers() {
        let (a, b, c) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let mut v = Values::new();
        v.insert(format!("q.{a}.kind"), "multiple_choice".into());
        v.insert(format!("q.{a}.pick.0"), "SSO".into());
        v.insert(format!("q.{a}.pick.2"), "Audit".into());
        v.insert(format!("q.{b}.kind"), "rating".into());
        v.insert(format!("q.{b}.rating"), "4".into());
        v.insert(format!("q.{c}.kind"), "text".into());
        v.insert(format!("q.{c}.text"), "  ".into());
        let got = inputs(&v);
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].value, serde_json::json!(["SSO", "Audit"]));
        assert_eq!(got[1].value, serde_json::json!(4));
        assert!(got[2].value.is_null(), "an empty answer removes it");
        let errors = errors_at_fields(&got, vec![FieldError::new("answers[1].value", "bad")]);
        assert_eq!(errors[0].field, format!("q.{b}"));
    }
}
