//! The in-memory gallery for 1:N identification: every enrolled template, decrypted, in one
//! contiguous array per format, scanned exactly (no approximation) with the SIMD kernels. The
//! values are zeroised when the gallery drops them (on erasure, on removal, at shutdown).

use std::collections::HashMap;
use std::sync::RwLock;

use zeroize::Zeroize;

use super::matching::{TopK, dot, hamming_similarity};
use super::templates::TemplateData;

/// Galleries with at least this many rows per available core are scanned in parallel.
const PARALLEL_ROWS: usize = 50_000;

/// Who a gallery row belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub template_id: String,
    partner: u32,
    pub subject: String,
}

/// One identification candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub partner_id: String,
    pub subject: String,
    pub score: f32,
}

#[derive(Default)]
struct Rows {
    /// Float: `width` f32 per row. Binary: `width` bytes per row, masks beside them.
    floats: Vec<f32>,
    bits: Vec<u8>,
    masks: Vec<u8>,
    /// Binary: whether the row has a mask (unmasked pairs take the fast kernel).
    masked: Vec<bool>,
    entries: Vec<Entry>,
}

impl Rows {
    fn swap_remove(&mut self, row: usize, width: usize) {
        let last = self.entries.len() - 1;
        if !self.floats.is_empty() {
            self.floats
                .copy_within(last * width..(last + 1) * width, row * width);
            self.floats[last * width..].zeroize();
            self.floats.truncate(last * width);
        }
        if !self.bits.is_empty() {
            self.bits
                .copy_within(last * width..(last + 1) * width, row * width);
            self.masks
                .copy_within(last * width..(last + 1) * width, row * width);
            self.bits[last * width..].zeroize();
            self.masks[last * width..].zeroize();
            self.bits.truncate(last * width);
            self.masks.truncate(last * width);
            self.masked.swap_remove(row);
        }
        self.entries.swap_remove(row);
    }
}

impl Drop for Rows {
    fn drop(&mut self) {
        self.floats.zeroize();
        self.bits.zeroize();
        self.masks.zeroize();
    }
}

#[derive(Default)]
struct Inner {
    float: Rows,
    binary: Rows,
    partners: Vec<String>,
    partner_index: HashMap<String, u32>,
}

/// See the module docs.
pub struct Gallery {
    float_width: usize,
    binary_width: usize,
    inner: RwLock<Inner>,
}

impl Gallery {
    pub fn new(float_dimension: u32, binary_bits: u32) -> Self {
        Self {
            float_width: float_dimension as usize,
            binary_width: binary_bits as usize / 8,
            inner: RwLock::new(Inner::default()),
        }
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a template (already checked for its format's width).
    pub fn insert(&self, template_id: &str, partner_id: &str, subject: &str, data: &TemplateData) {
        let mut inner = self.write();
        let partner = match inner.partner_index.get(partner_id) {
            Some(index) => *index,
            None => {
                let index = inner.partners.len() as u32;
                inner.partners.push(partner_id.to_owned());
                inner.partner_index.insert(partner_id.to_owned(), index);
                index
            }
        };
        let entry = Entry {
            template_id: template_id.to_owned(),
            partner,
            subject: subject.to_owned(),
        };
        match data {
            TemplateData::Float(values) if values.len() == self.float_width => {
                inner.float.floats.extend_from_slice(values);
                inner.float.entries.push(entry);
            }
            TemplateData::Binary { bits, mask } if bits.len() == self.binary_width => {
                inner.binary.bits.extend_from_slice(bits);
                match mask {
                    Some(mask) => inner.binary.masks.extend_from_slice(mask),
                    None => inner
                        .binary
                        .masks
                        .extend(std::iter::repeat_n(u8::MAX, self.binary_width)),
                }
                inner.binary.masked.push(mask.is_some());
                inner.binary.entries.push(entry);
            }
            _ => tracing::error!(template_id, "template of a width the gallery does not hold"),
        }
    }

    /// Removes (and zeroises) every template of a partner's subject; returns how many.
    pub fn remove_subject(&self, partner_id: &str, subject: &str) -> usize {
        let mut inner = self.write();
        let Some(partner) = inner.partner_index.get(partner_id).copied() else {
            return 0;
        };
        let mut removed = 0;
        let Inner { float, binary, .. } = &mut *inner;
        for (rows, width) in [(float, self.float_width), (binary, self.binary_width)] {
            let mut row = 0;
            while row < rows.entries.len() {
                let entry = &rows.entries[row];
                if entry.partner == partner && entry.subject == subject {
                    rows.swap_remove(row, width);
                    removed += 1;
                } else {
                    row += 1;
                }
            }
        }
        removed
    }

    /// How many templates a partner's subject has here (for erasure checks).
    pub fn count_subject(&self, partner_id: &str, subject: &str) -> usize {
        let inner = self.read();
        let Some(partner) = inner.partner_index.get(partner_id).copied() else {
            return 0;
        };
        inner
            .float
            .entries
            .iter()
            .chain(&inner.binary.entries)
            .filter(|e| e.partner == partner && e.subject == subject)
            .count()
    }

    /// Templates held.
    pub fn len(&self) -> usize {
        let inner = self.read();
        inner.float.entries.len() + inner.binary.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The best `max_results` subjects of the partners in `allowed` scoring at least `floor`,
    /// by exact scan. One template per subject counts (its best).
    pub fn identify(
        &self,
        probe: &TemplateData,
        allowed: &[String],
        max_results: usize,
        floor: f32,
    ) -> Vec<Candidate> {
        let inner = self.read();
        let mut allowed_index = vec![false; inner.partners.len()];
        for partner in allowed {
            if let Some(i) = inner.partner_index.get(partner) {
                allowed_index[*i as usize] = true;
            }
        }
        // Rows, not subjects, are ranked: take a few spare rows so that subjects with several
        // templates near the top still leave `max_results` distinct subjects.
        let keep = max_results * 3;
        let (rows, width) = match probe {
            TemplateData::Float(_) => (&inner.float, self.float_width),
            TemplateData::Binary { .. } => (&inner.binary, self.binary_width),
        };
        let scan = |range: std::ops::Range<usize>| -> TopK {
            let mut top = TopK::new(keep, floor);
            match probe {
                TemplateData::Float(values) => {
                    for row in range {
                        if allowed_index[rows.entries[row].partner as usize] {
                            top.offer(
                                dot(values, &rows.floats[row * width..(row + 1) * width]),
                                row,
                            );
                        }
                    }
                }
                TemplateData::Binary { bits, mask } => {
                    for row in range {
                        if allowed_index[rows.entries[row].partner as usize] {
                            let span = row * width..(row + 1) * width;
                            let row_mask = rows.masked[row].then(|| &rows.masks[span.clone()]);
                            top.offer(
                                hamming_similarity(
                                    bits,
                                    mask.as_deref(),
                                    &rows.bits[span],
                                    row_mask,
                                ),
                                row,
                            );
                        }
                    }
                }
            }
            top
        };
        // Large galleries are scanned in slices on every core (scoped threads borrow the
        // read-locked rows); each keeps its own top-k, merged at the end.
        let n = rows.entries.len();
        let threads = std::thread::available_parallelism()
            .map_or(1, |t| t.get())
            .min(n / PARALLEL_ROWS)
            .max(1);
        let top = if threads == 1 {
            scan(0..n)
        } else {
            let slice = n.div_ceil(threads);
            let parts: Vec<TopK> = std::thread::scope(|scope| {
                let handles: Vec<_> = (0..threads)
                    .map(|t| {
                        let scan = &scan;
                        scope.spawn(move || scan(t * slice..((t + 1) * slice).min(n)))
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|_| TopK::new(keep, floor)))
                    .collect()
            });
            let mut merged = TopK::new(keep, floor);
            for (score, row) in parts.into_iter().flat_map(TopK::into_sorted) {
                merged.offer(score, row);
            }
            merged
        };
        let mut seen = std::collections::HashSet::new();
        top.into_sorted()
            .into_iter()
            .filter_map(|(score, row)| {
                let entry = &rows.entries[row];
                seen.insert((entry.partner, entry.subject.as_str()))
                    .then(|| Candidate {
                        partner_id: inner.partners[entry.partner as usize].clone(),
                        subject: entry.subject.clone(),
                        score,
                    })
            })
            .take(max_results)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(values: &[f32]) -> TemplateData {
        let norm = values.iter().map(|v| v * v).sum::<f32>().sqrt();
        TemplateData::Float(values.iter().map(|v| v / norm).collect())
    }

    #[test]
    fn identify_ranks_by_score_and_sees_only_allowed_partners() {
        let gallery = Gallery::new(3, 64);
        gallery.insert("t1", "bank", "alice", &unit(&[1.0, 0.0, 0.0]));
        gallery.insert("t2", "bank", "bob", &unit(&[0.0, 1.0, 0.0]));
        gallery.insert("t3", "clinic", "carol", &unit(&[0.9, 0.1, 0.0]));
        gallery.insert("t4", "bank", "alice", &unit(&[0.95, 0.05, 0.0]));
        let probe = unit(&[1.0, 0.02, 0.0]);
        let bank = gallery.identify(&probe, &["bank".into()], 5, 0.5);
        let names: Vec<&str> = bank.iter().map(|c| c.subject.as_str()).collect();
        assert_eq!(
            names,
            ["alice"],
            "alice once (her best template); bob below the floor"
        );
        let both = gallery.identify(&probe, &["bank".into(), "clinic".into()], 5, 0.5);
        assert_eq!(both.len(), 2);
        assert_eq!(gallery.remove_subject("bank", "alice"), 2);
        assert_eq!(gallery.count_subject("bank", "alice"), 0);
        assert_eq!(gallery.len(), 2);
        // The rows moved by removal still answer for their own subjects.
        let bob = gallery.identify(&unit(&[0.0, 1.0, 0.0]), &["bank".into()], 1, 0.9);
        assert_eq!(bob[0].subject, "bob");
    }
}
