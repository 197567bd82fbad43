//! Calibration: from a labelled set of templates (subject id + template), the genuine and
//! impostor score distributions, false-accept and false-reject rates at thresholds, the equal
//! error rate, and the threshold that keeps false accepts at or below a target. A partner's
//! threshold is then set from it (`PUT /api/v1/biometrics/partners/{id}/threshold`).

use std::io::BufRead;
use std::path::Path;

use serde::Deserialize;

use super::templates::{Template, TemplateData, TemplateInput};
use crate::config::BiometricsConfig;

/// One line of the input file (JSON Lines).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Labelled {
    subject_id: String,
    template: TemplateInput,
}

/// The result of an evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub templates: usize,
    pub genuine: Vec<f32>,
    pub impostor: Vec<f32>,
    /// Equal error rate and the threshold where FAR and FRR meet.
    pub eer: f64,
    pub eer_threshold: f32,
    /// The lowest threshold whose FAR is at or below the target, and its FRR.
    pub threshold_for_target: f32,
    pub frr_at_target: f64,
}

/// Share of impostor scores at or above `t` (sorted ascending input).
pub fn far(impostor: &[f32], t: f32) -> f64 {
    let below = impostor.partition_point(|s| *s < t);
    (impostor.len() - below) as f64 / impostor.len().max(1) as f64
}

/// Share of genuine scores below `t` (sorted ascending input).
pub fn frr(genuine: &[f32], t: f32) -> f64 {
    genuine.partition_point(|s| *s < t) as f64 / genuine.len().max(1) as f64
}

/// Scores every pair of templates of the same format; pairs of one subject are genuine.
pub fn evaluate(samples: &[(String, Template)], target_far: f64) -> Evaluation {
    let mut genuine = Vec::new();
    let mut impostor = Vec::new();
    for i in 0..samples.len() {
        for j in i + 1..samples.len() {
            let score = match (&samples[i].1.data, &samples[j].1.data) {
                (TemplateData::Float(a), TemplateData::Float(b)) => super::matching::dot(a, b),
                (
                    TemplateData::Binary { bits: a, mask: ma },
                    TemplateData::Binary { bits: b, mask: mb },
                ) => super::matching::hamming_similarity(a, ma.as_deref(), b, mb.as_deref()),
                _ => continue,
            };
            if samples[i].0 == samples[j].0 {
                genuine.push(score);
            } else {
                impostor.push(score);
            }
        }
    }
    genuine.sort_by(f32::total_cmp);
    impostor.sort_by(f32::total_cmp);
    let mut candidates: Vec<f32> = genuine.iter().chain(&impostor).copied().collect();
    candidates.sort_by(f32::total_cmp);
    candidates.dedup();
    candidates.push(f32::INFINITY);
    let (mut eer, mut eer_threshold) = (1.0f64, 0.0f32);
    let mut best_gap = f64::MAX;
    let mut threshold_for_target = f32::INFINITY;
    for &t in &candidates {
        let (a, r) = (far(&impostor, t), frr(&genuine, t));
        if (a - r).abs() < best_gap {
            best_gap = (a - r).abs();
            eer = (a + r) / 2.0;
            eer_threshold = t;
        }
        if a <= target_far && t < threshold_for_target {
            threshold_for_target = t;
        }
    }
    Evaluation {
        templates: samples.len(),
        frr_at_target: frr(&genuine, threshold_for_target),
        genuine,
        impostor,
        eer,
        eer_threshold,
        threshold_for_target,
    }
}

/// Reads a JSON Lines file of `{"subjectId", "template"}`.
pub fn read(path: &Path, config: &BiometricsConfig) -> anyhow::Result<Vec<(String, Template)>> {
    let file = std::fs::File::open(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let mut samples = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let labelled: Labelled =
            serde_json::from_str(&line).map_err(|e| anyhow::anyhow!("line {}: {e}", i + 1))?;
        let template = Template::parse(&labelled.template, config, "").map_err(|e| {
            let reasons: Vec<String> = e
                .errors
                .iter()
                .map(|f| format!("{} {}", f.field, f.code))
                .collect();
            anyhow::anyhow!("line {}: {}", i + 1, reasons.join(", "))
        })?;
        samples.push((labelled.subject_id, template));
    }
    Ok(samples)
}

/// The report the CLI prints.
pub fn render(evaluation: &Evaluation, target_far: f64) -> String {
    let histogram = |scores: &[f32]| -> String {
        let mut bins = [0usize; 10];
        for s in scores {
            bins[((s.clamp(0.0, 0.9999)) * 10.0) as usize] += 1;
        }
        bins.iter()
            .enumerate()
            .map(|(i, n)| format!("  {:.1}–{:.1} {n}", i as f32 / 10.0, (i + 1) as f32 / 10.0))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mean = |s: &[f32]| s.iter().map(|v| f64::from(*v)).sum::<f64>() / s.len().max(1) as f64;
    let mut out = format!(
        "templates: {}; genuine pairs: {} (mean {:.3}); impostor pairs: {} (mean {:.3})\n\ngenuine scores:\n{}\nimpostor scores:\n{}\n\nthreshold   FAR        FRR\n",
        evaluation.templates,
        evaluation.genuine.len(),
        mean(&evaluation.genuine),
        evaluation.impostor.len(),
        mean(&evaluation.impostor),
        histogram(&evaluation.genuine),
        histogram(&evaluation.impostor),
    );
    for step in 0..=20 {
        let t = step as f32 * 0.05;
        out.push_str(&format!(
            "{t:<11.2} {:<10.6} {:.6}\n",
            far(&evaluation.impostor, t),
            frr(&evaluation.genuine, t)
        ));
    }
    out.push_str(&format!(
        "\nEER: {:.4} at threshold {:.4}\nthreshold for FAR ≤ {target_far}: {:.4} (FRR there: {:.4})\n",
        evaluation.eer, evaluation.eer_threshold, evaluation.threshold_for_target, evaluation.frr_at_target
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::super::synthetic::float_capture;
    use super::super::templates::Format;
    use super::*;

    fn sample(subject: u64, capture: u64) -> (String, Template) {
        (
            format!("s{subject}"),
            Template {
                format: Format::Float32,
                dimension: 64,
                vendor: "synthetic".into(),
                quality: 90,
                data: TemplateData::Float(float_capture(subject, capture, 64, 0.5)),
            },
        )
    }

    #[test]
    fn synthetic_genuine_and_impostor_scores_separate_and_the_target_far_holds() {
        let samples: Vec<_> = (0..30)
            .flat_map(|s| (0..4).map(move |c| sample(s, c)))
            .collect();
        let evaluation = evaluate(&samples, 0.001);
        assert_eq!(evaluation.genuine.len(), 30 * 6);
        assert_eq!(evaluation.impostor.len(), 120 * 119 / 2 - 180);
        assert!(evaluation.eer < 0.05, "{evaluation:?}");
        assert!(far(&evaluation.impostor, evaluation.threshold_for_target) <= 0.001);
        let report = render(&evaluation, 0.001);
        assert!(report.contains("EER:"), "{report}");
    }
}
