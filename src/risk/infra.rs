//! Infrastructure that destroys or recreates: Terraform resources and modules
//! removed or renamed (without a `moved` block), `prevent_destroy` dropped,
//! force-new attributes changed, Kubernetes objects and CloudFormation resources
//! deleted, resource limits removed. Pattern-shaped infrastructure rules
//! (privileged pods, replicas 0, teardown commands) are data in assets/rules.toml.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use super::lang::Lang;
use super::{ChangeView, FileView, Finding, Severity, quote};

static TF_BLOCK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*(resource|module|data)\s+"([\w-]+)"(?:\s+"([\w-]+)")?\s*\{?"#).unwrap()
});
static TF_ATTR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^\s*([a-z_][a-z0-9_]*)\s*=\s*(.+?)\s*$"#).unwrap());
static K8S_KIND: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*kind\s*:\s*([A-Za-z]+)\s*$").unwrap());
static CFN_TYPE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^\s*"?Type"?\s*:\s*"?(AWS::[\w:]+)"?"#).unwrap());

/// Resource types whose destroy changes nothing in the cloud: the provider
/// only forgets them (an S3 bucket's ACL stays as it was set; with
/// `BucketOwnerEnforced` ownership, ACLs are off anyway).
fn state_only_tf(kind: &str) -> bool {
    matches!(kind, "aws_s3_bucket_acl")
}

/// Resources that grant access and nothing else: removing one narrows
/// who may do what.
pub fn access_grant_tf(kind: &str) -> bool {
    const GRANTS: &[&str] = &[
        "_iam_user",
        "_iam_access_key",
        "_iam_user_policy",
        "_iam_user_policy_attachment",
        "_iam_role_policy_attachment",
        "_iam_policy_attachment",
        "_iam_group_membership",
        "_iam_user_group_membership",
        "_iam_user_login_profile",
        "_iam_member",
        "_iam_binding",
        "_role_assignment",
        "_service_account_key",
        "_service_account",
        "_service_principal",
    ];
    GRANTS.iter().any(|g| kind.ends_with(g))
}

/// SQL grants to one role moved from named schemas to the whole database
/// (`… IN SCHEMA ANALYTICS.MARTS TO ROLE R` → `… IN DATABASE ANALYTICS TO
/// ROLE R`, MySQL's `ON shop.*` → `ON *.*`): the role now reads every
/// schema, the restricted ones and those created later too.
fn database_grants_widened(f: &FileView<'_>, out: &mut Vec<Finding>) {
    static WHOLE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^\s*GRANT\s+.+?\s+ON\s+(?:(?:ALL|FUTURE)\s+\w+\s+IN\s+DATABASE\s+(\S+)|\*\.\*)\s+TO\s+(?:ROLE\s+|USER\s+)?([^\s;]+)").unwrap()
    });
    static NARROW: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^\s*GRANT\s+.+?\s+ON\s+(?:(?:ALL|FUTURE)\s+\w+\s+IN\s+SCHEMA\s+\S+|SCHEMA\s+\S+|TABLE\s+\S+|[\w`]+\.[\w`*]+)\s+TO\s+(?:ROLE\s+|USER\s+)?([^\s;]+)").unwrap()
    });
    if !matches!(f.class.lang, Lang::Sql) && !f.class.migration || f.class.test_like() {
        return;
    }
    let narrow_before: Vec<String> = f
        .removed_code()
        .filter_map(|l| NARROW.captures(l.text).map(|c| c[1].to_ascii_lowercase()))
        .collect();
    for l in f.added_code() {
        let Some(c) = WHOLE.captures(l.text) else {
            continue;
        };
        let grantee = c[2].to_ascii_lowercase();
        if !narrow_before.contains(&grantee) {
            continue;
        }
        let scope = c.get(1).map_or("every database".to_string(), |d| {
            format!("database {}", d.as_str())
        });
        out.push(Finding::added(
            "grant-widened-to-wildcard",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "`{}` was granted named schemas and now gets all of {}: every schema in it, restricted ones and those created later included.",
                quote(&c[2]),
                quote(&scope)
            ),
        ));
        return;
    }
}

/// Grants collapsed into a wildcard: a Vault policy's `path
/// "secret/data/billing/stripe"` and three more become `path
/// "secret/data/*"`, an IAM statement's resources become `arn:…:secret:*`.
/// The wildcard covers what was granted and everything else under it:
/// other teams' secrets, and every one created later.
pub fn grants_widened(f: &FileView<'_>, out: &mut Vec<Finding>) {
    database_grants_widened(f, out);
    static GRANT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"(?:^\s*path\s+|"Resource"\s*:\s*\[?\s*|^\s*)"([A-Za-z][^"\s]*)"\s*(?:\{|,|\]|$)"#,
        )
        .unwrap()
    });
    if !matches!(f.class.lang, Lang::Hcl | Lang::Json) || f.class.test_like() {
        return;
    }
    let grants = |lines: &mut dyn Iterator<Item = &super::Line<'_>>| -> Vec<(String, u32)> {
        lines
            .filter_map(|l| GRANT.captures(l.text).map(|c| (c[1].to_string(), l.no)))
            .filter(|(g, _)| g.contains('/') || g.contains(':'))
            .collect()
    };
    let removed = grants(&mut f.removed_code());
    if removed.len() < 2 {
        return;
    }
    for (wild, line) in grants(&mut f.added_code()) {
        let Some(prefix) = wild.strip_suffix('*') else {
            continue;
        };
        if prefix.contains('*') || prefix.len() < 3 {
            continue;
        }
        let covered: Vec<&String> = removed
            .iter()
            .map(|(g, _)| g)
            .filter(|g| !g.contains('*') && g.starts_with(prefix) && g.len() > prefix.len())
            .collect();
        if covered.len() >= 2 {
            out.push(Finding::added(
                "grant-widened-to-wildcard",
                Severity::High,
                f.path,
                Some(line),
                format!(
                    "`{}` replaces {} specific grants (`{}`, …): it also grants everything else under `{}`, and whatever is created there later.",
                    quote(&wild),
                    covered.len(),
                    quote(covered[0]),
                    quote(prefix)
                ),
            ));
            return;
        }
    }
}

/// An IAM condition in Terraform that matched one exact value and now
/// matches a pattern: `values = ["system:serviceaccount:*:${each.key}"]`
/// under `StringLike` where the same variable required
/// `system:serviceaccount:cert-manager:cert-manager`. Whoever can produce a
/// value the pattern matches (a service account of that name in any
/// namespace, any branch, any repository) now satisfies it.
pub fn condition_widened(f: &FileView<'_>, out: &mut Vec<Finding>) {
    static VARIABLE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"^\s*variable\s*=\s*"([^"]+)""#).unwrap());
    static VALUES: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"^\s*values\s*=\s*\[(.*)\]"#).unwrap());
    static INTERPOLATION: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\$\{[^}]*\}").unwrap());
    if f.class.lang != Lang::Hcl || f.class.test_like() || f.class.docs {
        return;
    }
    // (variable, values, line) of each condition block: the variable and
    // values lines within the block, in either order.
    let conditions = |text: &str| -> Vec<(String, String, u32)> {
        let lines: Vec<&str> = text.lines().collect();
        let mut found = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            if !l.trim_start().starts_with("condition") || !l.contains('{') {
                continue;
            }
            let body = &lines[i + 1..(i + 6).min(lines.len())];
            let end = body
                .iter()
                .position(|b| b.trim() == "}")
                .unwrap_or(body.len());
            let body = &body[..end];
            let var = body
                .iter()
                .find_map(|b| VARIABLE.captures(b).map(|c| c[1].to_string()));
            let vals = body.iter().enumerate().find_map(|(j, b)| {
                VALUES
                    .captures(b)
                    .map(|c| (c[1].to_string(), (i + 2 + j) as u32))
            });
            if let (Some(var), Some((vals, no))) = (var, vals) {
                found.push((
                    INTERPOLATION.replace_all(&var, "${}").into_owned(),
                    vals,
                    no,
                ));
            }
        }
        found
    };
    let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
        return;
    };
    let before = conditions(old);
    for (var, vals, no) in conditions(new) {
        let literal = INTERPOLATION.replace_all(&vals, "");
        if !literal.contains('*') || !f.added.iter().any(|l| l.no == no) {
            continue;
        }
        let Some((_, was, _)) = before
            .iter()
            .find(|(v, w, _)| *v == var && !INTERPOLATION.replace_all(w, "").contains('*'))
        else {
            continue;
        };
        out.push(Finding::added(
            "iam-condition-wildcard",
            Severity::High,
            f.path,
            Some(no),
            format!(
                "The condition on `{}` now accepts the pattern [{}] where it required exactly [{}]: anything that matches the pattern (another namespace, branch or repository) now passes it.",
                quote(&var),
                quote(vals.trim()),
                quote(was.trim())
            ),
        ));
        return;
    }
}

/// A namespaced object replaced by its cluster-wide kind: a `Role` made a
/// `ClusterRole`, a `SecretStore` a `ClusterSecretStore`, an `Issuer` a
/// `ClusterIssuer`. What one namespace could use, every namespace can now.
fn cluster_scoped(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let kind = |t: &str| -> Option<String> {
        K8S_KIND
            .captures(t)
            .and_then(|c| c.get(1))
            .map(|m| m.as_str().to_string())
    };
    let was: Vec<String> = f.removed.iter().filter_map(|l| kind(l.text)).collect();
    for l in &f.added {
        let Some(now) = kind(l.text) else { continue };
        let Some(base) = now.strip_prefix("Cluster") else {
            continue;
        };
        if was.iter().any(|w| w == base)
            && !f
                .added
                .iter()
                .any(|a| kind(a.text).as_deref() == Some(base))
        {
            out.push(Finding::added(
                "k8s-scope-widened-to-cluster",
                Severity::High,
                f.path,
                Some(l.no),
                format!(
                    "A `{base}` becomes a `{now}`: what one namespace could use before, every namespace in the cluster can use now."
                ),
            ));
            return;
        }
    }
}

/// Settings set from a module variable whose default is the unsafe value:
/// `block_public_policy = var.block_public_policy` with `default = false`
/// reads, for every caller that does not pass it, as `block_public_policy =
/// false`. The line is checked as it reads with the default put in.
/// Also a default changed (see [`changed_defaults`]).
pub fn variable_defaults(
    f: &FileView<'_>,
    change: &ChangeView<'_>,
    rules: &super::RuleSet,
    out: &mut Vec<Finding>,
) {
    if f.class.lang != Lang::Hcl || f.class.test_like() {
        return;
    }
    set_from_variables(f, change, rules, out);
    changed_defaults(f, change, rules, out);
}

fn set_from_variables(
    f: &FileView<'_>,
    change: &ChangeView<'_>,
    rules: &super::RuleSet,
    out: &mut Vec<Finding>,
) {
    static FROM_VAR: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^(\s*[\w-]+\s*=\s*)var\.(\w+)\s*$").unwrap());
    let text = f.new_text_or_hunks();
    let lines: Vec<&str> = text.lines().collect();
    for l in f.added_code() {
        let Some(c) = FROM_VAR.captures(l.text) else {
            continue;
        };
        if in_dynamic_block(&lines, (l.no as usize).saturating_sub(1)) {
            continue;
        }
        let Some(default) = change
            .files
            .iter()
            .filter(|g| g.class.lang == Lang::Hcl)
            .find_map(|g| variable_default(&g.new_text_or_hunks(), &c[2]))
        else {
            continue;
        };
        let reads = format!("{}{default}", &c[1]);
        for (rule, severity, message) in rules.added_matches(f.path, &reads) {
            out.push(Finding::added(
                &rule,
                severity,
                f.path,
                Some(l.no),
                format!(
                    "`{}` takes `var.{}`, whose default is {default}: for every caller that does not set it, this reads `{}`. {message}",
                    quote(l.text.trim()),
                    &c[2],
                    quote(reads.trim())
                ),
            ));
        }
    }
}

/// A module variable's default changed to the unsafe value
/// (`deletion_protection` defaulting to `false` now): every setting that
/// takes the variable reads, for callers that rely on the default, as the
/// new default.
fn changed_defaults(
    f: &FileView<'_>,
    change: &ChangeView<'_>,
    rules: &super::RuleSet,
    out: &mut Vec<Finding>,
) {
    static VARIABLE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"^\s*variable\s+"(\w+)""#).unwrap());
    static DEFAULT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*default\s*=\s*(\S+)\s*$").unwrap());
    let text = f.new_text_or_hunks();
    let lines: Vec<&str> = text.lines().collect();
    for l in f.added_code() {
        let Some(d) = DEFAULT.captures(l.text) else {
            continue;
        };
        let Some(name) = lines[..(l.no as usize).saturating_sub(1).min(lines.len())]
            .iter()
            .rev()
            .find_map(|t| VARIABLE.captures(t).map(|c| c[1].to_string()))
        else {
            continue;
        };
        let uses = Regex::new(&format!(r"^(\s*[\w-]+\s*=\s*)var\.{name}\s*$"));
        let Ok(uses) = uses else { continue };
        let found = change
            .files
            .iter()
            .filter(|g| g.class.lang == Lang::Hcl)
            .flat_map(|g| {
                let text = g.new_text_or_hunks();
                let lines: Vec<&str> = text.lines().collect();
                lines
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !in_dynamic_block(&lines, *i))
                    .filter_map(|(_, t)| uses.captures(t).map(|c| c[1].to_string()))
                    .collect::<Vec<_>>()
            })
            .find_map(|lhs| {
                let reads = format!("{lhs}{}", &d[1]);
                rules
                    .added_matches(f.path, &reads)
                    .into_iter()
                    .next()
                    .map(|m| (reads, m))
            })
            // The module's resources outside the change: a variable is named
            // after the setting it feeds.
            .or_else(|| {
                let reads = format!("{name} = {}", &d[1]);
                rules
                    .added_matches(f.path, &reads)
                    .into_iter()
                    .next()
                    .map(|m| (reads, m))
            });
        if let Some((reads, (rule, severity, message))) = found {
            out.push(Finding::added(
                &rule,
                severity,
                f.path,
                Some(l.no),
                format!(
                    "`var.{name}` now defaults to {}: every caller that does not set it gets `{}`. {message}",
                    &d[1],
                    quote(reads.trim())
                ),
            ));
            continue;
        }
        let before = f
            .old_text()
            .and_then(|old| variable_default(old, &name))
            .or_else(|| {
                // Without the old text: the one default the change removed.
                let mut removed = f
                    .removed_code()
                    .filter_map(|r| DEFAULT.captures(r.text).map(|c| c[1].to_string()));
                let first = removed.next();
                first.filter(|_| removed.next().is_none())
            });
        if let Some(before) = before.filter(|b| default_switch_weakened(&name, b, &d[1])) {
            out.push(Finding::added(
                "config-safety-off",
                Severity::High,
                f.path,
                Some(l.no),
                format!(
                    "`var.{name}` now defaults to {} (before: {before}): a safety switch turned off for every caller of the module that does not set it.",
                    &d[1]
                ),
            ));
        }
    }
}

/// Whether a boolean module variable named `name` moved from its safe
/// default to the unsafe one: `internal` or `deletion_protection` from
/// true to false, `publicly_accessible` or `force_destroy` from false to
/// true.
fn default_switch_weakened(name: &str, before: &str, after: &str) -> bool {
    /// Names where `true` keeps a resource off the internet.
    static PRIVATE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)^(is_|enable_|use_|make_)?(internal|private|private_only|vpc_only)(_\w+)?$",
        )
        .unwrap()
    });
    let on_is_safe = if PRIVATE.is_match(name) {
        Some(true)
    } else {
        super::structured::switch_on_is_safe(name)
    };
    let (before, after) = (before.trim(), after.trim());
    match on_is_safe {
        Some(true) => before == "true" && after == "false",
        Some(false) => before == "false" && after == "true",
        None => false,
    }
}

/// Whether line index `at` sits in a `dynamic "x" { … }` block, whose
/// `for_each` counts nested blocks (zero parameters), not instances of the
/// resource.
fn in_dynamic_block(lines: &[&str], at: usize) -> bool {
    static DYNAMIC: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"^\s*dynamic\s+"[\w-]+"\s*\{"#).unwrap());
    let indent = |t: &str| t.len() - t.trim_start().len();
    let Some(here) = lines.get(at) else {
        return false;
    };
    lines[..at]
        .iter()
        .rev()
        .find(|t| !t.trim().is_empty() && indent(t) < indent(here))
        .is_some_and(|t| DYNAMIC.is_match(t))
}

/// The default of `variable "name"` in a Terraform text.
fn variable_default(text: &str, name: &str) -> Option<String> {
    let open = format!("variable \"{name}\"");
    let at = text.find(&open)?;
    let body = &text[at..];
    let end = body.find("\n}").unwrap_or(body.len());
    body[..end].lines().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim() == "default").then(|| v.trim().to_string())
    })
}

/// A firewall or security-group rule whose body lets traffic through
/// (`access = "Allow"`, `type = "ingress"`, an `allow { }` block): taking it
/// away narrows access. A rule that denies is not one.
fn allow_rule_tf(kind: &str, body: &str) -> bool {
    static ALLOWS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?im)^\s*(access\s*=\s*"allow"|type\s*=\s*"(ingress|egress)"|rule_action\s*=\s*"allow"|action\s*=\s*"(allow|accept)"|allow\s*\{)"#).unwrap()
    });
    static DENIES: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?im)^\s*(access\s*=\s*"deny"|rule_action\s*=\s*"deny"|action\s*=\s*"(deny|drop|reject)"|deny\s*\{)"#).unwrap()
    });
    let rule_kind = [
        "security_rule",
        "security_group_rule",
        "firewall",
        "ingress_rule",
        "egress_rule",
        "network_acl_rule",
    ]
    .iter()
    .any(|k| kind.contains(k));
    rule_kind && ALLOWS.is_match(body) && !DENIES.is_match(body)
}

/// Terraform resource types that hold data: losing one loses the data.
pub fn stateful_tf(kind: &str) -> bool {
    const MARKS: &[&str] = &[
        "db_instance",
        "rds_cluster",
        "dynamodb_table",
        "elasticache",
        "sql_database",
        "sql_server",
        "storage_account",
        "kms_key",
        "efs_file_system",
        "ebs_volume",
        "redshift_cluster",
        "elasticsearch_domain",
        "opensearch_domain",
        "kinesis_stream",
        "msk_cluster",
        "docdb_cluster",
        "bigtable_instance",
        "spanner_instance",
        "spanner_database",
        "cosmosdb",
        "postgresql",
        "mysql",
        "mssql",
        "redis",
        "secretsmanager_secret",
        "route53_zone",
        "backup_vault",
        "persistent_disk",
        "compute_disk",
        "filestore",
    ];
    MARKS.iter().any(|m| kind.contains(m))
        || matches!(
            kind,
            "aws_s3_bucket" | "google_storage_bucket" | "azurerm_storage_container"
        )
}

/// Attributes whose change makes Terraform replace the resource.
const FORCE_NEW: &[&str] = &[
    "ami",
    "availability_zone",
    "subnet_id",
    "identifier",
    "cluster_identifier",
    "engine",
    "storage_encrypted",
    "kms_key_id",
    "snapshot_identifier",
    "bucket",
    "location",
    "cidr_block",
    "vpc_id",
    "key_name",
    "hash_key",
    "range_key",
    "database_name",
    "master_username",
    "resource_group_name",
    "zone",
    "region",
    "db_subnet_group_name",
    "encrypted",
    "partition_key_path",
    "project",
];

/// Resources whose name is part of their identity: a new `name` is a new
/// table, queue or bucket, and the old one is destroyed with its data. Every
/// `azurerm_` resource is one too.
const NAME_FORCE_NEW: &[&str] = &[
    "aws_dynamodb_table",
    "aws_sqs_queue",
    "aws_sns_topic",
    "aws_kinesis_stream",
    "aws_ecr_repository",
    "aws_secretsmanager_secret",
    "aws_efs_file_system",
    "aws_elasticache_cluster",
    "aws_timestreamwrite_table",
    "aws_glue_catalog_database",
    "aws_cloudwatch_log_group",
    "google_storage_bucket",
    "google_sql_database_instance",
    "google_sql_database",
    "google_bigquery_table",
    "google_pubsub_topic",
    "google_pubsub_subscription",
    "google_spanner_database",
    "google_firestore_database",
];

static RESOURCE_HEAD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^\s*resource\s+"(\w+)"\s+"[\w-]+"\s*\{"#).unwrap());

/// What makes a bucket lifecycle or replication rule act on the objects
/// themselves: expire, move or copy them.
static OBJECT_ACTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(expiration|transition|destination|replicat|delete|noncurrent)").unwrap()
});

/// Drops `tf-lifecycle-everything` where the rule with the empty filter only
/// cleans up incomplete multipart uploads: no stored object is expired,
/// moved or copied, so applying it to the whole bucket is what is meant.
pub fn empty_filter_without_object_action(f: &FileView<'_>, found: &mut Vec<Finding>) {
    if !found.iter().any(|x| x.rule == "tf-lifecycle-everything") {
        return;
    }
    let Some(new) = f.new_text() else { return };
    let lines: Vec<&str> = new.lines().collect();
    found.retain(|x| {
        if x.rule != "tf-lifecycle-everything" {
            return true;
        }
        let Some(at) = x
            .line
            .and_then(|n| (n as usize).checked_sub(1))
            .filter(|&i| i < lines.len())
        else {
            return true;
        };
        let Some(block) = enclosing_block(&lines, at) else {
            return true;
        };
        lines[block.clone()]
            .iter()
            .any(|l| OBJECT_ACTION.is_match(l))
            && !whole_bucket_before(&lines[block], f.old_text())
    });
}

/// The block around line index `at`, by indentation: from the first line
/// above that is less indented to the first line below that is not more
/// indented than that one.
fn enclosing_block(lines: &[&str], at: usize) -> Option<std::ops::Range<usize>> {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let own = indent(lines.get(at)?);
    let start = (0..at)
        .rev()
        .find(|&i| !lines[i].trim().is_empty() && indent(lines[i]) < own)?;
    let head = indent(lines[start]);
    let end = (at + 1..lines.len())
        .find(|&i| !lines[i].trim().is_empty() && indent(lines[i]) <= head)
        .unwrap_or(lines.len());
    Some(start..end)
}

/// The rule (by its `id`) was already in the old text with no prefix or
/// filter at all (the provider's older inline `lifecycle_rule`): it
/// applied to every object then too, and the empty filter the newer
/// provider asks for changes nothing.
fn whole_bucket_before(block: &[&str], old: Option<&str>) -> bool {
    static ID: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"^\s*"?[iI][dD]"?\s*[=:]\s*"([^"]+)""#).unwrap());
    let Some(old) = old else { return false };
    let Some(id) = block
        .iter()
        .find_map(|l| ID.captures(l).map(|c| c[1].to_string()))
    else {
        return false;
    };
    let lines: Vec<&str> = old.lines().collect();
    let Some(block) = lines
        .iter()
        .position(|l| ID.captures(l).is_some_and(|c| c[1] == id))
        .and_then(|at| enclosing_block(&lines, at))
    else {
        return false;
    };
    !lines[block].iter().any(|l| {
        let t = l.trim_start().trim_start_matches('"').to_ascii_lowercase();
        t.starts_with("prefix") || t.starts_with("filter") || t.starts_with("tags")
    })
}

/// The type of the resource block the new side's line `no` sits in, read
/// from the lines the diff knows (the whole text when it was loaded).
fn enclosing_resource<'a>(f: &FileView<'a>, no: u32) -> Option<&'a str> {
    (1..=no).rev().find_map(|n| {
        let l = f.new_lines.get(&n)?;
        if l.starts_with('}') {
            return Some(None);
        }
        RESOURCE_HEAD
            .captures(l)
            .map(|c| Some(c.get(1).map_or("", |m| m.as_str())))
    })?
}

/// Force-new attributes whose default is "not encrypted": written onto an
/// existing resource, they replace it.
const ENCRYPTION_AT_CREATION: &[&str] = &[
    "storage_encrypted",
    "encrypted",
    "kms_key_id",
    "at_rest_encryption_enabled",
];
/// The resources on which those attributes are chosen at creation (a log
/// group or a bucket takes a key in place).
const ENCRYPTED_AT_CREATION: &[&str] = &[
    "aws_db_instance",
    "aws_rds_cluster",
    "aws_docdb_cluster",
    "aws_neptune_cluster",
    "aws_ebs_volume",
    "aws_efs_file_system",
    "aws_elasticache_replication_group",
];

/// The line number and kind of the resource header enclosing line `no`,
/// read from the whole new text when there is one.
fn enclosing_head(f: &FileView<'_>, no: u32) -> Option<(u32, String)> {
    let text: Vec<&str> = f
        .new_text()
        .map(|t| t.lines().collect())
        .unwrap_or_default();
    (1..=no).rev().find_map(|n| {
        let l = text
            .get(n as usize - 1)
            .copied()
            .or_else(|| f.new_lines.get(&n).copied())?;
        if l.starts_with('}') {
            return Some(None);
        }
        RESOURCE_HEAD
            .captures(l)
            .map(|c| Some((n, c.get(1).map_or("", |m| m.as_str()).to_string())))
    })?
}

/// Whether `key` cannot change in place on a resource of `kind`.
fn forces_new(key: &str, kind: Option<&str>) -> bool {
    FORCE_NEW.contains(&key)
        || (key == "name"
            && kind.is_some_and(|k| NAME_FORCE_NEW.contains(&k) || k.starts_with("azurerm_")))
}

const STATEFUL_KINDS: &[&str] = &[
    "Namespace",
    "PersistentVolumeClaim",
    "PersistentVolume",
    "StatefulSet",
];
const K8S_KINDS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "Service",
    "Ingress",
    "Namespace",
    "PersistentVolumeClaim",
    "PersistentVolume",
    "CronJob",
    "Job",
    "ConfigMap",
    "Secret",
    "HorizontalPodAutoscaler",
    "NetworkPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ServiceAccount",
    "PodDisruptionBudget",
];

type TfKey = (String, String, String);

fn tf_blocks<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<TfKey> {
    lines
        .filter_map(|l| {
            let c = TF_BLOCK.captures(l)?;
            let kind = c.get(1)?.as_str().to_string();
            let a = c.get(2)?.as_str().to_string();
            let b = c.get(3).map_or(String::new(), |m| m.as_str().to_string());
            Some((kind, a, b))
        })
        .collect()
}

/// The lines of the block that opens on the line reading `header` in
/// `text` (a whole side of a file), trimmed, braces and blanks left out.
/// Empty when the text was not loaded or the header is not in it.
fn block_body(text: Option<&str>, header: &str) -> Vec<String> {
    let Some(text) = text else {
        return Vec::new();
    };
    let mut lines = text.lines().skip_while(|l| *l != header);
    let Some(first) = lines.next() else {
        return Vec::new();
    };
    let mut depth = first.matches('{').count() as i64 - first.matches('}').count() as i64;
    let mut out = Vec::new();
    for l in lines {
        if depth <= 0 {
            break;
        }
        depth += l.matches('{').count() as i64 - l.matches('}').count() as i64;
        let t = l.trim();
        if !t.is_empty() && t != "}" && t != "{" && !t.starts_with('#') {
            out.push(t.split_whitespace().collect::<Vec<_>>().join(" "));
        }
    }
    out
}

/// Whether a block's body makes no instance of it: `count = 0`, or
/// `for_each` over an empty collection.
fn creates_nothing(body: &[String]) -> bool {
    body.iter().any(|l| {
        let l = l.replace(' ', "");
        l == "count=0" || ["for_each={}", "for_each=[]", "for_each=toset([])"].contains(&l.as_str())
    })
}

/// The directories of local modules whose use the change removes, where
/// that use created nothing (`module "vpn" { count = 0 … }`).
fn dormant_module_dirs(change: &ChangeView<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for g in change.files.iter().filter(|g| g.class.lang == Lang::Hcl) {
        let dir = g.path.rsplit_once('/').map_or("", |(d, _)| d);
        for l in &g.removed {
            let Some(key) = tf_blocks(std::iter::once(l.text)).pop() else {
                continue;
            };
            if key.0 != "module" {
                continue;
            }
            let body = block_body(g.old_text(), l.text);
            if !creates_nothing(&body) {
                continue;
            }
            let source = body.iter().find_map(|b| {
                let (k, v) = b.split_once('=')?;
                (k.trim() == "source").then(|| v.trim().trim_matches('"').to_string())
            });
            if let Some(source) = source.filter(|s| s.starts_with("./") || s.starts_with("../")) {
                out.push(join_path(dir, &source));
            }
        }
    }
    out
}

/// `dir` joined with a relative path, `..` and `.` resolved.
fn join_path(dir: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// Whether at least half of what the old block said is still said (an
/// empty body, as when only the header line was seen, counts as kept).
fn mostly_kept(old: &[String], new: &[String]) -> bool {
    if old.is_empty() || new.is_empty() {
        return true;
    }
    let kept = old.iter().filter(|l| new.contains(l)).count();
    kept * 2 >= old.len()
}

/// The addresses the change's Terraform hands over rather than destroys: the
/// `from` of each `moved` block (the state follows the resource to its new
/// address, in this file, another file or a module) and of each `removed`
/// block that keeps the object (`destroy = false`: Terraform forgets it and
/// leaves it running).
fn moved_or_forgotten(change: &ChangeView<'_>, moves: &[(String, String)]) -> HashSet<String> {
    static DESTROY_FALSE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*destroy\s*=\s*false\s*$").unwrap());
    let address = |a: &str| a.split('[').next().unwrap_or(a).to_string();
    let mut out: HashSet<String> = moves.iter().map(|(from, _)| address(from)).collect();
    for g in change.files.iter().filter(|g| g.class.lang == Lang::Hcl) {
        let text = g.new_text_or_hunks();
        let (mut inside, mut from, mut keep) = (false, None, false);
        for line in text.lines() {
            let t = line.trim();
            if t.starts_with("removed") && t.trim_start_matches("removed").trim() == "{" {
                (inside, from, keep) = (true, None, false);
            } else if inside && let Some(c) = MOVED_END.captures(t) {
                if &c[1] == "from" {
                    from = Some(address(&c[2]));
                }
            } else if inside && DESTROY_FALSE.is_match(t) {
                keep = true;
            } else if inside && line.starts_with('}') {
                inside = false;
                if let Some(a) = from.take().filter(|_| keep) {
                    out.insert(a);
                }
            }
        }
    }
    out
}

/// Whether the resources of the removed module `label` (`module.db`) are
/// all moved out of it by `moved` blocks (`from = module.db.aws_db_instance.
/// this`): the module is inlined, nothing is destroyed. When the change
/// shows the module's own files (deleted with it), every resource they
/// declare must be moved; otherwise at least one.
fn module_moved_out(
    label: &str,
    body: &[String],
    here: &str,
    change: &ChangeView<'_>,
    handed_over: &HashSet<String>,
) -> bool {
    static SOURCE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"^\s*source\s*=\s*"(\.{1,2}/[^"]+)""#).unwrap());
    let prefix = format!("{label}.");
    if !handed_over.iter().any(|a| a.starts_with(&prefix)) {
        return false;
    }
    let Some(source) = body
        .iter()
        .find_map(|l| SOURCE.captures(l).map(|c| c[1].to_string()))
    else {
        return true;
    };
    // The module's directory, relative to the repository root.
    let mut dir: Vec<&str> = here.split('/').filter(|s| !s.is_empty()).collect();
    for part in source.split('/') {
        match part {
            "." | "" => {}
            ".." => {
                dir.pop();
            }
            p => dir.push(p),
        }
    }
    let dir = dir.join("/");
    let declared: Vec<TfKey> = change
        .files
        .iter()
        .filter(|g| {
            g.class.lang == Lang::Hcl && g.path.rsplit_once('/').is_some_and(|(d, _)| d == dir)
        })
        .flat_map(|g| tf_blocks(g.old_text().unwrap_or("").lines()))
        .filter(|k| k.0 == "resource")
        .collect();
    declared
        .iter()
        .all(|k| handed_over.contains(&format!("{prefix}{}", tf_label(k))))
}

fn tf_label(k: &TfKey) -> String {
    match k.0.as_str() {
        "resource" => format!("{}.{}", k.1, k.2),
        "module" => format!("module.{}", k.1),
        _ => format!("data.{}.{}", k.1, k.2),
    }
}

/// Infrastructure rules for one file. `change` lets a resource moved to another
/// file count as kept.
pub fn check(f: &FileView<'_>, change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    if f.class.docs || f.class.test_like() {
        return;
    }
    if f.class.lang == Lang::Hcl {
        terraform(f, change, out);
        runtime_counts_taken_back(f, out);
    }
    if matches!(f.class.lang, Lang::Yaml | Lang::Json) {
        kubernetes(f, change, out);
        cloudformation(f, out);
    }
}

/// Attributes that an autoscaler changes while the service runs: Terraform
/// leaves them alone only while `ignore_changes` lists them.
static RUNTIME_COUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(desired_count|desired_capacity|desired_size|replicas|node_count|read_capacity|write_capacity|min_capacity)\b").unwrap()
});

/// A block's address from its header's captures: `aws_ecs_service.checkout`.
fn tf_address(c: &regex::Captures<'_>) -> String {
    format!("{}.{}", &c[2], c.get(3).map_or("", |m| m.as_str()))
}

/// Each resource's `ignore_changes` entries and the line (1-based) of the
/// list that holds each one.
fn ignored_by_resource(text: &str) -> Vec<(String, String, u32)> {
    let mut out = Vec::new();
    let mut resource = String::new();
    let mut open: Option<u32> = None;
    for (i, t) in text.lines().enumerate() {
        if let Some(c) = TF_BLOCK.captures(t)
            && !t.starts_with(char::is_whitespace)
        {
            resource = tf_address(&c);
            open = None;
        }
        let list = if let Some(at) = t.find("ignore_changes") {
            open = Some(i as u32 + 1);
            &t[at + "ignore_changes".len()..]
        } else if open.is_some() {
            t
        } else {
            continue;
        };
        let line = open.unwrap_or(i as u32 + 1);
        for m in RUNTIME_COUNT.find_iter(list) {
            out.push((resource.clone(), m.as_str().to_string(), line));
        }
        if list.contains(']') || list.trim_start().starts_with("= all") {
            open = None;
        }
    }
    out
}

/// A resource that kept telling Terraform to leave an autoscaled count
/// alone, and no longer does: the next apply sets the count back to the
/// configured value, scaling a busy service down in the middle of its peak.
fn runtime_counts_taken_back(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
        return;
    };
    let before = ignored_by_resource(old);
    if before.is_empty() {
        return;
    }
    let after = ignored_by_resource(new);
    let still = |r: &str, a: &str| after.iter().any(|(r2, a2, _)| r2 == r && a2 == a);
    let ignores_all = |r: &str| {
        let mut in_resource = false;
        new.lines().any(|t| {
            if let Some(c) = TF_BLOCK.captures(t) {
                in_resource = tf_address(&c) == r;
            }
            in_resource && t.contains("ignore_changes") && t.contains("all")
        })
    };
    let exists = |r: &str| {
        new.lines()
            .any(|t| TF_BLOCK.captures(t).is_some_and(|c| tf_address(&c) == r))
    };
    for (resource, attr, line) in &before {
        if still(resource, attr) || !exists(resource) || ignores_all(resource) {
            continue;
        }
        out.push(Finding::removed(
            "tf-autoscaled-count-reset",
            Severity::High,
            f.path,
            Some(*line),
            format!(
                "`{}` no longer ignores changes to `{}`, which an autoscaler sets while it runs: the next apply puts it back to the configured value, scaling the service down however busy it is. Keep it in `ignore_changes`.",
                quote(resource.trim_end_matches('.')),
                quote(attr),
            ),
        ));
        return;
    }
}

/// How a resource or module block makes its instances: one (no meta
/// argument), `count` (addresses `x[0]`) or `for_each` (addresses
/// `x["key"]`), read from the block's own lines, not its nested ones
/// (`dynamic` blocks have a `for_each` of their own).
fn instancing(text: &str) -> Vec<(TfKey, u32, &'static str)> {
    let mut out = Vec::new();
    let mut open: Option<(TfKey, u32, &'static str)> = None;
    let mut depth = 0i64;
    for (i, l) in text.lines().enumerate() {
        let code = l.split('#').next().unwrap_or("");
        if depth == 0
            && let Some(key) = tf_blocks(std::iter::once(l)).pop()
            && (key.0 == "resource" || key.0 == "module")
        {
            open = Some((key, i as u32 + 1, "single"));
        } else if depth == 1
            && let Some(o) = open.as_mut()
        {
            let name = code.split('=').next().unwrap_or("").trim();
            if code.contains('=') && (name == "count" || name == "for_each") {
                o.2 = if name == "count" { "count" } else { "for_each" };
            }
        }
        depth += code.matches('{').count() as i64 - code.matches('}').count() as i64;
        if depth <= 0 {
            depth = 0;
            if let Some(o) = open.take() {
                out.push(o);
            }
        }
    }
    out
}

/// Resources and modules switched to or from `for_each` with no `moved`
/// block in the change: every instance gets a new address (`x[0]` becomes
/// `x["orders"]`), and Terraform destroys the old ones and creates new,
/// empty ones. (A `count` added to a single resource is moved to `[0]` by
/// Terraform itself.)
fn tf_instancing_changed(f: &FileView<'_>, moved_block: bool, out: &mut Vec<Finding>) {
    if moved_block
        || !f
            .added_code()
            .chain(f.removed_code())
            .any(|l| l.text.contains("for_each"))
    {
        return;
    }
    let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
        return;
    };
    let before = instancing(old);
    for (key, line, now) in instancing(new) {
        let Some((_, _, was)) = before.iter().find(|(k, _, _)| *k == key) else {
            continue;
        };
        if *was == now || (*was != "for_each" && now != "for_each") {
            continue;
        }
        let stateful = key.0 == "resource" && stateful_tf(&key.1);
        let label = tf_label(&key);
        let how = |m: &str| match m {
            "count" => "`count`",
            "for_each" => "`for_each`",
            _ => "a single instance",
        };
        out.push(Finding::added(
            "tf-resource-readdressed",
            if stateful { Severity::Critical } else { Severity::High },
            f.path,
            Some(line),
            format!(
                "{label} goes from {} to {} without a `moved` block: every instance gets a new address, so the next apply destroys the existing ones{} and creates new ones.",
                how(was),
                how(now),
                if stateful { ", and their data," } else { "" }
            ),
        ));
    }
}

/// A DNS record (`aws_route53_record`, `cloudflare_record`, a Google or
/// Azure record set) whose name the change also takes out of its code (the
/// link every email carried, now pointing elsewhere) and names in no line it
/// adds: the name is being retired on purpose, not lost with a resource.
fn dns_name_retired(kind: &str, old_body: &[String], change: &ChangeView<'_>) -> bool {
    static DNS_RECORD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(_record$|_record_set$|^(azurerm_dns|google_dns|cloudflare_dns)_)").unwrap()
    });
    static NAME: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^\s*name\s*=\s*"([A-Za-z0-9-]+\.[A-Za-z0-9.-]+)""#).unwrap()
    });
    if !DNS_RECORD.is_match(kind) {
        return false;
    }
    let Some(name) = old_body
        .iter()
        .find_map(|l| NAME.captures(l).map(|c| c[1].to_string()))
    else {
        return false;
    };
    let code =
        |g: &&FileView<'_>| g.class.lang != Lang::Hcl && !g.class.docs && !g.class.test_like();
    let named = |t: &str| {
        t.match_indices(name.as_str()).any(|(i, _)| {
            let before = t[..i].chars().next_back();
            !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        })
    };
    change
        .files
        .iter()
        .filter(code)
        .any(|g| g.removed_code().any(|l| named(l.text)))
        && !change
            .files
            .iter()
            .filter(code)
            .any(|g| g.added_code().any(|l| named(l.text)))
}

/// The defaults of the Terraform variables the change's files declare, by
/// name, as written (`7`, `false`, `"Suspended"`): what every module call
/// that does not pass the variable gets.
pub(crate) fn tf_variable_defaults(
    change: &ChangeView<'_>,
) -> std::collections::HashMap<String, String> {
    tf_variable_defaults_on(change, false)
}

/// The same, as declared before the change.
pub(crate) fn tf_old_variable_defaults(
    change: &ChangeView<'_>,
) -> std::collections::HashMap<String, String> {
    tf_variable_defaults_on(change, true)
}

fn tf_variable_defaults_on(
    change: &ChangeView<'_>,
    old: bool,
) -> std::collections::HashMap<String, String> {
    let mut out = std::collections::HashMap::new();
    for f in change
        .files
        .iter()
        .filter(|f| f.path.ends_with(".tf") && f.class.production())
    {
        let text = if old { f.old_text() } else { f.new_text() };
        let Some(text) = text else { continue };
        let mut current: Option<&str> = None;
        for l in text.lines() {
            let t = l.trim();
            if let Some(name) = t
                .strip_prefix("variable \"")
                .and_then(|r| r.split('"').next())
            {
                current = Some(name);
            } else if l.starts_with('}') {
                current = None;
            } else if let Some(name) = current
                && let Some(v) = t.strip_prefix("default").map(str::trim_start)
                && let Some(v) = v.strip_prefix('=')
            {
                out.insert(name.to_string(), v.trim().to_string());
            }
        }
    }
    out
}

fn terraform(f: &FileView<'_>, change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    let added_everywhere: HashSet<TfKey> = change
        .files
        .iter()
        .filter(|g| g.class.lang == Lang::Hcl)
        .flat_map(|g| tf_blocks(g.added.iter().map(|l| l.text)))
        .collect();
    let moved_block = change
        .files
        .iter()
        .filter(|g| g.class.lang == Lang::Hcl)
        .any(|g| {
            g.added
                .iter()
                .any(|l| l.text.trim_start().starts_with("moved"))
        });
    // Addresses renamed by `moved` blocks: a reference to the old address is
    // the same resource under its new name, not another one.
    tf_instancing_changed(f, moved_block, out);
    let moves = moved_addresses(change);
    let handed_over = moved_or_forgotten(change, &moves);
    let dormant = dormant_module_dirs(change);
    let here = f.path.rsplit_once('/').map_or("", |(d, _)| d);
    for l in &f.removed {
        let Some(key) = tf_blocks(std::iter::once(l.text)).pop() else {
            continue;
        };
        if key.0 == "data"
            || added_everywhere.contains(&key)
            || handed_over.contains(&tf_label(&key))
        {
            continue;
        }
        let label = tf_label(&key);
        // A rename keeps most of what the block said; a record of the same
        // type that says something else is another resource.
        let old_body = block_body(f.old_text(), l.text);
        if key.0 == "module" && module_moved_out(&label, &old_body, here, change, &handed_over) {
            continue;
        }
        let renamed_to = added_everywhere.iter().find(|k| {
            k.0 == key.0
                && (key.0 == "module" || k.1 == key.1)
                && k != &&key
                && change
                    .files
                    .iter()
                    .filter(|g| g.class.lang == Lang::Hcl)
                    .filter_map(|g| {
                        let header = g.added.iter().find(|a| {
                            tf_blocks(std::iter::once(a.text)).pop().as_ref() == Some(*k)
                        })?;
                        Some(block_body(g.new_text(), header.text))
                    })
                    .any(|new_body| mostly_kept(&old_body, &new_body))
        });
        let stateful = key.0 == "resource" && stateful_tf(&key.1);
        // A block that created nothing (`count = 0`), or a resource of a
        // module whose only use the change removes with `count = 0`, is
        // code only: no apply destroys what never existed.
        let never_created = if creates_nothing(&old_body) {
            Some("it had `count = 0`")
        } else if key.0 == "resource" && dormant.iter().any(|d| d == here) {
            Some("the module it belongs to was used only with `count = 0`, and that use goes too")
        } else {
            None
        };
        if let (None, Some(why)) = (renamed_to, never_created) {
            out.push(Finding::removed(
                "tf-resource-removed",
                Severity::Low,
                f.path,
                Some(l.no),
                format!("Removes {label}, which exists nowhere: {why}."),
            ));
            continue;
        }
        match renamed_to {
            Some(new) if !moved_block => out.push(Finding::removed(
                "tf-resource-renamed",
                if stateful { Severity::Critical } else { Severity::High },
                f.path,
                Some(l.no),
                format!(
                    "Renames {label} to {} without a `moved` block: Terraform will destroy the old one and create a new, empty one.",
                    tf_label(new)
                ),
            )),
            Some(_) => {}
            // Access taken away (a user, a key, a grant): whoever used it
            // breaks loudly, nothing is exposed or lost.
            None if key.0 == "resource" && access_grant_tf(&key.1) => out.push(Finding::removed(
                "tf-access-removed",
                Severity::Medium,
                f.path,
                Some(l.no),
                format!("Removes {label}: whoever still uses this access loses it at the next apply."),
            )),
            None if key.0 == "resource" && allow_rule_tf(&key.1, &old_body.join("\n")) => out.push(Finding::removed(
                "tf-access-removed",
                Severity::Medium,
                f.path,
                Some(l.no),
                format!("Removes {label}, a rule that let traffic through: what it allowed is refused from the next apply (whatever still used it breaks; nothing is exposed)."),
            )),
            None if key.0 == "resource" && dns_name_retired(&key.1, &old_body, change) => out.push(Finding::removed(
                "tf-resource-removed",
                Severity::Medium,
                f.path,
                Some(l.no),
                format!("Removes {label}, a DNS name the change also stops using in its code: whoever outside still resolves it loses it at the next apply."),
            )),
            None if key.0 == "resource" && state_only_tf(&key.1) => out.push(Finding::removed(
                "tf-resource-removed",
                Severity::Medium,
                f.path,
                Some(l.no),
                format!("Removes {label}: Terraform stops managing it, and the setting stays as it was in the cloud (nothing is destroyed)."),
            )),
            None => out.push(Finding::removed(
                "tf-resource-removed",
                if stateful { Severity::Critical } else { Severity::High },
                f.path,
                Some(l.no),
                if stateful {
                    format!("Removes {label}: the next apply destroys it, and the data in it with it.")
                } else {
                    format!("Removes {label}: the next apply destroys it in every environment that uses this code.")
                },
            )),
        }
    }
    let prevent = |t: &str| {
        let t = t.replace(' ', "");
        t.contains("prevent_destroy=true")
    };
    // Protection written back inside a `lifecycle` block; the same words as
    // a module input or a tag protect nothing.
    let new_lines: Vec<&str> = f
        .new_text()
        .map(|t| t.lines().collect())
        .unwrap_or_default();
    let in_lifecycle = |no: u32| {
        let at = (no as usize).saturating_sub(1).min(new_lines.len());
        let indent = |l: &str| l.len() - l.trim_start().len();
        let own = new_lines.get(at).map_or(0, |l| indent(l));
        new_lines[..at]
            .iter()
            .rev()
            .find(|l| !l.trim().is_empty() && indent(l) < own)
            .is_some_and(|l| l.trim_start().starts_with("lifecycle"))
    };
    // Or the resource moved (a `moved` block) into a module the change
    // writes, which protects it there.
    let protected_where_moved = moved_block
        && change
            .files
            .iter()
            .filter(|g| g.class.lang == Lang::Hcl && g.path != f.path)
            .any(|g| g.added_code().any(|l| prevent(l.text)));
    let still_protected = protected_where_moved
        || f.added
            .iter()
            .any(|l| prevent(l.text) && in_lifecycle(l.no));
    for l in &f.removed {
        if prevent(l.text) && !still_protected {
            out.push(Finding::removed(
                "tf-prevent-destroy-removed",
                Severity::Critical,
                f.path,
                Some(l.no),
                "Removes `prevent_destroy`: nothing now stops a plan from destroying this resource and its data.",
            ));
        }
    }
    for l in &f.added {
        if l.text.replace(' ', "").contains("prevent_destroy=false") {
            out.push(Finding::added(
                "tf-prevent-destroy-removed",
                Severity::Critical,
                f.path,
                Some(l.no),
                "Sets `prevent_destroy = false`: nothing now stops a plan from destroying this resource and its data.",
            ));
        }
    }
    // Force-new attributes: the same key removed and added with another value.
    let removed_attrs: Vec<(u32, String, String)> = f
        .removed_code()
        .filter_map(|l| {
            let c = TF_ATTR.captures(l.text)?;
            Some((l.no, c[1].to_string(), c[2].to_string()))
        })
        .collect();
    for l in f.added_code() {
        let Some(c) = TF_ATTR.captures(l.text) else {
            continue;
        };
        let (key, new) = (&c[1], &c[2]);
        let kind = enclosing_resource(f, l.no);
        if !forces_new(key, kind) {
            continue;
        }
        // Encryption written onto a resource that exists (`storage_encrypted
        // = true`, `kms_key_id = …` on a database created without them): the
        // default was off, so this is a change Terraform makes by replacing
        // the resource, empty.
        if !removed_attrs.iter().any(|(_, k, _)| k == key)
            && ENCRYPTION_AT_CREATION.contains(&key)
            && !matches!(new.trim_matches('"'), "false" | "null" | "")
            && let Some((head, kind)) = enclosing_head(f, l.no)
            && !f.added.iter().any(|a| a.no == head)
            && ENCRYPTED_AT_CREATION.contains(&kind.as_str())
        {
            let stateful = stateful_tf(&kind);
            out.push(Finding::added(
                "tf-force-new",
                if stateful { Severity::Critical } else { Severity::High },
                f.path,
                Some(l.no),
                format!(
                    "Sets `{key}` on the `{}` that exists without it: encryption is chosen when the resource is created, so Terraform destroys and recreates it{}.",
                    quote(&kind),
                    if stateful { ", empty" } else { "" }
                ),
            ));
            continue;
        }
        if let Some((_, _, old)) = removed_attrs.iter().find(|(_, k, _)| k == key)
            && old != new
            && renamed_by(old, &moves) != new
        {
            out.push(Finding::added(
                    "tf-force-new",
                    Severity::High,
                    f.path,
                    Some(l.no),
                    format!(
                        "Changes `{key}` from {} to {}: Terraform cannot change this in place, so it destroys and recreates the resource.",
                        quote(old),
                        quote(new)
                    ),
                ));
        }
    }
}

static MOVED_END: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^\s*(from|to)\s*=\s*([\w.\[\]"-]+)\s*$"#).unwrap());

/// The `(from, to)` addresses of the `moved` blocks in the Terraform files
/// the change touches, as they read after it. Read from the whole text: a
/// diff often pairs a new block's closing brace with an old one.
fn moved_addresses(change: &ChangeView<'_>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for g in change.files.iter().filter(|g| g.class.lang == Lang::Hcl) {
        let text = g.new_text_or_hunks();
        let (mut inside, mut from, mut to) = (false, None, None);
        for t in text.lines().map(str::trim) {
            if t.starts_with("moved") && t.trim_start_matches("moved").trim() == "{" {
                (inside, from, to) = (true, None, None);
            } else if inside && let Some(c) = MOVED_END.captures(t) {
                let v = c[2].to_string();
                if &c[1] == "from" {
                    from = Some(v);
                } else {
                    to = Some(v);
                }
                if let (Some(a), Some(b)) = (&from, &to) {
                    out.push((a.clone(), b.clone()));
                    inside = false;
                }
            } else if inside && t == "}" {
                inside = false;
            }
        }
    }
    out
}

/// `value` with every reference to a moved address rewritten to its new
/// address (`aws_s3_bucket.bucket.id` → `aws_s3_bucket.invoices.id`).
fn renamed_by(value: &str, moves: &[(String, String)]) -> String {
    let mut v = value.to_string();
    for (from, to) in moves {
        let mut out = String::new();
        let mut rest = v.as_str();
        while let Some(i) = rest.find(from.as_str()) {
            let before_ok = rest[..i]
                .chars()
                .next_back()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '.'));
            let after = &rest[i + from.len()..];
            let after_ok = after
                .chars()
                .next()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '-'));
            out.push_str(&rest[..i]);
            out.push_str(if before_ok && after_ok { to } else { from });
            rest = after;
        }
        out.push_str(rest);
        v = out;
    }
    v
}

/// Why deleting the `kind` object whose manifest starts at removed line
/// `at` loses nothing, if it does not: a CronJob that was suspended (it ran
/// nothing), or a Secret that the change has an operator make under the
/// same name from a secret store (an ExternalSecret, SealedSecret, or
/// kin, whose target is that name).
fn deleted_harmlessly(
    f: &FileView<'_>,
    change: &ChangeView<'_>,
    kind: &str,
    at: u32,
) -> Option<String> {
    // The removed document: from its `kind:` line to the next `---`.
    let doc: Vec<&str> = f
        .removed
        .iter()
        .skip_while(|l| l.no < at)
        .take_while(|l| l.no == at || l.text.trim() != "---")
        .map(|l| l.text)
        .collect();
    let doc_all: Vec<&str> = f
        .removed
        .iter()
        .rev()
        .skip_while(|l| l.no > at)
        .take_while(|l| l.text.trim() != "---")
        .map(|l| l.text)
        .chain(doc.iter().copied())
        .collect();
    let value = |key: &str| {
        doc_all.iter().find_map(|t| {
            t.trim()
                .strip_prefix(key)
                .and_then(|r| r.strip_prefix(':'))
                .map(|v| v.trim().trim_matches(['"', '\'']).to_string())
        })
    };
    // Written again by the change under the same kind and name (a manifest
    // made a Helm chart's template, split into files of its own): the live
    // object is kept.
    let kind_line = format!("kind: {kind}");
    if let Some(name) = value("name").filter(|n| n.len() >= 3)
        && let Some(g) = change.files.iter().find(|g| {
            g.added.iter().any(|l| l.text.trim() == kind_line)
                && (g.path.contains(name.as_str())
                    || g.added.iter().any(|l| l.text.contains(name.as_str())))
        })
    {
        return Some(format!(
            "written again in `{}` under the same kind and name",
            g.path
        ));
    }
    match kind {
        "CronJob" if value("suspend").as_deref() == Some("true") => {
            Some("which was suspended (`suspend: true`): it ran nothing".to_string())
        }
        "Deployment" | "ReplicaSet" if value("replicas").as_deref() == Some("0") => {
            Some("which was scaled to zero (`replicas: 0`): it ran nothing".to_string())
        }
        // A one-off Job: pruning deletes the finished Job and its pods, not
        // what it did.
        "Job" => Some("a one-off Job: pruning removes the finished Job and its pods, not what it did".to_string()),
        // Policies merged into one: the pods it selected are still selected
        // by a NetworkPolicy the change writes, which carries the same peers
        // on and no others.
        "NetworkPolicy" => {
            // A policy that only lets peers in (every rule names its `from`
            // or `to`), beside a default deny the namespace keeps: deleting
            // it takes an allowance away, and the pods stay isolated.
            let trimmed: Vec<&str> = doc_all.iter().map(|t| t.trim()).collect();
            let rules = trimmed
                .iter()
                .filter(|t| t.starts_with("- from:") || t.starts_with("- to:") || **t == "- {}" || t.starts_with("- ports:"))
                .count();
            let allows_only = rules > 0
                && trimmed
                    .iter()
                    .filter(|t| t.starts_with("- from:") || t.starts_with("- to:"))
                    .count()
                    == rules
                && !trimmed.iter().any(|t| matches!(*t, "ingress: []" | "egress: []" | "- from: []" | "- to: []"));
            // Named before the change and still after it: a default deny the
            // change writes in is not one the namespace had.
            let names_deny = |l: &str| {
                let l = l.trim().to_ascii_lowercase();
                (l.starts_with("- ") || l.starts_with("name:"))
                    && (l.contains("default-deny") || l.contains("deny-all"))
            };
            let default_deny_kept = change.files.iter().filter(|g| !g.deleted()).any(|g| {
                let (Some(old), Some(new)) = (g.old_text(), g.new_text()) else {
                    return false;
                };
                new.lines()
                    .filter(|l| names_deny(l))
                    .any(|l| old.lines().any(|o| o.trim() == l.trim()))
            });
            // Merged into another policy is read below: what it admits now.
            let writes_peers = change.files.iter().filter(|g| !g.deleted()).any(|g| {
                g.added.iter().any(|l| {
                    let t = l.text.trim_start();
                    t.starts_with("- from:")
                        || t.starts_with("- to:")
                        || t.contains("namespaceSelector")
                        || t.contains("podSelector")
                        || t.contains("ipBlock")
                })
            });
            if allows_only && default_deny_kept && !writes_peers {
                return Some(
                    "which only let peers in, while the namespace's default deny stays: the pods it admitted traffic to are still isolated, from those peers too"
                        .to_string(),
                );
            }
            let i = doc_all.iter().position(|t| t.trim() == "podSelector:")?;
            let label = doc_all[i + 1..]
                .iter()
                .map(|t| t.trim())
                .find(|t| t.contains(':') && *t != "matchLabels:")?;
            // Read from the whole new text: a file git pairs with one of the
            // deleted ones (a rename) shows few added lines.
            // And it admits nothing the policies it replaces did not.
            let before: Vec<&str> = change
                .files
                .iter()
                .filter_map(|g| g.old_text())
                .filter(|t| t.contains("NetworkPolicy"))
                .collect();
            let before = before.join("\n---\n");
            change.files.iter().filter(|g| !g.deleted()).find_map(|g| {
                let text = g.new_text()?;
                let lines: Vec<&str> = text.lines().map(str::trim).collect();
                (lines.contains(&"kind: NetworkPolicy")
                    && lines.contains(&label)
                    && super::network_policies::admits_no_more(&before, text))
                .then(|| {
                    format!(
                        "but the NetworkPolicy the change writes in `{}` selects the same pods (`{}`)",
                        quote(g.path),
                        quote(label)
                    )
                })
            })
        }
        // Access taken away: whoever used it breaks loudly, nothing is
        // exposed or lost.
        "ServiceAccount" | "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding" => Some(
            "which grants access: taking it away breaks whoever still uses it, loudly, and exposes nothing"
                .to_string(),
        ),
        "Secret" => {
            let name = value("name")?;
            const MAKERS: &[&str] = &[
                "ExternalSecret",
                "SealedSecret",
                "SecretProviderClass",
                "VaultStaticSecret",
                "VaultDynamicSecret",
                "OnePasswordItem",
                "InfisicalSecret",
                "DopplerSecret",
            ];
            change.files.iter().find_map(|g| {
                let added: Vec<&str> = g.added.iter().map(|l| l.text).collect();
                let maker = added.iter().find_map(|t| {
                    let k = t.trim().strip_prefix("kind:")?.trim();
                    MAKERS.contains(&k).then_some(k)
                })?;
                added
                    .iter()
                    .any(|t| {
                        t.trim()
                            .strip_prefix("name:")
                            .is_some_and(|v| v.trim().trim_matches(['"', '\'']) == name)
                    })
                    .then(|| {
                        format!(
                            "but the change has an {maker} make `{}` from the secret store instead",
                            quote(&name)
                        )
                    })
            })
        }
        _ => None,
    }
}

fn kubernetes(f: &FileView<'_>, change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    cluster_scoped(f, out);
    let added_kinds: Vec<&str> = f
        .added
        .iter()
        .filter_map(|l| {
            K8S_KIND
                .captures(l.text)
                .and_then(|c| c.get(1))
                .map(|m| m.as_str())
        })
        .collect();
    for l in &f.removed {
        let Some(kind) = K8S_KIND
            .captures(l.text)
            .and_then(|c| c.get(1))
            .map(|m| m.as_str())
        else {
            continue;
        };
        if !K8S_KINDS.contains(&kind) || added_kinds.contains(&kind) {
            continue;
        }
        if let Some(why) = deleted_harmlessly(f, change, kind, l.no) {
            out.push(Finding::removed(
                "k8s-object-deleted",
                Severity::Low,
                f.path,
                Some(l.no),
                format!("Deletes a {kind} manifest, {why}."),
            ));
            continue;
        }
        let stateful = STATEFUL_KINDS.contains(&kind);
        // A scheduled job that keeps data safe or money moving (a backup, a
        // certificate renewal, a settlement run) is missed only when it is
        // too late; any other stops doing its chore: worth a look.
        static VITAL_JOB: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"(?i)(backup|snapshot|dump|renew|cert|rotat|replica|reconcil|settle|payout|invoice|billing|charge|export|archive|compliance|audit)").unwrap()
        });
        if kind == "CronJob" && !f.removed.iter().any(|r| VITAL_JOB.is_match(r.text)) {
            out.push(Finding::removed(
                "k8s-object-deleted",
                Severity::Medium,
                f.path,
                Some(l.no),
                "Deletes a CronJob manifest: with pruning or a GitOps sync its schedule stops; make sure nothing still relies on the chore it did.",
            ));
            continue;
        }
        out.push(Finding::removed(
            "k8s-object-deleted",
            if stateful { Severity::Critical } else { Severity::High },
            f.path,
            Some(l.no),
            if kind == "Namespace" {
                "Deletes a Namespace manifest: with pruning or a GitOps sync, everything inside the namespace is deleted too.".to_string()
            } else if stateful {
                format!("Deletes a {kind} manifest: with pruning or a GitOps sync the live object and its volumes go with it.")
            } else {
                format!("Deletes a {kind} manifest: with pruning or a GitOps sync the live object is deleted.")
            },
        ));
    }
    let limits = |t: &str| t.trim() == "limits:" || t.trim_start().starts_with("limits: {");
    // A manifest made a Helm template that renders its resources from the
    // chart's values (`{{- toYaml .Values.resources | nindent 12 }}`), where
    // a values file of the change sets limits: the limits moved there.
    let rendered_from_values =
        f.added.iter().any(|l| {
            l.text.contains(".Values.") && l.text.to_ascii_lowercase().contains("resources")
        }) && change.files.iter().any(|g| {
            let name = g.path.rsplit('/').next().unwrap_or(g.path);
            name.starts_with("values") && g.added.iter().any(|l| limits(l.text))
        });
    // A deleted manifest takes its pods with it: no pod runs unlimited.
    if !f.deleted()
        && !rendered_from_values
        && !f.added.iter().any(|l| limits(l.text))
        && let Some(l) = f.removed.iter().find(|l| limits(l.text))
    {
        out.push(Finding::removed(
                "k8s-limits-removed",
                Severity::High,
                f.path,
                Some(l.no),
                "Removes the container's resource limits: one runaway pod can now starve everything else on its node.",
            ));
    }
    for l in &f.added {
        let t = l.text.trim();
        if t == "resources: {}" || t == "limits: {}" {
            out.push(Finding::added(
                "k8s-limits-removed",
                Severity::High,
                f.path,
                Some(l.no),
                "Leaves the container without resource limits: one runaway pod can now starve everything else on its node.",
            ));
        }
    }
}

/// The lines (0-based, end exclusive) of the CloudFormation resource whose
/// `Type` is on line `at`: its logical id above it and every line indented
/// as far as `Type` or further around it (YAML, and JSON as people and
/// tools write it).
fn cfn_resource_extent(lines: &[&str], at: usize) -> (usize, usize) {
    let indent = |t: &str| t.len() - t.trim_start().len();
    let depth = lines.get(at).map_or(0, |t| indent(t));
    let inside = |t: &str| t.trim().is_empty() || indent(t) >= depth;
    let start = (0..at).rev().find(|&i| !inside(lines[i])).unwrap_or(at);
    let end = (at + 1..lines.len())
        .find(|&i| !inside(lines[i]))
        .unwrap_or(lines.len());
    (start, end)
}

/// Whether the CloudFormation resource whose `Type` is on old line `no`
/// says `DeletionPolicy: Retain` beside it: taken out of the template, it
/// is left in the account.
fn retained_on_delete(old: Option<&str>, no: u32) -> bool {
    let Some(old) = old else { return false };
    let lines: Vec<&str> = old.lines().collect();
    let at = no as usize - 1;
    let Some(own) = lines.get(at) else {
        return false;
    };
    let indent = |t: &str| t.len() - t.trim_start().len();
    let (start, end) = cfn_resource_extent(&lines, at);
    lines[start..end].iter().any(|t| {
        indent(t) == indent(own) && {
            let t = t.trim().replace(['"', '\'', ' ', ','], "");
            t.starts_with("DeletionPolicy:Retain")
        }
    })
}

/// Old-side lines of the resources the change removes whole: a
/// CloudFormation resource (its logical id, `Type` and every line indented
/// under it) or a Terraform `resource`/`module` block, every line of it a
/// removed line.
fn removed_resource_spans(f: &FileView<'_>) -> Vec<(u32, u32)> {
    let Some(old) = f.old_text() else {
        return Vec::new();
    };
    let gone: HashSet<u32> = f.removed.iter().map(|l| l.no).collect();
    let lines: Vec<&str> = old.lines().collect();
    let mut spans = Vec::new();
    for l in &f.removed {
        let at = l.no as usize - 1;
        let (start, end) = if CFN_TYPE.is_match(l.text) {
            cfn_resource_extent(&lines, at)
        } else if f.class.lang == Lang::Hcl
            && tf_blocks(std::iter::once(l.text))
                .pop()
                .is_some_and(|k| k.0 == "resource" || k.0 == "module")
        {
            let mut depth = 0i64;
            let mut end = at;
            for (i, t) in lines.iter().enumerate().skip(at) {
                depth += t.matches('{').count() as i64 - t.matches('}').count() as i64;
                end = i + 1;
                if depth <= 0 {
                    break;
                }
            }
            (at, end)
        } else {
            continue;
        };
        let whole =
            (start..end).all(|i| lines[i].trim().is_empty() || gone.contains(&(i as u32 + 1)));
        if whole {
            spans.push((start as u32 + 1, end as u32));
        }
    }
    spans
}

/// Settings removed with the resource they set (a bucket's public-access
/// block, its `DeletionPolicy`) went with it: what its removal does is the
/// resource finding's to say.
pub fn drop_settings_of_removed_resources(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !matches!(f.class.lang, Lang::Hcl | Lang::Yaml | Lang::Json) || f.deleted() {
        return;
    }
    let resource_rules = ["tf-resource-", "cfn-resource-", "tf-access-removed"];
    if !out.iter().any(|x| {
        x.side == super::Side::Old && !resource_rules.iter().any(|r| x.rule.starts_with(r))
    }) {
        return;
    }
    let spans = removed_resource_spans(f);
    out.retain(|x| {
        x.side != super::Side::Old
            || x.path != f.path
            || resource_rules.iter().any(|r| x.rule.starts_with(r))
            || !x
                .line
                .is_some_and(|no| spans.iter().any(|&(a, b)| a <= no && no <= b))
    });
}

fn cloudformation(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let added: Vec<String> = f
        .added
        .iter()
        .filter_map(|l| CFN_TYPE.captures(l.text).map(|c| c[1].to_string()))
        .collect();
    for l in &f.removed {
        let Some(c) = CFN_TYPE.captures(l.text) else {
            continue;
        };
        let kind = &c[1];
        if added.iter().any(|a| a == kind) {
            continue;
        }
        let stateful = [
            "RDS::",
            "DynamoDB::",
            "S3::Bucket",
            "EFS::",
            "ElastiCache::",
            "KMS::Key",
            "DocDB::",
        ]
        .iter()
        .any(|m| kind.contains(m));
        if retained_on_delete(f.old_text(), l.no) {
            out.push(Finding::removed(
                "cfn-resource-removed",
                Severity::Low,
                f.path,
                Some(l.no),
                format!("Takes the stack's {kind} resource out of the template; its DeletionPolicy is Retain, so it stays in the account, no longer managed by the stack."),
            ));
            continue;
        }
        out.push(Finding::removed(
            "cfn-resource-removed",
            if stateful {
                Severity::Critical
            } else {
                Severity::High
            },
            f.path,
            Some(l.no),
            format!(
                "Removes the stack's {kind} resource: the next deploy deletes it{}.",
                if stateful { ", and its data" } else { "" }
            ),
        ));
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_resource_switched_to_for_each_without_moved_blocks_is_recreated() {
        use crate::risk::Severity;
        use crate::risk::testkit::findings_with_contents;
        let old = "resource \"aws_dynamodb_table\" \"this\" {\n  count        = length(var.tables)\n  name         = var.tables[count.index]\n  billing_mode = \"PAY_PER_REQUEST\"\n  hash_key     = \"pk\"\n  dynamic \"attribute\" {\n    for_each = [\"pk\"]\n    content {\n      name = attribute.value\n      type = \"S\"\n    }\n  }\n}\n";
        let new = old
            .replace(
                "count        = length(var.tables)",
                "for_each     = toset(var.tables)",
            )
            .replace("var.tables[count.index]", "each.key");
        let found = findings_with_contents("infra/tables/main.tf", old, &new);
        assert!(
            found
                .iter()
                .any(|f| f.rule == "tf-resource-readdressed" && f.severity == Severity::Critical),
            "{found:?}"
        );
        // With moved blocks for the instances: handed over.
        let moved = format!(
            "{new}\nmoved {{\n  from = aws_dynamodb_table.this[0]\n  to   = aws_dynamodb_table.this[\"orders\"]\n}}\n"
        );
        let found = findings_with_contents("infra/tables/main.tf", old, &moved);
        assert!(
            found.iter().all(|f| f.rule != "tf-resource-readdressed"),
            "{found:?}"
        );
        // Only the nested dynamic block's for_each changes: same addresses.
        let dynamic = old.replace("for_each = [\"pk\"]", "for_each = [\"pk\", \"sk\"]");
        let found = findings_with_contents("infra/tables/main.tf", old, &dynamic);
        assert!(
            found.iter().all(|f| f.rule != "tf-resource-readdressed"),
            "{found:?}"
        );
        // count added to a single resource: Terraform moves it to [0] itself.
        let single = "resource \"aws_sqs_queue\" \"q\" {\n  name = \"jobs\"\n}\n";
        let counted = "resource \"aws_sqs_queue\" \"q\" {\n  count = var.enabled ? 1 : 0\n  name  = \"jobs\"\n}\n";
        let found = findings_with_contents("infra/q.tf", single, counted);
        assert!(
            found.iter().all(|f| f.rule != "tf-resource-readdressed"),
            "{found:?}"
        );
    }

    #[test]
    fn settings_removed_with_their_resource_are_not_settings_weakened() {
        use crate::risk::testkit::findings_with_contents;
        let bucket = "    \"Exports\": {\n      \"Type\": \"AWS::S3::Bucket\",\n      \"DeletionPolicy\": \"Retain\",\n      \"Properties\": {\n        \"PublicAccessBlockConfiguration\": {\n          \"BlockPublicAcls\": true,\n          \"RestrictPublicBuckets\": true\n        }\n      }\n    },\n";
        let queue = "    \"Queue\": {\n      \"Type\": \"AWS::SQS::Queue\"\n    }\n";
        let old = format!("{{\n  \"Resources\": {{\n{bucket}{queue}  }}\n}}\n");
        let new = format!("{{\n  \"Resources\": {{\n{queue}  }}\n}}\n");
        let found = findings_with_contents("stack.json", &old, &new);
        let rules: Vec<&str> = found.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(rules, ["cfn-resource-removed"], "{found:?}");
        // The same settings removed from a bucket that stays are weakened.
        let kept = bucket.replace("          \"BlockPublicAcls\": true,\n", "");
        let new = format!("{{\n  \"Resources\": {{\n{kept}{queue}  }}\n}}\n");
        let found = findings_with_contents("stack.json", &old, &new);
        assert!(
            found.iter().any(|f| f.rule != "cfn-resource-removed"),
            "{found:?}"
        );
    }

    #[test]
    fn removing_what_count_zero_never_created_destroys_nothing() {
        use crate::risk::Severity;
        use crate::risk::testkit::findings_of_change;
        let main = |count: &str| {
            format!(
                "module \"vpc\" {{\n  source = \"../modules/vpc\"\n}}\n\nmodule \"legacy_vpn\" {{\n  source = \"../modules/site-to-site-vpn\"\n{count}  vpc_id = module.vpc.id\n}}\n"
            )
        };
        let after = "module \"vpc\" {\n  source = \"../modules/vpc\"\n}\n";
        let vpn = "resource \"aws_vpn_gateway\" \"this\" {\n  vpc_id = var.vpc_id\n}\n\nresource \"aws_customer_gateway\" \"this\" {\n  ip_address = \"203.0.113.7\"\n  type       = \"ipsec.1\"\n}\n";
        let worst = |count: &str| {
            findings_of_change(
                &[
                    ("infra/network/main.tf", Some(&main(count)), Some(after)),
                    ("infra/modules/site-to-site-vpn/main.tf", Some(vpn), None),
                ],
                Some("network: remove the VPN module"),
            )
            .into_iter()
            .filter(|f| f.rule == "tf-resource-removed")
            .map(|f| f.severity)
            .max()
        };
        assert_eq!(worst("  count  = 0\n"), Some(Severity::Low));
        assert!(worst("") >= Some(Severity::High));
        assert!(worst("  count  = var.enable_vpn ? 1 : 0\n") >= Some(Severity::High));
        // A resource of its own with count = 0.
        let old = "resource \"aws_instance\" \"bastion\" {\n  count = 0\n  ami   = \"ami-1\"\n}\n\nresource \"aws_eip\" \"nat\" {\n  domain = \"vpc\"\n}\n";
        let new = "resource \"aws_eip\" \"nat\" {\n  domain = \"vpc\"\n}\n";
        let found = findings_of_change(&[("infra/main.tf", Some(old), Some(new))], None);
        assert!(
            found.iter().all(|f| f.severity <= Severity::Low),
            "{found:?}"
        );
        assert_eq!(
            super::join_path("infra/network", "../modules/vpn"),
            "infra/modules/vpn"
        );
    }

    #[test]
    fn a_cloudformation_resource_kept_on_delete_is_not_destroyed() {
        use crate::risk::Severity;
        use crate::risk::testkit::findings_with_contents;
        let level = |path: &str, old: &str, new: &str| {
            findings_with_contents(path, old, new)
                .into_iter()
                .filter(|f| f.rule == "cfn-resource-removed")
                .map(|f| f.severity)
                .max()
        };
        let yaml = |policy: &str| {
            format!(
                "Resources:\n  Exports:\n    Type: AWS::S3::Bucket\n{policy}    Properties:\n      VersioningConfiguration:\n        Status: Enabled\n  Queue:\n    Type: AWS::SQS::Queue\n"
            )
        };
        let after = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n";
        assert_eq!(
            level("stack.yaml", &yaml(""), after),
            Some(Severity::Critical)
        );
        assert_eq!(
            level("stack.yaml", &yaml("    DeletionPolicy: Retain\n"), after),
            Some(Severity::Low)
        );
        // A Retain written in another resource protects nothing here.
        let other = "Resources:\n  Exports:\n    Type: AWS::S3::Bucket\n  Queue:\n    Type: AWS::SQS::Queue\n    DeletionPolicy: Retain\n";
        let after = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    DeletionPolicy: Retain\n";
        assert_eq!(level("stack.yaml", other, after), Some(Severity::Critical));
        // JSON, the policy after the properties.
        let json = "{\n  \"Resources\": {\n    \"Exports\": {\n      \"Type\": \"AWS::S3::Bucket\",\n      \"Properties\": {\n        \"BucketName\": \"x\"\n      },\n      \"DeletionPolicy\": \"Retain\"\n    }\n  }\n}\n";
        let empty = "{\n  \"Resources\": {\n  }\n}\n";
        assert_eq!(level("stack.json", json, empty), Some(Severity::Low));
    }

    #[test]
    fn access_taken_away_on_a_critical_path_stays_a_look_not_an_alarm() {
        use crate::risk::Severity;
        use crate::risk::testkit::findings_with_contents;
        let old = "resource \"aws_iam_user\" \"ci\" {\n  name = \"ci-deployer\"\n}\n\nresource \"aws_iam_access_key\" \"ci\" {\n  user = aws_iam_user.ci.name\n}\n\nresource \"aws_s3_bucket\" \"state\" {\n  bucket = \"acme-state\"\n}\n";
        let new = "resource \"aws_s3_bucket\" \"state\" {\n  bucket = \"acme-state\"\n}\n";
        let found = findings_with_contents("terraform/iam/ci.tf", old, new);
        let access: Vec<_> = found
            .iter()
            .filter(|f| f.rule == "tf-access-removed")
            .collect();
        assert_eq!(access.len(), 2, "{found:?}");
        assert!(
            access.iter().all(|f| f.severity == Severity::Medium),
            "{found:?}"
        );
        // A resource that holds something, on the same critical path, is high.
        let gone = "resource \"aws_iam_user\" \"ci\" {\n  name = \"ci-deployer\"\n}\n\nresource \"aws_iam_access_key\" \"ci\" {\n  user = aws_iam_user.ci.name\n}\n";
        let found = findings_with_contents("terraform/iam/ci.tf", old, gone);
        assert!(
            found
                .iter()
                .any(|f| f.rule == "tf-resource-removed" && f.severity >= Severity::High),
            "{found:?}"
        );
    }

    #[test]
    fn resources_handed_over_by_moved_or_removed_blocks_are_not_destroyed() {
        use crate::risk::testkit::findings_of_change;
        let old = "resource \"aws_sns_platform_application\" \"apns_prod\" {\n  name     = \"apns-prod\"\n  platform = \"APNS\"\n}\n\nresource \"aws_lambda_function\" \"push\" {\n  function_name = \"push\"\n}\n";
        // The moved block's closing brace pairs with an old one in the diff.
        let moved = "module \"push\" {\n  source = \"../modules/push\"\n}\n\nmoved {\n  from = aws_sns_platform_application.apns_prod\n  to   = module.push.aws_sns_platform_application.apns\n}\n\nresource \"aws_lambda_function\" \"push\" {\n  function_name = \"push\"\n}\n";
        let rules = |new: &str| -> Vec<String> {
            findings_of_change(&[("infra/prod/push.tf", Some(old), Some(new))], None)
                .into_iter()
                .map(|f| f.rule)
                .collect()
        };
        assert!(!rules(moved).contains(&"tf-resource-removed".to_string()));
        let forgotten = moved.replace(
            "moved {\n  from = aws_sns_platform_application.apns_prod\n  to   = module.push.aws_sns_platform_application.apns\n}",
            "removed {\n  from = aws_sns_platform_application.apns_prod\n  lifecycle {\n    destroy = false\n  }\n}",
        );
        assert!(!rules(&forgotten).contains(&"tf-resource-removed".to_string()));
        // A `removed` block that destroys, or no block at all: destroyed.
        let destroyed = forgotten.replace("destroy = false", "destroy = true");
        assert!(rules(&destroyed).contains(&"tf-resource-removed".to_string()));
        let bare = "module \"push\" {\n  source = \"../modules/push\"\n}\n\nresource \"aws_lambda_function\" \"push\" {\n  function_name = \"push\"\n}\n";
        assert!(rules(bare).contains(&"tf-resource-removed".to_string()));
    }

    #[test]
    fn prevent_destroy_moved_with_its_resource_into_a_module_is_kept() {
        use crate::risk::testkit::findings_of_change;
        let rule = "tf-prevent-destroy-removed";
        let old = "resource \"aws_s3_bucket\" \"backups\" {\n  bucket = \"acme-backups\"\n\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n";
        let root = "module \"backups\" {\n  source = \"./modules/backup_bucket\"\n  name   = \"acme-backups\"\n}\n\nmoved {\n  from = aws_s3_bucket.backups\n  to   = module.backups.aws_s3_bucket.this\n}\n";
        let module = "resource \"aws_s3_bucket\" \"this\" {\n  bucket = var.name\n\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n";
        let hit = findings_of_change(
            &[
                ("infra/backups/main.tf", Some(old), Some(root)),
                (
                    "infra/backups/modules/backup_bucket/main.tf",
                    None,
                    Some(module),
                ),
            ],
            None,
        );
        assert!(hit.iter().all(|f| f.rule != rule), "{hit:?}");
        // The module without the protection: removed.
        let bare = module.replace("\n  lifecycle {\n    prevent_destroy = true\n  }\n", "\n");
        let hit = findings_of_change(
            &[
                ("infra/backups/main.tf", Some(old), Some(root)),
                (
                    "infra/backups/modules/backup_bucket/main.tf",
                    None,
                    Some(&bare),
                ),
            ],
            None,
        );
        assert!(hit.iter().any(|f| f.rule == rule), "{hit:?}");
        // Protection only in a comment of the module: none.
        let commented =
            module.replace("    prevent_destroy = true", "    # prevent_destroy = true");
        let hit = findings_of_change(
            &[
                ("infra/backups/main.tf", Some(old), Some(root)),
                (
                    "infra/backups/modules/backup_bucket/main.tf",
                    None,
                    Some(&commented),
                ),
            ],
            None,
        );
        assert!(hit.iter().any(|f| f.rule == rule), "{hit:?}");
    }

    #[test]
    fn prevent_destroy_passed_as_a_module_input_protects_nothing() {
        use crate::risk::testkit::rules_hit_with_contents;
        let old = "resource \"aws_db_instance\" \"ledger\" {\n  identifier = \"ledger\"\n\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n";
        let as_input = "module \"ledger\" {\n  source          = \"../modules/postgres\"\n  identifier      = \"ledger\"\n  prevent_destroy = true\n}\n";
        assert!(
            rules_hit_with_contents("infra/prod/ledger.tf", old, as_input)
                .contains(&"tf-prevent-destroy-removed".to_string())
        );
        let kept = "resource \"aws_db_instance\" \"ledger\" {\n  identifier = \"ledger-db\"\n\n  lifecycle {\n    ignore_changes  = [tags]\n    prevent_destroy = true\n  }\n}\n";
        assert!(
            !rules_hit_with_contents("infra/prod/ledger.tf", old, kept)
                .contains(&"tf-prevent-destroy-removed".to_string())
        );
    }

    #[test]
    fn a_trust_condition_turned_into_a_pattern_is_found() {
        use crate::risk::testkit::rules_hit_with_contents;
        let old = "data \"aws_iam_policy_document\" \"assume\" {\n  statement {\n    condition {\n      test     = \"StringEquals\"\n      variable = \"${local.issuer}:sub\"\n      values   = [\"system:serviceaccount:cert-manager:cert-manager\"]\n    }\n  }\n}\n";
        let new = old.replace("StringEquals", "StringLike").replace(
            "system:serviceaccount:cert-manager:cert-manager",
            "system:serviceaccount:*:${each.key}",
        );
        let hit = rules_hit_with_contents("infra/eks/irsa.tf", old, &new);
        assert!(
            hit.contains(&"iam-condition-wildcard".to_string()),
            "{hit:?}"
        );
        // Another exact value: a different subject, not a pattern.
        let new = old.replace("cert-manager:cert-manager", "cert-manager:cert-manager-v2");
        let hit = rules_hit_with_contents("infra/eks/irsa.tf", old, &new);
        assert!(
            !hit.contains(&"iam-condition-wildcard".to_string()),
            "{hit:?}"
        );
        // The condition block dropped in HCL's own spelling.
        let old = "statement {\n  condition {\n    test     = \"StringEquals\"\n    variable = \"aws:SourceVpce\"\n    values   = [var.vpce]\n  }\n}\n";
        let hit = rules_hit_with_contents("infra/s3/policy.tf", old, "statement {\n}\n");
        assert!(
            hit.contains(&"iam-trust-condition-removed".to_string()),
            "{hit:?}"
        );
    }
    use crate::risk::testkit::rules_hit;

    #[test]
    fn a_resource_replaced_by_another_of_its_type_is_no_rename() {
        use crate::risk::testkit::rules_hit_with_contents;
        let old = "resource \"aws_route53_record\" \"legacy\" {\n  zone_id = var.zone\n  name    = \"legacy.example.com\"\n  type    = \"CNAME\"\n  records = [\"old.herokuapp.com\"]\n}\n";
        let other = "resource \"aws_route53_record\" \"caa\" {\n  zone_id = var.zone\n  name    = \"example.com\"\n  type    = \"CAA\"\n  records = [\"0 issue letsencrypt.org\"]\n}\n";
        let hit = rules_hit_with_contents("infra/dns.tf", old, other);
        assert!(!hit.contains(&"tf-resource-renamed".to_string()), "{hit:?}");
        assert!(hit.contains(&"tf-resource-removed".to_string()), "{hit:?}");
        let renamed = old.replace("\"legacy\" {", "\"legacy_api\" {");
        let hit = rules_hit_with_contents("infra/dns.tf", old, &renamed);
        assert!(hit.contains(&"tf-resource-renamed".to_string()), "{hit:?}");
    }

    const DB: &str = "resource \"aws_db_instance\" \"orders\" {\n  engine = \"postgres\"\n  identifier = \"orders\"\n}\n";

    #[test]
    fn a_module_default_flipped_to_unsafe_is_found_where_the_variable_is_used() {
        use crate::risk::testkit::findings_for_change;
        let main = "resource \"google_sql_database_instance\" \"this\" {\n  name                = var.name\n  deletion_protection = var.deletion_protection\n}\n";
        let vars_old =
            "variable \"deletion_protection\" {\n  type    = bool\n  default = true\n}\n";
        let vars_new = vars_old.replace("default = true", "default = false");
        let hit = findings_for_change(&[
            ("modules/cloudsql/main.tf", main, main),
            ("modules/cloudsql/variables.tf", vars_old, &vars_new),
        ]);
        assert!(
            hit.iter().any(|f| f
                .message
                .contains("var.deletion_protection` now defaults to false")),
            "{hit:?}"
        );
        let safer = vars_new.replace("default = false", "default = true");
        let hit = findings_for_change(&[
            ("modules/cloudsql/main.tf", main, main),
            ("modules/cloudsql/variables.tf", &vars_new, &safer),
        ]);
        assert!(
            !hit.iter().any(|f| f.message.contains("now defaults to")),
            "{hit:?}"
        );
    }

    #[test]
    fn a_module_default_that_kept_resources_private_flipped_is_found() {
        use crate::risk::testkit::findings_for_change;
        let main = "resource \"aws_lb\" \"this\" {\n  internal = var.internal\n  subnets  = var.internal ? var.private_subnet_ids : var.public_subnet_ids\n}\n";
        let vars = |internal: &str, port: &str| {
            format!(
                "variable \"internal\" {{\n  type    = bool\n  default = {internal}\n}}\n\nvariable \"target_port\" {{\n  type    = number\n  default = {port}\n}}\n"
            )
        };
        let flipped = |old: &str, new: &str| {
            findings_for_change(&[
                ("modules/alb/main.tf", main, main),
                ("modules/alb/variables.tf", old, new),
            ])
            .into_iter()
            .any(|f| f.rule == "config-safety-off" && f.message.contains("var.internal"))
        };
        assert!(flipped(&vars("true", "8080"), &vars("false", "8080")));
        // The safe way round, and a default that is no switch, are not.
        assert!(!flipped(&vars("false", "8080"), &vars("true", "8080")));
        assert!(!flipped(&vars("true", "8080"), &vars("true", "9090")));
        // The cousin named for the exposure: false → true opens it.
        let public = |v: &str| {
            format!("variable \"allow_public_ingress\" {{\n  type    = bool\n  default = {v}\n}}\n")
        };
        let hit =
            findings_for_change(&[("modules/db/variables.tf", &public("false"), &public("true"))]);
        assert!(hit.iter().any(|f| f.rule == "config-safety-off"), "{hit:?}");
        let hit =
            findings_for_change(&[("modules/db/variables.tf", &public("true"), &public("false"))]);
        assert!(hit.is_empty(), "{hit:?}");
    }

    #[test]
    fn schema_grants_replaced_by_database_grants_are_found() {
        let rule = "grant-widened-to-wildcard".to_string();
        let old = "GRANT USAGE ON SCHEMA ANALYTICS.MARTS TO ROLE REPORTING_READER;\nGRANT SELECT ON ALL TABLES IN SCHEMA ANALYTICS.MARTS TO ROLE REPORTING_READER;\n";
        let new = "GRANT USAGE ON ALL SCHEMAS IN DATABASE ANALYTICS TO ROLE REPORTING_READER;\nGRANT SELECT ON ALL TABLES IN DATABASE ANALYTICS TO ROLE REPORTING_READER;\n";
        assert!(rules_hit("warehouse/grants.sql", Some(old), Some(new)).contains(&rule));
        // Another role given the database: not a widening of this one.
        let other = new.replace("REPORTING_READER", "SYSADMIN_RO");
        assert!(!rules_hit("warehouse/grants.sql", Some(old), Some(&other)).contains(&rule));
        // One more schema named: narrower than the database.
        let more = format!(
            "{old}GRANT SELECT ON ALL TABLES IN SCHEMA ANALYTICS.SALES TO ROLE REPORTING_READER;\n"
        );
        assert!(!rules_hit("warehouse/grants.sql", Some(old), Some(&more)).contains(&rule));
    }

    #[test]
    fn specific_grants_collapsed_into_a_wildcard_are_found() {
        use crate::risk::testkit::rules_hit;
        let old = "path \"secret/data/billing/stripe\" {\n  capabilities = [\"read\"]\n}\n\npath \"secret/data/shared/smtp\" {\n  capabilities = [\"read\"]\n}\n";
        let new = "path \"secret/data/*\" {\n  capabilities = [\"read\", \"list\"]\n}\n";
        let rule = "grant-widened-to-wildcard".to_string();
        assert!(
            rules_hit(
                "infra/vault/policies/billing-worker.hcl",
                Some(old),
                Some(new)
            )
            .contains(&rule)
        );
        // One grant renamed, no wildcard: nothing widened.
        let renamed = old.replace("billing/stripe", "billing/stripe-live");
        assert!(
            !rules_hit(
                "infra/vault/policies/billing-worker.hcl",
                Some(old),
                Some(&renamed)
            )
            .contains(&rule)
        );
    }

    #[test]
    fn a_namespaced_kind_made_cluster_wide_is_found() {
        use crate::risk::testkit::rules_hit;
        let old = "apiVersion: external-secrets.io/v1beta1\nkind: SecretStore\nmetadata:\n  name: aws\n  namespace: billing\n";
        let new = "apiVersion: external-secrets.io/v1beta1\nkind: ClusterSecretStore\nmetadata:\n  name: aws\n";
        let rule = "k8s-scope-widened-to-cluster".to_string();
        assert!(
            rules_hit("deploy/k8s/billing/secret-store.yaml", Some(old), Some(new)).contains(&rule)
        );
        // A ClusterRole added next to the Role it does not replace.
        let both = format!("{old}---\n{new}");
        assert!(
            !rules_hit(
                "deploy/k8s/billing/secret-store.yaml",
                Some(old),
                Some(&both)
            )
            .contains(&rule)
        );
    }

    #[test]
    fn a_safety_setting_taken_from_a_variable_that_defaults_off_is_found() {
        use crate::risk::testkit::findings_for_change;
        let main_old = "resource \"aws_s3_bucket_public_access_block\" \"this\" {\n  bucket              = aws_s3_bucket.this.id\n  block_public_policy = true\n}\n";
        let main_new = main_old.replace(
            "block_public_policy = true",
            "block_public_policy = var.block_public_policy",
        );
        let vars = |d: &str| {
            format!("variable \"block_public_policy\" {{\n  type    = bool\n  default = {d}\n}}\n")
        };
        let found = |d: &str| {
            findings_for_change(&[
                ("modules/bucket/main.tf", main_old, &main_new),
                ("modules/bucket/variables.tf", "", &vars(d)),
            ])
            .iter()
            .any(|f| {
                f.rule == "sec-public-network" && f.message.contains("var.block_public_policy")
            })
        };
        assert!(found("false"));
        assert!(!found("true"));
    }

    #[test]
    fn a_dynamic_blocks_for_each_from_an_empty_default_is_no_resource_gone() {
        use crate::risk::testkit::findings_for_change;
        let main = |for_each: &str| {
            format!(
                "resource \"aws_db_parameter_group\" \"this\" {{\n  name = var.name\n  dynamic \"parameter\" {{\n    for_each = var.parameters\n    content {{\n      name  = parameter.key\n      value = parameter.value\n    }}\n  }}\n}}\n\nresource \"aws_db_instance\" \"replica\" {{\n  {for_each}\n  identifier = var.name\n}}\n"
            )
        };
        let vars = "variable \"parameters\" {\n  type    = map(string)\n  default = {}\n}\n\nvariable \"replicas\" {\n  type    = map(string)\n  default = {}\n}\n";
        let zero = |for_each: &str| {
            findings_for_change(&[
                ("modules/db/main.tf", "", &main(for_each)),
                ("modules/db/variables.tf", "", vars),
            ])
            .iter()
            .any(|f| f.rule == "tf-count-zero")
        };
        assert!(!zero("tags = var.name"));
        // The resource's own for_each from the same empty default is.
        assert!(zero("for_each = var.replicas"));
    }

    #[test]
    fn an_allow_rule_removed_narrows_access_and_a_deny_rule_removed_does_not() {
        let rule = |access: &str| {
            format!(
                "resource \"azurerm_network_security_rule\" \"rdp\" {{\n  name                       = \"rdp\"\n  direction                  = \"Inbound\"\n  access                     = \"{access}\"\n  destination_port_range     = \"3389\"\n  source_address_prefix      = \"*\"\n}}\n"
            )
        };
        let kept = "resource \"azurerm_network_security_group\" \"web\" {\n  name = \"web\"\n}\n";
        let with = |access: &str| format!("{kept}\n{}", rule(access));
        use crate::risk::testkit::rules_hit_with_contents;
        let hit = rules_hit_with_contents("infra/azure/web/main.tf", &with("Allow"), kept);
        assert_eq!(hit, vec!["tf-access-removed"]);
        let hit = rules_hit_with_contents("infra/azure/web/main.tf", &with("Deny"), kept);
        assert_eq!(hit, vec!["tf-resource-removed"]);
    }

    #[test]
    fn terraform_removals_renames_and_moves() {
        assert_eq!(
            rules_hit("infra/db.tf", Some(DB), Some("")),
            vec!["tf-resource-removed"]
        );
        let renamed = DB.replace("\"orders\" {", "\"orders_v2\" {");
        assert_eq!(
            rules_hit("infra/db.tf", Some(DB), Some(&renamed)),
            vec!["tf-resource-renamed"]
        );
        let moved = format!(
            "moved {{\n  from = aws_db_instance.orders\n  to = aws_db_instance.orders_v2\n}}\n{renamed}"
        );
        assert!(rules_hit("infra/db.tf", Some(DB), Some(&moved)).is_empty());
        let engine = DB.replace("\"postgres\"", "\"aurora-postgresql\"");
        assert_eq!(
            rules_hit("infra/db.tf", Some(DB), Some(&engine)),
            vec!["tf-force-new"]
        );
        // Docs about Terraform are not Terraform.
        assert!(rules_hit("docs/db.md", Some(DB), Some("")).is_empty());
    }

    #[test]
    fn an_empty_lifecycle_filter_matters_only_when_the_rule_acts_on_objects() {
        let rule = "tf-lifecycle-everything".to_string();
        let old = "resource \"aws_s3_bucket_lifecycle_configuration\" \"backups\" {\n  bucket = aws_s3_bucket.backups.id\n}\n";
        let with = |body: &str| {
            format!(
                "resource \"aws_s3_bucket_lifecycle_configuration\" \"backups\" {{\n  bucket = aws_s3_bucket.backups.id\n\n  rule {{\n    id     = \"r\"\n    status = \"Enabled\"\n\n    filter {{}}\n\n{body}  }}\n}}\n"
            )
        };
        let expire = with("    expiration {\n      days = 30\n    }\n");
        assert!(
            crate::risk::testkit::rules_hit_with_contents("infra/backups/s3.tf", old, &expire)
                .contains(&rule)
        );
        let multipart = with(
            "    abort_incomplete_multipart_upload {\n      days_after_initiation = 7\n    }\n",
        );
        assert!(
            !crate::risk::testkit::rules_hit_with_contents("infra/backups/s3.tf", old, &multipart)
                .contains(&rule)
        );
    }

    #[test]
    fn an_empty_filter_on_a_rule_that_had_no_prefix_before_changes_nothing() {
        use crate::risk::testkit::rules_hit_with_contents;
        let rule = "tf-lifecycle-everything".to_string();
        let inline = |scope: &str| {
            format!(
                "resource \"aws_s3_bucket\" \"logs\" {{\n  bucket = \"logs\"\n\n  lifecycle_rule {{\n    id      = \"expire-old\"\n    enabled = true\n{scope}\n    expiration {{\n      days = 30\n    }}\n  }}\n}}\n"
            )
        };
        let split = "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\n\nresource \"aws_s3_bucket_lifecycle_configuration\" \"logs\" {\n  bucket = aws_s3_bucket.logs.id\n\n  rule {\n    id     = \"expire-old\"\n    status = \"Enabled\"\n\n    filter {}\n\n    expiration {\n      days = 30\n    }\n  }\n}\n";
        // The inline rule had no prefix: it expired every object already.
        let hit = rules_hit_with_contents("infra/logs/s3.tf", &inline(""), split);
        assert!(!hit.contains(&rule), "{hit:?}");
        // It had one: the empty filter widens it to the whole bucket.
        let hit = rules_hit_with_contents(
            "infra/logs/s3.tf",
            &inline("    prefix  = \"tmp/\"\n"),
            split,
        );
        assert!(hit.contains(&rule), "{hit:?}");
    }

    #[test]
    fn a_new_name_for_a_table_or_queue_is_force_new_but_not_for_a_role() {
        let table = "resource \"aws_dynamodb_table\" \"orders\" {\n  name         = \"orders\"\n  billing_mode = \"PAY_PER_REQUEST\"\n  hash_key     = \"pk\"\n}\n";
        let renamed = table.replace("= \"orders\"", "= \"prod-checkout-orders\"");
        assert!(
            rules_hit("infra/checkout/dynamo.tf", Some(table), Some(&renamed))
                .contains(&"tf-force-new".to_string())
        );
        let role = "resource \"aws_iam_role\" \"ci\" {\n  name = \"ci\"\n  path = \"/\"\n}\n";
        let renamed = role.replace("= \"ci\"", "= \"ci-deployer\"");
        assert!(
            !rules_hit("infra/iam.tf", Some(role), Some(&renamed))
                .contains(&"tf-force-new".to_string())
        );
    }

    #[test]
    fn references_renamed_by_a_moved_block_are_not_force_new() {
        // A module renamed with a moved block: the output it feeds is the same.
        let old = "module \"db\" {\n  source = \"./db\"\n}\nresource \"aws_db_instance\" \"replica\" {\n  identifier = module.db.replica_name\n}\n";
        let new = "moved {\n  from = module.db\n  to   = module.orders_db\n}\nmodule \"orders_db\" {\n  source = \"./db\"\n}\nresource \"aws_db_instance\" \"replica\" {\n  identifier = module.orders_db.replica_name\n}\n";
        assert!(rules_hit("infra/db.tf", Some(old), Some(new)).is_empty());
        // Pointing at another resource is still a replacement, moved or not.
        let other = new.replace(
            "module.orders_db.replica_name",
            "module.orders_db.primary_name",
        );
        assert_eq!(
            rules_hit("infra/db.tf", Some(old), Some(&other)),
            vec!["tf-force-new"]
        );
        // A moved block for one address does not excuse a look-alike one.
        let old =
            "resource \"aws_s3_bucket_policy\" \"p\" {\n  bucket = aws_s3_bucket.logs_old.id\n}\n";
        let new = "moved {\n  from = aws_s3_bucket.logs\n  to   = aws_s3_bucket.audit\n}\nresource \"aws_s3_bucket_policy\" \"p\" {\n  bucket = aws_s3_bucket.audit_old.id\n}\n";
        assert_eq!(
            rules_hit("infra/s3.tf", Some(old), Some(new)),
            vec!["tf-force-new"]
        );
    }

    #[test]
    fn a_resource_the_provider_only_forgets_is_removed_at_medium() {
        use crate::risk::testkit::findings_of_change;
        let tf = |kind: &str| {
            format!(
                "resource \"aws_s3_bucket\" \"media\" {{\n  bucket = \"media\"\n}}\n\nresource \"{kind}\" \"media\" {{\n  bucket = aws_s3_bucket.media.id\n  acl    = \"private\"\n}}\n"
            )
        };
        let bucket_only = "resource \"aws_s3_bucket\" \"media\" {\n  bucket = \"media\"\n}\n";
        let level = |kind: &str| {
            findings_of_change(&[("infra/s3.tf", Some(&tf(kind)), Some(bucket_only))], None)
                .into_iter()
                .find(|f| f.rule == "tf-resource-removed")
                .map(|f| f.severity)
        };
        assert_eq!(
            level("aws_s3_bucket_acl"),
            Some(crate::risk::Severity::Medium)
        );
        // A block of public access removed is destroyed, and the bucket opens.
        assert_eq!(
            level("aws_s3_bucket_public_access_block"),
            Some(crate::risk::Severity::High)
        );
    }

    #[test]
    fn an_allow_only_network_policy_deleted_beside_a_kept_default_deny_is_low() {
        use crate::risk::testkit::findings_of_change;
        let allow = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: allow-old-scraper\n  namespace: shop\nspec:\n  podSelector: {}\n  policyTypes:\n    - Ingress\n  ingress:\n    - from:\n        - namespaceSelector:\n            matchLabels:\n              kubernetes.io/metadata.name: old-scraper\n      ports:\n        - port: 9100\n";
        let kustom = |extra: &str| {
            format!(
                "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n{extra}  - allow-web.yaml\n  - allow-old-scraper.yaml\n"
            )
        };
        let level = |deny: &str| {
            let old = kustom(deny);
            let new = old.replace("  - allow-old-scraper.yaml\n", "");
            findings_of_change(
                &[
                    ("k8s/shop/allow-old-scraper.yaml", Some(allow), None),
                    ("k8s/shop/kustomization.yaml", Some(&old), Some(&new)),
                ],
                None,
            )
            .into_iter()
            .find(|f| f.rule == "k8s-object-deleted")
            .map(|f| f.severity)
        };
        assert_eq!(
            level("  - default-deny.yaml\n"),
            Some(crate::risk::Severity::Low)
        );
        // A default deny named only by the change itself is not one the
        // namespace had.
        let written_in = {
            let old = kustom("");
            let new = kustom("  - default-deny.yaml\n").replace("  - allow-old-scraper.yaml\n", "");
            findings_of_change(
                &[
                    ("k8s/shop/allow-old-scraper.yaml", Some(allow), None),
                    ("k8s/shop/kustomization.yaml", Some(&old), Some(&new)),
                ],
                None,
            )
            .into_iter()
            .find(|f| f.rule == "k8s-object-deleted")
            .map(|f| f.severity)
        };
        assert_eq!(written_in, Some(crate::risk::Severity::High));
        // No default deny in sight: the pods it selected may be open now.
        assert_eq!(level(""), Some(crate::risk::Severity::High));
        // A deny-all policy deleted is protection gone, whatever else stays.
        let deny = allow.replace("  ingress:\n    - from:\n        - namespaceSelector:\n            matchLabels:\n              kubernetes.io/metadata.name: old-scraper\n      ports:\n        - port: 9100\n", "  ingress: []\n");
        let old = kustom("  - default-deny.yaml\n");
        let sev = findings_of_change(
            &[
                ("k8s/shop/allow-old-scraper.yaml", Some(&deny), None),
                (
                    "k8s/shop/kustomization.yaml",
                    Some(&old),
                    Some(&old.replace("  - allow-old-scraper.yaml\n", "")),
                ),
            ],
            None,
        )
        .into_iter()
        .find(|f| f.rule == "k8s-object-deleted")
        .map(|f| f.severity);
        assert_eq!(sev, Some(crate::risk::Severity::High));
    }

    #[test]
    fn a_workload_deleted_while_scaled_to_zero_ran_nothing() {
        use crate::risk::testkit::findings_of_change;
        let deploy = |replicas: u32| {
            format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: consumer-v1\nspec:\n  replicas: {replicas}\n  template:\n    spec:\n      containers:\n        - name: c\n          image: consumer:1.4\n"
            )
        };
        let level = |replicas: u32| {
            findings_of_change(
                &[("deploy/k8s/consumer-v1.yaml", Some(&deploy(replicas)), None)],
                None,
            )
            .into_iter()
            .find(|f| f.rule == "k8s-object-deleted")
            .map(|f| f.severity)
        };
        assert_eq!(level(0), Some(crate::risk::Severity::Low));
        assert_eq!(level(3), Some(crate::risk::Severity::High));
        // A one-off Job and the access it had: nothing running or stored goes.
        let job = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: backfill\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: backfill-admin\n";
        let found = findings_of_change(&[("deploy/k8s/backfill.yaml", Some(job), None)], None);
        assert!(
            found
                .iter()
                .filter(|f| f.rule == "k8s-object-deleted")
                .all(|f| f.severity == crate::risk::Severity::Low),
            "{found:?}"
        );
    }

    #[test]
    fn a_manifest_written_again_as_a_template_keeps_its_objects() {
        use crate::risk::testkit::findings_of_change;
        let manifest = "apiVersion: v1\nkind: Service\nmetadata:\n  name: identity-api\nspec:\n  ports:\n    - port: 80\n";
        let level = |template: &str| {
            findings_of_change(
                &[
                    ("k8s/identity-api.yaml", Some(manifest), None),
                    (
                        "charts/identity-api/templates/service.yaml",
                        None,
                        Some(template),
                    ),
                ],
                None,
            )
            .into_iter()
            .find(|f| f.rule == "k8s-object-deleted")
            .map(|f| f.severity)
        };
        let same = "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include \"identity-api.fullname\" . }}\nspec:\n  ports:\n    - port: {{ .Values.service.port }}\n";
        assert_eq!(level(same), Some(crate::risk::Severity::Low));
        // Another object of the same kind is not this one.
        let other = "apiVersion: v1\nkind: Service\nmetadata:\n  name: metrics\n";
        let level_other = findings_of_change(
            &[
                ("k8s/identity-api.yaml", Some(manifest), None),
                ("deploy/metrics.yaml", None, Some(other)),
            ],
            None,
        )
        .into_iter()
        .find(|f| f.rule == "k8s-object-deleted")
        .map(|f| f.severity);
        assert_eq!(level_other, Some(crate::risk::Severity::High));
    }

    #[test]
    fn limits_moved_into_the_charts_values_are_kept() {
        use crate::risk::testkit::findings_of_change;
        let manifest = "spec:\n  containers:\n    - name: api\n      resources:\n        limits:\n          memory: 768Mi\n";
        let template = "spec:\n  containers:\n    - name: api\n      resources:\n        {{- toYaml .Values.resources | nindent 8 }}\n";
        let values = |limits: &str| format!("resources:\n  requests:\n    memory: 768Mi\n{limits}");
        let hit = |values: &str| {
            findings_of_change(
                &[
                    (
                        "charts/api/templates/deployment.yaml",
                        Some(manifest),
                        Some(template),
                    ),
                    ("charts/api/values.yaml", None, Some(values)),
                ],
                None,
            )
            .iter()
            .any(|f| f.rule == "k8s-limits-removed")
        };
        assert!(!hit(&values("  limits:\n    memory: 768Mi\n")));
        // Values that set no limits: the pod runs unlimited.
        assert!(hit(&values("")));
    }

    #[test]
    fn kubernetes_deletions_and_limits() {
        let pvc = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\n";
        assert_eq!(
            rules_hit("deploy/k8s/pvc.yaml", Some(pvc), None),
            vec!["k8s-object-deleted"]
        );
        let with = "spec:\n  containers:\n    - name: a\n      resources:\n        limits:\n          memory: 1Gi\n";
        let without = "spec:\n  containers:\n    - name: a\n";
        assert_eq!(
            rules_hit("deploy/k8s/a.yaml", Some(with), Some(without)),
            vec!["k8s-limits-removed"]
        );
        assert!(rules_hit("deploy/k8s/a.yaml", Some(without), Some(with)).is_empty());
    }

    #[test]
    fn network_policies_merged_into_one_that_selects_the_same_pods_are_low() {
        use crate::risk::Severity;
        use crate::risk::testkit::findings_of_change;
        let policy = |name: &str, app: &str| {
            format!(
                "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {name}\nspec:\n  podSelector:\n    matchLabels:\n      app: {app}\n  ingress:\n    - from:\n        - podSelector:\n            matchLabels:\n              app: ingress\n"
            )
        };
        let old = policy("api-allow-ingress", "api");
        let level = |merged: &str| {
            findings_of_change(
                &[
                    ("k8s/api/netpol-allow-ingress.yaml", Some(&old), None),
                    ("k8s/api/networkpolicy.yaml", None, Some(merged)),
                ],
                None,
            )
            .into_iter()
            .filter(|f| f.rule == "k8s-object-deleted")
            .map(|f| f.severity)
            .max()
        };
        assert_eq!(level(&policy("api-ingress", "api")), Some(Severity::Low));
        // The old policy also isolated egress; the merged one does not.
        let egress_old = format!(
            "{old}  policyTypes:\n    - Ingress\n    - Egress\n  egress:\n    - to:\n        - podSelector:\n            matchLabels:\n              app: db\n"
        );
        let merged = policy("api-ingress", "api");
        let egress_level = findings_of_change(
            &[
                ("k8s/api/netpol-allow-ingress.yaml", Some(&egress_old), None),
                ("k8s/api/networkpolicy.yaml", None, Some(&merged)),
            ],
            None,
        )
        .into_iter()
        .filter(|f| f.rule == "k8s-object-deleted")
        .map(|f| f.severity)
        .max();
        assert_eq!(egress_level, Some(Severity::High));
        // The new policy selects other pods: the old ones lose their policy.
        assert_eq!(level(&policy("web-ingress", "web")), Some(Severity::High));
    }

    #[test]
    fn deleting_what_ran_nothing_or_is_made_elsewhere_is_low() {
        use crate::risk::testkit::diff_of;
        use crate::risk::{Contents, RuleSet, Severity, findings};
        let level = |d: crate::diff::Diff| {
            findings(&d, &Contents::new(), &RuleSet::builtin())
                .into_iter()
                .filter(|f| f.rule.starts_with("k8s-"))
                .map(|f| f.severity)
                .max()
        };
        let cron = "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: purge\nspec:\n  suspend: true\n  schedule: \"0 3 * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n            - name: purge\n              resources:\n                limits:\n                  memory: 256Mi\n";
        assert_eq!(
            level(diff_of("deploy/k8s/cron.yaml", Some(cron), None)),
            Some(Severity::Low)
        );
        // A live one stops its chore: worth a look (a backup's is high).
        let live = cron.replace("  suspend: true\n", "");
        assert_eq!(
            level(diff_of("deploy/k8s/cron.yaml", Some(&live), None)),
            Some(Severity::Medium)
        );
        let secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: api-secrets\nstringData:\n  TOKEN: placeholder\n";
        let external = "apiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\nmetadata:\n  name: api-secrets\nspec:\n  target:\n    name: api-secrets\n";
        let mut d = diff_of("deploy/k8s/secret.yaml", Some(secret), None);
        d.files
            .extend(diff_of("deploy/k8s/external-secret.yaml", None, Some(external)).files);
        assert_eq!(level(d), Some(Severity::Low));
        // Made under another name: the Secret the pods read is gone.
        let mut d = diff_of("deploy/k8s/secret.yaml", Some(secret), None);
        d.files.extend(
            diff_of(
                "deploy/k8s/external-secret.yaml",
                None,
                Some(&external.replace("api-secrets", "api-secrets-v2")),
            )
            .files,
        );
        assert_eq!(level(d), Some(Severity::High));
    }

    #[test]
    fn an_autoscaled_count_no_longer_ignored_is_found() {
        let old = "resource \"aws_ecs_service\" \"checkout\" {\n  name          = \"checkout\"\n  desired_count = 2\n\n  lifecycle {\n    ignore_changes = [desired_count, task_definition]\n  }\n}\n";
        let new = old.replace(
            "    ignore_changes = [desired_count, task_definition]\n",
            "    ignore_changes = [desired_count]\n",
        );
        let hit = crate::risk::testkit::rules_hit_with_contents("infra/ecs.tf", old, &new);
        assert!(
            !hit.contains(&"tf-autoscaled-count-reset".to_string()),
            "{hit:?}"
        );
        let new = old.replace(
            "\n  lifecycle {\n    ignore_changes = [desired_count, task_definition]\n  }\n",
            "",
        );
        let hit = crate::risk::testkit::rules_hit_with_contents("infra/ecs.tf", old, &new);
        assert!(
            hit.contains(&"tf-autoscaled-count-reset".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn a_module_inlined_with_every_resource_moved_out_is_not_destroyed() {
        use crate::risk::testkit::findings_of_change;
        let stack_old = "module \"db\" {\n  source = \"../modules/legacy_rds\"\n  identifier = \"acme-prod\"\n}\n";
        let module_old = "resource \"aws_db_parameter_group\" \"this\" {\n  family = \"postgres15\"\n}\n\nresource \"aws_db_instance\" \"this\" {\n  identifier = var.identifier\n}\n";
        let inlined = |moves: &[(&str, &str)]| {
            let mut t = String::from(
                "resource \"aws_db_parameter_group\" \"main\" {\n  family = \"postgres15\"\n}\n\nresource \"aws_db_instance\" \"main\" {\n  identifier = \"acme-prod\"\n}\n",
            );
            for (from, to) in moves {
                t.push_str(&format!(
                    "\nmoved {{\n  from = module.db.{from}\n  to   = {to}\n}}\n"
                ));
            }
            t
        };
        let removed = |stack_new: &str| {
            findings_of_change(
                &[
                    ("infra/prod/database.tf", Some(stack_old), Some(stack_new)),
                    ("infra/modules/legacy_rds/main.tf", Some(module_old), None),
                ],
                None,
            )
            .iter()
            .any(|f| f.rule == "tf-resource-removed" && f.path.ends_with("database.tf"))
        };
        let both = inlined(&[
            ("aws_db_parameter_group.this", "aws_db_parameter_group.main"),
            ("aws_db_instance.this", "aws_db_instance.main"),
        ]);
        assert!(!removed(&both));
        // The database itself not moved: the next apply destroys it.
        let one = inlined(&[("aws_db_parameter_group.this", "aws_db_parameter_group.main")]);
        assert!(removed(&one));
        assert!(removed(&inlined(&[])));
    }

    #[test]
    fn a_deleted_cronjob_is_worth_a_look_a_deleted_backup_job_is_high() {
        use crate::risk::Severity;
        use crate::risk::testkit::findings_of_change;
        let job = |name: &str, command: &str| {
            format!(
                "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: {name}\nspec:\n  schedule: \"0 3 * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n            - name: job\n              image: registry.example.com/app:1.4.2\n              command: [\"{command}\"]\n"
            )
        };
        let level = |text: &str| {
            findings_of_change(&[("deploy/k8s/base/cronjob.yaml", Some(text), None)], None)
                .into_iter()
                .filter(|f| f.rule == "k8s-object-deleted")
                .map(|f| f.severity)
                .max()
        };
        assert_eq!(
            level(&job("clearsessions", "python manage.py clearsessions")),
            Some(Severity::Medium)
        );
        assert_eq!(level(&job("db-backup", "pg_dump")), Some(Severity::High));
        assert_eq!(
            level(&job("nightly", "python manage.py run_payouts")),
            Some(Severity::High)
        );
    }
}
