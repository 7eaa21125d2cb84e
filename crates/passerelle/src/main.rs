//! The `passerelle` binary.
#![forbid(unsafe_code)]

// glibc's malloc made the two worker threads wait on each other's arena
// locks under load (see docs/benchmarks.md, "Load (wrk)").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    passerelle::cli::main()
}
