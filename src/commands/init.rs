//! `init [--senior <principal>=<public key file>]... [--force]`: writes
//! `.countersign/policy.toml` (commented defaults) and `.countersign/allowed_signers`.

use anyhow::Result;

use super::{Ctx, print_out};
use crate::cli::InitArgs;

pub fn run(ctx: &Ctx, args: &InitArgs) -> Result<u8> {
    let Some(root) = ctx.repo.work_dir() else {
        crate::bad_input!(
            "this repository has no work tree; run init in a clone and commit .countersign/"
        );
    };
    let mut seniors = Vec::new();
    for s in &args.seniors {
        let Some((principal, file)) = s.split_once('=') else {
            crate::bad_input!(
                "--senior {s:?}: use <principal>=<public key file>, e.g. alice@example.com=~/.ssh/id_ed25519.pub"
            );
        };
        let path = match file.strip_prefix("~/") {
            Some(rest) => {
                std::path::PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(rest)
            }
            None => std::path::PathBuf::from(file),
        };
        let key = match std::fs::read_to_string(&path) {
            Ok(k) => k,
            Err(e) => crate::bad_input!(
                "--senior {principal}: cannot read {} ({e}); give the .pub file",
                path.display()
            ),
        };
        let line = key
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .to_string();
        seniors.push((principal.trim().to_string(), line));
    }
    let written = crate::decision::write_policy_files(&root, &seniors, args.force)?;
    let mut out = String::new();
    for p in &written {
        out.push_str(&format!("wrote {}\n", p.display()));
    }
    if seniors.is_empty() {
        out.push_str("no seniors yet: add lines to .countersign/allowed_signers (or rerun with --senior <principal>=<key.pub> --force)\n");
    }
    out.push_str("commit them to the target branch: git add .countersign && git commit -m 'countersign policy'\n");
    print_out(&out)?;
    Ok(0)
}
