//! Running one analyzer on one checkout: the command from the trust root's
//! configuration, in its own process group, with a time limit (the whole group
//! is killed when it runs over), SARIF read from a file or standard output.
//! A tool that is not installed is an outcome, not an error.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::config::Analyzer;

/// What running an analyzer gave.
#[derive(Debug)]
pub enum RunOutcome {
    /// The SARIF it wrote (not yet parsed).
    Sarif(Vec<u8>),
    /// The program is not installed (or not on PATH).
    Missing,
    /// It ran over its time limit and was killed.
    TimedOut(Duration),
    /// It ran but wrote no usable output; why, in words.
    Failed(String),
}

/// SARIF larger than this is refused (from a command or a file).
pub const MAX_SARIF_BYTES: u64 = 32 * 1024 * 1024;

/// How often a running analyzer is polled.
const POLL: Duration = Duration::from_millis(20);

/// The version line the tool prints, or `None` when it is not installed.
pub fn tool_version(a: &Analyzer, timeout: Duration) -> Option<String> {
    let dir = tempfile::tempdir().ok()?;
    let out = dir.path().join("version.txt");
    let file = std::fs::File::create(&out).ok()?;
    let mut cmd = Command::new(&a.version_command[0]);
    cmd.args(&a.version_command[1..])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(file.try_clone().ok()?)
        .stderr(file);
    match wait_limited(cmd, timeout) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(_) => Some("unknown".into()),
        Ok(Waited::TimedOut) => Some("unknown".into()),
        Ok(Waited::Exited(_)) => {
            let text = std::fs::read(&out).unwrap_or_default();
            let text = String::from_utf8_lossy(&text);
            let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            // `bandit 1.9.4` → `1.9.4`: the tool's name is said elsewhere.
            let program = Path::new(&a.version_command[0])
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let line = line.trim();
            let line = line
                .strip_prefix(program.as_str())
                .filter(|rest| rest.starts_with(' '))
                .map_or(line, str::trim);
            let line: String = line.chars().take(120).collect();
            Some(if line.is_empty() {
                "unknown".into()
            } else {
                line
            })
        }
    }
}

/// Runs `a` in `checkout` on `files` (paths relative to it). `scratch` is a
/// directory outside the checkout for the SARIF and the output.
pub fn run(a: &Analyzer, checkout: &Path, files: &[String], scratch: &Path) -> RunOutcome {
    let out_path = scratch.join(format!("{}.sarif", a.name));
    let stdout_path = scratch.join(format!("{}.stdout", a.name));
    let stderr_path = scratch.join(format!("{}.stderr", a.name));
    let uses_out = a.command.iter().any(|p| p.contains("{out}"));
    let mut args = Vec::new();
    for part in &a.command[1..] {
        if part == "{files}" {
            // `./` first: a file the change names `--config=x.py` is a path to
            // the tool, never one of its options.
            args.extend(files.iter().map(|f| format!("./{f}")));
        } else {
            args.push(part.replace("{out}", &out_path.to_string_lossy()));
        }
    }
    let (Ok(stdout), Ok(stderr)) = (
        std::fs::File::create(&stdout_path),
        std::fs::File::create(&stderr_path),
    ) else {
        return RunOutcome::Failed("could not create its output files".into());
    };
    let mut cmd = Command::new(&a.command[0]);
    cmd.args(&args)
        .current_dir(checkout)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr);
    match wait_limited(cmd, a.timeout) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => RunOutcome::Missing,
        Err(e) => RunOutcome::Failed(format!("could not start {}: {e}", a.command[0])),
        Ok(Waited::TimedOut) => RunOutcome::TimedOut(a.timeout),
        Ok(Waited::Exited(code)) => {
            let sarif = if uses_out { &out_path } else { &stdout_path };
            match std::fs::metadata(sarif) {
                Ok(m) if m.len() > MAX_SARIF_BYTES => RunOutcome::Failed(format!(
                    "its SARIF is {} MiB, over the {} MiB limit",
                    m.len() >> 20,
                    MAX_SARIF_BYTES >> 20
                )),
                Ok(m) if m.len() > 0 => match std::fs::read(sarif) {
                    Ok(b) => RunOutcome::Sarif(b),
                    Err(e) => RunOutcome::Failed(format!("reading its SARIF: {e}")),
                },
                _ => {
                    let err = std::fs::read(&stderr_path).unwrap_or_default();
                    let err = String::from_utf8_lossy(&err);
                    let last: String = err
                        .lines()
                        .rev()
                        .find(|l| !l.trim().is_empty())
                        .unwrap_or("")
                        .chars()
                        .take(160)
                        .collect();
                    RunOutcome::Failed(format!(
                        "it wrote no SARIF (exit {}){}",
                        code.map_or("by signal".into(), |c| c.to_string()),
                        if last.is_empty() {
                            String::new()
                        } else {
                            format!(": {last}")
                        }
                    ))
                }
            }
        }
    }
}

enum Waited {
    Exited(Option<i32>),
    TimedOut,
}

/// Starts `cmd` in a process group of its own and waits at most `limit`;
/// past it, kills the whole group (the tool and whatever it started).
fn wait_limited(mut cmd: Command, limit: Duration) -> std::io::Result<Waited> {
    use std::os::unix::process::CommandExt;
    cmd.process_group(0);
    let mut child = cmd.spawn()?;
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Waited::Exited(status.code()));
        }
        if started.elapsed() >= limit {
            kill_group(child.id());
            let _ = child.kill();
            let _ = child.wait();
            return Ok(Waited::TimedOut);
        }
        std::thread::sleep(POLL);
    }
}

/// Sends SIGKILL to the process group led by `pid`.
fn kill_group(pid: u32) {
    if let Ok(pid) = i32::try_from(pid) {
        // SAFETY: kill(2) with a negative pid signals the group; no memory is shared.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
}
