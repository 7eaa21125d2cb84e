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
