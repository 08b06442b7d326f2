//! Writing files of a commit into a plain directory (a throw-away checkout for
//! analyzers), without an index, a work tree of the repository or a worktree
//! entry: the user's work tree is never touched. Only regular files are
//! written; symbolic links and submodules are left out, so nothing in the
//! export points outside it.

use std::path::{Component, Path};

use anyhow::{Context, Result};
use git2::{ObjectType, TreeWalkMode, TreeWalkResult};

use crate::git::repo::Repo;

impl Repo {
    /// Writes every regular file of commit `rev` for which `keep(path)` holds
    /// under `dir`; returns how many were written.
    pub fn export_files(
        &self,
        rev: &str,
        dir: &Path,
        keep: impl Fn(&str) -> bool,
    ) -> Result<usize> {
        let commit = self.git.find_commit(self.resolve_oid(rev)?)?;
        let tree = commit.tree()?;
        let mut wanted = Vec::new();
        tree.walk(TreeWalkMode::PreOrder, |parent, e| {
            let mode = e.filemode();
            if e.kind() == Some(ObjectType::Blob) && (mode == 0o100644 || mode == 0o100755) {
                let path = format!("{parent}{}", String::from_utf8_lossy(e.name_bytes()));
                if keep(&path) {
                    wanted.push((path, e.id(), mode));
                }
            }
            TreeWalkResult::Ok
        })?;
        for (path, id, mode) in &wanted {
            let rel = Path::new(path);
            // Tree entries never hold `..` or absolute parts, but a crafted
            // object could: such a path is skipped, never followed.
            if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
                continue;
            }
            let target = dir.join(rel);
            if let Some(p) = target.parent() {
                std::fs::create_dir_all(p).with_context(|| format!("creating {}", p.display()))?;
            }
            let blob = self.git.find_blob(*id)?;
            std::fs::write(&target, blob.content())
                .with_context(|| format!("writing {}", target.display()))?;
            if *mode == 0o100755 {
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o755));
            }
        }
        Ok(wanted.len())
    }
}
