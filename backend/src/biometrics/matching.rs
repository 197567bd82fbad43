//! Comparison kernels. Float templates are unit vectors, so cosine similarity is their dot
//! product; binary codes score 1 − (differing valid bits / valid bits). The SIMD kernels are
//! SimSIMD's (runtime dispatch to the CPU's widest instructions), which keeps this crate free
//! of `unsafe`.

use simsimd::{BinarySimilarity, SpatialSimilarity};

/// Dot product of two equal-length vectors (cosine similarity of unit vectors), by SimSIMD,
/// which picks AVX2, AVX-512 or NEON kernels for the CPU it runs on.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    <f32 as SpatialSimilarity>::dot(a, b).unwrap_or(0.0) as f32
}

/// Similarity of two binary codes under their masks (`None` = every bit valid):
/// 1 − differing valid bits / valid bits. Unmasked pairs use SimSIMD's population count.
pub fn hamming_similarity(a: &[u8], a_mask: Option<&[u8]>, b: &[u8], b_mask: Option<&[u8]>) -> f32 {
    if a_mask.is_none() && b_mask.is_none() {
        let differing = <u8 as BinarySimilarity>::hamming(a, b).unwrap_or(f64::MAX);
        return (1.0 - differing / (a.len().max(1) * 8) as f64).max(0.0) as f32;
    }
    let word = |bytes: Option<&[u8]>, i: usize| -> u64 {
        bytes.map_or(u64::MAX, |m| {
            u64::from_le_bytes(m[i..i + 8].try_into().unwrap_or([0; 8]))
        })
    };
    let (mut differing, mut valid) = (0u32, 0u32);
    for i in (0..a.len().min(b.len()) / 8 * 8).step_by(8) {
        let mask = word(a_mask, i) & word(b_mask, i);
        differing += ((word(Some(a), i) ^ word(Some(b), i)) & mask).count_ones();
        valid += mask.count_ones();
    }
    if valid == 0 {
        0.0
    } else {
        1.0 - differing as f32 / valid as f32
    }
}

/// The `k` best (score, index) pairs at or above `floor`, best first.
#[derive(Debug)]
pub struct TopK {
    k: usize,
    floor: f32,
    items: Vec<(f32, usize)>,
}

impl TopK {
    pub fn new(k: usize, floor: f32) -> Self {
        Self {
            k: k.max(1),
            floor,
            items: Vec::with_capacity(k + 1),
        }
    }

    /// The score a candidate must beat to enter.
    #[inline]
    pub fn bar(&self) -> f32 {
        if self.items.len() < self.k {
            self.floor
        } else {
            self.items[self.items.len() - 1].0
        }
    }

    #[inline]
    pub fn offer(&mut self, score: f32, index: usize) {
        if score < self.floor || (self.items.len() == self.k && score <= self.bar()) {
            return;
        }
        let at = self.items.partition_point(|(s, _)| *s >= score);
        self.items.insert(at, (score, index));
        self.items.truncate(self.k);
    }

    pub fn into_sorted(self) -> Vec<(f32, usize)> {
        self.items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_simd_dot_product_is_the_exact_one() {
        let a: Vec<f32> = (0..517)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 50.0)
            .collect();
        let b: Vec<f32> = (0..517)
            .map(|i| ((i * 53 % 97) as f32 - 48.0) / 48.0)
            .collect();
        let exact: f64 = a
            .iter()
            .zip(&b)
            .map(|(x, y)| f64::from(*x) * f64::from(*y))
            .sum();
        assert!((f64::from(dot(&a, &b)) - exact).abs() < 1e-3);
    }

    #[test]
    fn hamming_counts_only_bits_valid_in_both_masks() {
        let a = [0b1111u8, 0, 0, 0, 0, 0, 0, 0];
        let b = [0b0101u8, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(hamming_similarity(&a, None, &a, None), 1.0);
        // 64 valid bits, 2 differ.
        assert!((hamming_similarity(&a, None, &b, None) - (1.0 - 2.0 / 64.0)).abs() < 1e-6);
        // Only the low 2 bits valid: 1 of 2 differs.
        let low = [0b11u8, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(hamming_similarity(&a, Some(&low), &b, None), 0.5);
        assert_eq!(hamming_similarity(&a, Some(&[0; 8]), &b, None), 0.0);
    }

    #[test]
    fn top_k_keeps_the_best_above_the_floor_in_order() {
        let mut top = TopK::new(3, 0.5);
        for (i, s) in [0.4, 0.9, 0.6, 0.95, 0.7, 0.55].into_iter().enumerate() {
            top.offer(s, i);
        }
        assert_eq!(top.into_sorted(), vec![(0.95, 3), (0.9, 1), (0.7, 4)]);
    }
}
