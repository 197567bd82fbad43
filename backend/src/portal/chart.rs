//! Small bar charts of a preview's numeric columns, drawn on the server as SVG: no script, no
//! inline style (the stylesheet colours them), readable by screen readers through the
//! chart's title and each bar's own.

use crate::datasets::preview::{ColumnType, Preview};

/// Width and height of the drawing area, in SVG user units.
const WIDTH: f64 = 320.0;
const HEIGHT: f64 = 120.0;
/// Room kept above and below the bars.
const PAD: f64 = 4.0;
/// Numeric columns charted per preview.
const MAX_CHARTS: usize = 2;

/// One bar: its rectangle and what it says.
pub struct Bar {
    pub x: String,
    pub y: String,
    pub width: String,
    pub height: String,
    pub label: String,
}

/// One column's chart.
pub struct Chart {
    /// The element id of its title, unique in the page (`chart-<resource>-<column>`).
    pub id: String,
    pub column: String,
    pub bars: Vec<Bar>,
    /// Vertical position of the zero line.
    pub baseline: String,
    pub min: String,
    pub max: String,
    pub width: f64,
    pub height: f64,
}

fn unit(value: f64) -> String {
    format!("{value:.1}")
}

/// The charts of `preview`'s numeric columns (at most two), each over the rows shown;
/// a column with fewer than two numbers is not charted. `key` tells the page's previews apart.
pub fn charts(key: usize, preview: &Preview) -> Vec<Chart> {
    preview
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| matches!(c.column_type, ColumnType::Integer | ColumnType::Number))
        .filter(|(index, c)| !is_identifier(&c.name, preview, *index))
        .filter_map(|(index, column)| {
            let values: Vec<(String, f64)> = preview
                .rows
                .iter()
                .enumerate()
                .filter_map(|(row, cells)| {
                    let value = cells.get(index)?.trim().parse::<f64>().ok()?;
                    value.is_finite().then_some(((row + 1).to_string(), value))
                })
                .collect();
            chart(format!("chart-{key}-{index}"), &column.name, &values)
        })
        .take(MAX_CHARTS)
        .collect()
}

/// Whether a numeric column names things rather than measures them: called an id or a code,
/// or written with leading zeros (`001`), which no quantity is.
fn is_identifier(name: &str, preview: &Preview, index: usize) -> bool {
    let name = name.trim().to_lowercase();
    let named = ["id", "code", "no", "number"].contains(&name.as_str())
        || name.ends_with("_id")
        || name.ends_with("_code");
    named
        || preview.rows.iter().any(|row| {
            row.get(index).is_some_and(|v| {
                let v = v.trim().trim_start_matches('-');
                v.len() > 1 && v.starts_with('0') && !v.starts_with("0.")
            })
        })
}

/// A chart of labelled values (`label: value` is each bar's text), at least two of them.
pub fn chart(id: String, column: &str, values: &[(String, f64)]) -> Option<Chart> {
    if values.len() < 2 {
        return None;
    }
    let min = values.iter().map(|v| v.1).fold(f64::INFINITY, f64::min);
    let max = values.iter().map(|v| v.1).fold(f64::NEG_INFINITY, f64::max);
    // Bars grow from zero, so the scale always includes it.
    let low = min.min(0.0);
    let high = max.max(0.0);
    let span = if high > low { high - low } else { 1.0 };
    let scale = (HEIGHT - 2.0 * PAD) / span;
    let zero = PAD + (high - 0.0) * scale;
    let slot = WIDTH / values.len() as f64;
    let bars = values
        .iter()
        .enumerate()
        .map(|(i, (label, value))| {
            let top = PAD + (high - value.max(0.0)) * scale;
            let bottom = PAD + (high - value.min(0.0)) * scale;
            Bar {
                x: unit(i as f64 * slot + slot * 0.1),
                y: unit(top),
                width: unit(slot * 0.8),
                // A zero still shows as a hairline, so every row has a bar to point at.
                height: unit((bottom - top).max(0.5)),
                label: format!("{label}: {value}"),
            }
        })
        .collect();
    Some(Chart {
        id,
        column: column.to_owned(),
        bars,
        baseline: unit(zero),
        min: min.to_string(),
        max: max.to_string(),
        width: WIDTH,
        height: HEIGHT,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datasets::preview::PreviewColumn;

    fn preview(rows: &[[&str; 2]]) -> Preview {
        Preview {
            format: "csv".into(),
            columns: vec![
                PreviewColumn {
                    name: "region".into(),
                    column_type: ColumnType::String,
                },
                PreviewColumn {
                    name: "people".into(),
                    column_type: ColumnType::Integer,
                },
            ],
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
                .collect(),
            row_count: rows.len() as u64,
            truncated: false,
        }
    }

    #[test]
    fn numeric_columns_get_one_bar_per_number_scaled_to_the_largest() {
        let charts = charts(
            0,
            &preview(&[["a", "10"], ["b", "40"], ["c", ""], ["d", "20"]]),
        );
        assert_eq!(charts.len(), 1);
        let chart = &charts[0];
        assert_eq!(chart.column, "people");
        assert_eq!(chart.bars.len(), 3, "the empty cell has no bar");
        let heights: Vec<f64> = chart
            .bars
            .iter()
            .map(|b| b.height.parse().unwrap_or_default())
            .collect();
        assert!(
            (heights[1] - (HEIGHT - 2.0 * PAD)).abs() < 0.2,
            "{heights:?}"
        );
        assert!((heights[0] * 4.0 - heights[1]).abs() < 0.5, "{heights:?}");
        assert_eq!(chart.bars[2].label, "4: 20");
    }

    #[test]
    fn negative_values_hang_below_the_zero_line() {
        let chart = &charts(0, &preview(&[["a", "-5"], ["b", "5"]]))[0];
        let baseline: f64 = chart.baseline.parse().unwrap_or_default();
        let first_top: f64 = chart.bars[0].y.parse().unwrap_or_default();
        assert!((first_top - baseline).abs() < 0.1);
        assert!((baseline - HEIGHT / 2.0).abs() < 0.1);
    }

    #[test]
    fn a_single_number_or_text_column_is_not_charted() {
        assert!(charts(0, &preview(&[["a", "1"]])).is_empty());
    }

    #[test]
    fn codes_and_ids_are_not_quantities() {
        assert!(charts(0, &preview(&[["a", "001"], ["b", "002"]])).is_empty());
        let mut ids = preview(&[["a", "1"], ["b", "2"]]);
        ids.columns[1].name = "region_id".into();
        assert!(charts(0, &ids).is_empty());
    }
}
