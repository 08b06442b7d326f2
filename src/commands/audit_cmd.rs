//! `audit [--json|--csv] [--reviewer P] [--decision D] [--since T] [--until T]`:
//! every decision, verified. Exit 1 if any is invalid.

use anyhow::Result;

use super::{Ctx, print_out};
use crate::audit::{Filter, csv_field, human_duration, parse_filter_time};
use crate::cli::AuditArgs;
use crate::sanitize::escape_line;

pub fn run(ctx: &Ctx, args: &AuditArgs) -> Result<u8> {
    let time = |s: &Option<String>, flag: &str| -> Result<Option<i64>> {
        match s {
            None => Ok(None),
            Some(t) => match parse_filter_time(t) {
                Some(v) => Ok(Some(v)),
                None => crate::bad_input!(
                    "{flag} {t:?} is not a time; use YYYY-MM-DD or RFC 3339 (2026-01-02T03:04:05Z)"
                ),
            },
        }
    };
    if let Some(d) = &args.decision
        && d != "approve"
        && d != "reject"
    {
        crate::bad_input!("--decision {d:?}: use approve or reject");
    }
    let filter = Filter {
        reviewer: args.reviewer.clone(),
        decision: args.decision.clone(),
        since: time(&args.since, "--since")?,
        until: time(&args.until, "--until")?,
    };
    let trust = ctx.trust(args.trust.as_deref())?;
    if let Some(range) = &args.landed {
        return crate::commands::landed::run(ctx, &trust, range, args.json);
    }
    let audit = crate::audit::run(&ctx.repo, &trust, &filter)?;
    if args.json {
        print_out(&format!("{}\n", serde_json::to_string_pretty(&audit)?))?;
    } else if args.csv {
        let mut out = String::from(
            "status,at,decision,reviewer,change,head,base,patch_id,key,repo,risk_level,risk_score,comment,note_commit,note_line,detail\n",
        );
        for e in &audit.decisions {
            let r = e.record.as_ref();
            let f = |x: Option<String>| csv_field(&x.unwrap_or_default());
            let fields = [
                csv_field(e.status.as_str()),
                f(r.map(|r| r.at.clone())),
                f(r.map(|r| r.decision.as_str().to_string())),
                f(r.map(|r| r.reviewer.clone())),
                f(r.map(|r| r.change.clone())),
                f(r.map(|r| r.head.clone())),
                f(r.map(|r| r.base.clone())),
                f(r.and_then(|r| r.patch_id.clone())),
                f(r.map(|r| r.key.clone())),
                f(r.map(|r| r.repo.clone())),
                f(r.map(|r| r.risk.level.clone())),
                f(r.map(|r| r.risk.score.to_string())),
                f(r.map(|r| r.comment.clone())),
                csv_field(&e.note_commit),
                e.note_line.to_string(),
                csv_field(&e.detail),
            ];
            out.push_str(&fields.join(","));
            out.push('\n');
        }
        print_out(&out)?;
    } else {
        let mut out = String::new();
        if audit.decisions.is_empty() {
            out.push_str("no decisions recorded\n");
        }
        for e in &audit.decisions {
            match &e.record {
                Some(r) => out.push_str(&format!(
                    "{:<15} {:<20} {:<7} {:<28} {:<8} {} {}\n",
                    e.status.as_str(),
                    escape_line(&r.at),
                    r.decision.as_str(),
                    escape_line(&r.reviewer),
                    escape_line(&r.change),
                    escape_line(&r.head.chars().take(12).collect::<String>()),
                    escape_line(&e.detail)
                )),
                None => out.push_str(&format!(
                    "{:<15} note of {} {}\n",
                    e.status.as_str(),
                    escape_line(&e.note_commit.chars().take(12).collect::<String>()),
                    escape_line(&e.detail)
                )),
            }
        }
        let s = &audit.summary;
        out.push_str(&format!(
            "\n{} decision(s): {} valid, {} invalid; {} approval(s), {} rejection(s)\n",
            s.total, s.valid, s.invalid, s.approvals, s.rejections
        ));
        for (who, c) in &s.by_reviewer {
            out.push_str(&format!(
                "  {}: {} approve, {} reject\n",
                escape_line(who),
                c.approve,
                c.reject
            ));
        }
        if let Some(m) = s.median_seconds_to_decision {
            out.push_str(&format!(
                "median time from submission to decision: {}\n",
                human_duration(m)
            ));
        }
        print_out(&out)?;
    }
    Ok(if audit.summary.invalid > 0 { 1 } else { 0 })
}
