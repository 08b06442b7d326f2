//! Signed decisions, as plain data and pure functions: the decision record and
//! its canonical form, SSHSIG signing and verification, git's allowed_signers
//! format, the policy file, and counting decisions. Nothing here touches git or
//! the UI; `crate::git::notes` stores records, `crate::record_index` reads
//! them and `crate::gate` judges changes with them.

pub mod canonical;
pub mod counting;
pub mod keys;
pub mod policy;
pub mod record;
pub mod signers;
pub mod verify;

pub use canonical::canonical_json;
pub use counting::{Candidate, ChangeFacts, Verdict, evaluate};
pub use keys::{GeneratedKey, Signer, generate_ed25519, load_signer, locate_key};
pub use policy::{Policy, write_policy_files};
pub use record::{Decision, Record, Remark, RemarkSide, RiskField, parse_line};
pub use signers::AllowedSigners;
pub use verify::{Status, Verified, verify_signature};

/// The SSHSIG namespace of every countersign signature.
pub const NAMESPACE: &str = "countersign";

/// The version of the record format written by this build.
pub const RECORD_VERSION: u32 = 1;
