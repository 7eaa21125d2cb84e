//! Values that many answers share, serialised once.
use std::ops::Deref;
use std::sync::Arc;

use serde::Serialize;
use serde_json::value::RawValue;

/// A value with its JSON written when it is made: an answer that holds it
/// copies bytes instead of cloning and serialising the value, and a clone is
/// a counted reference. Reads as the value.
///
/// ```
/// use passerelle_app::preserialized::Preserialized;
///
/// let names = Preserialized::new(vec!["Collège Charlemagne".to_owned()]);
/// assert_eq!(names.len(), 1); // the value, through `Deref`
/// assert_eq!(serde_json::to_string(&names).unwrap(), r#"["Collège Charlemagne"]"#);
/// assert_eq!(names.json_len(), 24);
/// ```
#[derive(Debug)]
pub struct Preserialized<T>(Arc<(T, Box<RawValue>)>);

impl<T: Serialize> Preserialized<T> {
    /// `value`, with its JSON.
    ///
    /// # Panics
    /// When `T`'s `Serialize` fails, which plain data never does.
    pub fn new(value: T) -> Self {
        let json =
            serde_json::value::to_raw_value(&value).expect("plain data always serialises to JSON");
        Self(Arc::new((value, json)))
    }
}

impl<T> Preserialized<T> {
    /// The length of its JSON, in bytes.
    pub fn json_len(&self) -> usize {
        self.0.1.get().len()
    }
}

impl<T> Clone for Preserialized<T> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<T> Deref for Preserialized<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0.0
    }
}

impl<T> Serialize for Preserialized<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.1.serialize(serializer)
    }
}
