use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = match gatelint::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let usage_error = e.use_stderr();
            let _ = e.print();
            // Help and version go to stdout and succeed; usage errors are exit 2.
            return std::process::ExitCode::from(if usage_error { 2 } else { 0 });
        }
    };
    std::process::ExitCode::from(gatelint::run::run(cli) as u8)
}
