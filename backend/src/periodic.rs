//! The one loop every background task runs (embargo release, IMEI cache and grace periods,
//! biometric gallery, webhook dispatch): a pass at once, then one per period, until the server
//! stops. Passes log their own failures and the next pass tries again; a stop never waits out
//! a period.

use std::future::Future;
use std::time::Duration;

use tokio::sync::watch;

/// Runs `pass` now and then every `period` until `stop` changes (or its sender is gone).
pub async fn run_until_stopped<F, Fut>(
    period: Duration,
    mut stop: watch::Receiver<bool>,
    mut pass: F,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    loop {
        pass().await;
        tokio::select! {
            _ = tokio::time::sleep(period) => {}
            _ = stop.changed() => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// Starts the loop with a pass that counts itself.
    fn counting(
        period: Duration,
    ) -> (
        watch::Sender<bool>,
        Arc<AtomicUsize>,
        tokio::task::JoinHandle<()>,
    ) {
        let (stop_tx, stop_rx) = watch::channel(false);
        let passes = Arc::new(AtomicUsize::new(0));
        let counter = passes.clone();
        let task = tokio::spawn(run_until_stopped(period, stop_rx, move || {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
            }
        }));
        (stop_tx, passes, task)
    }

    async fn wait_for(passes: &AtomicUsize, at_least: usize) {
        tokio::time::timeout(Duration::from_secs(10), async {
            while passes.load(Ordering::SeqCst) < at_least {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await
        .expect("the passes came");
    }

    #[tokio::test]
    async fn passes_repeat_each_period() {
        let (_stop, passes, _task) = counting(Duration::from_millis(10));
        wait_for(&passes, 3).await;
    }

    #[tokio::test]
    async fn the_first_pass_runs_at_once_and_a_stop_does_not_wait_out_the_period() {
        let (stop, passes, task) = counting(Duration::from_secs(3600));
        wait_for(&passes, 1).await;
        stop.send(true).unwrap();
        tokio::time::timeout(Duration::from_secs(5), task)
            .await
            .expect("stopped within the hour's period")
            .unwrap();
        assert_eq!(passes.load(Ordering::SeqCst), 1);
    }
}
