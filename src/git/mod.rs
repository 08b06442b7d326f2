//! All use of git2: opening repositories, queue sources, diffs, patch-ids,
//! notes and sync. Nothing outside this module touches git2; it hands out plain
//! data (`Change`, `Diff`, strings of object ids).

pub mod build;
pub mod changes;
pub mod diff;
pub mod export;
pub mod history;
pub mod notes;
pub mod patch_id;
pub mod repo;
pub mod revisions;
pub mod similarity;
pub mod sync;

pub use changes::{
    PENDING_PREFIX, SubmitRequest, Submitted, find_change, list_changes, scan, submit,
};
pub use diff::{ComputedDiff, DiffStats};
pub use notes::{MergeOutcome, NOTES_REF, cat_sort_uniq};
pub use repo::{CommitInfo, Repo};

use anyhow::Result;

use crate::config::{REPO_CONFIG_PATH, RepoConfig};

/// Sets libgit2's process-wide options once, before any repository is opened:
/// objects read from the object database are not re-hashed on every read. Git
/// itself trusts its object store the same way (hashes are checked when objects
/// arrive, by `index-pack` and `fsck`), and re-hashing each commit and blob
/// cost a tenth of a cold queue's CPU.
pub fn configure_process() {
    git2::opts::strict_hash_verification(false);
}

impl Repo {
    /// Reads the repository's configuration: `.countersign/config.toml` from the
    /// work tree, else from HEAD (bare repositories), merged over the defaults.
    pub fn load_config(&self) -> Result<RepoConfig> {
        if let Some(dir) = self.work_dir() {
            let path = dir.join(REPO_CONFIG_PATH);
            if let Ok(text) = std::fs::read_to_string(&path) {
                return RepoConfig::parse(&text, REPO_CONFIG_PATH);
            }
        } else if let Ok(Some(bytes)) = self.read_file_at("HEAD", REPO_CONFIG_PATH) {
            return RepoConfig::parse(&String::from_utf8_lossy(&bytes), REPO_CONFIG_PATH);
        }
        Ok(RepoConfig::defaults())
    }

    /// Computes the diff of `base..head` and its verbatim patch-id.
    pub fn diff(&self, base: &str, head: &str) -> Result<ComputedDiff> {
        diff::compute(&self.git, repo::oid(base)?, repo::oid(head)?)
    }

    /// The exact text `git diff base head` prints.
    pub fn patch_text(&self, base: &str, head: &str) -> Result<Vec<u8>> {
        diff::patch_text(&self.git, repo::oid(base)?, repo::oid(head)?)
    }
}
