//! The `passerelle` binary.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    passerelle_api::cli::main()
}
