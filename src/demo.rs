//! `countersign demo`: builds a realistic small repository (a web shop) with
//! AI-assisted changes of very different risk waiting in the queue, from the
//! data in `assets/demo.toml`, so a newcomer sees the product in one command.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::config::RepoConfig;
use crate::git::build::{FileEdit, Person};
use crate::git::{Repo, SubmitRequest};

const DEMO: &str = include_str!("../assets/demo.toml");

/// The reviewer identity the demo configures (and signs as).
pub const DEMO_REVIEWER: &str = "you@shopfront.example";
/// A second senior, so critical changes (which need two approvals) can pass.
pub const DEMO_SECOND_REVIEWER: &str = "alice@shopfront.example";

#[derive(Deserialize)]
struct DemoData {
    file: Vec<DemoFile>,
    change: Vec<DemoChange>,
    scan: Vec<DemoChange>,
}

#[derive(Deserialize)]
struct DemoFile {
    path: String,
    content: String,
}

#[derive(Deserialize)]
struct DemoChange {
    branch: String,
    title: String,
    author: String,
    trailer: String,
    edit: Vec<DemoEdit>,
}

#[derive(Deserialize)]
struct DemoEdit {
    path: String,
    find: String,
    replace: String,
}

/// What the demo built.
#[derive(Debug, Clone)]
pub struct Demo {
    pub path: PathBuf,
    /// Ids of the queued changes.
    pub ids: Vec<String>,
    /// The throwaway private keys: yours (the repository's `user.signingkey`)
    /// and the second senior's.
    pub key: PathBuf,
    pub second_key: PathBuf,
}

/// Writes a throwaway ed25519 key pair under `dir` (mode 0600) and returns the
/// private key's path and the public key line.
fn write_demo_key(dir: &Path, name: &str, principal: &str) -> Result<(PathBuf, String)> {
    let key = crate::decision::keys::generate_ed25519(principal)?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join(name);
    std::fs::write(&path, &key.private_openssh)
        .with_context(|| format!("writing {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    }
    std::fs::write(path.with_extension("pub"), format!("{}\n", key.public_line))?;
    Ok((path, key.public_line))
}

/// A fresh directory for a demo under the system's temporary directory.
pub fn default_dir() -> PathBuf {
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
    std::env::temp_dir().join(format!("countersign-demo-{stamp}-{}", std::process::id()))
}

/// Builds the demo repository at `dir` (which must not exist or be empty).
pub fn build(dir: &Path) -> Result<Demo> {
    if dir.exists()
        && std::fs::read_dir(dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        crate::bad_input!(
            "{} already exists and is not empty; pass --dir with a new path",
            dir.display()
        );
    }
    let data: DemoData = toml::from_str(DEMO).context("parsing the built-in demo data")?;
    let repo = Repo::init(dir, "main")?;
    repo.set_config("user.name", "You (demo reviewer)")?;
    repo.set_config("user.email", DEMO_REVIEWER)?;
    let mut clock = chrono::Utc::now().timestamp() - 14 * 24 * 3600;
    let mut tick = || {
        clock += 3 * 3600 + 17 * 60;
        clock
    };
    let founder = Person {
        name: "Ana Ruiz".into(),
        email: "ana@shopfront.example".into(),
        time: tick(),
    };
    // Throwaway reviewer keys live inside .git, never in the work tree.
    let key_dir = repo.git_dir().join("countersign-demo-keys");
    let (key, you_pub) = write_demo_key(&key_dir, "you_ed25519", DEMO_REVIEWER)?;
    let (second_key, alice_pub) = write_demo_key(&key_dir, "alice_ed25519", DEMO_SECOND_REVIEWER)?;
    repo.set_config("user.signingkey", &key.to_string_lossy())?;
    let seniors = [
        (DEMO_REVIEWER.to_string(), you_pub),
        (DEMO_SECOND_REVIEWER.to_string(), alice_pub),
    ];
    let mut files: Vec<FileEdit> = data
        .file
        .iter()
        .map(|f| (f.path.clone(), Some(f.content.clone().into_bytes())))
        .collect();
    files.push((
        crate::decision::policy::POLICY_PATH.to_string(),
        Some(
            crate::decision::policy::policy_template(&[DEMO_REVIEWER, DEMO_SECOND_REVIEWER])
                .into_bytes(),
        ),
    ));
    files.push((
        crate::decision::policy::SIGNERS_PATH.to_string(),
        Some(crate::decision::policy::allowed_signers_text(&seniors).into_bytes()),
    ));
    let main = repo.commit_files(
        "main",
        None,
        &files,
        &founder,
        "Shopfront: checkout, auth, migrations and prod infra\n",
    )?;
    let cfg = RepoConfig::defaults();
    let mut ids = Vec::new();
    for (change, submit) in data
        .change
        .iter()
        .map(|c| (c, true))
        .chain(data.scan.iter().map(|c| (c, false)))
    {
        let (name, email) = change
            .author
            .split_once(" <")
            .map(|(n, e)| (n.to_string(), e.trim_end_matches('>').to_string()))
            .unwrap_or((change.author.clone(), String::new()));
        let person = Person {
            name,
            email,
            time: tick(),
        };
        let edits = apply_edits(&data.file, &change.edit)
            .with_context(|| format!("demo change {}", change.branch))?;
        let message = format!("{}\n\n{}\n", change.title, change.trailer);
        repo.commit_files(&change.branch, Some(&main), &edits, &person, &message)?;
        if submit {
            let done = crate::git::submit(
                &repo,
                &cfg,
                &SubmitRequest {
                    rev: &change.branch,
                    // Queued by the agent a little after it committed.
                    at: Some(person.time + 20 * 60),
                    ..Default::default()
                },
            )?;
            ids.push(done.id);
        }
    }
    let scanned = crate::git::scan(&repo, &cfg, None)?;
    ids.extend(scanned.queued);
    repo.checkout_branch("main")?;
    Ok(Demo {
        path: dir.to_path_buf(),
        ids,
        key,
        second_key,
    })
}

/// Applies find/replace edits to the files of main; an empty `find` creates a file.
fn apply_edits(files: &[DemoFile], edits: &[DemoEdit]) -> Result<Vec<FileEdit>> {
    let mut out: Vec<(String, String)> = Vec::new();
    for e in edits {
        let current = out
            .iter()
            .find(|(p, _)| *p == e.path)
            .map(|(_, c)| c.clone())
            .or_else(|| {
                files
                    .iter()
                    .find(|f| f.path == e.path)
                    .map(|f| f.content.clone())
            });
        let new = match (current, e.find.is_empty()) {
            (None, true) => e.replace.clone(),
            (Some(c), false) if c.contains(&e.find) => c.replacen(&e.find, &e.replace, 1),
            (Some(_), false) => bail!("'{}' not found in {}", e.find, e.path),
            (Some(_), true) => bail!(
                "{} exists; an edit that creates a file needs a new path",
                e.path
            ),
            (None, false) => bail!("{} does not exist on main", e.path),
        };
        out.retain(|(p, _)| *p != e.path);
        out.push((e.path.clone(), new));
    }
    Ok(out
        .into_iter()
        .map(|(p, c)| (p, Some(c.into_bytes())))
        .collect())
}
