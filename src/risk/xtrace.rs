//! Command tracing turned on in a script that then handles a secret. With
//! `set -x` (or `set -euxo pipefail`, `set -o xtrace`, `bash -x`) the shell
//! echoes every command after expansion, so `curl -H "Authorization: Basic
//! $(… base64)"` or `TOKEN=$(vault read …)` lands in the job log with the
//! secret in it. CI runners mask a secret's literal value, not a header,
//! URL or encoding built from it, and a host's own logs mask nothing.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};
use crate::risk::lang::Lang;

/// A command that turns tracing on: `set -x`, `set -eux`, `set -o xtrace`,
/// a shell started with `-x`.
static TRACE_ON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(^|[;&|]\s*|\s)(set\s+-[a-wyzA-Z]*x[a-zA-Z]*\b|set\s+-o\s+xtrace\b|(ba|z|k)?sh\s+-[a-zA-Z]*x[a-zA-Z]*\s)|^#!\S*\s+-[a-zA-Z]*x")
        .unwrap()
});
/// A command that turns tracing off again.
static TRACE_OFF: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bset\s+\+[a-zA-Z]*x|\bset\s+\+o\s+xtrace\b").unwrap());
/// A secret expanded by the shell: `$API_TOKEN`, `${DB_PASSWORD}`, or a
/// pipeline's `${{ secrets.X }}`.
static SECRET_USE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\$\{?([A-Za-z_]*(?i:token|secret|passw(or)?d|passwd|api_?key|private_?key|credentials?|auth)[A-Za-z0-9_]*)\b|\$\{\{\s*secrets\.(\w+)")
        .unwrap()
});

/// Reports tracing the change turns on above a secret's expansion.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let scripted = f.class.lang == Lang::Shell || f.class.ci || f.class.lang == Lang::Make;
    if !scripted || f.class.test_like() || f.class.docs || f.class.vendored {
        return;
    }
    // Tracing that was on before the change is not the change's doing.
    if f.old_text().is_some_and(|t| t.lines().any(traces)) {
        return;
    }
    let Some(new) = f.new_text() else { return };
    let lines: Vec<&str> = new.lines().collect();
    for on in f.added_code().filter(|l| traces(l.text)) {
        let from = on.no as usize;
        let indent = indent_of(on.text);
        let mut secret = None;
        for (i, t) in lines.iter().enumerate().skip(from.saturating_sub(1)) {
            if i + 1 > from && TRACE_OFF.is_match(t) {
                break;
            }
            // In a pipeline, tracing ends with the step's script.
            if f.class.ci && !t.trim().is_empty() && indent_of(t) < indent {
                break;
            }
            if t.trim_start().starts_with('#') {
                continue;
            }
            // The tracing command itself may expand the secret on its line.
            let rest = if i + 1 == from { after_trace(t) } else { t };
            if let Some(c) = SECRET_USE.captures(rest) {
                let name = c
                    .get(1)
                    .or(c.get(3))
                    .map(|m| m.as_str())
                    .unwrap_or_default();
                secret = Some((i + 1, name.to_string()));
                break;
            }
        }
        let Some((at, name)) = secret else { continue };
        out.push(Finding::added(
            "xtrace-prints-secret",
            Severity::High,
            f.path,
            Some(on.no),
            format!(
                "`{}` turns on command tracing, and line {at} then expands `{}`: the shell echoes it to the log, where masking catches only the secret's literal value, not a header, URL or encoding built from it. Trace around the secret with `set +x`, or not at all.",
                quote(on.text.trim()),
                quote(&name),
            ),
        ));
        return;
    }
}

/// Whether a line turns tracing on.
fn traces(line: &str) -> bool {
    let t = line.trim_start();
    if t.starts_with("#!") {
        return TRACE_ON.is_match(t);
    }
    !t.starts_with('#') && TRACE_ON.is_match(line)
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The part of a line after the command that turns tracing on.
fn after_trace(line: &str) -> &str {
    TRACE_ON
        .find(line)
        .map(|m| &line[m.end()..])
        .unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents as rules;

    const RULE: &str = "xtrace-prints-secret";
    const OLD: &str = "#!/usr/bin/env bash\nset -euo pipefail\n: \"${DEPLOY_USER:?}\"\nVERSION=\"$(cat VERSION)\"\nAUTH=\"Authorization: Basic $(printf '%s:%s' \"$DEPLOY_USER\" \"$DEPLOY_TOKEN\" | base64 -w0)\"\ncurl -fsS -H \"$AUTH\" -T dist/app.tgz \"https://repo.example.com/app/$VERSION\"\n";

    #[test]
    fn tracing_turned_on_above_a_token_is_found() {
        let new = OLD.replace("set -euo pipefail", "set -euxo pipefail");
        assert!(rules("scripts/publish.sh", OLD, &new).contains(&RULE.to_string()));
        let new = OLD.replace("set -euo pipefail\n", "set -euo pipefail\nset -x\n");
        assert!(rules("scripts/publish.sh", OLD, &new).contains(&RULE.to_string()));
    }

    #[test]
    fn tracing_without_secrets_or_switched_off_around_them_is_not() {
        let quiet = "#!/usr/bin/env bash\nset -euo pipefail\nVERSION=\"$(cat VERSION)\"\ntar czf dist/app-$VERSION.tgz build/\n";
        let traced = quiet.replace("set -euo pipefail", "set -euxo pipefail");
        assert!(!rules("scripts/package.sh", quiet, &traced).contains(&RULE.to_string()));
        let bracketed = OLD.replace(
            "set -euo pipefail\n",
            "set -euo pipefail\nset -x\nls dist\nset +x\n",
        );
        assert!(!rules("scripts/publish.sh", OLD, &bracketed).contains(&RULE.to_string()));
        // Tracing that was on already is not new.
        let before = OLD.replace("set -euo pipefail", "set -euxo pipefail");
        let after = before.replace("-T dist/app.tgz", "--retry 3 -T dist/app.tgz");
        assert!(!rules("scripts/publish.sh", &before, &after).contains(&RULE.to_string()));
    }
}
