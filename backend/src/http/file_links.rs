//! A separate origin for files (`files_public_url`): the strongest isolation of uploaded
//! content, since a file served from another host name shares no origin — and no cookie —
//! with the portal and the API. A download asked for on the platform's own host is
//! authorised there as always (the module's policy), then answered with `303 See Other` to a
//! short-lived signed link on the files host, which serves the bytes without asking who is
//! calling: the link is the permission, for `LINK_TTL_SECS`. The link's key is derived from
//! the token signing key, which every node of a cluster shares, so any node serves any link.

use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use object_store::ObjectStore;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::files::StoredFile;
use crate::error::{ApiError, ApiResult, ErrorCode};

/// How long a signed link works.
pub const LINK_TTL_SECS: i64 = 300;

/// The files origin and what its links are signed and served with.
pub struct FileLinks {
    base: url::Url,
    key: [u8; 32],
    objects: Arc<dyn ObjectStore>,
}

/// What a link carries: the file, and when it stops working.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct LinkClaims {
    /// Object key.
    k: String,
    /// File name.
    n: String,
    /// Media type.
    t: String,
    /// Size in bytes.
    s: i64,
    /// SHA-256.
    h: String,
    /// Expiry, Unix seconds.
    e: i64,
}

impl FileLinks {
    pub fn new(base: &str, key: [u8; 32], objects: Arc<dyn ObjectStore>) -> anyhow::Result<Self> {
        let base = url::Url::parse(base)
            .map_err(|e| anyhow::anyhow!("files_public_url `{base}` is not a URL: {e}"))?;
        if base.host_str().is_none() || !matches!(base.scheme(), "http" | "https") {
            anyhow::bail!("files_public_url must be an http(s) URL with a host");
        }
        Ok(Self { base, key, objects })
    }

    /// `host[:port]` of the files origin, as a `Host` header names it.
    fn authority(&self) -> String {
        let host = self.base.host_str().unwrap_or_default();
        match self.base.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        }
    }

    /// Whether `req` arrived on the files origin.
    pub fn serves(&self, req: &HttpRequest) -> bool {
        req.connection_info()
            .host()
            .eq_ignore_ascii_case(&self.authority())
    }

    fn mac(&self) -> Hmac<Sha256> {
        // A 32-byte key always fits HMAC-SHA256.
        <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"))
    }

    /// The signed link to `file`, valid until `now + LINK_TTL_SECS`.
    pub fn link(&self, file: &StoredFile<'_>, now: i64) -> ApiResult<String> {
        let claims = LinkClaims {
            k: file.object_key.to_owned(),
            n: file.file_name.to_owned(),
            t: file.content_type.to_owned(),
            s: file.size_bytes,
            h: file.sha256.to_owned(),
            e: now + LINK_TTL_SECS,
        };
        let payload =
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).map_err(ApiError::internal)?);
        let mut mac = self.mac();
        mac.update(payload.as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        let mut url = self.base.clone();
        url.set_path(&format!(
            "{}/files/{payload}.{signature}",
            self.base.path().trim_end_matches('/')
        ));
        Ok(url.to_string())
    }

    /// The file a link names, if its signature holds and it has not expired.
    fn open(&self, token: &str, now: i64) -> ApiResult<LinkClaims> {
        let refused = || ApiError::new(ErrorCode::NotFound, "no such file link, or it expired");
        let (payload, signature) = token.split_once('.').ok_or_else(refused)?;
        let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| refused())?;
        let mut mac = self.mac();
        mac.update(payload.as_bytes());
        mac.verify_slice(&signature).map_err(|_| refused())?;
        let bytes = URL_SAFE_NO_PAD.decode(payload).map_err(|_| refused())?;
        let claims: LinkClaims = serde_json::from_slice(&bytes).map_err(|_| refused())?;
        if claims.e < now {
            return Err(refused());
        }
        Ok(claims)
    }
}

/// Where a download asked for on the platform's host goes instead, if files have an origin of
/// their own.
pub fn redirect(req: &HttpRequest, file: &StoredFile<'_>) -> ApiResult<Option<HttpResponse>> {
    let Some(links) = req.app_data::<web::Data<FileLinks>>() else {
        return Ok(None);
    };
    if links.serves(req) {
        return Ok(None);
    }
    let location = links.link(file, chrono::Utc::now().timestamp())?;
    Ok(Some(
        HttpResponse::SeeOther()
            .insert_header((actix_web::http::header::LOCATION, location))
            .insert_header((actix_web::http::header::CACHE_CONTROL, "private, no-store"))
            .finish(),
    ))
}

/// `GET /files/{token}` on the files origin.
pub async fn download(
    req: HttpRequest,
    links: web::Data<FileLinks>,
    token: web::Path<String>,
) -> ApiResult<HttpResponse> {
    if !links.serves(&req) {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            "file links are served on the files origin only",
        ));
    }
    let claims = links.open(&token, chrono::Utc::now().timestamp())?;
    let file = StoredFile {
        object_key: &claims.k,
        file_name: &claims.n,
        content_type: &claims.t,
        size_bytes: claims.s,
        sha256: &claims.h,
    };
    super::files::serve(&req, &links.objects, file).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links() -> FileLinks {
        FileLinks::new(
            "https://files.example.org",
            [7; 32],
            Arc::new(object_store::memory::InMemory::new()),
        )
        .unwrap()
    }

    #[test]
    fn links_verify_until_they_expire_and_refuse_any_change() {
        let links = links();
        let file = StoredFile {
            object_key: "datasets/a/b",
            file_name: "page.html",
            content_type: "text/html",
            size_bytes: 10,
            sha256: "ab",
        };
        let url = links.link(&file, 1_000).unwrap();
        assert!(url.starts_with("https://files.example.org/files/"), "{url}");
        let token = url.rsplit('/').next().unwrap();
        let claims = links.open(token, 1_000 + LINK_TTL_SECS).unwrap();
        assert_eq!(claims.k, "datasets/a/b");
        assert!(links.open(token, 1_001 + LINK_TTL_SECS).is_err(), "expired");
        // Another file's key under the same signature, or another key's signature.
        let (payload, signature) = token.split_once('.').unwrap();
        let forged = URL_SAFE_NO_PAD.encode(
            serde_json::to_vec(&LinkClaims {
                k: "documents/secret".into(),
                ..claims
            })
            .unwrap(),
        );
        assert!(links.open(&format!("{forged}.{signature}"), 1_000).is_err());
        let other =
            FileLinks::new("https://files.example.org", [8; 32], links.objects.clone()).unwrap();
        assert!(
            other
                .open(&format!("{payload}.{signature}"), 1_000)
                .is_err()
        );
        assert!(links.open("garbage", 1_000).is_err());
        assert!(FileLinks::new("not a url", [0; 32], links.objects.clone()).is_err());
    }
}
