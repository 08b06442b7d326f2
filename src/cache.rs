//! A small on-disk cache under `.git/countersign/cache/`: one file per entry,
//! written atomically (temporary file + rename), so concurrent processes never
//! see half an entry. Used for diff statistics and risk reports, which are pure
//! functions of their keys (commit ids, rules hash).

use std::path::{Path, PathBuf};

use serde::{Serialize, de::DeserializeOwned};

/// A directory of cached values, one JSON file per key.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// The cache `kind` (a subdirectory) of the repository whose git dir is `git_dir`.
    pub fn new(git_dir: &Path, kind: &str) -> Cache {
        Cache {
            dir: git_dir.join("countersign").join("cache").join(kind),
        }
    }

    fn path(&self, key: &str) -> PathBuf {
        let safe: String = key
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.dir.join(safe)
    }

    /// The value stored under `key`, if any and readable.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let bytes = std::fs::read(self.path(key)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Stores a value; failures are ignored (the cache is only an optimisation).
    pub fn put<T: Serialize>(&self, key: &str, value: &T) {
        let Ok(bytes) = serde_json::to_vec(value) else {
            return;
        };
        if std::fs::create_dir_all(&self.dir).is_err() {
            return;
        }
        let path = self.path(key);
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, &path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

/// A short hex digest of `bytes`, for cache keys that depend on a file's text.
pub fn key_of(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)[..10]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
