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
    /// Change-log entries the index has not applied yet (counted up to 1,000).
    pub index_lag_entries: IntGauge,
    /// The age of the oldest of them, in seconds.
    pub index_lag_seconds: IntGauge,
    /// 1 while the index is rebuilt from the database.
    pub index_rebuilding: IntGauge,
    /// The id of the newest change-log entry readers may consume.
    pub change_log_head: IntGauge,
    /// Events waiting for delivery to organisations' webhooks (not delivered, not given up).
    pub webhook_backlog: IntGauge,
    /// Database connections this node's pool holds, and how many of them are idle.
    pub pool_connections: IntGauge,
    pub pool_idle: IntGauge,
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
        let gauge = |name: &str, help: &str| -> anyhow::Result<IntGauge> {
            let gauge = IntGauge::new(name, help)?;
            registry.register(Box::new(gauge.clone()))?;
            Ok(gauge)
        };
        Ok(Self {
            index_lag_entries: gauge(
                "search_index_lag_entries",
                "Change-log entries the search index has not applied (up to 1000)",
            )?,
            index_lag_seconds: gauge(
                "search_index_lag_seconds",
                "Age of the oldest change-log entry the search index has not applied",
            )?,
            index_rebuilding: gauge(
                "search_index_rebuilding",
                "1 while the search index is rebuilt from the database",
            )?,
            change_log_head: gauge(
                "change_log_head",
                "Id of the newest change-log entry readers may consume",
            )?,
            webhook_backlog: gauge(
                "webhook_backlog",
                "Events waiting for delivery to organisations' webhooks",
            )?,
            pool_connections: gauge(
                "db_pool_connections",
                "Database connections held by this node's pool",
            )?,
            pool_idle: gauge(
                "db_pool_idle_connections",
                "Idle database connections in this node's pool",
            )?,
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
