//! An open-loop load on the single status check: requests leave on a fixed schedule
//! (`rate` per second) whatever the server answers, as an operator's EIR front end sends them
//! — one check per network attach, not "as fast as the last answer came back". A closed-loop
//! tool such as `wrk` keeps 16 requests in flight at all times, so on two shared cores it
//! measures saturation (queueing behind its own requests), not the latency one check sees.
//!
//! A slow answer never delays the next request (each is its own task), so a stalling server
//! is charged for every request that waits on it (no coordinated omission). Latency runs from
//! the moment a request is handed to the client; how far the generator itself fell behind its
//! schedule (its timer ticks in milliseconds, and it shares the cores) is reported beside it.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::load;

/// What one paced run measured.
#[derive(Default, Clone)]
pub struct Paced {
    pub secs: u64,
    pub sent: u64,
    /// Answers that were not 2xx (503s included) and requests that failed outright.
    pub failed: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
    /// How far behind its schedule the generator itself fell, at worst.
    pub max_lag_ms: f64,
}

/// Sends `rate` checks per second for `secs` seconds over a pool of keep-alive connections,
/// IMEIs spread over the registry as in the `wrk` script.
pub fn run(base: &str, token: &str, devices: u64, rate: u64, secs: u64) -> Paced {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .pool_idle_timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let paths: Arc<Vec<String>> = Arc::new(
        (0..2000u64)
            .map(|i| {
                let n = i.wrapping_mul(4_294_967_311) % devices;
                format!(
                    "{base}/api/v1/imei/devices/{:015}/status",
                    load::nth_imei(n, devices)
                )
            })
            .collect(),
    );
    let total = rate * secs;
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(total as usize)));
    let failed = Arc::new(Mutex::new(0u64));
    let mut max_lag = Duration::ZERO;
    runtime.block_on(async {
        // Warm the pool so connection set-up is not what the first requests measure.
        for path in paths.iter().take(32) {
            let _ = client.get(path).bearer_auth(token).send().await;
        }
        let started = Instant::now();
        let interval = Duration::from_secs(1).as_nanos() as u64 / rate;
        let mut tasks = tokio::task::JoinSet::new();
        // The timer wheel ticks in milliseconds: wake each millisecond and send every
        // request that has fallen due since.
        let mut tick = tokio::time::interval(Duration::from_millis(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        let mut next = 0u64;
        while next < total {
            tick.tick().await;
            let now = Instant::now();
            while next < total {
                let due = started + Duration::from_nanos(next * interval);
                if due > now {
                    break;
                }
                max_lag = max_lag.max(now - due);
                let request = client
                    .get(&paths[(next % paths.len() as u64) as usize])
                    .bearer_auth(token);
                let (latencies, failed) = (latencies.clone(), failed.clone());
                let sent = Instant::now();
                tasks.spawn(async move {
                    let ok = matches!(request.send().await, Ok(r) if r.status().is_success());
                    let took = sent.elapsed();
                    latencies.lock().unwrap().push(took.as_micros() as u64);
                    if !ok {
                        *failed.lock().unwrap() += 1;
                    }
                });
                next += 1;
            }
            while tasks.try_join_next().is_some() {}
        }
        while tasks.join_next().await.is_some() {}
    });
    let mut latencies = std::mem::take(&mut *latencies.lock().unwrap());
    latencies.sort_unstable();
    let at = |q: f64| {
        let index = ((latencies.len() as f64 * q).ceil() as usize).saturating_sub(1);
        latencies
            .get(index)
            .map_or(f64::NAN, |us| *us as f64 / 1000.0)
    };
    let figures = Paced {
        secs,
        sent: total,
        failed: *failed.lock().unwrap(),
        p50_ms: at(0.50),
        p99_ms: at(0.99),
        p999_ms: at(0.999),
        max_ms: latencies.last().map_or(f64::NAN, |us| *us as f64 / 1000.0),
        max_lag_ms: max_lag.as_secs_f64() * 1000.0,
    };
    eprintln!(
        "paced {rate}/s for {secs} s: p50 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms, max {:.2} ms, failed {}, generator lag ≤ {:.2} ms",
        figures.p50_ms,
        figures.p99_ms,
        figures.p999_ms,
        figures.max_ms,
        figures.failed,
        figures.max_lag_ms
    );
    figures
}
