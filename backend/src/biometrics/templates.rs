//! Template formats: (a) fixed-length float feature vectors compared by cosine similarity,
//! (b) fixed-length binary codes, with an optional validity mask, compared by normalised
//! Hamming distance. A template arrives base64-encoded with its format, dimension, vendor and
//! quality; anything that does not fit the configured formats is refused with a code.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use utoipa::ToSchema;
use zeroize::Zeroize;

use crate::config::BiometricsConfig;
use crate::error::{ApiError, ApiResult, FieldError};

/// The two formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Float32,
    Binary,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Float32 => "float32",
            Self::Binary => "binary",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "float32" => Some(Self::Float32),
            "binary" => Some(Self::Binary),
            _ => None,
        }
    }
}

/// A template as a device sends it.
#[derive(Debug, Clone, Deserialize, ToSchema, async_graphql::InputObject)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[graphql(name = "BiometricTemplateInput")]
pub struct TemplateInput {
    /// `float32` (little-endian IEEE 754, `dimension` values) or `binary` (`dimension` bits,
    /// most significant bit first).
    pub format: String,
    pub dimension: u32,
    /// The capture device or vendor.
    pub vendor: String,
    /// 0–100, as the device reports it.
    pub quality: u32,
    /// Base64 of the template bytes.
    pub data: String,
    /// Binary codes only: base64 of a bit mask of the same length (1 = valid bit).
    pub mask: Option<String>,
}

/// A decoded template; its values are zeroised when it is dropped.
#[derive(Debug, Clone, PartialEq)]
pub enum TemplateData {
    /// Unit-length (normalised on intake), so cosine similarity is a dot product.
    Float(Vec<f32>),
    /// Bits in byte order, most significant bit first within each byte.
    Binary {
        bits: Vec<u8>,
        mask: Option<Vec<u8>>,
    },
}

impl Drop for TemplateData {
    fn drop(&mut self) {
        match self {
            Self::Float(values) => values.zeroize(),
            Self::Binary { bits, mask } => {
                bits.zeroize();
                if let Some(mask) = mask {
                    mask.zeroize();
                }
            }
        }
    }
}

/// A checked template.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub format: Format,
    pub dimension: u32,
    pub vendor: String,
    pub quality: u32,
    pub data: TemplateData,
}

fn field(field: &str, code: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(field, code, message)
}

fn decode(field_name: &str, text: &str) -> Result<Vec<u8>, FieldError> {
    STANDARD
        .decode(text.trim())
        .map_err(|_| field(field_name, "not_base64", "not base64"))
}

impl Template {
    /// Checks a template (or probe) against the configured formats; every problem is one
    /// field error with a code (`unknown_format`, `wrong_dimension`, `low_quality`, …).
    pub fn parse(
        input: &TemplateInput,
        config: &BiometricsConfig,
        prefix: &str,
    ) -> ApiResult<Self> {
        let at = |name: &str| format!("{prefix}{name}");
        let mut errors = Vec::new();
        let format = Format::parse(&input.format);
        if format.is_none() {
            errors.push(field(
                &at("format"),
                "unknown_format",
                "`float32` or `binary`",
            ));
        }
        let expected = match format {
            Some(Format::Float32) => config.float_dimension,
            Some(Format::Binary) => config.binary_bits,
            None => input.dimension,
        };
        if input.dimension != expected {
            errors.push(field(
                &at("dimension"),
                "wrong_dimension",
                format!("this format has dimension {expected}"),
            ));
        }
        if input.quality > 100 {
            errors.push(field(&at("quality"), "out_of_range", "0 to 100"));
        } else if input.quality < config.quality_floor {
            errors.push(field(
                &at("quality"),
                "low_quality",
                format!("below the quality floor of {}", config.quality_floor),
            ));
        }
        if input.vendor.trim().is_empty() || input.vendor.len() > 100 {
            errors.push(field(&at("vendor"), "required", "1 to 100 characters"));
        }
        let data = match (format, errors.is_empty()) {
            (Some(format), true) => match Self::data(format, expected, input, &at) {
                Ok(data) => Some(data),
                Err(error) => {
                    errors.push(error);
                    None
                }
            },
            _ => None,
        };
        match (format, data) {
            (Some(format), Some(data)) if errors.is_empty() => Ok(Self {
                format,
                dimension: expected,
                vendor: input.vendor.trim().to_owned(),
                quality: input.quality,
                data,
            }),
            _ => Err(ApiError::validation(errors)),
        }
    }

    fn data(
        format: Format,
        dimension: u32,
        input: &TemplateInput,
        at: &dyn Fn(&str) -> String,
    ) -> Result<TemplateData, FieldError> {
        let mut bytes = decode(&at("data"), &input.data)?;
        let result = match format {
            Format::Float32 => {
                if bytes.len() != dimension as usize * 4 {
                    Err(field(
                        &at("data"),
                        "wrong_dimension",
                        format!("{dimension} float32 values are {} bytes", dimension * 4),
                    ))
                } else {
                    let mut values: Vec<f32> = bytes
                        .chunks_exact(4)
                        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                        .collect();
                    let norm = values.iter().map(|v| v * v).sum::<f32>().sqrt();
                    if !norm.is_finite() || norm == 0.0 {
                        values.zeroize();
                        Err(field(&at("data"), "degenerate", "all zero or not finite"))
                    } else {
                        values.iter_mut().for_each(|v| *v /= norm);
                        Ok(TemplateData::Float(values))
                    }
                }
            }
            Format::Binary => {
                let expected = dimension as usize / 8;
                if bytes.len() != expected {
                    Err(field(
                        &at("data"),
                        "wrong_dimension",
                        format!("{dimension} bits are {expected} bytes"),
                    ))
                } else {
                    let mask = match &input.mask {
                        None => Ok(None),
                        Some(text) => {
                            let mut mask = decode(&at("mask"), text)?;
                            let parsed = if mask.len() != expected {
                                Err(field(&at("mask"), "wrong_dimension", "as long as the code"))
                            } else {
                                Ok(Some(mask.clone()))
                            };
                            mask.zeroize();
                            parsed
                        }
                    };
                    mask.map(|mask| TemplateData::Binary {
                        bits: bytes.clone(),
                        mask,
                    })
                }
            }
        };
        bytes.zeroize();
        result
    }

    /// The bytes that are encrypted: the values only (format and dimension are in the row,
    /// bound to the ciphertext as associated data).
    pub fn to_bytes(&self) -> zeroize::Zeroizing<Vec<u8>> {
        let mut out = zeroize::Zeroizing::new(Vec::new());
        match &self.data {
            TemplateData::Float(values) => {
                for v in values {
                    out.extend_from_slice(&v.to_le_bytes());
                }
            }
            TemplateData::Binary { bits, mask } => {
                out.push(u8::from(mask.is_some()));
                out.extend_from_slice(bits);
                if let Some(mask) = mask {
                    out.extend_from_slice(mask);
                }
            }
        }
        out
    }

    /// Rebuilds the values from decrypted bytes.
    pub fn data_from_bytes(format: Format, dimension: u32, bytes: &[u8]) -> Option<TemplateData> {
        match format {
            Format::Float32 => (bytes.len() == dimension as usize * 4).then(|| {
                TemplateData::Float(
                    bytes
                        .chunks_exact(4)
                        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                        .collect(),
                )
            }),
            Format::Binary => {
                let width = dimension as usize / 8;
                let (flag, rest) = bytes.split_first()?;
                match (*flag, rest.len()) {
                    (0, n) if n == width => Some(TemplateData::Binary {
                        bits: rest.to_vec(),
                        mask: None,
                    }),
                    (1, n) if n == width * 2 => Some(TemplateData::Binary {
                        bits: rest[..width].to_vec(),
                        mask: Some(rest[width..].to_vec()),
                    }),
                    _ => None,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> BiometricsConfig {
        BiometricsConfig {
            float_dimension: 4,
            binary_bits: 128,
            ..BiometricsConfig::default()
        }
    }

    fn float_input(values: &[f32], quality: u32) -> TemplateInput {
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        TemplateInput {
            format: "float32".into(),
            dimension: values.len() as u32,
            vendor: "synthetic".into(),
            quality,
            data: STANDARD.encode(bytes),
            mask: None,
        }
    }

    #[test]
    fn float_templates_are_normalised_and_round_trip() {
        let template =
            Template::parse(&float_input(&[3.0, 0.0, 4.0, 0.0], 90), &config(), "").unwrap();
        assert_eq!(template.data, TemplateData::Float(vec![0.6, 0.0, 0.8, 0.0]));
        let bytes = template.to_bytes();
        assert_eq!(
            Template::data_from_bytes(Format::Float32, 4, &bytes),
            Some(template.data.clone())
        );
    }

    #[test]
    fn wrong_dimension_unknown_format_and_low_quality_are_refused_with_codes() {
        let codes = |input: TemplateInput| -> Vec<String> {
            Template::parse(&input, &config(), "probe/")
                .unwrap_err()
                .errors
                .into_iter()
                .map(|e| format!("{}:{}", e.field, e.code))
                .collect()
        };
        assert_eq!(
            codes(float_input(&[1.0, 2.0, 3.0], 90)),
            ["probe/dimension:wrong_dimension"]
        );
        assert_eq!(
            codes(float_input(&[1.0, 2.0, 3.0, 4.0], 10)),
            ["probe/quality:low_quality"]
        );
        assert_eq!(codes(float_input(&[0.0; 4], 90)), ["probe/data:degenerate"]);
        let mut unknown = float_input(&[1.0; 4], 90);
        unknown.format = "minutiae".into();
        assert_eq!(codes(unknown)[0], "probe/format:unknown_format");
    }

    #[test]
    fn binary_codes_carry_their_mask() {
        let input = TemplateInput {
            format: "binary".into(),
            dimension: 128,
            vendor: "synthetic".into(),
            quality: 70,
            data: STANDARD.encode([0xAAu8; 16]),
            mask: Some(STANDARD.encode([0xFFu8; 16])),
        };
        let template = Template::parse(&input, &config(), "").unwrap();
        let bytes = template.to_bytes();
        assert_eq!(
            Template::data_from_bytes(Format::Binary, 128, &bytes),
            Some(template.data.clone())
        );
    }
}
