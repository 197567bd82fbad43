use std::process::ExitCode;

fn main() -> ExitCode {
    match silkbridge::cli::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // One line, the whole chain of causes, no backtrace.
            eprintln!("silkbridge: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
