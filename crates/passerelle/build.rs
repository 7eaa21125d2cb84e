//! Marks the PostgreSQL end-to-end tests as ignored when no PostgreSQL
//! server is named, so that a run without one reports them as ignored,
//! never as passed (`scripts/test` names one).
fn main() {
    println!("cargo::rustc-check-cfg=cfg(postgres_tests)");
    println!("cargo::rerun-if-env-changed=PASSERELLE_TEST_POSTGRES_URL");
    if std::env::var_os("PASSERELLE_TEST_POSTGRES_URL").is_some_and(|v| !v.is_empty()) {
        println!("cargo::rustc-cfg=postgres_tests");
    }
}
