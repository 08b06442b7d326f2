//! Opening a repository and the small read operations every command needs:
//! resolving revisions, reading commits and files at a revision, listing refs.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use git2::{Oid, Repository};

use crate::error::BadInput;

/// Facts about a commit, as plain data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    pub id: String,
    pub parents: Vec<String>,
    pub author_name: String,
    pub author_email: String,
    pub committer_name: String,
    pub committer_email: String,
    /// Author time, seconds since the epoch.
    pub time: i64,
    pub message: String,
}

impl CommitInfo {
    /// The first line of the message.
    pub fn subject(&self) -> &str {
        self.message.lines().next().unwrap_or("").trim()
    }

    /// "Name <email>" of the author.
    pub fn author(&self) -> String {
        format!("{} <{}>", self.author_name, self.author_email)
    }
}

/// A git repository opened for countersign.
pub struct Repo {
    pub(crate) git: Repository,
}

impl Repo {
    /// Opens the repository at `path` (like `git -C path`), or discovers it from the
    /// current directory.
    pub fn open(path: Option<&Path>) -> Result<Repo> {
        let start = match path {
            Some(p) => p.to_path_buf(),
            None => std::env::current_dir().context("reading the current directory")?,
        };
        if !start.exists() {
            return Err(BadInput::new(format!(
                "{}: no such directory; pass -C <path to a git repository>",
                start.display()
            ))
            .into());
        }
        // Inside a git hook (GIT_DIR set, e.g. pre-receive on a server) honour
        // git's environment, so objects still in the push's quarantine are seen.
        if path.is_none()
            && std::env::var_os("GIT_DIR").is_some()
            && let Ok(git) = Repository::open_from_env()
        {
            return Ok(Repo { git });
        }
        let git = Repository::discover(&start).map_err(|_| {
            BadInput::new(format!(
                "{} is not in a git repository; run countersign inside one or pass -C <path>",
                start.display()
            ))
        })?;
        Ok(Repo { git })
    }

    /// Opens the repository at exactly `path` (no discovery), for worker threads.
    pub fn open_exact(path: &Path) -> Result<Repo> {
        let git = Repository::open(path)
            .with_context(|| format!("opening the repository at {}", path.display()))?;
        Ok(Repo { git })
    }

    /// The `.git` directory (or the bare repository itself).
    pub fn git_dir(&self) -> PathBuf {
        self.git.path().to_path_buf()
    }

    /// The work tree, if the repository has one.
    pub fn work_dir(&self) -> Option<PathBuf> {
        self.git.workdir().map(Path::to_path_buf)
    }

    /// A short name for the repository: its work tree's (or bare dir's) file name.
    pub fn display_name(&self) -> String {
        let p = self.work_dir().unwrap_or_else(|| self.git_dir());
        p.file_name()
            .map(|n| n.to_string_lossy().trim_end_matches(".git").to_string())
            .unwrap_or_else(|| p.display().to_string())
    }

    /// Resolves a revision to a commit id; an unknown revision is bad input.
    pub fn resolve_commit(&self, rev: &str) -> Result<String> {
        Ok(self.resolve_oid(rev)?.to_string())
    }

    pub(crate) fn resolve_oid(&self, rev: &str) -> Result<Oid> {
        let obj = self.git.revparse_single(rev).map_err(|_| {
            BadInput::new(format!(
                "unknown revision '{rev}'; name a branch, tag or commit that exists here"
            ))
        })?;
        let commit = obj
            .peel_to_commit()
            .map_err(|_| BadInput::new(format!("'{rev}' does not name a commit")))?;
        Ok(commit.id())
    }

    /// True when `rev` resolves to a commit.
    pub fn has_revision(&self, rev: &str) -> bool {
        self.git
            .revparse_single(rev)
            .and_then(|o| o.peel_to_commit())
            .is_ok()
    }

    /// The merge-base of two commits, if they share history.
    pub fn merge_base(&self, a: &str, b: &str) -> Result<Option<String>> {
        let (a, b) = (oid(a)?, oid(b)?);
        match self.git.merge_base(a, b) {
            Ok(o) => Ok(Some(o.to_string())),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(anyhow!(e).context("computing the merge-base")),
        }
    }

    /// True when `ancestor` is `descendant` or one of its ancestors.
    pub fn is_ancestor(&self, ancestor: &str, descendant: &str) -> Result<bool> {
        let (a, d) = (oid(ancestor)?, oid(descendant)?);
        Ok(a == d || self.git.graph_descendant_of(d, a)?)
    }

    /// Reads a commit.
    pub fn commit_info(&self, id: &str) -> Result<CommitInfo> {
        let c = self
            .git
            .find_commit(oid(id)?)
            .with_context(|| format!("reading commit {id}"))?;
        Ok(commit_info(&c))
    }

    /// The tree id of a commit.
    pub fn tree_of(&self, id: &str) -> Result<String> {
        let c = self.git.find_commit(oid(id)?)?;
        Ok(c.tree_id().to_string())
    }

    /// The contents of `path` in the tree of commit `rev`, or `None` if absent.
    pub fn read_file_at(&self, rev: &str, path: &str) -> Result<Option<Vec<u8>>> {
        let commit = self.git.find_commit(self.resolve_oid(rev)?)?;
        let tree = commit.tree()?;
        let entry = match tree.get_path(Path::new(path)) {
            Ok(e) => e,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let obj = entry.to_object(&self.git)?;
        Ok(obj.as_blob().map(|b| b.content().to_vec()))
    }

    /// The paths of every file in the tree of commit `rev`.
    pub fn list_files_at(&self, rev: &str) -> Result<Vec<String>> {
        let commit = self.git.find_commit(self.resolve_oid(rev)?)?;
        let tree = commit.tree()?;
        let mut out = Vec::new();
        tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
            if entry.kind() == Some(git2::ObjectType::Blob) {
                out.push(format!(
                    "{dir}{}",
                    String::from_utf8_lossy(entry.name_bytes())
                ));
            }
            git2::TreeWalkResult::Ok
        })?;
        Ok(out)
    }

    /// Every ref matching a glob (e.g. `refs/countersign/pending/*`), with the
    /// commit it points to.
    pub fn refs_matching(&self, glob: &str) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        for r in self.git.references_glob(glob)? {
            let r = r?;
            let Ok(name) = r.name().map(str::to_string) else {
                continue;
            };
            if let Ok(c) = r.peel_to_commit() {
                out.push((name, c.id().to_string()));
            }
        }
        Ok(out)
    }

    /// The commit ids of a range, newest first. `range` is `A..B`, or a single
    /// revision meaning `<target>..rev`.
    pub fn commits_in_range(&self, range: &str, target: &str) -> Result<Vec<String>> {
        let ids = self.commit_oids_in_range(range, target)?;
        Ok(ids.iter().map(Oid::to_string).collect())
    }

    /// [`Repo::commits_in_range`] as object ids.
    pub(crate) fn commit_oids_in_range(&self, range: &str, target: &str) -> Result<Vec<Oid>> {
        let mut walk = self.git.revwalk()?;
        walk.set_sorting(git2::Sort::TOPOLOGICAL)?;
        if let Some((from, to)) = range.split_once("..") {
            let to = if to.is_empty() { "HEAD" } else { to };
            walk.push(self.resolve_oid(to)?)?;
            if !from.is_empty() {
                walk.hide(self.resolve_oid(from)?)?;
            }
        } else {
            walk.push(self.resolve_oid(range)?)?;
            if let Ok(t) = self.resolve_oid(target) {
                walk.hide(t)?;
            }
        }
        walk.map(|r| Ok(r?)).collect()
    }

    /// The commits of every local branch that are not on `target`, newest first.
    pub fn commits_off_target(&self, target: &str) -> Result<Vec<String>> {
        let ids = self.commit_oids_off_target(target)?;
        Ok(ids.iter().map(Oid::to_string).collect())
    }

    /// [`Repo::commits_off_target`] as object ids.
    pub(crate) fn commit_oids_off_target(&self, target: &str) -> Result<Vec<Oid>> {
        let mut walk = self.git.revwalk()?;
        walk.set_sorting(git2::Sort::TOPOLOGICAL)?;
        walk.push_glob("refs/heads/*")?;
        if let Ok(t) = self.resolve_oid(target) {
            walk.hide(t)?;
        }
        walk.map(|r| Ok(r?)).collect()
    }

    /// The identity of the signature git would use for a new commit here.
    pub fn user_identity(&self) -> (String, String) {
        match self.git.signature() {
            Ok(s) => (
                s.name().unwrap_or("unknown").to_string(),
                s.email().unwrap_or("unknown").to_string(),
            ),
            Err(_) => ("unknown".into(), "unknown".into()),
        }
    }

    /// Reads a string from git's configuration (e.g. `user.signingkey`).
    pub fn config_string(&self, key: &str) -> Option<String> {
        self.git.config().ok()?.get_string(key).ok()
    }

    /// The id of the root commit reached from `rev` by first parents: the
    /// repository's identity when policy.toml does not name one.
    pub fn root_commit(&self, rev: &str) -> Result<String> {
        let mut c = self.git.find_commit(self.resolve_oid(rev)?)?;
        while let Ok(p) = c.parent(0) {
            c = p;
        }
        Ok(c.id().to_string())
    }

    /// The commit ids reachable from any of `tips` and from none of `hide`,
    /// newest first (topological order).
    pub fn commits_between(&self, tips: &[&str], hide: &[&str]) -> Result<Vec<String>> {
        let mut walk = self.git.revwalk()?;
        walk.set_sorting(git2::Sort::TOPOLOGICAL)?;
        for t in tips {
            walk.push(oid(t)?)?;
        }
        for h in hide {
            walk.hide(oid(h)?)?;
        }
        walk.map(|r| Ok(r?.to_string())).collect()
    }

    /// The commits of the first-parent chain from `tip` back to (not
    /// including) `stop` or the root, newest first.
    pub fn first_parent_chain(&self, tip: &str, stop: Option<&str>) -> Result<Vec<String>> {
        let mut walk = self.git.revwalk()?;
        walk.simplify_first_parent()?;
        walk.set_sorting(git2::Sort::TOPOLOGICAL)?;
        walk.push(oid(tip)?)?;
        if let Some(s) = stop {
            walk.hide(oid(s)?)?;
        }
        walk.map(|r| Ok(r?.to_string())).collect()
    }

    /// The target of a symbolic ref (e.g. `refs/remotes/origin/HEAD` →
    /// `refs/remotes/origin/main`), if `name` is one.
    pub fn symbolic_target(&self, name: &str) -> Option<String> {
        let r = self.git.find_reference(name).ok()?;
        r.symbolic_target().ok().flatten().map(str::to_string)
    }

    /// True for a bare repository (a server's).
    pub fn is_bare(&self) -> bool {
        self.git.is_bare()
    }

    /// True for a shallow clone, whose history may stop short of the
    /// merge-base a change is measured from.
    pub fn is_shallow(&self) -> bool {
        self.git.is_shallow()
    }

    /// The signature of a signed commit and the bytes it signs, if the commit
    /// carries one (`gpgsig` header: SSH, OpenPGP or X.509 armor).
    pub fn commit_signature(&self, id: &str) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
        match self.git.extract_signature(&oid(id)?, None) {
            Ok((sig, data)) => Ok(Some((sig.to_vec(), data.to_vec()))),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(anyhow!(e).context(format!("reading the signature of commit {id}"))),
        }
    }

    /// True when merge commit `id`'s tree is not what git's automatic merge of
    /// its parents gives (conflicts resolved by hand, or content added in the
    /// merge itself: an "evil merge"). Octopus merges and merges with
    /// conflicts count as differing.
    pub fn merge_adds_content(&self, id: &str) -> Result<bool> {
        let c = self.git.find_commit(oid(id)?)?;
        if c.parent_count() != 2 {
            return Ok(c.parent_count() > 2);
        }
        let (a, b) = (c.parent(0)?, c.parent(1)?);
        let mut index = self
            .git
            .merge_commits(&a, &b, None)
            .with_context(|| format!("merging the parents of {id}"))?;
        if index.has_conflicts() {
            return Ok(true);
        }
        let tree = index.write_tree_to(&self.git)?;
        Ok(tree != c.tree_id())
    }

    /// A commit's committer time, seconds since the epoch.
    pub fn committer_time(&self, id: &str) -> Result<i64> {
        Ok(self.git.find_commit(oid(id)?)?.committer().when().seconds())
    }

    /// The first parent of a commit, if it has one.
    pub fn first_parent(&self, id: &str) -> Result<Option<String>> {
        let c = self.git.find_commit(oid(id)?)?;
        Ok(c.parent_id(0).ok().map(|p| p.to_string()))
    }
}

pub(crate) fn commit_info(c: &git2::Commit<'_>) -> CommitInfo {
    let a = c.author();
    let m = c.committer();
    CommitInfo {
        id: c.id().to_string(),
        parents: c.parent_ids().map(|p| p.to_string()).collect(),
        author_name: String::from_utf8_lossy(a.name_bytes()).into_owned(),
        author_email: String::from_utf8_lossy(a.email_bytes()).into_owned(),
        committer_name: String::from_utf8_lossy(m.name_bytes()).into_owned(),
        committer_email: String::from_utf8_lossy(m.email_bytes()).into_owned(),
        time: a.when().seconds(),
        message: String::from_utf8_lossy(c.message_bytes()).into_owned(),
    }
}

/// Parses a full hex object id.
pub(crate) fn oid(id: &str) -> Result<Oid> {
    Oid::from_str(id).with_context(|| format!("'{id}' is not an object id"))
}

/// True for a full hexadecimal object id (40 or 64 digits).
pub fn is_full_id(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}
