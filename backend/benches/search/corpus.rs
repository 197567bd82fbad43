//! The benchmark's documents: the real records of `benches/corpus/` (ACL Anthology abstracts,
//! Debian package descriptions in English and Russian, data-portal records), then, past their
//! number, synthetic documents recombined from them (a title of one record, sentences of two
//! others of the same language), generated deterministically so every engine gets the same
//! documents without holding them all in memory.

use std::io::BufRead;
use std::path::Path;

/// One record as the engines see it.
#[derive(Debug, Clone)]
pub struct BenchDoc {
    pub id: String,
    pub title: String,
    pub body: String,
    /// `en` or `ru`.
    pub lang: &'static str,
    pub country: &'static str,
    pub year: i32,
    /// Index into the benchmark's organisations.
    pub organisation: usize,
    /// Open to everyone (9 in 10) or organisation-only.
    pub public: bool,
}

struct Record {
    title: String,
    sentences: Vec<String>,
    lang: &'static str,
}

/// The loaded records.
pub struct Corpus {
    records: Vec<Record>,
    english: Vec<usize>,
    russian: Vec<usize>,
}

/// splitmix64: a fixed, seedable sequence, so a document is the same in every phase.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn sentences(text: &str) -> Vec<String> {
    text.split_inclusive(['.', '!', '?'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn read_jsonl(path: &Path, mut each: impl FnMut(serde_json::Value)) {
    let file =
        std::fs::File::open(path).unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
    let reader = std::io::BufReader::new(flate2::read::GzDecoder::new(file));
    for line in reader.lines() {
        let line = line.unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        if let Ok(value) = serde_json::from_str(&line) {
            each(value);
        }
    }
}

impl Corpus {
    pub fn load(dir: &Path) -> Self {
        let mut records = Vec::new();
        let text =
            |v: &serde_json::Value, key: &str| v[key].as_str().unwrap_or_default().to_owned();
        read_jsonl(&dir.join("acl-abstracts.jsonl.gz"), |v| {
            records.push(Record {
                title: text(&v, "title"),
                sentences: sentences(&text(&v, "abstract")),
                lang: "en",
            })
        });
        for (file, lang) in [
            ("debian-descriptions-en.jsonl.gz", "en"),
            ("debian-descriptions-ru.jsonl.gz", "ru"),
        ] {
            read_jsonl(&dir.join(file), |v| {
                records.push(Record {
                    title: text(&v, "title"),
                    sentences: sentences(&text(&v, "body")),
                    lang,
                })
            });
        }
        read_jsonl(&dir.join("dataportals.jsonl.gz"), |v| {
            records.push(Record {
                title: text(&v, "name"),
                sentences: sentences(&text(&v, "description")),
                lang: "en",
            })
        });
        records.retain(|r| !r.title.trim().is_empty() && !r.sentences.is_empty());
        let english = (0..records.len())
            .filter(|&i| records[i].lang == "en")
            .collect();
        let russian = (0..records.len())
            .filter(|&i| records[i].lang == "ru")
            .collect();
        Self {
            records,
            english,
            russian,
        }
    }

    /// How many real records there are (documents past this are synthetic).
    pub fn real(&self) -> usize {
        self.records.len()
    }

    /// Document `i`: real for `i < real()`, a recombination after.
    pub fn doc(&self, i: usize) -> BenchDoc {
        let h = mix(i as u64);
        let (title, body, lang) = if i < self.records.len() {
            let r = &self.records[i];
            (r.title.clone(), r.sentences.join(" "), r.lang)
        } else {
            let first = &self.records[(h as usize) % self.records.len()];
            let pool = if first.lang == "ru" {
                &self.russian
            } else {
                &self.english
            };
            let a = &self.records[pool[(mix(h) as usize) % pool.len()]];
            let b = &self.records[pool[(mix(h ^ 1) as usize) % pool.len()]];
            let mut parts = Vec::new();
            for k in 0..a.sentences.len().max(b.sentences.len()) {
                parts.extend(a.sentences.get(k).cloned());
                parts.extend(b.sentences.get(k).cloned());
            }
            (first.title.clone(), parts.join(" "), first.lang)
        };
        let body: String = body.chars().take(9_000).collect();
        let title: String = title.chars().take(400).collect();
        BenchDoc {
            id: format!("bench-{i:08}"),
            title,
            body,
            lang,
            country: if h.is_multiple_of(2) { "UZ" } else { "AZ" },
            year: 2000 + ((h >> 8) % 26) as i32,
            organisation: ((h >> 16) % 10) as usize,
            public: !(h >> 24).is_multiple_of(10),
        }
    }
}
