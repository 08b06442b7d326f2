//! A small on-disk cache under `.git/countersign/cache/`: one append-only log
//! per kind (`risk.log`, `stats.log`, …), one line per entry (`key<TAB>json`).
//! Used for diff statistics and risk reports, which are pure functions of
//! their keys (commit ids, rules hash), and for a few marks the TUI keeps.
//!
//! Why a log and not a file per entry: a cold queue of thousands of changes
//! wrote thousands of small files, and creating them (plus the rename that
//! made each atomic) cost more than analysing the changes. Appending a line
//! with one `write` to a file opened for appending is atomic on local file
//! systems, so concurrent processes never see half an entry; a torn last line
//! (a crash mid-write) has no newline and is ignored. The last line for a key
//! wins. A process reads a log once and then, at each look-up, only what was
//! appended since (one `stat` tells); a log that vanished or shrank is read
//! afresh, so deleting the cache directory empties the cache for everyone.
//! When a log outgrows [`MAX_LOG_BYTES`] it is rewritten with the latest entry
//! per key (temporary file + rename).

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};

use serde::{Serialize, de::DeserializeOwned};

/// A log larger than this is compacted when it is next read in full.
pub const MAX_LOG_BYTES: u64 = 64 << 20;

/// One kind of cached value (a log file), shared by every `Cache` handle of
/// this process that names it.
#[derive(Debug, Clone)]
pub struct Cache {
    store: Arc<Store>,
}

#[derive(Debug)]
struct Store {
    path: PathBuf,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Whether the log was read at all.
    loaded: bool,
    /// How many bytes of the log `entries` reflects.
    read_to: u64,
    entries: HashMap<String, Box<str>>,
    /// The log, open for appending, once something was written.
    appender: Option<File>,
}

static STORES: LazyLock<Mutex<HashMap<PathBuf, Arc<Store>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

impl Cache {
    /// The cache `kind` of the repository whose git dir is `git_dir`.
    pub fn new(git_dir: &Path, kind: &str) -> Cache {
        let path = Self::log_path(git_dir, kind);
        let mut stores = STORES.lock().unwrap_or_else(|e| e.into_inner());
        let store = stores
            .entry(path.clone())
            .or_insert_with(|| {
                Arc::new(Store {
                    path,
                    state: Mutex::new(State::default()),
                })
            })
            .clone();
        Cache { store }
    }

    /// Where the log of cache `kind` lives (for tests and tools that inspect it).
    pub fn log_path(git_dir: &Path, kind: &str) -> PathBuf {
        git_dir
            .join("countersign")
            .join("cache")
            .join(format!("{kind}.log"))
    }

    /// The value stored under `key`, if any and readable.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let key = safe_key(key);
        let mut st = self.store.lock();
        self.store.catch_up(&mut st);
        serde_json::from_str(st.entries.get(&key)?).ok()
    }

    /// Stores a value; failures are ignored (the cache is only an optimisation).
    pub fn put<T: Serialize>(&self, key: &str, value: &T) {
        let Ok(json) = serde_json::to_string(value) else {
            return;
        };
        let key = safe_key(key);
        let mut line = String::with_capacity(key.len() + json.len() + 2);
        line.push_str(&key);
        line.push('\t');
        line.push_str(&json);
        line.push('\n');
        let mut st = self.store.lock();
        if st.appender.is_none() {
            if let Some(dir) = self.store.path.parent()
                && std::fs::create_dir_all(dir).is_err()
            {
                return;
            }
            st.appender = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.store.path)
                .ok();
        }
        let Some(file) = st.appender.as_mut() else {
            return;
        };
        // One write call per entry: appends of one call do not interleave.
        if file.write_all(line.as_bytes()).is_err() {
            return;
        }
        // Nobody else appended in between: this line needs no reading back.
        if file
            .metadata()
            .is_ok_and(|m| m.len() == st.read_to + line.len() as u64)
        {
            st.read_to += line.len() as u64;
        }
        st.entries.insert(key, json.into_boxed_str());
    }

    /// Every key stored, in no particular order (for tests and diagnostics).
    pub fn keys(&self) -> Vec<String> {
        let mut st = self.store.lock();
        self.store.catch_up(&mut st);
        st.entries.keys().cloned().collect()
    }
}

impl Store {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Reads the lines appended since the last read (all of them the first
    /// time), compacting an oversized log.
    fn catch_up(&self, st: &mut State) {
        let first = !st.loaded;
        st.loaded = true;
        let len = match std::fs::metadata(&self.path) {
            Ok(m) => m.len(),
            Err(_) => {
                // Deleted: forget it all, and append to a new file next time.
                *st = State {
                    loaded: true,
                    ..State::default()
                };
                return;
            }
        };
        if len < st.read_to {
            // Rewritten (compacted) by another process: read it afresh.
            st.read_to = 0;
            st.entries.clear();
            st.appender = None;
        }
        if len == st.read_to {
            return;
        }
        let Ok(mut f) = File::open(&self.path) else {
            return;
        };
        if f.seek(SeekFrom::Start(st.read_to)).is_err() {
            return;
        }
        let mut bytes = Vec::with_capacity((len - st.read_to) as usize);
        if f.read_to_end(&mut bytes).is_err() {
            return;
        }
        // Only whole lines: a torn last line is someone's write in progress
        // (or a crash) and is read again next time.
        let whole = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        for line in bytes[..whole].split(|b| *b == b'\n') {
            let Ok(line) = std::str::from_utf8(line) else {
                continue;
            };
            if let Some((k, v)) = line.split_once('\t') {
                st.entries.insert(k.to_string(), v.into());
            }
        }
        st.read_to += whole as u64;
        if first && len > MAX_LOG_BYTES {
            self.compact(st);
        }
    }

    /// Rewrites the log with the latest entry per key.
    fn compact(&self, st: &mut State) {
        let tmp = self
            .path
            .with_extension(format!("tmp{}", std::process::id()));
        let mut text = String::new();
        for (k, v) in &st.entries {
            text.push_str(k);
            text.push('\t');
            text.push_str(v);
            text.push('\n');
        }
        if text.len() as u64 > MAX_LOG_BYTES {
            // Still too big: start over rather than grow without bound.
            text.clear();
            st.entries.clear();
        }
        if std::fs::write(&tmp, &text).is_ok() && std::fs::rename(&tmp, &self.path).is_ok() {
            st.read_to = text.len() as u64;
            st.appender = None;
        } else {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

/// Keys are single tokens on a line: anything but ASCII letters, digits and
/// `-` becomes `_`.
fn safe_key(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A short hex digest of `bytes`, for cache keys that depend on a file's text.
pub fn key_of(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)[..10]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_survive_a_new_process_view_and_the_last_write_wins() {
        let tmp = tempfile::tempdir().unwrap();
        let c = Cache::new(tmp.path(), "t");
        assert_eq!(c.get::<u32>("a/b"), None);
        c.put("a/b", &1u32);
        c.put("a/b", &2u32);
        c.put("x", &"y\nz");
        assert_eq!(c.get::<u32>("a/b"), Some(2));
        // A fresh reader (what another process sees) reads the same.
        let store = Store {
            path: Cache::log_path(tmp.path(), "t"),
            state: Mutex::new(State::default()),
        };
        let other = Cache {
            store: Arc::new(store),
        };
        assert_eq!(other.get::<u32>("a/b"), Some(2));
        assert_eq!(other.get::<String>("x").as_deref(), Some("y\nz"));
        let text = std::fs::read_to_string(Cache::log_path(tmp.path(), "t")).unwrap();
        assert_eq!(text.lines().count(), 3, "{text}");
    }

    #[test]
    fn a_torn_or_corrupt_line_is_a_miss_not_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let path = Cache::log_path(tmp.path(), "t");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "good\t5\nbad\t{nope\n\u{0}\u{1}\ntorn\t7").unwrap();
        let c = Cache::new(tmp.path(), "t");
        assert_eq!(c.get::<u32>("good"), Some(5));
        assert_eq!(c.get::<u32>("bad"), None);
        assert_eq!(c.get::<u32>("torn"), None, "no newline: not yet written");
        // Another process finishes the torn line: now it reads.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"\n")
            .unwrap();
        assert_eq!(c.get::<u32>("torn"), Some(7));
    }

    #[test]
    fn deleting_the_log_empties_the_cache_and_writing_starts_a_new_one() {
        let tmp = tempfile::tempdir().unwrap();
        let c = Cache::new(tmp.path(), "t");
        c.put("k", &1u8);
        let path = Cache::log_path(tmp.path(), "t");
        std::fs::remove_file(&path).unwrap();
        assert_eq!(c.get::<u8>("k"), None, "a deleted cache is empty");
        c.put("k", &2u8);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "k\t2\n");
        assert_eq!(Cache::new(tmp.path(), "t").get::<u8>("k"), Some(2));
    }
}
