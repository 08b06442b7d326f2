//! A pending change: a head commit and the base it is measured against, with the
//! metadata that travels with it in git (title, author, AI tool, submitter).

use serde::Serialize;

/// Where a change came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeSource {
    /// `countersign submit`.
    Submit,
    /// `countersign scan` (found by AI trailers).
    Scan,
    /// A ref matched by a configured glob (a forge's review ref).
    Ref,
}

/// A pending AI-assisted change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Short, stable, typable id (8 lowercase characters).
    pub id: String,
    pub title: String,
    /// "Name <email>" of the head commit's author.
    pub author: String,
    pub author_email: String,
    pub committer_email: String,
    /// The AI tool named by the trailers ("unknown" when none is named).
    pub tool: String,
    pub base: String,
    pub head: String,
    /// The branch the change is measured against.
    pub target: String,
    pub source: ChangeSource,
    /// The ref that holds the change (`refs/countersign/pending/<id>` or a forge ref).
    pub ref_name: String,
    /// The branch or ref that was submitted, when known.
    pub submitted_from: Option<String>,
    pub submitter: Option<String>,
    /// Seconds since the epoch: when it was submitted, else the head's author time.
    pub submitted_at: i64,
    /// The head commit's author time.
    pub authored_at: i64,
}

/// The alphabet of change ids: lowercase letters and digits without the
/// look-alikes l, o, 0 and 1.
const ID_ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";

/// Derives an 8-character id from a seed (e.g. the first submission's head).
pub fn derive_id(seed: &str) -> String {
    use sha1::{Digest, Sha1};
    let digest = Sha1::digest(seed.as_bytes());
    let mut bits: u64 = 0;
    for b in &digest[..5] {
        bits = (bits << 8) | u64::from(*b);
    }
    (0..8)
        .rev()
        .map(|i| ID_ALPHABET[((bits >> (i * 5)) & 31) as usize] as char)
        .collect()
}

/// True when `s` has the shape of a change id.
pub fn looks_like_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 16 && s.bytes().all(|b| ID_ALPHABET.contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_short_stable_and_typable() {
        let a = derive_id("abc");
        assert_eq!(a, derive_id("abc"));
        assert_ne!(a, derive_id("abd"));
        assert_eq!(a.len(), 8);
        assert!(looks_like_id(&a));
    }
}
