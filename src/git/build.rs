//! Writing repositories and commits from plain data (paths and contents), for
//! the demo and for tests: no work tree needed, every commit fully specified.

use std::path::Path;

use anyhow::{Context, Result};
use git2::{IndexEntry, IndexTime, Repository, Signature, Time};

use crate::git::repo::{Repo, oid};

/// A file to write (`Some(content)`) or delete (`None`) in a commit.
pub type FileEdit = (String, Option<Vec<u8>>);

/// Who made a commit, and when (seconds since the epoch).
#[derive(Debug, Clone)]
pub struct Person {
    pub name: String,
    pub email: String,
    pub time: i64,
}

impl Repo {
    /// Creates a new repository at `path` whose HEAD is `branch`.
    pub fn init(path: &Path, branch: &str) -> Result<Repo> {
        let mut opts = git2::RepositoryInitOptions::new();
        opts.initial_head(branch);
        let git = Repository::init_opts(path, &opts)
            .with_context(|| format!("creating a repository at {}", path.display()))?;
        Ok(Repo { git })
    }

    /// Sets a value in the repository's own git config (e.g. `user.name`).
    pub fn set_config(&self, key: &str, value: &str) -> Result<()> {
        self.git.config()?.set_str(key, value)?;
        Ok(())
    }

    /// Commits `edits` on top of `parent` (or as a root commit) and moves
    /// `refs/heads/<branch>` to it. Returns the new commit's id.
    pub fn commit_files(
        &self,
        branch: &str,
        parent: Option<&str>,
        edits: &[FileEdit],
        author: &Person,
        message: &str,
    ) -> Result<String> {
        let mut index = git2::Index::new()?;
        let parent_commit = match parent {
            Some(p) => Some(self.git.find_commit(oid(p)?)?),
            None => None,
        };
        if let Some(pc) = &parent_commit {
            index.read_tree(&pc.tree()?)?;
        }
        for (path, content) in edits {
            match content {
                Some(bytes) => {
                    let blob = self.git.blob(bytes)?;
                    let entry = IndexEntry {
                        ctime: IndexTime::new(0, 0),
                        mtime: IndexTime::new(0, 0),
                        dev: 0,
                        ino: 0,
                        mode: if path.ends_with(".sh") {
                            0o100755
                        } else {
                            0o100644
                        },
                        uid: 0,
                        gid: 0,
                        file_size: bytes.len() as u32,
                        id: blob,
                        flags: 0,
                        flags_extended: 0,
                        path: path.as_bytes().to_vec(),
                    };
                    index
                        .add(&entry)
                        .with_context(|| format!("adding {path}"))?;
                }
                None => index
                    .remove_path(Path::new(path))
                    .with_context(|| format!("removing {path}"))?,
            }
        }
        let tree_id = index.write_tree_to(&self.git)?;
        let tree = self.git.find_tree(tree_id)?;
        let sig = Signature::new(&author.name, &author.email, &Time::new(author.time, 0))?;
        let parents: Vec<&git2::Commit<'_>> = parent_commit.iter().collect();
        let id = self
            .git
            .commit(
                Some(&format!("refs/heads/{branch}")),
                &sig,
                &sig,
                message,
                &tree,
                &parents,
            )
            .with_context(|| format!("committing on {branch}"))?;
        Ok(id.to_string())
    }

    /// Checks out `branch` into the work tree (forcefully: for fresh repositories).
    pub fn checkout_branch(&self, branch: &str) -> Result<()> {
        self.git.set_head(&format!("refs/heads/{branch}"))?;
        self.git
            .checkout_head(Some(git2::build::CheckoutBuilder::new().force()))?;
        Ok(())
    }
}
