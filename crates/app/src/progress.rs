//! Progress reports of long imports; the CLI draws them, HTTP ignores them.

/// Receives the progress of a long task.
pub trait Progress: Sync {
    /// A new stage begins, with `total` steps when known.
    fn stage(&self, name: &str, total: Option<u64>);
    /// `done` steps of the current stage are finished.
    fn set(&self, done: u64);
    /// The task is over.
    fn finish(&self);
}

/// Progress that nobody watches.
pub struct Silent;

impl Progress for Silent {
    fn stage(&self, _: &str, _: Option<u64>) {}
    fn set(&self, _: u64) {}
    fn finish(&self) {}
}

/// Progress in the debug log: how far a server's import got, for whoever
/// follows one (and for the test that kills a server in the middle of one).
pub struct Logged;

impl Progress for Logged {
    fn stage(&self, name: &str, total: Option<u64>) {
        tracing::debug!(stage = name, total, "import stage");
    }

    fn set(&self, done: u64) {
        tracing::debug!(done, "import progress");
    }

    fn finish(&self) {
        tracing::debug!("import stages done");
    }
}
