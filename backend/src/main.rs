use std::process::ExitCode;

fn main() -> ExitCode {
    silkbridge::allocator::limit_arenas_for_server();
    match silkbridge::cli::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // One line, the whole chain of causes, no backtrace.
            eprintln!("silkbridge: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
