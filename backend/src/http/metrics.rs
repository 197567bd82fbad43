//! Prometheus metrics, in one registry owned by the app (not a process global, so tests can
//! build several apps side by side).

use std::time::Duration;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

/// The label of a request's method: the standard methods by name, every other one as
/// `other`, so a client inventing methods cannot create series without end.
fn method_label(method: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::TRACE => "TRACE",
        Method::CONNECT => "CONNECT",
        _ => "other",
    }
}

/// The metrics the server exports at `/metrics`.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_duration: HistogramVec,
    /// Documents searchable in the index.
    pub index_documents: IntGauge,
    /// Change-log entries applied to the index since start.
    pub index_applied: IntGauge,
}

impl Metrics {
    pub fn new() -> anyhow::Result<Self> {
        let registry = Registry::new_custom(Some("silkbridge".into()), None)?;
        let http_requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by method, route and status",
            ),
            &["method", "route", "status"],
        )?;
        let http_duration = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency").buckets(
                vec![
                    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
                ],
            ),
            &["method", "route"],
        )?;
        let index_documents =
            IntGauge::new("search_index_documents", "Documents in the search index")?;
        let index_applied = IntGauge::new(
            "search_index_changes_applied",
            "Change-log entries applied to the search index since start",
        )?;
        registry.register(Box::new(http_requests.clone()))?;
        registry.register(Box::new(http_duration.clone()))?;
        registry.register(Box::new(index_documents.clone()))?;
        registry.register(Box::new(index_applied.clone()))?;
        Ok(Self {
            registry,
            http_requests,
            http_duration,
            index_documents,
            index_applied,
        })
    }

    /// Records one request. `route` is the matched pattern, never the raw path, so that
    /// ids in URLs cannot blow up the number of series.
    pub fn observe_request(
        &self,
        method: &actix_web::http::Method,
        route: &str,
        status: u16,
        elapsed: Duration,
    ) {
        let method = method_label(method);
        self.http_requests
            .with_label_values(&[method, route, &status.to_string()])
            .inc();
        self.http_duration
            .with_label_values(&[method, route])
            .observe(elapsed.as_secs_f64());
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> anyhow::Result<String> {
        let mut buffer = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buffer)?;
        Ok(String::from_utf8(buffer)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invented_methods_share_one_label() {
        let metrics = Metrics::new().unwrap();
        for name in ["FOO", "BAR1", "QUUX", "GET"] {
            let method = actix_web::http::Method::from_bytes(name.as_bytes()).unwrap();
            metrics.observe_request(&method, "/x", 404, Duration::from_millis(1));
        }
        let text = metrics.render().unwrap();
        assert!(text.contains("method=\"other\""), "{text}");
        assert!(text.contains("method=\"GET\""));
        for invented in ["FOO", "BAR1", "QUUX"] {
            assert!(!text.contains(invented), "{invented} became a label");
        }
    }
}
