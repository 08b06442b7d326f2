//! `show <id>`: a change for a pager or a CI log.

use std::io::IsTerminal;

use anyhow::Result;

use super::{Ctx, print_out};
use crate::change::Change;
use crate::cli::{ColorWhen, ShowArgs};
use crate::git::ComputedDiff;
use crate::highlight::Highlighter;
use crate::sanitize::escape_line;
use crate::show::{GutterMark, RenderOptions, highlight_files, render_highlighted};
use crate::theme::Theme;

/// Whether to colour, given `--color` and the environment.
pub fn use_color(when: ColorWhen) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// Prints the header and the highlighted diff.
pub fn run(ctx: &Ctx, args: &ShowArgs) -> Result<u8> {
    let change = ctx.find_change(&args.id)?;
    if args.since_review {
        return since_review(ctx, &change, use_color(args.color));
    }
    let computed = ctx.repo.diff(&change.base, &change.head)?;
    let color = use_color(args.color);
    let user = crate::config::UserConfig::load().unwrap_or_default();
    let theme = Theme::load(user.theme.as_deref())?;
    let highlighter = color.then(|| Highlighter::new(&theme));
    // The risk report (cached, or computed on its own thread) and the syntax
    // colours (on every core) are made at the same time.
    let git_dir = ctx.repo.git_dir();
    let (report, highlights) = std::thread::scope(|s| {
        let risk = s.spawn(|| {
            let repo = crate::git::Repo::open_exact(&git_dir)?;
            crate::analyzers::analysed_report(
                &repo,
                &change.base,
                &change.head,
                &computed.diff,
                crate::analyzers::AnalysisOptions { run_local: true },
            )
        });
        let highlights = match &highlighter {
            Some(h) => highlight_files(&computed.diff.files, h),
            None => Vec::new(),
        };
        let report = risk
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("the risk analysis failed")));
        (report, highlights)
    });
    let analysed = report?;
    let report = &analysed.report;
    let hidden: &[crate::risk::Finding] = if args.all_results {
        &analysed.analyzers.hidden
    } else {
        &[]
    };
    let marks: Vec<GutterMark> = report
        .findings
        .iter()
        .chain(hidden)
        .filter_map(|f| {
            Some(GutterMark {
                path: f.path.clone(),
                line: f.line?,
                old_side: f.side == crate::risk::Side::Old,
                severity: f.severity.as_str().to_string(),
                // An analyzer's finding (`bandit B602`) says whose it is.
                message: if f.rule.contains(' ') {
                    format!("{}: {}", f.rule, f.message)
                } else {
                    f.message.clone()
                },
            })
        })
        .collect();
    let mut out = header(&change, &computed);
    out.push_str(&risk_summary(report, color, &theme));
    out.push_str(&super::risk::analyzers_text(
        &analysed.analyzers,
        args.all_results,
    ));
    out.push('\n');
    out.push_str(&render_highlighted(
        &computed.diff.files,
        &highlights,
        &RenderOptions {
            color,
            theme: &theme,
            highlighter: highlighter.as_ref(),
            marks: &marks,
        },
    ));
    print_out(&out)?;
    Ok(0)
}

/// `show --since-review`: the interdiff between the revision last decided on
/// and the current one, with that revision's remarks beside their lines.
fn since_review(ctx: &Ctx, change: &Change, color: bool) -> Result<u8> {
    let short = |s: &str| s.chars().take(10).collect::<String>();
    let trust = ctx.trust(None)?;
    let Some(s) = crate::revisions::since_review(&ctx.repo, &trust, change)? else {
        print_out(&format!(
            "change   {}  {}
nothing to compare: no verified decision on an earlier revision; `countersign show {}` shows the whole change\n",
            change.id,
            escape_line(&change.title),
            change.id
        ))?;
        return Ok(0);
    };
    let user = crate::config::UserConfig::load().unwrap_or_default();
    let theme = Theme::load(user.theme.as_deref())?;
    let r = &s.decision.record;
    let d = &s.interdiff.diff;
    let mut out = format!(
        "change   {}  {}
since    {} ({} by {} at {})
now      {}
interdiff {} file(s), {} patch line(s) added, {} dropped\n",
        change.id,
        escape_line(&change.title),
        short(&r.head),
        r.decision.as_str(),
        escape_line(&r.reviewer),
        escape_line(&r.at),
        short(&change.head),
        d.files.len(),
        d.additions(),
        d.deletions(),
    );
    if d.files.is_empty() {
        out.push_str("\nthe patch is the same as the one decided on (only its base moved)\n");
    }
    out.push('\n');
    let marks: Vec<GutterMark> = s
        .interdiff
        .placed
        .iter()
        .map(|m| GutterMark {
            path: m.path.clone(),
            line: m.line,
            old_side: m.side == crate::decision::RemarkSide::Old,
            severity: "remark".into(),
            message: m.text.clone(),
        })
        .collect();
    out.push_str(&render_highlighted(
        &d.files,
        &Vec::new(),
        &RenderOptions {
            color,
            theme: &theme,
            highlighter: None,
            marks: &marks,
        },
    ));
    if !s.interdiff.unchanged.is_empty() {
        out.push_str("\nearlier remarks on lines not changed since\n");
        for m in &s.interdiff.unchanged {
            let side = if m.side == crate::decision::RemarkSide::Old {
                "old:"
            } else {
                ""
            };
            out.push_str(&format!(
                "  {}:{side}{}  {}\n",
                escape_line(&m.path),
                m.line,
                escape_line(&m.text)
            ));
        }
    }
    print_out(&out)?;
    Ok(0)
}

/// The risk level, the blast radius and the findings, above the diff.
fn risk_summary(report: &crate::risk::RiskReport, color: bool, theme: &Theme) -> String {
    let paint = |level: &str, text: &str| {
        if color {
            let c = theme.palette.level(level);
            format!("\x1b[1;38;2;{};{};{}m{text}\x1b[0m", c.0, c.1, c.2)
        } else {
            text.to_string()
        }
    };
    let level = report.level.as_str();
    let mut out = format!(
        "risk     {} (score {})\nblast    {}\n",
        paint(level, level),
        report.score,
        escape_line(&report.blast.summary)
    );
    for w in &report.warnings {
        out.push_str(&format!("warning  {}\n", escape_line(w)));
    }
    if !report.findings.is_empty() {
        out.push_str(&format!("\nfindings ({})\n", report.findings.len()));
        for f in &report.findings {
            let sev = f.severity.as_str();
            let at = match f.line {
                Some(n) if f.side == crate::risk::Side::Old => format!("{}:-{n}", f.path),
                Some(n) => format!("{}:{n}", f.path),
                None => f.path.clone(),
            };
            out.push_str(&format!(
                "  {} {}  {}\n           {}\n",
                paint(sev, &format!("{sev:<8}")),
                escape_line(&at),
                escape_line(&f.rule),
                escape_line(&f.message)
            ));
        }
    }
    out
}

/// The summary lines above the diff.
fn header(change: &Change, computed: &ComputedDiff) -> String {
    let short = |s: &str| s.chars().take(10).collect::<String>();
    let d = &computed.diff;
    format!(
        "change   {}  {}\nauthor   {}\ntool     {}\nrange    {}..{}  (against {})\nsize     {} file(s), +{} -{}\npatch-id {}\n",
        change.id,
        escape_line(&change.title),
        escape_line(&change.author),
        escape_line(&change.tool),
        short(&change.base),
        short(&change.head),
        escape_line(&change.target),
        d.files.len(),
        d.additions(),
        d.deletions(),
        computed.patch_id.as_deref().unwrap_or("(empty diff)"),
    )
}
