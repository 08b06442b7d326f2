//! `attach <id> <file.sarif>…`: stores analyzers' results for a change's head
//! (or, with `--base`, its base) under `refs/notes/countersign-analysis`. Every
//! file is read and parsed before anything is stored: one malformed or
//! oversized file stores nothing (exit 2).

use anyhow::Result;

use super::{Ctx, print_out};
use crate::analyzers::runner::MAX_SARIF_BYTES;
use crate::analyzers::{ToolRun, sarif, store};
use crate::cli::AttachArgs;
use crate::error::BadInput;
use crate::sanitize::escape_line;

/// Parses every file, then stores all runs in one notes commit.
pub fn run(ctx: &Ctx, args: &AttachArgs) -> Result<u8> {
    let change = crate::git::find_change(&ctx.repo, &ctx.config, &args.id)?;
    let commit = if args.base {
        &change.base
    } else {
        &change.head
    };
    if let Some(t) = &args.tool
        && (t.is_empty() || t.chars().any(|c| c.is_whitespace() || c.is_control()))
    {
        return Err(BadInput::new(format!(
            "--tool {t:?} must be one word; name the tool as in analyzers.toml, e.g. --tool bandit"
        ))
        .into());
    }
    let mut runs = Vec::new();
    for path in &args.files {
        let shown = escape_line(&path.display().to_string());
        let meta = std::fs::metadata(path).map_err(|e| {
            BadInput::new(format!(
                "cannot read {shown}: {e}; name an existing SARIF file"
            ))
        })?;
        if meta.len() > MAX_SARIF_BYTES {
            return Err(BadInput::new(format!(
                "{shown} is {} MiB, over the {} MiB limit for SARIF; attach the results of fewer files or rules",
                meta.len() >> 20,
                MAX_SARIF_BYTES >> 20
            ))
            .into());
        }
        let bytes =
            std::fs::read(path).map_err(|e| BadInput::new(format!("cannot read {shown}: {e}")))?;
        let parsed = sarif::parse(&bytes, None).map_err(|e| {
            BadInput::new(format!(
                "{shown} is not valid SARIF 2.1.0: {}; attach the file the analyzer wrote",
                crate::config::one_line(&format!("{e:#}"))
            ))
        })?;
        for p in parsed {
            runs.push(ToolRun {
                tool: args.tool.clone().unwrap_or(p.tool),
                version: p.version,
                commit: commit.clone(),
                source: "attached".into(),
                results: p.results,
            });
        }
    }
    store::attach(&ctx.repo, commit, &runs)?;
    let results: usize = runs.iter().map(|r| r.results.len()).sum();
    let tools: Vec<&str> = runs.iter().map(|r| r.tool.as_str()).collect();
    print_out(&format!(
        "attached {} run(s) ({}), {results} result(s), to {} {}\n",
        runs.len(),
        escape_line(&tools.join(", ")),
        if args.base { "base" } else { "head" },
        commit.chars().take(10).collect::<String>(),
    ))?;
    Ok(0)
}
