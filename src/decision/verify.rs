//! Verifying a record on its own: the signature (namespace, key, content) and
//! the signer (allowed_signers at the decision's time). The gate and the audit
//! add what needs context: repository identity, placement, staleness.

use serde::Serialize;
use ssh_key::{HashAlg, PublicKey, SshSig};

use super::NAMESPACE;
use super::record::ParsedRecord;
use super::signers::{AllowedSigners, SignerProblem};

/// A record's verification status, as `audit` prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Valid,
    /// The signature does not match the content or the `key` field.
    BadSignature,
    /// The key is not in allowed_signers for the reviewer.
    UnknownSigner,
    /// The key is listed but was not valid at the decision's time.
    ExpiredKey,
    /// The signature was made for another namespace.
    WrongNamespace,
    /// The change's content changed since the decision.
    Stale,
    /// Not a readable record.
    Malformed,
    /// The record names another repository (copied from elsewhere).
    WrongRepo,
    /// The record sits on a commit other than the head it names (copied).
    Replayed,
    /// The record is dated more than [`MAX_CLOCK_SKEW`] seconds after the
    /// verifier's clock: it does not count (a date in the future would
    /// otherwise outlive every later decision of the same reviewer).
    Future,
}

/// How far a record's `at` may lie after the verifier's clock (10 minutes).
pub const MAX_CLOCK_SKEW: i64 = 600;

/// `Future` when a record dated `at` (seconds since the epoch) lies more than
/// [`MAX_CLOCK_SKEW`] after `now`.
pub fn check_time(at: i64, now: i64) -> Option<Verified> {
    (at > now.saturating_add(MAX_CLOCK_SKEW)).then(|| {
        Verified::new(
            Status::Future,
            format!(
                "dated {}, more than 10 minutes after this machine's clock ({}): it does not count",
                super::signers::fmt_time(at),
                super::signers::fmt_time(now)
            ),
        )
    })
}

impl Status {
    /// The status as printed (`valid`, `bad-signature`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::BadSignature => "bad-signature",
            Status::UnknownSigner => "unknown-signer",
            Status::ExpiredKey => "expired-key",
            Status::WrongNamespace => "wrong-namespace",
            Status::Stale => "stale",
            Status::Malformed => "malformed",
            Status::WrongRepo => "wrong-repo",
            Status::Replayed => "replayed",
            Status::Future => "future",
        }
    }

    /// True for statuses that mean the record is forged, broken or misused (a
    /// stale record was genuine; its change moved on).
    pub fn is_invalid(self) -> bool {
        !matches!(self, Status::Valid | Status::Stale)
    }
}

/// A status and why, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub status: Status,
    pub detail: String,
}

impl Verified {
    fn new(status: Status, detail: impl Into<String>) -> Verified {
        Verified {
            status,
            detail: detail.into(),
        }
    }
}

/// Checks a record's signature and signer against `signers`.
pub fn verify_signature(parsed: &ParsedRecord, signers: &AllowedSigners) -> Verified {
    let rec = &parsed.record;
    let sig = match SshSig::from_pem(rec.sig.as_bytes()) {
        Ok(s) => s,
        Err(e) => {
            return Verified::new(
                Status::Malformed,
                format!("`sig` is not an armored SSH signature ({e})"),
            );
        }
    };
    if sig.namespace() != NAMESPACE {
        return Verified::new(
            Status::WrongNamespace,
            format!(
                "signed for namespace {:?}, not {NAMESPACE:?}: a signature made for another purpose",
                sig.namespace()
            ),
        );
    }
    if !matches!(sig.hash_alg(), HashAlg::Sha256 | HashAlg::Sha512) {
        return Verified::new(Status::BadSignature, "unsupported hash algorithm");
    }
    let signer_fp = sig.public_key().fingerprint(HashAlg::Sha256).to_string();
    if signer_fp != rec.key {
        return Verified::new(
            Status::BadSignature,
            format!(
                "the record names key {} but was signed by {signer_fp}",
                rec.key
            ),
        );
    }
    let public = PublicKey::new(sig.public_key().clone(), "");
    if public
        .verify(NAMESPACE, parsed.payload.as_bytes(), &sig)
        .is_err()
    {
        return Verified::new(
            Status::BadSignature,
            "the signature does not match the record's content (edited after signing?)",
        );
    }
    let at = rec.at_unix().unwrap_or(i64::MIN);
    match signers.check(&rec.reviewer, sig.public_key(), NAMESPACE, at) {
        Ok(()) => Verified::new(
            Status::Valid,
            format!("signed by {} ({signer_fp})", rec.reviewer),
        ),
        Err(SignerProblem::Unknown(why)) => Verified::new(Status::UnknownSigner, why),
        Err(SignerProblem::Expired(why)) => Verified::new(Status::ExpiredKey, why),
    }
}

/// The SSH key that signed a commit, when `sig` (the commit's `gpgsig`) is an
/// SSH signature in git's namespace that verifies over `signed` (the commit
/// without its signature). OpenPGP/X.509 signatures and forgeries give `None`.
pub fn commit_signer(sig: &[u8], signed: &[u8]) -> Option<PublicKey> {
    let sig = SshSig::from_pem(sig).ok()?;
    if sig.namespace() != "git" {
        return None;
    }
    let public = PublicKey::new(sig.public_key().clone(), "");
    public.verify("git", signed, &sig).ok()?;
    Some(public)
}
