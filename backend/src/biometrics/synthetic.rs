//! Synthetic templates for tests, benchmarks and the calibration example — generated, never
//! from a person: each subject is a random unit vector (or random bit code), and each
//! capture of it adds noise, as repeated scans of one palm differ.

/// A small deterministic generator (SplitMix64), so a seed always gives the same templates.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f32 {
        let u = self.unit().max(1e-7);
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f32::consts::TAU * v).cos()
    }
}

fn normalise(mut values: Vec<f32>) -> Vec<f32> {
    let norm = values
        .iter()
        .map(|v| v * v)
        .sum::<f32>()
        .sqrt()
        .max(f32::MIN_POSITIVE);
    values.iter_mut().for_each(|v| *v /= norm);
    values
}

/// Subject `subject`'s capture `capture` as a unit float vector; `noise` 0 is the subject's
/// ideal template; genuine cosine scores are about 1 / (1 + noise²): 0.3 gives ~0.92.
pub fn float_capture(subject: u64, capture: u64, dimension: usize, noise: f32) -> Vec<f32> {
    let mut base = Rng::new(subject);
    let mut jitter = Rng::new(subject.wrapping_mul(1_000_003).wrapping_add(capture + 1));
    let scale = noise / (dimension as f32).sqrt();
    normalise(
        (0..dimension)
            .map(|_| base.normal() / (dimension as f32).sqrt() + jitter.normal() * scale)
            .collect(),
    )
}

/// Subject `subject`'s capture as a bit code with `flip` of its bits flipped at random.
pub fn binary_capture(subject: u64, capture: u64, bits: usize, flip: f32) -> Vec<u8> {
    let mut base = Rng::new(subject);
    let mut jitter = Rng::new(subject.wrapping_mul(1_000_003).wrapping_add(capture + 1));
    (0..bits / 8)
        .map(|_| {
            let mut byte = base.next_u64() as u8;
            for bit in 0..8 {
                if jitter.unit() < flip {
                    byte ^= 1 << bit;
                }
            }
            byte
        })
        .collect()
}
