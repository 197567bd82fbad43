//! Reading a request body line by line as it arrives, for bulk uploads (NDJSON, CSV, one
//! value per line) that may be far larger than memory should hold.

use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};

use crate::error::{ApiError, ApiResult, ErrorCode};

/// How long a body may send nothing before it is given up (408): a client that trickles
/// bytes cannot hold the request, and whatever it holds, for ever.
pub const IDLE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Yields the body's lines (without `\n` or `\r\n`), numbered from 1.
pub struct LineReader<S> {
    stream: S,
    buffer: BytesMut,
    finished: bool,
    max_line: usize,
    number: u64,
    idle_timeout: std::time::Duration,
}

impl<S, E> LineReader<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    /// `max_line` bounds one line, so a body without newlines cannot grow the buffer
    /// without limit.
    pub fn new(stream: S, max_line: usize) -> Self {
        Self {
            stream,
            buffer: BytesMut::with_capacity(64 * 1024),
            finished: false,
            max_line,
            number: 0,
            idle_timeout: IDLE_TIMEOUT,
        }
    }

    /// Another idle timeout than [`IDLE_TIMEOUT`].
    pub fn with_idle_timeout(mut self, idle_timeout: std::time::Duration) -> Self {
        self.idle_timeout = idle_timeout;
        self
    }

    /// The next line, or `None` at the end of the body.
    pub async fn next_line(&mut self) -> ApiResult<Option<(u64, Bytes)>> {
        loop {
            if let Some(end) = self.buffer.iter().position(|b| *b == b'\n') {
                let mut line = self.buffer.split_to(end + 1).freeze();
                line.truncate(end);
                if line.last() == Some(&b'\r') {
                    line.truncate(end - 1);
                }
                self.number += 1;
                return Ok(Some((self.number, line)));
            }
            if self.buffer.len() > self.max_line {
                return Err(ApiError::new(
                    ErrorCode::ValidationFailed,
                    format!(
                        "line {} is longer than {} bytes",
                        self.number + 1,
                        self.max_line
                    ),
                ));
            }
            if self.finished {
                if self.buffer.is_empty() {
                    return Ok(None);
                }
                let line = self.buffer.split().freeze();
                self.number += 1;
                return Ok(Some((self.number, line)));
            }
            let next = tokio::time::timeout(self.idle_timeout, self.stream.next())
                .await
                .map_err(|_| {
                    ApiError::new(
                        ErrorCode::RequestTimeout,
                        format!(
                            "the body sent nothing for {} s",
                            self.idle_timeout.as_secs_f32()
                        ),
                    )
                })?;
            match next {
                Some(Ok(chunk)) => self.buffer.extend_from_slice(&chunk),
                Some(Err(error)) => {
                    return Err(ApiError::invalid_parameter(format!(
                        "the request body could not be read: {error}"
                    )));
                }
                None => self.finished = true,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn lines(chunks: &[&'static str], max: usize) -> ApiResult<Vec<String>> {
        let stream = futures_util::stream::iter(
            chunks
                .iter()
                .map(|c| Ok::<_, std::io::Error>(Bytes::from_static(c.as_bytes())))
                .collect::<Vec<_>>(),
        );
        let mut reader = LineReader::new(stream, max);
        let mut out = Vec::new();
        while let Some((n, line)) = reader.next_line().await? {
            out.push(format!("{n}:{}", String::from_utf8_lossy(&line)));
        }
        Ok(out)
    }

    #[actix_web::test]
    async fn lines_split_across_chunks_and_crlf_are_joined_and_trimmed() {
        let got = lines(
            &["35209900", "1761481\r\n4901", "54203237518\n", "last"],
            100,
        )
        .await
        .unwrap();
        assert_eq!(got, ["1:352099001761481", "2:490154203237518", "3:last"]);
    }

    #[actix_web::test]
    async fn a_body_that_goes_quiet_times_out() {
        let stream = futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(
            b"first\nsec",
        ))])
        .chain(futures_util::stream::pending());
        let mut reader = LineReader::new(Box::pin(stream), 100)
            .with_idle_timeout(std::time::Duration::from_millis(50));
        assert!(reader.next_line().await.unwrap().is_some());
        let error = reader.next_line().await.unwrap_err();
        assert_eq!(error.code, ErrorCode::RequestTimeout);
    }

    #[actix_web::test]
    async fn an_endless_line_is_refused() {
        let error = lines(&["0123456789", "0123456789"], 15).await.unwrap_err();
        assert_eq!(error.code, ErrorCode::ValidationFailed);
    }
}
