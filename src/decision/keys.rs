//! The reviewer's key: finding it (`--key`, `COUNTERSIGN_KEY`, the user config,
//! git's `user.signingkey`), unlocking it (a no-echo prompt on the terminal, or
//! `COUNTERSIGN_PASSPHRASE` for scripts), and signing payloads as SSHSIG
//! (namespace `countersign`, sha512). Ed25519, ECDSA and RSA key files are signed
//! natively; keys held by ssh-agent (a public key file or a `key::` literal) and
//! hardware `sk-` keys are signed through `ssh-keygen -Y sign`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, anyhow};
use ssh_key::{HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};

use super::NAMESPACE;
use crate::error::BadInput;

/// The environment variable naming the key file.
pub const KEY_ENV: &str = "COUNTERSIGN_KEY";
/// The environment variable holding a key's passphrase (for scripts and tests;
/// on a terminal countersign asks instead).
pub const PASSPHRASE_ENV: &str = "COUNTERSIGN_PASSPHRASE";

/// Where the signing key was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyLocation {
    /// A file holding a private key, or a public key whose private half is in
    /// ssh-agent or on a hardware token.
    pub path: Option<PathBuf>,
    /// A public key given literally (git's `user.signingkey = key::ssh-ed25519 ...`).
    pub literal: Option<String>,
    /// Which setting named it: `--key`, `COUNTERSIGN_KEY`, `user config`, `user.signingkey`.
    pub origin: &'static str,
}

/// Finds the key in the documented order: `--key`, `$COUNTERSIGN_KEY`, the user
/// config's `key`, then git's `user.signingkey` (a path or a `key::` literal).
pub fn locate_key(
    flag: Option<&Path>,
    env: Option<&str>,
    user_config: Option<&Path>,
    git_signingkey: Option<&str>,
) -> Result<KeyLocation> {
    let file = |p: &Path, origin| KeyLocation {
        path: Some(expand_home(p)),
        literal: None,
        origin,
    };
    if let Some(p) = flag {
        return Ok(file(p, "--key"));
    }
    if let Some(p) = env.filter(|s| !s.is_empty()) {
        return Ok(file(Path::new(p), KEY_ENV));
    }
    if let Some(p) = user_config {
        return Ok(file(p, "user config"));
    }
    if let Some(k) = git_signingkey.map(str::trim).filter(|s| !s.is_empty()) {
        let literal = k.strip_prefix("key::").unwrap_or(k);
        if literal.starts_with("ssh-")
            || literal.starts_with("ecdsa-")
            || literal.starts_with("sk-")
        {
            return Ok(KeyLocation {
                path: None,
                literal: Some(literal.to_string()),
                origin: "user.signingkey",
            });
        }
        return Ok(file(Path::new(k), "user.signingkey"));
    }
    Err(BadInput::new(format!(
        "no signing key: pass --key <private key file>, set {KEY_ENV}, set `key` in the user config, or git config user.signingkey"
    ))
    .into())
}

fn expand_home(p: &Path) -> PathBuf {
    if let Ok(rest) = p.strip_prefix("~")
        && let Some(home) = std::env::var_os("HOME")
    {
        return PathBuf::from(home).join(rest);
    }
    p.to_path_buf()
}

/// A key ready to sign.
pub struct Signer {
    public: PublicKey,
    how: How,
    /// A description for messages (the file, or "key from user.signingkey").
    pub name: String,
}

enum How {
    Native(Box<PrivateKey>),
    /// `ssh-keygen -Y sign -f <file>`: an agent or hardware key.
    SshKeygen {
        file: PathBuf,
        temp: bool,
    },
}

impl Drop for Signer {
    fn drop(&mut self) {
        if let How::SshKeygen { file, temp: true } = &self.how {
            let _ = std::fs::remove_file(file);
        }
    }
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("name", &self.name)
            .field("fingerprint", &self.fingerprint())
            .finish()
    }
}

impl Signer {
    /// A signer from a decrypted private key (for tests and the demo).
    pub fn from_private_key(key: PrivateKey, name: &str) -> Signer {
        Signer {
            public: key.public_key().clone(),
            how: How::Native(Box::new(key)),
            name: name.to_string(),
        }
    }

    /// The public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The key's SHA256 fingerprint, as `ssh-keygen -l` prints it.
    pub fn fingerprint(&self) -> String {
        self.public.fingerprint(HashAlg::Sha256).to_string()
    }

    /// Signs `payload` as an armored SSHSIG in the `countersign` namespace.
    pub fn sign(&self, payload: &[u8]) -> Result<String> {
        match &self.how {
            How::Native(key) => {
                let sig = key
                    .sign(NAMESPACE, HashAlg::Sha512, payload)
                    .map_err(|e| anyhow!("signing with {}: {e}", self.name))?;
                Ok(sig
                    .to_pem(LineEnding::LF)
                    .map_err(|e| anyhow!("encoding the signature: {e}"))?)
            }
            How::SshKeygen { file, .. } => ssh_keygen_sign(file, payload),
        }
    }
}

/// Signs through `ssh-keygen -Y sign` (agent and hardware keys).
fn ssh_keygen_sign(file: &Path, payload: &[u8]) -> Result<String> {
    let mut child = Command::new("ssh-keygen")
        .args([
            "-q",
            "-Y",
            "sign",
            "-n",
            NAMESPACE,
            "-O",
            "hashalg=sha512",
            "-f",
        ])
        .arg(file)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context(
            "running ssh-keygen to sign with an agent or hardware key (is OpenSSH installed?)",
        )?;
    // ssh-keygen may exit before reading (no agent, no token): a broken pipe is
    // not the error to report; its exit status and message are.
    let written = child.stdin.take().expect("piped").write_all(payload);
    let out = child.wait_with_output()?;
    if let Err(e) = written
        && out.status.success()
    {
        return Err(anyhow!(e).context("writing to ssh-keygen"));
    }
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(BadInput::new(format!(
            "ssh-keygen could not sign with {}: {}; is the key loaded in ssh-agent (ssh-add) or the token plugged in?",
            file.display(),
            err.trim().replace('\n', " ")
        ))
        .into());
    }
    let pem = String::from_utf8(out.stdout).context("ssh-keygen printed a non-UTF-8 signature")?;
    SshSig::from_pem(pem.as_bytes())
        .map_err(|e| anyhow!("ssh-keygen printed an unreadable signature: {e}"))?;
    Ok(pem)
}

/// True when the key at `loc` is a passphrase-protected private key file (so a
/// UI knows to ask before calling [`load_signer_with`]).
pub fn needs_passphrase(loc: &KeyLocation) -> bool {
    loc.path
        .as_ref()
        .and_then(|p| std::fs::read(p).ok())
        .and_then(|t| PrivateKey::from_openssh(t).ok())
        .is_some_and(|k| k.is_encrypted())
}

/// Loads the key at `loc`, asking for its passphrase if it has one (from
/// `$COUNTERSIGN_PASSPHRASE`, else a no-echo prompt on the terminal).
pub fn load_signer(loc: &KeyLocation) -> Result<Signer> {
    load_signer_with(loc, &|path: &Path| {
        if let Ok(p) = std::env::var(PASSPHRASE_ENV) {
            return Ok(p);
        }
        rpassword::prompt_password(format!("Passphrase for {}: ", path.display())).map_err(|_| {
            BadInput::new(format!(
                "{} is passphrase-protected and there is no terminal to ask on; set {PASSPHRASE_ENV} or load the key in ssh-agent and pass its .pub file",
                path.display()
            ))
            .into()
        })
    })
}

/// Like [`load_signer`] with a given way to obtain a passphrase.
pub fn load_signer_with(
    loc: &KeyLocation,
    passphrase: &dyn Fn(&Path) -> Result<String>,
) -> Result<Signer> {
    if let Some(lit) = &loc.literal {
        let public = PublicKey::from_openssh(lit).map_err(|e| {
            BadInput::new(format!(
                "git's user.signingkey is not a valid SSH public key ({e}); fix it or pass --key <file>"
            ))
        })?;
        let file = std::env::temp_dir().join(format!(
            "countersign-key-{}-{}.pub",
            std::process::id(),
            chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
        ));
        std::fs::write(&file, format!("{lit}\n"))
            .with_context(|| format!("writing {}", file.display()))?;
        return Ok(Signer {
            public,
            how: How::SshKeygen { file, temp: true },
            name: "the key in user.signingkey".into(),
        });
    }
    let path = loc
        .path
        .clone()
        .expect("a location has a path or a literal");
    let text = match std::fs::read(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(BadInput::new(format!(
                "key file {} (from {}) does not exist; pass --key <private key file> or fix {}",
                path.display(),
                loc.origin,
                loc.origin
            ))
            .into());
        }
        Err(e) => {
            return Err(BadInput::new(format!(
                "cannot read key file {}: {e}; check its permissions",
                path.display()
            ))
            .into());
        }
    };
    let name = path.display().to_string();
    if let Ok(key) = PrivateKey::from_openssh(&text) {
        if matches!(
            key.algorithm(),
            ssh_key::Algorithm::SkEd25519 | ssh_key::Algorithm::SkEcdsaSha2NistP256
        ) {
            return Ok(Signer {
                public: key.public_key().clone(),
                how: How::SshKeygen {
                    file: path,
                    temp: false,
                },
                name,
            });
        }
        let key = if key.is_encrypted() {
            let pass = passphrase(&path)?;
            key.decrypt(pass.as_bytes()).map_err(|_| {
                BadInput::new(format!(
                    "wrong passphrase for {}; nothing was signed",
                    path.display()
                ))
            })?
        } else {
            key
        };
        return Ok(Signer {
            public: key.public_key().clone(),
            how: How::Native(Box::new(key)),
            name,
        });
    }
    let as_text = String::from_utf8_lossy(&text);
    if let Ok(public) = PublicKey::from_openssh(as_text.trim()) {
        // A public key: its private half is in ssh-agent or on a token.
        return Ok(Signer {
            public,
            how: How::SshKeygen {
                file: path,
                temp: false,
            },
            name,
        });
    }
    Err(BadInput::new(format!(
        "{} is not an OpenSSH private or public key; pass --key <file made by ssh-keygen>",
        path.display()
    ))
    .into())
}

/// A freshly generated key pair.
#[derive(Debug, Clone)]
pub struct GeneratedKey {
    /// The private key in OpenSSH format (unencrypted), ready to write to a file
    /// with mode 0600.
    pub private_openssh: String,
    /// The public key line (`ssh-ed25519 AAAA... comment`).
    pub public_line: String,
    /// Its SHA256 fingerprint.
    pub fingerprint: String,
}

/// Generates a throwaway ed25519 key pair (for `demo` and tests), commented
/// with `comment`. Randomness comes from the operating system.
pub fn generate_ed25519(comment: &str) -> Result<GeneratedKey> {
    let mut seed = [0u8; 32];
    getrandom_bytes(&mut seed)?;
    let kp = ssh_key::private::Ed25519Keypair::from_seed(&seed);
    let key = PrivateKey::new(ssh_key::private::KeypairData::Ed25519(kp), comment)
        .map_err(|e| anyhow!("building a key: {e}"))?;
    let private_openssh = key
        .to_openssh(LineEnding::LF)
        .map_err(|e| anyhow!("encoding a key: {e}"))?
        .to_string();
    let public_line = key
        .public_key()
        .to_openssh()
        .map_err(|e| anyhow!("encoding a key: {e}"))?;
    Ok(GeneratedKey {
        private_openssh,
        public_line,
        fingerprint: key.public_key().fingerprint(HashAlg::Sha256).to_string(),
    })
}

fn getrandom_bytes(buf: &mut [u8]) -> Result<()> {
    use std::io::Read;
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(buf))
        .context("reading random bytes from /dev/urandom")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_order_is_flag_env_user_git() {
        let l = locate_key(
            Some(Path::new("/a")),
            Some("/b"),
            Some(Path::new("/c")),
            Some("/d"),
        )
        .unwrap();
        assert_eq!(l.origin, "--key");
        let l = locate_key(None, Some("/b"), Some(Path::new("/c")), Some("/d")).unwrap();
        assert_eq!(l.path.as_deref(), Some(Path::new("/b")));
        let l = locate_key(None, None, Some(Path::new("/c")), Some("/d")).unwrap();
        assert_eq!(l.origin, "user config");
        let l = locate_key(None, None, None, Some("key::ssh-ed25519 AAAA")).unwrap();
        assert_eq!(l.literal.as_deref(), Some("ssh-ed25519 AAAA"));
        assert!(locate_key(None, None, None, None).is_err());
    }

    #[test]
    fn generated_keys_sign_and_verify() {
        let g = generate_ed25519("demo").unwrap();
        let key = PrivateKey::from_openssh(&g.private_openssh).unwrap();
        let s = Signer::from_private_key(key, "demo");
        assert_eq!(s.fingerprint(), g.fingerprint);
        let pem = s.sign(b"hello").unwrap();
        let sig = SshSig::from_pem(pem.as_bytes()).unwrap();
        let public = PublicKey::from_openssh(&g.public_line).unwrap();
        public.verify(NAMESPACE, b"hello", &sig).unwrap();
        assert!(g.public_line.ends_with(" demo"));
    }
}
