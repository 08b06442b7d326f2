//! What the risk engine's blast radius needs from git, as plain data: every file
//! of a tree streamed through a caller's function (in parallel, one repository
//! handle per thread), and the recent history of a few paths (how often each
//! changed, and how often the commit said it fixed something).

use std::collections::{BinaryHeap, HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::Result;
use git2::{ObjectType, Oid, TreeWalkMode, TreeWalkResult};
use rayon::prelude::*;

use crate::git::repo::Repo;

/// History of one path: how many recent commits changed it, and how many of
/// those said they fixed something. Plain data for the risk engine's blast radius.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PathHistory {
    pub path: String,
    pub commits: u32,
    pub fix_commits: u32,
}

/// Subjects that mark a commit as a fix.
fn is_fix(subject: &str) -> bool {
    let s = subject.to_ascii_lowercase();
    [
        "fix",
        "hotfix",
        "bug",
        "revert",
        "regression",
        "incident",
        "rollback",
        "broken",
        "crash",
        "outage",
    ]
    .iter()
    .any(|w| {
        s.match_indices(w).any(|(i, _)| {
            let before = s[..i].chars().next_back();
            before.is_none_or(|c| !c.is_ascii_alphanumeric())
        })
    })
}

/// What the churn walk needs of a commit: its time, its parents, and whether
/// its subject says it fixed something. Remembered by id for the process: the
/// changes of a queue walk mostly the same recent history, and a commit id
/// names the same content in every repository.
#[derive(Clone)]
struct CommitNode {
    time: i64,
    parents: Arc<[Oid]>,
    fix: bool,
}

/// `compute` for `id`, or what it gave before in this process: `memo` holds
/// up to `max` entries, then starts over (a commit id names the same content
/// in every repository, so a process-wide memo is safe).
fn remembered<V: Clone>(
    memo: &OnceLock<Mutex<HashMap<Oid, V>>>,
    max: usize,
    id: Oid,
    compute: impl FnOnce() -> Result<V>,
) -> Result<V> {
    let memo = memo.get_or_init(Mutex::default);
    if let Some(hit) = memo.lock().ok().and_then(|m| m.get(&id).cloned()) {
        return Ok(hit);
    }
    let value = compute()?;
    if let Ok(mut m) = memo.lock() {
        if m.len() >= max {
            m.clear();
        }
        m.insert(id, value.clone());
    }
    Ok(value)
}

fn commit_node(git: &git2::Repository, id: Oid) -> Result<CommitNode> {
    static MEMO: OnceLock<Mutex<HashMap<Oid, CommitNode>>> = OnceLock::new();
    remembered(&MEMO, 500_000, id, || {
        let c = git.find_commit(id)?;
        Ok(CommitNode {
            time: c.time().seconds(),
            parents: c.parent_ids().collect(),
            fix: is_fix(&String::from_utf8_lossy(
                c.summary_bytes().unwrap_or_default(),
            )),
        })
    })
}

/// The paths a commit changed against its first parent (both sides of a
/// rename; mode-only changes left out), memoised by commit id for the process.
fn changed_paths(git: &git2::Repository, id: Oid) -> Result<Arc<Vec<String>>> {
    static MEMO: OnceLock<Mutex<HashMap<Oid, Arc<Vec<String>>>>> = OnceLock::new();
    remembered(&MEMO, 200_000, id, || {
        let c = git.find_commit(id)?;
        let tree = c.tree()?;
        let parent_tree = match c.parent(0) {
            Ok(p) => Some(p.tree()?),
            Err(_) => None,
        };
        let mut paths = Vec::new();
        if parent_tree.as_ref().is_none_or(|p| p.id() != tree.id()) {
            let diff = git.diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), None)?;
            for d in diff.deltas() {
                let (old, new) = (d.old_file(), d.new_file());
                if old.id() == new.id() {
                    continue; // the mode alone changed
                }
                for side in [old, new] {
                    if let Some(p) = side.path_bytes() {
                        let p = String::from_utf8_lossy(p).into_owned();
                        if paths.last() != Some(&p) {
                            paths.push(p);
                        }
                    }
                }
            }
        }
        Ok(Arc::new(paths))
    })
}

/// A blob's contents, memoised by id for the process (up to
/// [`BLOB_MEMO_BYTES`]): the changes of one queue are measured against bases
/// whose trees share nearly every blob, so each is inflated once, not once
/// per change.
fn blob_data(odb: &git2::Odb<'_>, id: Oid) -> Option<Arc<[u8]>> {
    /// Bytes held, and the blobs by id.
    type Blobs = (usize, HashMap<Oid, Arc<[u8]>>);
    static MEMO: OnceLock<Mutex<Blobs>> = OnceLock::new();
    let memo = MEMO.get_or_init(Mutex::default);
    if let Some(hit) = memo.lock().ok().and_then(|m| m.1.get(&id).cloned()) {
        return Some(hit);
    }
    let obj = odb.read(id).ok()?;
    let data: Arc<[u8]> = Arc::from(obj.data());
    if let Ok(mut m) = memo.lock() {
        if m.0 + data.len() > BLOB_MEMO_BYTES {
            m.1.clear();
            m.0 = 0;
        }
        m.0 += data.len();
        m.1.insert(id, data.clone());
    }
    Some(data)
}

/// The most blob bytes [`blob_data`] keeps.
const BLOB_MEMO_BYTES: usize = 256 << 20;

/// Trees with fewer files are scanned on the calling thread.
const PARALLEL_SCAN_MIN_FILES: usize = 2000;

impl Repo {
    /// Calls `f(path, blob id, contents)` for every blob of `rev`'s tree whose
    /// path and size pass `keep`, in parallel; returns the number of blobs in
    /// the tree and the values `f` returned. `known(path, blob id)` may answer
    /// for a blob without reading it (a caller that remembers what the same
    /// content gave before).
    pub fn scan_files_at<T, K, Q, F>(
        &self,
        rev: &str,
        keep: K,
        known: Q,
        f: F,
    ) -> Result<(usize, Vec<T>)>
    where
        T: Send,
        K: Fn(&str, u64) -> bool + Sync,
        Q: Fn(&str, &[u8; 20]) -> Option<Option<T>> + Sync,
        F: Fn(&str, &[u8; 20], &[u8]) -> Option<T> + Sync,
    {
        let commit = self.git.find_commit(self.resolve_oid(rev)?)?;
        let tree = commit.tree()?;
        let mut entries: Vec<(String, Oid)> = Vec::new();
        let mut total = 0usize;
        tree.walk(TreeWalkMode::PreOrder, |dir, e| {
            if e.kind() == Some(ObjectType::Blob) && e.filemode() != 0o160000 {
                total += 1;
                entries.push((
                    format!("{dir}{}", String::from_utf8_lossy(e.name_bytes())),
                    e.id(),
                ));
            }
            TreeWalkResult::Ok
        })?;
        let scan = |odb: &git2::Odb<'_>, chunk: &[(String, Oid)]| {
            let mut local = Vec::new();
            for (path, id) in chunk {
                if !keep(path, 0) {
                    continue;
                }
                let mut key = [0u8; 20];
                key.copy_from_slice(&id.as_bytes()[..20]);
                if let Some(answer) = known(path, &key) {
                    local.extend(answer);
                    continue;
                }
                let Some(data) = blob_data(odb, *id) else {
                    continue;
                };
                let data = &data[..];
                if !keep(path, data.len() as u64) || data[..data.len().min(8000)].contains(&0) {
                    continue; // too big, or binary
                }
                if let Some(v) = f(path, &key, data) {
                    local.push(v);
                }
            }
            local
        };
        // A small tree is scanned here: opening a repository handle per chunk
        // (config files, pack index) costs more than reading a few blobs, and
        // callers such as the queue already run one change per core.
        if entries.len() < PARALLEL_SCAN_MIN_FILES {
            return Ok((total, scan(&self.git.odb()?, &entries)));
        }
        let git_dir = self.git_dir();
        // A few large chunks: each opens its own repository handle once.
        let chunk = entries.len() / (rayon::current_num_threads() * 3) + 1;
        let out: Vec<T> = entries
            .par_chunks(chunk)
            .map(|chunk| {
                let Ok(repo) = Repo::open_exact(Path::new(&git_dir)) else {
                    return Vec::new();
                };
                let Ok(odb) = repo.git.odb() else {
                    return Vec::new();
                };
                scan(&odb, chunk)
            })
            .flatten()
            .collect();
        Ok((total, out))
    }

    /// How often each of `paths` changed in the commits reachable from `rev`
    /// within `days` days before it (at most `max_commits` commits are looked
    /// at), and how many of those commits were fixes.
    pub fn path_history(
        &self,
        rev: &str,
        paths: &[String],
        days: u32,
        max_commits: usize,
    ) -> Result<Vec<PathHistory>> {
        let start = self.resolve_oid(rev)?;
        let first = commit_node(&self.git, start)?;
        let since = first.time - i64::from(days) * 86_400;
        let mut out: Vec<PathHistory> = paths
            .iter()
            .map(|p| PathHistory {
                path: p.clone(),
                ..PathHistory::default()
            })
            .collect();
        let wanted: HashMap<&str, usize> = paths
            .iter()
            .enumerate()
            .map(|(i, p)| (p.as_str(), i))
            .collect();
        // Newest first, as `git log` orders by commit time; each commit is read
        // once per process (see `commit_node`), not once per change.
        let mut next: BinaryHeap<(i64, Oid)> = BinaryHeap::from([(first.time, start)]);
        let mut seen: HashSet<Oid> = HashSet::from([start]);
        let mut walked = 0usize;
        while let Some((time, id)) = next.pop() {
            if walked == max_commits || time < since {
                break;
            }
            walked += 1;
            let node = commit_node(&self.git, id)?;
            for p in node.parents.iter() {
                if seen.insert(*p) {
                    next.push((commit_node(&self.git, *p)?.time, *p));
                }
            }
            if node.parents.len() > 1 {
                continue; // merges repeat their parents' changes
            }
            let changed = changed_paths(&self.git, id)?;
            for path in changed.iter() {
                if let Some(&i) = wanted.get(path.as_str()) {
                    out[i].commits += 1;
                    if node.fix {
                        out[i].fix_commits += 1;
                    }
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::is_fix;

    #[test]
    fn fix_subjects() {
        assert!(is_fix("Fix double charge on retry"));
        assert!(is_fix("hotfix: null session"));
        assert!(is_fix("Revert \"Add cache\""));
        assert!(!is_fix("Add prefix option"));
        assert!(!is_fix("Debug logging"));
    }
}
