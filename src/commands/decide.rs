//! `approve <id> [-m M] [--head SHA]` and `reject <id> -m M [--head SHA]`:
//! sign and record a decision under the trust root. Exit 0 when recorded, 1
//! when refused or when the change moved away from `--head` (nothing
//! written), 2 on bad input.

use anyhow::Result;

use super::{Ctx, print_out};
use crate::cli::DecideArgs;
use crate::deciding::{Decided, Judgement, decide};
use crate::decision::keys::load_signer;
use crate::decision::{Decision, Signer};
use crate::sanitize::escape_line;

/// Finds and unlocks the user's signing key (`--key`, `$COUNTERSIGN_KEY`, the
/// user config, git's `user.signingkey`), asking for a passphrase on the
/// terminal if needed.
pub fn signer_for(ctx: &Ctx) -> Result<Signer> {
    let loc = crate::deciding::user_key_location(&ctx.repo, ctx.cli_key.as_deref())?;
    load_signer(&loc)
}

/// Runs approve (`reject == false`) or reject.
pub fn run(ctx: &Ctx, args: &DecideArgs, decision: Decision) -> Result<u8> {
    let comment = args.message.clone().unwrap_or_default();
    if decision == Decision::Reject && comment.trim().is_empty() {
        crate::bad_input!("a rejection needs a reason: countersign reject <id> -m \"why\"");
    }
    let trust = ctx.trust(args.trust.as_deref())?;
    let change = trust.find_change(&ctx.repo, &args.id)?;
    let remarks = if args.remarks.is_empty() {
        Vec::new()
    } else {
        let diff = ctx.repo.diff(&change.base, &change.head)?.diff;
        crate::remarks::parse_specs(&args.remarks, &diff)?
    };
    let signer = signer_for(ctx)?;
    match decide(
        &ctx.repo,
        &trust,
        &change,
        args.head.as_deref(),
        Judgement {
            decision,
            comment: &comment,
            remarks: &remarks,
        },
        &signer,
    )? {
        Decided::Refused(why) => {
            eprintln!("countersign: {}", escape_line(&why));
            Ok(1)
        }
        Decided::Moved { seen, now } => {
            eprintln!(
                "countersign: change {} has moved: you reviewed {seen}, its head is now {now}; nothing was signed. Review it again (countersign show {}) and decide with --head {now}",
                escape_line(&change.id),
                escape_line(&change.id)
            );
            Ok(1)
        }
        Decided::Recorded { record, verdict } => {
            let verb = match decision {
                Decision::Approve => "approved",
                Decision::Reject => "rejected",
            };
            let mut out = format!(
                "{verb} {} ({}) as {} with {}\n",
                change.id,
                escape_line(&change.title),
                escape_line(&record.reviewer),
                record.key
            );
            out.push_str(&format!(
                "state: {} ({} of {} approvals at risk {})\n",
                verdict.state, verdict.approvals, verdict.required, verdict.level
            ));
            if !record.remarks.is_empty() {
                out.push_str(&format!(
                    "with {} remark(s): the agent reads them with countersign feedback {}\n",
                    record.remarks.len(),
                    change.id
                ));
            }
            out.push_str("share it with the team: countersign sync\n");
            print_out(&out)?;
            Ok(0)
        }
    }
}
