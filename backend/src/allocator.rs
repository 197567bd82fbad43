//! glibc's allocator gives threads that allocate at the same time heap arenas of their own (up
//! to eight per core) and keeps what is freed in each: a server whose HTTP workers, blocking
//! threads, indexer and writer threads all allocate ends up holding tens of MiB nobody uses.
//! Measured with `cargo bench --bench documents` (a 1 GiB upload): peak 82 MiB with glibc's
//! default, 63 MiB with two arenas, 53 MiB with one. The limit (`MALLOC_ARENA_MAX`) is read
//! only when a process starts, so `serve` starts itself again once with it set, unless the
//! operator chose a value. Small allocations keep glibc's per-thread caches either way.

use std::ffi::OsString;

/// The arena limit `serve` runs with when the environment sets none.
pub const SERVE_ARENAS: &str = "1";

/// Commands that are not the long-running server (they start, work and exit).
const SHORT_COMMANDS: &[&str] = &[
    "migrate",
    "seed",
    "reindex",
    "admin",
    "audit",
    "imei",
    "biometrics",
    "documents",
    "verify-receipt",
    "help",
    "--help",
    "-h",
    "--version",
    "-V",
];

/// Whether these arguments run the server (`serve`, or no command at all).
pub fn runs_server(args: &[OsString]) -> bool {
    !args
        .iter()
        .skip(1)
        .any(|arg| arg.to_str().is_some_and(|a| SHORT_COMMANDS.contains(&a)))
}

/// Replaces this process by itself with `MALLOC_ARENA_MAX` set, when it is about to serve
/// and nobody set the limit; returns (and the server runs with glibc's default) only if
/// that fails.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn limit_arenas_for_server() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os("MALLOC_ARENA_MAX").is_some() {
        return;
    }
    let args: Vec<OsString> = std::env::args_os().collect();
    if !runs_server(&args) {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let error = std::process::Command::new(exe)
        .args(&args[1..])
        .env("MALLOC_ARENA_MAX", SERVE_ARENAS)
        .exec();
    eprintln!(
        "silkbridge: could not restart with MALLOC_ARENA_MAX={SERVE_ARENAS} ({error}); serving with the allocator's defaults"
    );
}

/// Other platforms' allocators need nothing.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn limit_arenas_for_server() {}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn only_the_server_is_restarted() {
        assert!(runs_server(&args(&["silkbridge"])));
        assert!(runs_server(&args(&["silkbridge", "serve", "--demo"])));
        assert!(runs_server(&args(&[
            "silkbridge",
            "--data-dir",
            "d",
            "serve"
        ])));
        assert!(!runs_server(&args(&["silkbridge", "seed", "--demo"])));
        assert!(!runs_server(&args(&[
            "silkbridge",
            "--data-dir",
            "d",
            "audit",
            "verify"
        ])));
        assert!(!runs_server(&args(&[
            "silkbridge",
            "verify-receipt",
            "r.json"
        ])));
    }
}
