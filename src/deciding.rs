//! Deciding: signing an approval or a rejection of a change and recording it
//! in the change's note, under the trust root. What is signed is exactly
//! what the reviewer was shown: the head they name (`--head`; the console
//! passes the head it displayed) measured against the computed base.

use anyhow::Result;

use crate::change::Change;
use crate::decision::policy::{POLICY_PATH, SIGNERS_PATH};
use crate::decision::record::{now_rfc3339, parse_line};
use crate::decision::signers::SignerProblem;
use crate::decision::{
    Decision, NAMESPACE, RECORD_VERSION, Record, Signer, Status, Verdict, verify_signature,
};
use crate::gate::{content, facts, verdict};
use crate::git::Repo;
use crate::record_index::{RecordIndex, short};
use crate::trust::TrustRoot;

/// The result of `decide`.
#[derive(Debug, Clone)]
pub enum Decided {
    /// The record was written to the note of the change's head.
    Recorded {
        record: Box<Record>,
        verdict: Box<Verdict>,
    },
    /// Nothing was written, and why.
    Refused(String),
    /// The change's head is not the one the reviewer saw: nothing was written.
    Moved {
        /// The head the reviewer saw.
        seen: String,
        /// The change's head now.
        now: String,
    },
}

/// What the reviewer decides and says: the decision, their comment and their
/// remarks on lines, all signed together.
#[derive(Debug, Clone, Copy)]
pub struct Judgement<'a> {
    pub decision: Decision,
    pub comment: &'a str,
    pub remarks: &'a [crate::decision::Remark],
}

/// Signs and records a decision on `change` with `signer`. Refuses (writing
/// nothing) when `seen_head` is given and the change has moved since, when the
/// key is not an allowed senior at the trust root, when the change is already
/// on the trust root or shares no history with it, or when the reviewer would
/// approve their own change against the policy.
pub fn decide(
    repo: &Repo,
    trust: &TrustRoot,
    change: &Change,
    seen_head: Option<&str>,
    judgement: Judgement,
    signer: &Signer,
) -> Result<Decided> {
    let Judgement {
        decision,
        comment,
        remarks,
    } = judgement;
    if let Some(seen) = seen_head {
        let seen = repo.resolve_commit(seen)?;
        if seen != change.head {
            return Ok(Decided::Moved {
                seen,
                now: change.head.clone(),
            });
        }
    }
    let key_data = signer.public_key().key_data();
    let fp = signer.fingerprint();
    let (_, user_email) = repo.user_identity();
    let trust_name = format!("the trust root {} ({})", trust.reference, trust.short());
    let Some(principal) = trust.principal_for(key_data, &user_email) else {
        return Ok(Decided::Refused(format!(
            "your key {fp} is not in {SIGNERS_PATH} at {trust_name}; ask a maintainer to add it (countersign init --senior <you>=<key.pub>) and commit it to the target branch"
        )));
    };
    let now = chrono::Utc::now().timestamp();
    if let Err(p) = trust.signers.check(&principal, key_data, NAMESPACE, now) {
        let (SignerProblem::Unknown(why) | SignerProblem::Expired(why)) = p;
        return Ok(Decided::Refused(format!(
            "your key {fp} may not sign decisions as {principal} now: {why}"
        )));
    }
    if !trust.policy.is_senior(&principal) {
        return Ok(Decided::Refused(format!(
            "{principal} is not a senior in {POLICY_PATH} at {trust_name}; only seniors decide"
        )));
    }
    let Some(base) = trust.base_of(repo, &change.head)? else {
        return Ok(Decided::Refused(format!(
            "{} shares no history with {trust_name}; rebase the change onto the target branch",
            short(&change.head)
        )));
    };
    if base == change.head {
        return Ok(Decided::Refused(format!(
            "{} is already on {trust_name}: there is nothing to decide (see `countersign audit --landed`)",
            short(&change.head)
        )));
    }
    let c = content(repo, trust, &base, &change.head)?;
    let facts = facts(repo, trust, change, &base, None, String::new());
    if decision == Decision::Approve && !trust.policy.self_approval {
        if crate::decision::counting::is_contributor(&principal, &facts) {
            return Ok(Decided::Refused(format!(
                "{principal} wrote this change and the policy forbids self-approval; ask another senior"
            )));
        }
        if facts.signer_keys.contains(&fp) {
            return Ok(Decided::Refused(format!(
                "your key {fp} signed a commit of this change and the policy forbids self-approval; ask another senior"
            )));
        }
    }
    let mut record = Record {
        v: RECORD_VERSION,
        repo: trust.repo_id.clone(),
        change: change.id.clone(),
        base,
        head: change.head.clone(),
        tree: c.tree.clone(),
        patch_id: c.patch_id.clone(),
        decision,
        reviewer: principal,
        key: fp,
        at: now_rfc3339(),
        risk: c.risk.clone(),
        comment: comment.to_string(),
        remarks: remarks.to_vec(),
        sig: String::new(),
    };
    record.sig = signer.sign(record.payload().as_bytes())?;
    let line = record.to_line();
    // Never write what we could not read back as valid.
    let parsed = parse_line(&line).map_err(|e| anyhow::anyhow!("internal: {e}"))?;
    let check = verify_signature(&parsed, &trust.signers);
    if check.status != Status::Valid {
        return Ok(Decided::Refused(format!(
            "the signature did not verify ({}: {}); nothing was recorded",
            check.status.as_str(),
            check.detail
        )));
    }
    repo.append_note_line(&change.head, &line)?;
    let all = RecordIndex::load(repo)?;
    let verdict = verdict(repo, trust, &all, change, None)?;
    Ok(Decided::Recorded {
        record: Box::new(record),
        verdict: Box::new(verdict),
    })
}

/// Where the user's signing key is, in the documented order: `cli_key`
/// (`--key`), `$COUNTERSIGN_KEY`, the user config's `key`, then git's
/// `user.signingkey`. Nothing is read or unlocked yet: a UI calls
/// `decision::keys::load_signer_with` with its own passphrase prompt.
pub fn user_key_location(
    repo: &Repo,
    cli_key: Option<&std::path::Path>,
) -> Result<crate::decision::keys::KeyLocation> {
    let user = crate::config::UserConfig::load()?;
    let env = std::env::var(crate::decision::keys::KEY_ENV).ok();
    let git_key = repo.config_string("user.signingkey");
    crate::decision::locate_key(
        cli_key,
        env.as_deref(),
        user.key.as_deref(),
        git_key.as_deref(),
    )
}
