//! Server-rendered SVG charts for the analytics pages: no JavaScript, no CDN.
//!
//! Every chart is a [`Chart`]: inline `<svg>` markup that a template inserts with `|safe`
//! (every piece of text in it is XML-escaped here), plus its text alternative: `table`, one
//! row per data point, and [`Chart::summary`], which is also the SVG's `<desc>`. `title` and
//! `table` are plain text, escaped by the template as usual.
//!
//! The SVG scales with its container (`width="100%"`, a `viewBox`, no pixel width). Colours go
//! through CSS classes: `chart-bar`, `chart-line`, `chart-line-2`, `chart-line-3`, `chart-axis`,
//! `chart-grid`, `chart-label`. Every shape paints with `currentColor`, so setting `color` (or
//! `fill`/`stroke`) on a class restyles it; the 2nd and 3rd lines are also dashed so the series
//! differ without colour. Same input, same string.

use std::fmt::Write;

/// Width of every chart's `viewBox`; font size in its units (8.4 px on a 360-px phone).
const W: f64 = 600.0;
const FONT: u32 = 14;
/// Approximate width of one character at [`FONT`].
const CHAR_W: f64 = 7.5;
/// Height of one row of a bar chart.
const ROW: f64 = 28.0;
/// Class and dash pattern of each series.
const LINES: [(&str, &str); 3] = [
    ("chart-line", ""),
    ("chart-line-2", r#" stroke-dasharray="6 4""#),
    ("chart-line-3", r#" stroke-dasharray="2 3""#),
];
const MAX_X_LABELS: usize = 8;
/// Values are clamped to this, so that no scale overflows to infinity.
const MAX_VALUE: f64 = 1e15;

/// A rendered chart and its text alternative.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// The SVG element's id, `chart-{slug}`.
    pub id: String,
    pub title: String,
    /// Escaped markup, ready for `|safe`.
    pub svg: String,
    /// Each data point as (label, formatted value), for a `<table>` beside the SVG.
    pub table: Vec<(String, String)>,
    summary: String,
}

impl Chart {
    /// One sentence describing the data, e.g. "Peak: 14:00 with 42 leads; total 310."
    pub fn summary(&self) -> String {
        self.summary.clone()
    }
}

/// Horizontal bars, one row per item: label on the left, value at the bar's end.
/// Negative or non-finite values count as 0. `unit` follows each value ("42 leads", "42%").
pub fn bars(id: &str, title: &str, items: &[(String, f64)], unit: &str) -> Chart {
    let id = chart_id(id);
    if items.is_empty() {
        return empty(id, title);
    }
    let values: Vec<f64> = items.iter().map(|(_, v)| clean(*v)).collect();
    let table: Vec<(String, String)> =
        items.iter().zip(&values).map(|((label, _), v)| (label.clone(), with_unit(*v, unit))).collect();
    let max = values.iter().copied().fold(0.0, f64::max);
    let summary = if max == 0.0 {
        "All values are 0.".to_string()
    } else {
        let top = values.iter().position(|v| *v == max).unwrap_or(0);
        // Percentages don't add up to a total.
        let total = if unit.trim_start().starts_with('%') {
            String::new()
        } else {
            format!("; total {}", num(values.iter().sum()))
        };
        format!("Highest: {} with {}{total}.", items[top].0, with_unit(max, unit))
    };

    let (pad, label_w) = (8.0, 180.0);
    let longest = table.iter().map(|(_, v)| v.chars().count()).max().unwrap_or(1);
    let value_w = (longest as f64 * CHAR_W + 12.0).min(200.0);
    let span = W - label_w - value_w - pad;
    let height = values.len() as f64 * ROW + 2.0 * pad;
    let mut svg = open(&id, title, &summary, height);
    for (i, ((label, _), v)) in items.iter().zip(&values).enumerate() {
        let y = pad + i as f64 * ROW;
        let w = if max > 0.0 { v / max * span } else { 0.0 };
        let base = y + ROW / 2.0 + 4.5;
        text(&mut svg, label_w - 10.0, base, "end", "chart-label", &clip(label, 23));
        let (x, top, bw, h) = (num(label_w), num(y + 5.0), num(w), num(ROW - 10.0));
        let _ =
            write!(svg, r#"<rect class="chart-bar" x="{x}" y="{top}" width="{bw}" height="{h}" fill="currentColor"/>"#);
        text(&mut svg, label_w + w + 6.0, base, "start", "chart-label", &table[i].1);
    }
    line(&mut svg, "chart-axis", (label_w, pad), (label_w, height - pad));
    svg.push_str("</svg>");
    Chart { id, title: title.to_string(), svg, table, summary }
}

/// Lines over time buckets (`labels`, e.g. "10:00" or "Mon 3"), up to 3 series (more are
/// ignored) with a legend; a series shorter than `labels` counts 0 for the missing buckets.
/// At most 8 x labels are drawn; the y axis has 3–5 gridlines up to [`nice_max`].
pub fn timeline(id: &str, title: &str, labels: &[String], series: &[(String, Vec<f64>)]) -> Chart {
    let id = chart_id(id);
    let series = &series[..series.len().min(LINES.len())];
    let n = labels.len();
    if n == 0 || series.is_empty() {
        return empty(id, title);
    }
    let data: Vec<(&str, Vec<f64>)> = series
        .iter()
        .map(|(name, vs)| (name.as_str(), (0..n).map(|i| clean(vs.get(i).copied().unwrap_or(0.0))).collect()))
        .collect();
    let cell = |i: usize| -> Vec<String> {
        data.iter().map(|(name, vs)| format!("{name} {}", num(vs[i])).trim_start().to_string()).collect()
    };
    let table = labels.iter().enumerate().map(|(i, label)| (label.clone(), cell(i).join(", "))).collect();
    let max = data.iter().flat_map(|(_, vs)| vs.iter().copied()).fold(0.0, f64::max);
    let summary = timeline_summary(labels, &data);

    let (scale, divisions) = nice_scale(max);
    let left = (num(scale).len() as f64 * CHAR_W + 14.0).max(40.0);
    let (right, top, bottom) = (580.0, 34.0, 226.0);
    let (plot_w, plot_h) = (right - left, bottom - top);
    let mut svg = open(&id, title, &summary, bottom + 30.0);
    for k in 1..=divisions {
        let y = bottom - plot_h * f64::from(k) / f64::from(divisions);
        line(&mut svg, "chart-grid", (left, y), (right, y));
        text(&mut svg, left - 6.0, y + 4.5, "end", "chart-label", &num(scale * f64::from(k) / f64::from(divisions)));
    }
    line(&mut svg, "chart-axis", (left, bottom), (right, bottom));
    text(&mut svg, left - 6.0, bottom + 4.5, "end", "chart-label", "0");
    let band = plot_w / n as f64;
    let x_at = |i: usize| left + band * (i as f64 + 0.5);
    for i in (0..n).step_by(n.div_ceil(MAX_X_LABELS)) {
        text(&mut svg, x_at(i), bottom + 20.0, "middle", "chart-label", &clip(&labels[i], 9));
    }
    let mut legend_x = left;
    for (s, (name, vs)) in data.iter().enumerate() {
        let (class, dash) = LINES[s];
        let _ = write!(
            svg,
            r#"<g class="{class}" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linejoin="round"{dash}>"#
        );
        let points: Vec<(String, String)> =
            vs.iter().enumerate().map(|(i, v)| (num(x_at(i)), num(bottom - v / scale * plot_h))).collect();
        let coords: Vec<String> = points.iter().map(|(x, y)| format!("{x},{y}")).collect();
        let _ = write!(svg, r#"<polyline points="{}"/>"#, coords.join(" "));
        // Markers while they don't crowd each other.
        for (cx, cy) in points.iter().filter(|_| n <= 31) {
            let _ = write!(svg, r#"<circle cx="{cx}" cy="{cy}" r="3" fill="currentColor" stroke="none"/>"#);
        }
        let named = !name.trim().is_empty();
        if named {
            let _ = write!(svg, r#"<path d="M{} 14h20"/>"#, num(legend_x));
        }
        svg.push_str("</g>");
        if named {
            let name = clip(name, 20);
            text(&mut svg, legend_x + 26.0, 18.5, "start", "chart-label", &name);
            legend_x += 26.0 + name.chars().count() as f64 * CHAR_W + 18.0;
        }
    }
    svg.push_str("</svg>");
    Chart { id, title: title.to_string(), svg, table, summary }
}

/// The top of a y axis: the smallest "round" number ≥ `v` (0 → 1, 7 → 10, 42 → 50, 130 → 150).
pub fn nice_max(v: f64) -> f64 {
    nice_scale(v).0
}

/// [`nice_max`] and how many equal steps (3–5) divide it into round gridlines.
fn nice_scale(v: f64) -> (f64, u32) {
    const STEPS: [(f64, u32); 9] =
        [(1.0, 5), (1.5, 3), (2.0, 4), (2.5, 5), (3.0, 3), (4.0, 4), (5.0, 5), (6.0, 3), (10.0, 5)];
    let v = clean(v);
    if v <= 1.0 {
        return (1.0, 5);
    }
    let mut mag = 10f64.powi(v.log10().floor() as i32);
    if v / mag < 1.0 {
        mag /= 10.0;
    }
    STEPS.iter().map(|(m, d)| (m * mag, *d)).find(|(top, _)| *top >= v * (1.0 - 1e-12)).unwrap_or((10.0 * mag, 5))
}

fn timeline_summary(labels: &[String], data: &[(&str, Vec<f64>)]) -> String {
    let amount = |v: f64, name: &str| if name.trim().is_empty() { num(v) } else { format!("{} {name}", num(v)) };
    let Some((name, vs)) = data.iter().find(|(_, vs)| vs.iter().any(|v| *v > 0.0)) else {
        return "All values are 0.".to_string();
    };
    let peak = vs.iter().copied().fold(0.0, f64::max);
    let at = vs.iter().position(|v| *v == peak).unwrap_or(0);
    let head = format!("Peak: {} with {}", labels[at], amount(peak, name));
    if data.len() == 1 {
        format!("{head}; total {}.", num(vs.iter().sum()))
    } else {
        let totals: Vec<String> = data.iter().map(|(name, vs)| amount(vs.iter().sum(), name)).collect();
        format!("{head}; totals: {}.", totals.join(", "))
    }
}

/// The "No data yet" chart.
fn empty(id: String, title: &str) -> Chart {
    let summary = "No data yet.".to_string();
    let mut svg = open(&id, title, &summary, 60.0);
    text(&mut svg, W / 2.0, 35.0, "middle", "chart-label", "No data yet");
    svg.push_str("</svg>");
    Chart { id, title: title.to_string(), svg, table: Vec::new(), summary }
}

fn open(id: &str, title: &str, desc: &str, height: f64) -> String {
    let id = escape(id);
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{id}" role="img" aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {} {}" width="100%" preserveAspectRatio="xMinYMin meet" font-size="{FONT}"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        num(W),
        num(height),
        escape(title),
        escape(desc)
    )
}

fn text(out: &mut String, x: f64, y: f64, anchor: &str, class: &str, s: &str) {
    let (x, y, s) = (num(x), num(y), escape(s));
    let _ =
        write!(out, r#"<text class="{class}" x="{x}" y="{y}" text-anchor="{anchor}" fill="currentColor">{s}</text>"#);
}

fn line(out: &mut String, class: &str, (x1, y1): (f64, f64), (x2, y2): (f64, f64)) {
    let opacity = if class == "chart-grid" { r#" stroke-opacity="0.25""# } else { "" };
    let (x1, y1, x2, y2) = (num(x1), num(y1), num(x2), num(y2));
    let _ = write!(
        out,
        r#"<line class="{class}" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="currentColor"{opacity}/>"#
    );
}

/// `chart-{slug}`, keeping only ASCII letters, digits, `-` and `_` of the caller's slug.
fn chart_id(slug: &str) -> String {
    let slug: String =
        slug.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
    if slug.is_empty() { "chart".to_string() } else { format!("chart-{slug}") }
}

/// XML-escapes `& < > " '`.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// Shortens `s` to `max` characters, ending with "…" when cut.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max.saturating_sub(1)).chain(['…']).collect()
    }
}

/// A count or percentage as data: non-finite and negative values are 0.
fn clean(v: f64) -> f64 {
    if v.is_finite() && v > 0.0 { v.min(MAX_VALUE) } else { 0.0 }
}

/// `3`, `2.5`, `33.3`: one decimal at most, none for integers, never "NaN", "inf" or "-0".
fn num(v: f64) -> String {
    match (v * 10.0).round() / 10.0 {
        r if r == 0.0 || !r.is_finite() => "0".to_string(),
        r if r.fract() == 0.0 => format!("{r:.0}"),
        r => format!("{r:.1}"),
    }
}

/// `42%`, `42 leads`, or `42` without a unit.
fn with_unit(v: f64, unit: &str) -> String {
    match unit.trim() {
        "" => num(v),
        u if u.starts_with('%') => format!("{}{u}", num(v)),
        u => format!("{} {u}", num(v)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(pairs: &[(&str, f64)]) -> Vec<(String, f64)> {
        pairs.iter().map(|(l, v)| (l.to_string(), *v)).collect()
    }

    fn hours(n: usize) -> Vec<String> {
        (0..n).map(|h| format!("{h:02}:00")).collect()
    }

    /// The `width` of every `chart-bar` rect, in order.
    fn bar_widths(svg: &str) -> Vec<f64> {
        svg.split(r#"<rect class="chart-bar""#)
            .skip(1)
            .map(|rest| {
                let w = rest.split(r#"width=""#).nth(1).unwrap();
                w[..w.find('"').unwrap()].parse().unwrap()
            })
            .collect()
    }

    fn assert_finite(chart: &Chart) {
        let all = format!("{} {:?} {}", chart.svg, chart.table, chart.summary());
        for bad in ["NaN", "inf", "-0\""] {
            assert!(!all.contains(bad), "{bad} in {all}");
        }
    }

    #[test]
    fn escapes_every_text() {
        assert_eq!(escape(r#"<script>&"'"#), "&lt;script&gt;&amp;&quot;&#39;");
        let chart = bars("x", "<b>Title</b>", &items(&[(r#"<script>&""#, 3.0)]), "<u>");
        assert!(chart.svg.contains("&lt;script&gt;&amp;&quot;"), "{}", chart.svg);
        assert!(chart.svg.contains("<title id=\"chart-x-title\">&lt;b&gt;Title&lt;/b&gt;</title>"));
        assert!(chart.svg.contains("3 &lt;u&gt;"));
        assert!(!chart.svg.contains("<script") && !chart.svg.contains("<b>") && !chart.svg.contains("<u>"));
        let line = timeline("\"><x", "t", &[r#"<script>&""#.to_string()], &[("<i>".to_string(), vec![1.0])]);
        assert!(!line.svg.contains("<script") && !line.svg.contains("<i>") && !line.svg.contains("<x"));
        assert!(line.svg.contains("&lt;i&gt;") && line.svg.contains("id=\"chart----x\""));
        // The text alternative stays plain text: the template escapes it.
        assert_eq!(chart.table[0].0, r#"<script>&""#);
    }

    #[test]
    fn accessible_and_scalable() {
        let chart = bars("leads", "Leads", &items(&[("a", 1.0)]), "");
        let svg = &chart.svg;
        assert_eq!(chart.id, "chart-leads");
        assert!(svg.contains(r#"role="img" aria-labelledby="chart-leads-title chart-leads-desc""#));
        assert!(svg.contains(r#"<title id="chart-leads-title">Leads</title>"#));
        assert!(svg.contains(&format!(r#"<desc id="chart-leads-desc">{}</desc>"#, chart.summary())));
        assert!(svg.contains(r#"width="100%""#) && svg.contains("viewBox=\"0 0 600 ") && svg.contains("preserveA"));
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
    }

    #[test]
    fn empty_data_says_so() {
        for chart in [
            bars("a", "A", &[], "leads"),
            timeline("b", "B", &[], &[("leads".to_string(), vec![])]),
            timeline("c", "C", &hours(3), &[]),
        ] {
            assert!(chart.svg.contains(">No data yet</text>"), "{}", chart.svg);
            assert!(chart.table.is_empty());
            assert_eq!(chart.summary(), "No data yet.");
            assert_finite(&chart);
        }
    }

    #[test]
    fn all_zero_values() {
        let chart = bars("z", "Z", &items(&[("a", 0.0), ("b", 0.0)]), "leads");
        assert_eq!(bar_widths(&chart.svg), vec![0.0, 0.0]);
        assert_eq!(chart.table, vec![("a".into(), "0 leads".into()), ("b".into(), "0 leads".into())]);
        assert_eq!(chart.summary(), "All values are 0.");
        assert_finite(&chart);
        let line = timeline("z", "Z", &hours(4), &[("leads".to_string(), vec![0.0; 4])]);
        assert_eq!(line.summary(), "All values are 0.");
        assert!(line.svg.contains(">1</text>"), "the axis goes up to 1");
        assert_finite(&line);
    }

    #[test]
    fn bar_widths_are_proportional() {
        let chart = bars("p", "P", &items(&[("a", 40.0), ("b", 10.0), ("c", 20.0)]), "");
        let w = bar_widths(&chart.svg);
        assert!(w.len() == 3 && w[0] > 100.0);
        assert!((w[0] / w[1] - 4.0).abs() < 0.05, "{w:?}");
        assert!((w[0] / w[2] - 2.0).abs() < 0.05, "{w:?}");
        assert!(w[0] + 180.0 < 600.0);
    }

    #[test]
    fn nice_max_cases() {
        let cases = [(0.0, 1.0), (0.4, 1.0), (1.0, 1.0), (3.0, 3.0), (7.0, 10.0), (10.0, 10.0), (11.0, 15.0)];
        let more = [(26.0, 30.0), (42.0, 50.0), (99.5, 100.0), (130.0, 150.0), (260.0, 300.0), (3500.0, 4000.0)];
        for (v, top) in cases.into_iter().chain(more).chain([(f64::NAN, 1.0), (-5.0, 1.0)]) {
            assert_eq!(nice_max(v), top, "nice_max({v})");
        }
        assert!(nice_max(f64::INFINITY).is_finite());
        for v in [0.0, 2.0, 7.0, 42.0, 130.0, 999.0, 12_345.0] {
            let (top, steps) = nice_scale(v);
            assert!((3..=5).contains(&steps));
            let step = top / f64::from(steps);
            assert_eq!(num(step).len(), format!("{step}").len(), "{top}/{steps} is round");
        }
    }

    #[test]
    fn timeline_thins_x_labels() {
        let labels = hours(24);
        let chart = timeline("t", "T", &labels, &[("leads".to_string(), vec![1.0; 24])]);
        let drawn: Vec<&String> = labels.iter().filter(|l| chart.svg.contains(&format!(">{l}</text>"))).collect();
        assert!(drawn.len() <= 8 && drawn.len() >= 6, "{drawn:?}");
        assert_eq!(drawn[0], "00:00");
        assert!(!chart.svg.contains(">01:00</text>"));
        assert_eq!(chart.table.len(), 24);
        let few = timeline("t", "T", &hours(5), &[("leads".to_string(), vec![1.0; 5])]);
        assert!(hours(5).iter().all(|l| few.svg.contains(&format!(">{l}</text>"))));
    }

    #[test]
    fn timeline_series_table_and_legend() {
        let series = vec![
            ("leads".to_string(), vec![4.0, 1.0]),
            ("interactions".to_string(), vec![9.0]),
            ("scans".to_string(), vec![2.0, 2.0]),
            ("ignored".to_string(), vec![100.0, 100.0]),
        ];
        let chart = timeline("s", "S", &["Mon 3".to_string(), "Tue 4".to_string()], &series);
        assert_eq!(chart.table[0], ("Mon 3".into(), "leads 4, interactions 9, scans 2".into()));
        assert_eq!(chart.table[1].1, "leads 1, interactions 0, scans 2");
        for class in ["chart-line\"", "chart-line-2", "chart-line-3", "chart-grid", "chart-axis", "chart-label"] {
            assert!(chart.svg.contains(class), "{class}");
        }
        assert!(chart.svg.contains(">interactions</text>") && !chart.svg.contains("ignored"));
        assert_eq!(chart.summary(), "Peak: Mon 3 with 4 leads; totals: 5 leads, 9 interactions, 4 scans.");
        assert_eq!(chart, timeline("s", "S", &["Mon 3".to_string(), "Tue 4".to_string()], &series));
        let grid = chart.svg.matches(r#"class="chart-grid""#).count();
        assert!((3..=5).contains(&grid), "{grid} gridlines");
    }

    #[test]
    fn no_nan_or_inf_anywhere() {
        let odd = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -3.0, -0.0, 1e300, 0.05];
        let bar_items: Vec<(String, f64)> = odd.iter().enumerate().map(|(i, v)| (format!("item {i}"), *v)).collect();
        let chart = bars("n", "N", &bar_items, "%");
        assert_finite(&chart);
        assert_eq!(chart.table[0].1, "0%");
        let line = timeline("n", "N", &hours(7), &[("x".to_string(), odd.to_vec()), (String::new(), vec![f64::NAN])]);
        assert_finite(&line);
        assert!(!bars("n", "N", &items(&[("one", 1e-9)]), "").svg.contains("NaN"));
    }

    #[test]
    fn summary_sentences() {
        let labels: Vec<String> = (10..16).map(|h| format!("{h}:00")).collect();
        let leads = vec![30.0, 60.0, 70.0, 40.0, 42.0, 68.0];
        let chart = timeline("leads", "Leads per hour", &labels, &[("leads".to_string(), leads)]);
        assert_eq!(chart.summary(), "Peak: 12:00 with 70 leads; total 310.");
        let peak = vec![30.0, 20.0, 40.0, 38.0, 42.0, 98.0];
        let chart = timeline("leads", "Leads", &labels[..5], &[("leads".to_string(), peak)]);
        assert_eq!(chart.summary(), "Peak: 14:00 with 42 leads; total 170.");
        assert_eq!(chart.table[4], ("14:00".into(), "leads 42".into()));
        let by_type = bars("types", "By type", &items(&[("Scan", 12.0), ("Demo", 30.0), ("Chat", 30.0)]), "leads");
        assert_eq!(by_type.summary(), "Highest: Demo with 30 leads; total 72.");
        let rates = bars("rates", "Rates", &items(&[("Opened", 62.5), ("Replied", 33.333)]), "%");
        assert_eq!(rates.summary(), "Highest: Opened with 62.5%.");
        assert_eq!(rates.table[1].1, "33.3%");
    }

    #[test]
    fn numbers_and_labels() {
        assert_eq!([num(3.0), num(2.5), num(33.333), num(-0.0), num(f64::NAN)], ["3", "2.5", "33.3", "0", "0"]);
        assert_eq!([with_unit(42.0, "%"), with_unit(7.0, "leads"), with_unit(7.0, "")], ["42%", "7 leads", "7"]);
        assert_eq!((clip("Enterprise security platform", 10), chart_id("")), ("Enterpris…".into(), "chart".into()));
        let long = bars("l", "L", &items(&[("A very long staff member name indeed", 1.0)]), "");
        assert!(long.svg.contains("A very long staff memb…"));
        assert_eq!(long.table[0].0, "A very long staff member name indeed");
    }
}
