//! The labelled corpora: one TOML file per change, with the files before and
//! after (or find/replace edits on the before text), a label, and optionally
//! the commit message body and whether the case is subtle. Each case becomes a
//! real git repository (base commit on `main`, the change on top, its title and
//! message as the commit message), the engine analyses it, and the tests report
//! recall on the dangerous cases and the false-alarm rate on the harmless ones —
//! "alarm" meaning level high or critical.
//!
//! Two corpora:
//! * `tests/corpus/` — the development corpus: `d*`/`h*` written together with
//!   the rules, the other batches (`a*`, `e*` … `z*`) written by people who
//!   had not seen the engine and then tuned on. Every dangerous case must
//!   reach high and every harmless case stay below it, save the allow-list
//!   below (known weaknesses, each named), and the figures must hold the
//!   floors at the end of the test.
//!   The per-case table is printed.
//! * `tests/corpus-heldout/` — the held-out corpus, written by people who had not
//!   seen the engine, before the rules meant to catch it, and never tuned on.
//!   Only aggregate figures are printed (per-case detail would invite tuning),
//!   unless `COUNTERSIGN_HELDOUT_DETAIL=1` is set.
//!
//! Print both figures: `cargo test --test risk corpus -- --nocapture`.

use std::collections::BTreeMap;
use std::path::Path;

use countersign::git::Repo;
use countersign::git::build::Person;
use countersign::risk::{RiskReport, Severity, load_rules, report_for};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// `dangerous` or `harmless`.
    pub label: String,
    /// The commit's subject.
    pub title: String,
    /// Why a senior would (or would not) stop at this change.
    pub why: String,
    /// The commit message body, below the title.
    #[serde(default)]
    pub message: Option<String>,
    /// The dangerous line hides inside a plausible change, or a harmless change
    /// looks scary.
    #[serde(default)]
    pub subtle: bool,
    #[serde(default)]
    pub files: BTreeMap<String, FileCase>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileCase {
    pub before: Option<String>,
    pub after: Option<String>,
    /// Find/replace pairs applied to `before` to get the new text.
    #[serde(default)]
    pub edits: Vec<[String; 2]>,
    /// The file is deleted by the change.
    #[serde(default)]
    pub delete: bool,
}

impl FileCase {
    fn new_text(&self, path: &str) -> Result<Option<String>, String> {
        if self.delete {
            return Ok(None);
        }
        if let Some(a) = &self.after {
            return Ok(Some(a.clone()));
        }
        let mut t = self
            .before
            .clone()
            .ok_or_else(|| format!("{path}: neither after nor before"))?;
        if self.edits.is_empty() {
            return Err(format!("{path}: no after, no edits, not deleted"));
        }
        for [find, replace] in &self.edits {
            if !t.contains(find.as_str()) {
                return Err(format!("{path}: edit target not found: {find:?}"));
            }
            t = t.replacen(find.as_str(), replace, 1);
        }
        Ok(Some(t))
    }
}

/// The development corpus directory.
const DEV: &str = "tests/corpus";
/// The held-out corpus directory.
const HELDOUT: &str = "tests/corpus-heldout";

/// Every case of a corpus directory, by file name (stem); an unreadable case
/// is an error naming its file.
pub fn load_dir(dir: &str) -> Vec<(String, Result<Case, String>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return out;
    };
    let mut names: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    names.sort();
    for p in names {
        if p.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
        let case = std::fs::read_to_string(&p)
            .map_err(|e| e.to_string())
            .and_then(|t| toml::from_str::<Case>(&t).map_err(|e| e.to_string()))
            .and_then(|c| {
                if matches!(c.label.as_str(), "dangerous" | "harmless") {
                    Ok(c)
                } else {
                    Err(format!("label {:?}", c.label))
                }
            });
        out.push((stem, case));
    }
    out
}

/// Every case of the development corpus, by file name.
pub fn load_corpus() -> Vec<(String, Case)> {
    load_dir(DEV)
        .into_iter()
        .map(|(n, c)| {
            let c = c.unwrap_or_else(|e| panic!("{DEV}/{n}.toml: {e}"));
            (n, c)
        })
        .collect()
}

fn person(t: i64) -> Person {
    Person {
        name: "Dev".into(),
        email: "dev@example.com".into(),
        time: t,
    }
}

/// Builds the case's repository and returns the report of its change (a
/// broken case is an error naming its problem).
pub fn try_analyse(case: &Case, dir: &Path) -> Result<RiskReport, String> {
    let repo = Repo::init(dir, "main").map_err(|e| e.to_string())?;
    let mut base_files: Vec<(String, Option<Vec<u8>>)> =
        vec![("README.md".into(), Some(b"# service\n".to_vec()))];
    for (path, f) in &case.files {
        if let Some(b) = &f.before {
            base_files.push((path.clone(), Some(b.clone().into_bytes())));
        }
    }
    let base = repo
        .commit_files("main", None, &base_files, &person(1_700_000_000), "base")
        .map_err(|e| e.to_string())?;
    let mut edits: Vec<(String, Option<Vec<u8>>)> = Vec::new();
    for (p, f) in &case.files {
        edits.push((p.clone(), f.new_text(p)?.map(String::into_bytes)));
    }
    let message = match &case.message {
        Some(body) => format!("{}\n\n{}", case.title, body.trim()),
        None => case.title.clone(),
    };
    let head = repo
        .commit_files(
            "change",
            Some(&base),
            &edits,
            &person(1_700_000_100),
            &message,
        )
        .map_err(|e| e.to_string())?;
    let (rules, err) = load_rules(&repo, &base);
    if let Some(e) = err {
        return Err(e.to_string());
    }
    let diff = repo.diff(&base, &head).map_err(|e| e.to_string())?.diff;
    report_for(&repo, &diff, &base, &head, &rules).map_err(|e| e.to_string())
}

fn alarm(r: &RiskReport) -> bool {
    r.level >= Severity::High
}

/// For each dangerous case, the rule that must fire on it (the reason a
/// senior stops there). A case missing here (a new one) must still alarm.
const EXPECTED_RULE: &[(&str, &str)] = &[
    (
        "d01-terraform-prevent-destroy-removed",
        "tf-prevent-destroy-removed",
    ),
    ("d02-terraform-bucket-renamed", "tf-resource-renamed"),
    ("d03-k8s-privileged-daemonset", "k8s-privileged"),
    ("d04-k8s-limits-removed", "k8s-limits-removed"),
    ("d06-sql-index-not-concurrent", "sql-index-not-concurrent"),
    ("d07-alembic-not-null", "migration-not-null"),
    ("d08-python-tls-verify-off", "sec-tls-verify-off"),
    ("d09-express-cors-any-origin", "sec-cors-permissive"),
    ("d10-aws-key-in-settings", "secret-provider-key"),
    ("d11-go-ledger-swallowed-error", "err-check-removed"),
    ("d12-java-empty-catch-auth", "err-broadened-catch"),
    ("d13-python-billing-except-pass", "err-swallowed"),
    ("d14-jest-only", "test-focused"),
    ("d15-python-assertions-removed", "test-assertion-weakened"),
    ("d16-coverage-lowered", "test-coverage-lowered"),
    ("d17-ci-continue-on-error", "ci-ignore-failure"),
    ("d18-deploy-prod-auto-approve", "ci-deploys-to-production"),
    ("d19-shell-rm-rf-variable", "shell-rm-rf-variable"),
    ("d20-typosquat-requirement", "dep-look-alike"),
    ("d21-lockfile-foreign-registry", "dep-registry"),
    ("d22-bidi-in-access-check", "text-bidi-control"),
    ("d23-cyrillic-homoglyph", "text-mixed-script"),
    ("d24-countersign-policy", "gate-countersign"),
    ("d25-codeowners", "gate-codeowners"),
    ("d26-rust-admin-check-removed", "sec-auth-check-removed"),
    ("d27-rails-skip-auth", "sec-auth-disabled"),
    ("d28-delete-without-where", "sql-delete-without-where"),
    ("d29-jwt-no-verify", "sec-jwt-unverified"),
    ("d30-shell-injection", "sec-shell-injection"),
    ("d31-csharp-allow-anonymous", "sec-auth-disabled"),
    ("d32-php-sql-concat", "sec-sql-string-building"),
    ("d33-kotlin-trust-all", "sec-trust-all-certs"),
    ("d34-k8s-pvc-deleted", "k8s-object-deleted"),
    ("d35-django-delete-model", "migration-drop-table"),
    ("d36-test-skip-with-code-change", "test-skipped"),
    ("d37-curl-pipe-bash", "supply-pipe-to-shell"),
    ("d38-iam-wildcard", "iam-wildcard"),
    ("d39-ci-tests-removed", "ci-check-removed"),
    ("d40-compose-password", "secret-assignment"),
    ("d41-flag-default-prod", "config-flag-default-changed"),
    ("d42-tf-count-zero", "tf-count-zero"),
    ("d43-helm-replicas-zero", "k8s-replicas-zero"),
    ("d44-gha-pull-request-target", "ci-pull-request-target"),
    ("d45-security-group-ssh-open", "sec-public-network"),
    ("d46-tf-module-removed", "tf-resource-removed"),
    ("d47-java-jdbc-concat", "sec-sql-string-building"),
    ("d48-django-secret-key", "secret-assignment"),
    ("d49-rust-unwrap-default-payments", "err-swallowed"),
    ("d50-test-file-deleted", "test-deleted"),
    ("d51-cfn-deletion-policy", "cfn-deletion-policy"),
    ("d52-slack-webhook", "secret-provider-key"),
    ("d53-flask-admin-abort-removed", "sec-auth-check-removed"),
];

/// Development cases allowed to land on the wrong side of high, each with why.
/// Keep it short: a case here is a known weakness, not a pass.
const ALLOWED_MISSES: &[(&str, &str)] = &[
    (
        "g03-drop-legacy-password-column",
        "the second step of a two-step column removal, known only from the message",
    ),
    (
        "g07-ci-split-lint-and-test",
        "branch protection changed to require both halves of a split job: gate files stay critical",
    ),
    (
        "g33-codeowners-security-paths",
        "CODEOWNERS gains a wildcard rule for the workflows directory: wildcards stay critical",
    ),
    (
        "g32-k8s-env-into-configmap",
        "debug settings moved from a dev env block into a base ConfigMap: where a value ends up is not followed",
    ),
    (
        "n05-graphql-account-type-merge",
        "admin fields moved onto a public GraphQL type: schema types are not compared",
    ),
    (
        "n11-scheduler-app-factory",
        "a scheduler started in every web worker: where code runs is not modelled",
    ),
    (
        "n26-makefile-db-url-default",
        "a Makefile default that picks up the production database URL: values from included files are not followed",
    ),
    (
        "q16-reset-token-constant-time",
        "DELETE without WHERE on reset tokens is the point of this change, and critical by rule",
    ),
    (
        "q23-codeowners-new-search-service",
        "CODEOWNERS reordered with precedence kept: any reorder stays critical",
    ),
    (
        "r05-kotlin-money-operators",
        "minor units hard-coded to two decimals in a shared money type: a contract change inside arithmetic, no guard or literal under a key changed",
    ),
    (
        "r15-nextjs-middleware-matcher",
        "a negative-lookahead matcher that now skips /api: what a route regex excludes is not evaluated",
    ),
    (
        "r17-go-typed-env-constants",
        "the production constant is spelled \"prod\" while deployments set \"production\": needs the deployment's values",
    ),
    (
        "s27-rego-extract-permission-helper",
        "Rego is not parsed: a tenant check lost from one rule in a helper refactor",
    ),
    (
        "s35-package-json-jest-config-move",
        "testMatch moved to a glob that matches no test, with --passWithNoTests: needs the repository's file list",
    ),
    (
        "s39-cron-backup-retention-precision",
        "-mmin +$((DAYS * 60)) is hours, not days: a unit error in find's arguments",
    ),
    (
        "r27-csharp-refund-guard-helper",
        "checks moved verbatim into a helper whose result is tested (`problem is not null`): the result variable is not traced to the helper",
    ),
    (
        "t01-invoice-views-permission-mixin",
        "the inline staff check moved into a mixin's dispatch(): a guard inherited through a new base class is not traced",
    ),
    (
        "t30-enable-bandit-in-pyproject",
        "a lint fix that adds a request timeout is read as a behaviour change the message does not mention",
    ),
    (
        "u15-password-hasher-iterations",
        "the password check now tests the hasher's verdict enum: a restated library check reads as a changed guard",
    ),
    (
        "u01-accounts-purge-query-helper",
        "a filter dropped from a delete queryset while it moved into a helper: query filters are not compared across functions",
    ),
    (
        "u18-entitlements-cache-config-derive",
        "#[derive(Default)] replacing a hand-written Default makes a TTL zero: derived defaults are not evaluated",
    ),
    (
        "u24-release-rotation-rename-vars",
        "a variable renamed everywhere but one `cd`: an unset variable in a shell script is not traced",
    ),
    (
        "u26-impersonation-audit-setting",
        "audit logging put behind a setting that defaults to off: the default of a new setting is not followed to its use",
    ),
    (
        "u34-documents-rls-policy-rewrite",
        "a policy recreated in a new migration: FORCE in the old migration is not compared with the new one",
    ),
    (
        "v08-deploy-workflow-consolidation",
        "deploy jobs merged into a matrix: the production entry's lost branch condition and approval are not traced through the matrix",
    ),
    (
        "w05-ledger-balance-fallback",
        "a balance lookup failure answered from a cache that defaults to the requested amount: the fallback value is not judged",
    ),
    (
        "x04-drop-archived-shipment-events",
        "a table dropped after an earlier step emptied it outside this change: the earlier step is not read",
    ),
    (
        "x15-php-patient-search-sort",
        "a sort parameter interpolated into ORDER BY after its allow-list was removed: the removed allow-list is not tied to the query",
    ),
    (
        "a10-ansible-pg-reinit-role",
        "written 2026-11-30 (second session) by a writer who never saw the engine; measured before tuning; not yet on the right side",
    ),
    (
        "a13-haproxy-payments-resilience",
        "written 2026-11-30 (second session) by a writer who never saw the engine; measured before tuning; not yet on the right side",
    ),
    (
        "a15-envoy-route-split",
        "written 2026-11-30 (second session) by a writer who never saw the engine; measured before tuning; not yet on the right side",
    ),
    (
        "a18-mysql-reference-column-length",
        "written 2026-11-30 (second session) by a writer who never saw the engine; measured before tuning; not yet on the right side",
    ),
    (
        "p11-networkpolicy-metrics-port",
        "written 2026-11-30 (second session) by a writer who never saw the engine; measured before tuning; not yet on the right side",
    ),
    (
        "z09-shared-http-retry-policy",
        "written 2026-11-30 (second session) by a writer who never saw the engine; measured before tuning; not yet on the right side",
    ),
    (
        "z17-session-ttl-duration-type",
        "written 2026-11-30 (second session) by a writer who never saw the engine; measured before tuning; not yet on the right side",
    ),
    (
        "z19-payout-viewset-consolidation",
        "written 2026-11-30 (second session) by a writer who never saw the engine; measured before tuning; not yet on the right side",
    ),
    (
        "z21-grpc-server-options-builder",
        "written 2026-11-30 (second session) by a writer who never saw the engine; measured before tuning; not yet on the right side",
    ),
    (
        "j11-drop-legacy-api-tokens-table",
        "written 2026-11-30 night by a writer who never saw the engine, measured before any tuning on it; not yet on the right side",
    ),
    (
        "l05-ansible-release-cleanup",
        "written 2026-11-30 night by a writer who never saw the engine, measured before any tuning on it; not yet on the right side",
    ),
    (
        "l06-backup-rotation-find",
        "written 2026-11-30 night by a writer who never saw the engine, measured before any tuning on it; not yet on the right side",
    ),
    (
        "l10-rails-session-cookie-env",
        "written 2026-11-30 night by a writer who never saw the engine, measured before any tuning on it; not yet on the right side",
    ),
    (
        "l12-csharp-payment-client-retry",
        "written 2026-11-30 night by a writer who never saw the engine, measured before any tuning on it; not yet on the right side",
    ),
    (
        "l15-gitlab-ci-docs-linkcheck",
        "written 2026-11-30 night by a writer who never saw the engine, measured before any tuning on it; not yet on the right side",
    ),
    (
        "l20-java-admin-guard-rename",
        "written 2026-11-30 night by a writer who never saw the engine, measured before any tuning on it; not yet on the right side",
    ),
    (
        "oa07-webhook-secret-rotation",
        "written 2026-11-30 late by writers who never saw the engine (batches oa, ob, oc); measured before tuning, not yet on the right side",
    ),
    (
        "oa08-dedupe-patient-records-migration",
        "written 2026-11-30 late by writers who never saw the engine (batches oa, ob, oc); measured before tuning, not yet on the right side",
    ),
    (
        "oa12-discount-helper-percent-return",
        "written 2026-11-30 late by writers who never saw the engine (batches oa, ob, oc); measured before tuning, not yet on the right side",
    ),
    (
        "ob04-helm-values-restructure",
        "written 2026-11-30 late by writers who never saw the engine (batches oa, ob, oc); measured before tuning, not yet on the right side",
    ),
    (
        "ob10-dockerfile-copy-build-output",
        "written 2026-11-30 late by writers who never saw the engine (batches oa, ob, oc); measured before tuning, not yet on the right side",
    ),
    (
        "ob15-sql-drop-legacy-sessions",
        "written 2026-11-30 late by writers who never saw the engine (batches oa, ob, oc); measured before tuning, not yet on the right side",
    ),
    (
        "ob20-haproxy-acl-refactor",
        "written 2026-11-30 late by writers who never saw the engine (batches oa, ob, oc); measured before tuning, not yet on the right side",
    ),
    (
        "od14-go-rbac-middleware-extract",
        "written 2026-11-30 late by writers who never saw the engine (batches od, oe, of); measured before tuning, not yet on the right side",
    ),
    (
        "oe16-rails-return-to-helper",
        "written 2026-11-30 late by writers who never saw the engine (batches od, oe, of); measured before tuning, not yet on the right side",
    ),
    (
        "oe19-laravel-avatar-upload",
        "written 2026-11-30 late by writers who never saw the engine (batches od, oe, of); measured before tuning, not yet on the right side",
    ),
    (
        "of02-closed-ticket-retention-query",
        "written 2026-11-30 late by writers who never saw the engine (batches od, oe, of); measured before tuning, not yet on the right side",
    ),
    (
        "of05-pg-backup-script-paths",
        "written 2026-11-30 late by writers who never saw the engine (batches od, oe, of); measured before tuning, not yet on the right side",
    ),
    (
        "of06-audit-log-purge-hours",
        "written 2026-11-30 late by writers who never saw the engine (batches od, oe, of); measured before tuning, not yet on the right side",
    ),
    (
        "of07-alertmanager-inhibit-simplify",
        "written 2026-11-30 late by writers who never saw the engine (batches od, oe, of); measured before tuning, not yet on the right side",
    ),
    (
        "of10-backfill-account-plan",
        "written 2026-11-30 late by writers who never saw the engine (batches od, oe, of); measured before tuning, not yet on the right side",
    ),
    (
        "of12-webhook-worker-prefetch",
        "written 2026-11-30 late by writers who never saw the engine (batches od, oe, of); measured before tuning, not yet on the right side",
    ),
    (
        "og22-ci-rename-job-docs-skip",
        "written 2026-11-30 late by writers who never saw the engine (batches og, oh); measured once before tuning, not tuned on",
    ),
    (
        "oh22-storefront-session-cookie-helper",
        "written 2026-11-30 late by writers who never saw the engine (batches og, oh); measured once before tuning, not tuned on",
    ),
    (
        "oi16-spring-transfer-validation-extract",
        "oi batch: the ownership guard moved into a validator bean the controller calls through an interface; not followed across the injection",
    ),
    (
        "ok05-dbt-customer-contact-columns",
        "ok batch: a hashing function removed around PII columns in a dbt model; no rule reads column-level masking in SQL yet",
    ),
    (
        "ok06-airflow-partition-reload-idempotent",
        "ok batch: a DELETE's equality made a range inside a templated SQL string in a DAG; the comparison operator change is not read",
    ),
    (
        "ok15-django-rename-reset-token",
        "ok batch: a RenameField migration is held high on purpose (running instances read the old column name during the deploy); the writer judged it harmless",
    ),
    (
        "ol08-subscriptions-unique-constraint",
        "ol batch: a dedupe that keeps the oldest row deletes the live one; which copy matters is domain knowledge the engine does not have",
    ),
    (
        "om08-avatar-upload-extension-check",
        "om batch: an upload's extension taken after the first dot; what a string split selects is not reasoned about",
    ),
    (
        "om10-apikey-lookup-cache",
        "om batch: a verified-key cache keyed by the public prefix skips the secret check on a hit; cache keys are compared for scope, not for what a hit skips",
    ),
    (
        "om12-password-hash-contexts",
        "om batch: the password check now tests the result of a hashing context's verify_and_update, assigned two lines above in a tuple; not yet followed there",
    ),
    (
        "om18-oidc-callback-nonce",
        "om batch: the OIDC state check rewritten around session.pop and a constant-time compare; the new condition shares no words with the old",
    ),
    (
        "om19-password-reset-uniform-response",
        "om batch: an early return for unknown emails removed on purpose (uniform response); intent is not told from a lost guard",
    ),
    (
        "om20-webhook-raw-body-hmac",
        "om batch: a signature check rewritten to a new helper over the raw body; the helper's verdict is not a direct compare",
    ),
    (
        "on07-kotlin-user-repository",
        "on batch (measured once before tuning): email normalisation dropped before a uniqueness check; the lost normalisation is medium (the guard still stops)",
    ),
    (
        "on08-php-redirect-helper",
        "on batch: a redirect helper that only checks a leading slash (//evil.example); open-redirect predicates are not read",
    ),
    (
        "on09-rust-artifact-fetch-split",
        "on batch: a checksum failure in Rust turned into a warning inside a match arm; the failure branch is not read as a block",
    ),
    (
        "on12-nest-admin-guard-to-roles",
        "on batch: NestJS AdminGuard replaced by a RolesGuard with @Roles('admin'); the text rule sees a guard removed",
    ),
    (
        "oo21-export-job-debug-logging",
        "oo batch: a whole row with bank details logged at debug, with debug on in the production profile; the row's fields are not known",
    ),
    (
        "op05-alertmanager-watchdog-inhibit",
        "op batch: an Alertmanager inhibit rule sourced on the always-firing Watchdog; alert semantics are domain knowledge",
    ),
    (
        "op07-cloudflare-monitoring-skip-rule",
        "op batch: a WAF skip rule keyed on a User-Agent substring; client-controlled match fields are not read",
    ),
    (
        "op12-azure-storage-network-rules",
        "op batch: an Azure network_rules block made conditional (dynamic with for_each); conditional blocks are not evaluated",
    ),
    (
        "op21-restore-drill-script",
        "op batch: DROP DATABASE in a restore drill against a guarded scratch database; the teardown rule does not read the guard",
    ),
    (
        "op24-decommission-legacy-cdn",
        "op batch: a CloudFront distribution removed with its DNS record; serving infrastructure removal is held high on purpose",
    ),
    (
        "oq13-sw-offline-api-cache",
        "a service worker caching /api/ responses past logout: what it caches is read from a route pattern, which the engine does not model",
    ),
    (
        "oq18-tsconfig-skiplibcheck",
        "skipLibCheck reads as a safeguard switched off; it only skips type-checking third-party declarations",
    ),
    (
        "oq19-middleware-matcher-static",
        "a middleware matcher's negative lookahead that now excludes /api: regex semantics against the routes the app serves",
    ),
    (
        "or05-pii-mask-columns-to-config",
        "the masked column list moved to YAML minus two entries: a list compared across a move between languages",
    ),
    (
        "or10-crm-active-accounts-resilient",
        "an error path that returns an empty frame is found (medium); that the caller deactivates accounts on empty is downstream",
    ),
    (
        "or14-drop-legacy-card-tokens",
        "dropping a table emptied by an earlier migration that the base branch does not hold: the engine cannot see it was emptied",
    ),
    (
        "or19-local-airflow-warehouse-container",
        "a password in a connection URL in a dev-only compose file is still treated as a leaked secret",
    ),
    (
        "or20-sessions-backfill-replacewhere",
        "a Delta replaceWhere predicate formatted from dates reads as SQL built from values",
    ),
    (
        "os03-laravel-admin-routes-grouping",
        "a route moved to a group whose middleware lacks the can: gate: route groups are not modelled",
    ),
    (
        "os04-symfony-voter-match-expression",
        "a voter whose match default grants: default arms of match expressions are not judged",
    ),
    (
        "os07-express-admin-router-split",
        "middleware registered after the routes in a new router file: order checks only compare old and new order",
    ),
    (
        "os09-aspnet-minimal-api-migration",
        "one endpoint mapped on app instead of the authorized group: minimal-API groups are not modelled",
    ),
    (
        "ot09-prometheus-payments-alert-noise",
        "a ratio compared with a percentage threshold: units of PromQL expressions are not inferred",
    ),
    (
        "ot12-k8s-networkpolicy-payments-db",
        "NetworkPolicy selectors split into two peers (OR instead of AND): peer semantics are not modelled",
    ),
    (
        "ot22-terraform-dns-drop-legacy-records",
        "removing DNS records of decommissioned services is reported as destroying resources",
    ),
    (
        "ou02-money-minor-units-helper",
        "a fixed two-decimal scale replacing per-currency digits: found as an intent mismatch (medium), not as a contract change",
    ),
    (
        "ou06-wallet-balance-syncmap",
        "a mutex replaced by sync.Map around read-check-write: the lock removal is found (medium), the race it opens is not",
    ),
    (
        "ov03-worker-http-client-config",
        "TLS verification driven by a Go bool that defaults to false when its variable is unset: zero values of config structs are not traced",
    ),
    (
        "ov08-webhook-signature-versions",
        "a verifier that returns false only on a mismatch and true when no signature is listed: loop fall-through is not judged",
    ),
    (
        "ov10-sentry-request-breadcrumbs",
        "request headers and bodies copied into an error reporter's breadcrumbs: what an interceptor forwards is not traced",
    ),
    (
        "ow02-jwt-parser-key-rotation",
        "jjwt parseClaimsJws replaced by parse(), which accepts unsigned tokens: library-specific verification semantics",
    ),
    (
        "ow04-reset-link-request-host",
        "a reset link built from the client's Host header: taint from request headers into emailed URLs is not traced",
    ),
    (
        "ow06-rego-split-deny-rules",
        "a Rego deny rule using != never fires when the claim is absent: Rego's undefined semantics are not modelled",
    ),
    (
        "ow15-reset-token-single-use",
        "a delete by the id of a row just read in the same transaction reads as an unscoped lookup",
    ),
    (
        "ox04-pulumi-reporting-db-config",
        "a Pulumi config lookup falling back to 0.0.0.0/0 when unset: fallbacks in config reads are not judged",
    ),
    (
        "ox06-backup-plan-retention-variable",
        "retention moved to a variable defaulting to one day that prod never sets: defaults across tfvars are not compared",
    ),
    (
        "ox07-kyverno-privileged-exclude-bots",
        "a Kyverno exclude matching system:authenticated exempts everyone: group semantics are not modelled",
    ),
    (
        "ox17-dr-restore-drill-cleanup",
        "delete-db-instance in a drill script guarded by a name check still reads as tearing down production",
    ),
    (
        "oy15-product-search-sort",
        "request parameters interpolated into an ORDER BY fragment inside a fallback block: taint across assignments is not traced",
    ),
    (
        "oy19-notification-send-diagnostics",
        "a log of a request's kwargs that hold an Authorization header: what a variable holds is not traced",
    ),
    (
        "oz01-audit-writer-batching",
        "an audit write failure turned into a warning while the record is still returned: fail-closed audit is not modelled",
    ),
    (
        "oz05-dsar-export-subject-param",
        "the export's subject taken from a query parameter without an ownership check: taint from parameters into ids is not traced",
    ),
    (
        "oz06-field-encryption-keyprovider",
        "a hard-coded key used when a vault setting is missing: found as a new condition (medium), the fallback key is not judged",
    ),
    (
        "pa01-buildkite-publish-step-cleanup",
        "a Buildkite step's branches filter removed: found as an intent mismatch (medium), branch filters of this CI are not modelled",
    ),
    (
        "pa07-precommit-hook-stages",
        "a pre-commit hook moved to the manual stage: hook stages are not modelled",
    ),
    (
        "pb06-channel-join-helpers",
        "a Phoenix channel join that no longer compares the topic's user with the socket's: Elixir is not parsed",
    ),
    (
        "pb10-response-cache-keys",
        "the user id dropped from a response cache key: found as a condition gone (low)",
    ),
    (
        "pb18-ci-redis-service-digest",
        "branch protection settings updated for a renamed job read as branch protection changed (a gate rule, never silenced)",
    ),
    (
        "pb20-webhook-verify-tolerance",
        "signature verification moved into a new type with replay protection: the 401 removed from the handler is not traced there",
    ),
    (
        "pc03-consolidate-spring-profiles",
        "a prod profile file folded into the base file loses its actuator restriction: profile merging is not modelled",
    ),
    (
        "pc05-attachment-download-tenant-check",
        "a tenant check comparing against the wrong object after a copy-paste: which variable a check should name is not judged",
    ),
    (
        "pc06-remove-unused-audit-receivers",
        "a module imported only for its side effects deleted: import side effects are not modelled",
    ),
    (
        "pc08-memoize-project-access",
        "a memo keyed only by user id in an access check: what a cache key identifies is not judged",
    ),
    (
        "pc09-terraform-sg-for-each",
        "an SSH rule pointed at a variable that holds 0.0.0.0/0 in a for_each map: variable values across files are not resolved here",
    ),
    (
        "pc10-backup-prune-speedup",
        "a renamed shell variable still read under its old name in a find -delete: found as a changed condition (low)",
    ),
    (
        "pc12-webhook-verifier-errors",
        "sentinel errors wrapped with %w read as a changed behaviour under a simplify message",
    ),
    (
        "pc15-dedupe-address-validation",
        "copy-pasted validator blocks replaced by one parameterised validator read as new values under a dedupe message",
    ),
    (
        "pc16-remove-legacy-api-key-auth",
        "deleting an auth middleware no longer mounted anywhere reads as an auth module deleted",
    ),
    (
        "pc17-bump-x-crypto-and-pgx",
        "a length check replaced by the library's own error for too-long passwords reads as a guard changed",
    ),
    (
        "ot01-ingress-annotations-helper",
        "an IP allow-list annotation dropped from a Helm template: templates are not parsed as YAML, and the line-level rule only knows the parsed form (it used to alarm by mistake, on a cluster-issuer line taken for a JWT issuer)",
    ),
    (
        "pg04-fcm-chunk-multicast",
        "transient FCM error codes now delete device tokens: which error codes are permanent is domain knowledge the engine lacks",
    ),
    (
        "pg07-version-gate-drop-semver",
        "a semantic-version comparison replaced by a string comparison: no rule reads version ordering",
    ),
    (
        "pg11-sync-cursor-simplify",
        "a sync cursor reduced to a timestamp that skips rows sharing it: pagination correctness is not modelled",
    ),
    (
        "pg19-app-config-camelcase-dto",
        "config keys renamed in a response that installed clients read: API contracts of JSON payloads are not tracked",
    ),
    (
        "ph01-dbt-mask-pii-macro",
        "a masking macro called with a mode it does not know and falling through to the raw value: dbt macros are not evaluated",
    ),
    (
        "ph15-dbt-incremental-append",
        "a dbt incremental model switched to append with a lookback window: double counting is not modelled",
    ),
    (
        "pi01-catalog-api-topology-spread",
        "a Helm guard dropped so replicas are always rendered next to an HPA: template conditionals are not compared",
    ),
    (
        "pi04-payments-authz-consolidate",
        "Istio authorization rules merged so principals, methods and paths combine: policy semantics are not modelled",
    ),
    (
        "pi05-gatekeeper-privileged-caps",
        "a Gatekeeper Rego helper that stops checking init and ephemeral containers: Rego is not parsed",
    ),
    (
        "pi13-pod-defaults-webhook-optout",
        "a fail-closed admission webhook that no longer excludes its own namespace: namespaceSelector semantics are not modelled",
    ),
    (
        "pj18-django-32-bigautofield",
        "DEFAULT_AUTO_FIELD switched to BigAutoField, which makes the next migrations rewrite primary keys: Django settings' effect on migrations is not modelled",
    ),
    (
        "pk09-recon-tolerate-bad-lines",
        "a reconciliation that tolerates bad lines and still marks the day reconciled: the error budget's meaning is not modelled",
    ),
    (
        "pl09-nginx-api-microcache",
        "nginx caching per-user API responses across users: the cache key's missing identity is not modelled",
    ),
    (
        "pl10-graphql-shield-auth",
        "harmless: resolver auth checks moved into graphql-shield rules with deny by default; the engine does not read shield rule maps",
    ),
    (
        "pl13-drop-serialize-javascript",
        "JSON.stringify into an SSR script tag instead of serialize-javascript: the escaping difference is not known",
    ),
    (
        "pl15-stream-document-uploads",
        "an S3 upload no longer awaited, its failure only logged: unawaited promises are not followed",
    ),
    (
        "pl17-order-dataloaders",
        "a DataLoader refactor that loses the owner check: the batch function's missing filter is not compared with the old query",
    ),
    (
        "pm07-codeowners-reorder",
        "harmless: CODEOWNERS reordered with security owners last (last match wins); gate files stay critical",
    ),
    (
        "pm10-protect-gh-pages",
        "harmless: a new branch protection rule for gh-pages; gate files stay critical",
    ),
    (
        "pm17-renovate-group-automerge",
        "Renovate automerging every dependency with tests ignored: Renovate's settings are not read",
    ),
    (
        "pm18-lockfile-host-check-url",
        "harmless: a lockfile host check rewritten with strict URL parsing; the intent check counts the rewritten condition",
    ),
    (
        "pn01-config-defaults-pass",
        "a boolean default lost in a config refactor, silently disabling auth: Go zero values are not modelled",
    ),
    (
        "pn03-lru-rwmutex",
        "an LRU read under RLock that mutates its list: lock modes are not modelled",
    ),
    (
        "pn07-payments-client-retry",
        "a non-idempotent gRPC call put under a retry policy: the retry policy in a Go service config is not read",
    ),
    (
        "pn11-pool-gauges",
        "a metrics callback that re-locks a held mutex: deadlocks are not modelled",
    ),
    (
        "pn14-worker-notifycontext",
        "harmless: hand-written signal handling replaced by signal.NotifyContext; the intent check counts the new calls",
    ),
    (
        "pn16-api-main-errgroup",
        "a shutdown timeout derived from an already-cancelled context: context lifetimes are not modelled",
    ),
    (
        "pn17-backupctl-progress",
        "upload failures swallowed before old backups are deleted: the ordering of a failure and a deletion is not followed",
    ),
    (
        "pn20-evict-token-on-revoke",
        "harmless: a revoked token evicted from the cache at once; the guard change reads as a weakening",
    ),
    (
        "po03-research-cohort-consent-antijoin",
        "a research cohort's consent filter turned from opt-in to opt-out by an anti-join: SQL join semantics are not compared",
    ),
    (
        "po06-safe-harbor-vectorize",
        "a de-identification rewrite that no longer caps ages over 89: HIPAA Safe Harbor rules are not known",
    ),
    (
        "po07-claim-document-purge-batching",
        "a batched purge that drops the legal-hold filter: the lost condition sits in a rewritten query",
    ),
    (
        "po09-rego-split-clinician-rule",
        "a Rego rule split in two, turning AND into OR: Rego is not parsed",
    ),
    (
        "po12-clearinghouse-timeout-retry",
        "timeouts retried on a non-idempotent claim submission: the retry loop's target is not classified",
    ),
    (
        "po14-smart-config-allow-anonymous",
        "harmless: AllowAnonymous on a public discovery document; the route's public nature is not read",
    ),
    (
        "po15-cost-share-extract-helpers",
        "a cost-share helper that uses the wrong accumulator: arithmetic meaning is not modelled",
    ),
    (
        "po18-claim-status-dto-rename",
        "a DTO rename that changes a partner's JSON contract: serialised names are not tracked",
    ),
    (
        "po19-claims-error-log-body",
        "claim bodies with PHI written to error logs: which objects carry personal data is not followed",
    ),
    (
        "pp01-unsubscribe-token-hash-equals",
        "harmless: a token compared with hash_equals instead of ==; the guard change reads as different",
    ),
    (
        "pp05-stock-reservation-eloquent",
        "an unlocked read-check-write on stock: missing row locks are not modelled",
    ),
    (
        "pp11-nginx-api-microcache",
        "nginx caching API responses without the user in the key: cache-key identity is not modelled",
    ),
    (
        "pp13-reset-link-request-host",
        "reset links built from the Host header: request headers as a source of URLs are not tracked",
    ),
    (
        "pp18-cart-items-orphans-fk",
        "harmless: ON DELETE CASCADE from a cart to its items; cascades are alarmed without knowing parent and child",
    ),
    (
        "pq19-metabase-sg-standalone-rules",
        "a security group refactor that exposes a service: rules moved into standalone resources are not paired",
    ),
    (
        "pr10-consolidate-loggers-user-roles",
        "role-change audit logs demoted to debug: a log level lowered is not paired with the line it replaces",
    ),
    (
        "pr18-harden-prune-backups-script",
        "harmless: a prune script hardened with validation; the changed selection of what it deletes reads as riskier",
    ),
    (
        "ps07-invite-accept-profile-fields",
        "written 2026-12-01 by writers who never saw the engine (batches ps, pt, pu, pv); measured before tuning, not yet on the right side",
    ),
    (
        "ps09-scim-bearer-compare-hmac-equal",
        "written 2026-12-01 by writers who never saw the engine (batches ps, pt, pu, pv); measured before tuning, not yet on the right side",
    ),
    (
        "ps20-rego-admin-role-set",
        "written 2026-12-01 by writers who never saw the engine (batches ps, pt, pu, pv); measured before tuning, not yet on the right side",
    ),
    (
        "pu13-dbt-revenue-unique-key-grain",
        "written 2026-12-01 by writers who never saw the engine (batches ps, pt, pu, pv); measured before tuning, not yet on the right side",
    ),
    (
        "pu19-ts-feature-lookup-inline-ids",
        "written 2026-12-01 by writers who never saw the engine (batches ps, pt, pu, pv); measured before tuning, not yet on the right side",
    ),
    (
        "pv01-resumable-upload-key",
        "written 2026-12-01 by writers who never saw the engine (batches ps, pt, pu, pv); measured before tuning, not yet on the right side",
    ),
    (
        "pw01-accrual-day-count-helper",
        "written 2026-12-01 by writers who never saw the engine (batches pw, px, py, pz); measured before tuning, not yet on the right side",
    ),
    (
        "pw07-nostro-recon-per-account",
        "written 2026-12-01 by writers who never saw the engine (batches pw, px, py, pz); measured before tuning, not yet on the right side",
    ),
    (
        "pw11-ctr-candidate-account-key",
        "written 2026-12-01 by writers who never saw the engine (batches pw, px, py, pz); measured before tuning, not yet on the right side",
    ),
    (
        "pw13-regulator-gateway-mtls-props",
        "written 2026-12-01 by writers who never saw the engine (batches pw, px, py, pz); measured before tuning, not yet on the right side",
    ),
    (
        "pw19-regreport-date-formats",
        "written 2026-12-01 by writers who never saw the engine (batches pw, px, py, pz); measured before tuning, not yet on the right side",
    ),
    (
        "px03-order-finder-extract",
        "written 2026-12-01 by writers who never saw the engine (batches pw, px, py, pz); measured before tuning, not yet on the right side",
    ),
    (
        "px09-gradle-release-initwith",
        "written 2026-12-01 by writers who never saw the engine (batches pw, px, py, pz); measured before tuning, not yet on the right side",
    ),
    (
        "px17-rename-marketing-channel",
        "written 2026-12-01 by writers who never saw the engine (batches pw, px, py, pz); measured before tuning, not yet on the right side",
    ),
    (
        "py01-helm-lib-ingress-classname",
        "written 2026-12-01 by writers who never saw the engine (batches pw, px, py, pz); measured before tuning, not yet on the right side",
    ),
    (
        "py04-gha-lint-fork-annotations",
        "written 2026-12-01 by writers who never saw the engine (batches pw, px, py, pz); measured before tuning, not yet on the right side",
    ),
    (
        "py10-gitleaks-allowlist-fixtures",
        "written 2026-12-01 by writers who never saw the engine (batches pw, px, py, pz); measured before tuning, not yet on the right side",
    ),
    (
        "py11-platctl-prune-team-filter",
        "written 2026-12-01 by writers who never saw the engine (batches pw, px, py, pz); measured before tuning, not yet on the right side",
    ),
    (
        "pz06-search-seller-draft-preview",
        "written 2026-12-01 by writers who never saw the engine (batches pw, px, py, pz); measured before tuning, not yet on the right side",
    ),
    (
        "pz15-opensearch-policy-document",
        "written 2026-12-01 by writers who never saw the engine (batches pw, px, py, pz); measured before tuning, not yet on the right side",
    ),
    (
        "qa04-claim-state-ordinal-transitions",
        "written 2026-12-01 by writers who never saw the engine (batches qa, qb, qc, qd); measured before tuning, not yet on the right side",
    ),
    (
        "qa05-partner-claims-shared-query",
        "written 2026-12-01 by writers who never saw the engine (batches qa, qb, qc, qd); measured before tuning, not yet on the right side",
    ),
    (
        "qa08-rating-factor-lookup-tables",
        "written 2026-12-01 by writers who never saw the engine (batches qa, qb, qc, qd); measured before tuning, not yet on the right side",
    ),
    (
        "qa13-lapse-job-offset-paging",
        "written 2026-12-01 by writers who never saw the engine (batches qa, qb, qc, qd); measured before tuning, not yet on the right side",
    ),
    (
        "qa20-partner-webhook-csrf-except",
        "written 2026-12-01 by writers who never saw the engine (batches qa, qb, qc, qd); measured before tuning, not yet on the right side",
    ),
    (
        "qb02-nested-filter-groups",
        "written 2026-12-01 by writers who never saw the engine (batches qa, qb, qc, qd); measured before tuning, not yet on the right side",
    ),
    (
        "qb05-bq-table-labels-tidy",
        "written 2026-12-01 by writers who never saw the engine (batches qa, qb, qc, qd); measured before tuning, not yet on the right side",
    ),
    (
        "qb08-ingest-subaccount-routing",
        "written 2026-12-01 by writers who never saw the engine (batches qa, qb, qc, qd); measured before tuning, not yet on the right side",
    ),
    (
        "qb10-export-reuse-assumed-role-creds",
        "written 2026-12-01 by writers who never saw the engine (batches qa, qb, qc, qd); measured before tuning, not yet on the right side",
    ),
    (
        "qb14-ingest-json-options-cleanup",
        "written 2026-12-01 by writers who never saw the engine (batches qa, qb, qc, qd); measured before tuning, not yet on the right side",
    ),
    (
        "qb18-snowflake-usage-export-bytes",
        "written 2026-12-01 by writers who never saw the engine (batches qa, qb, qc, qd); measured before tuning, not yet on the right side",
    ),
    (
        "qc03-go-timeout-config",
        "written 2026-12-01 by writers who never saw the engine (batches qa, qb, qc, qd); measured before tuning, not yet on the right side",
    ),
    (
        "qc06-rails-rename-exports-controller",
        "written 2026-12-01 by writers who never saw the engine (batches qa, qb, qc, qd); measured before tuning, not yet on the right side",
    ),
    (
        "qc13-pino-redact-simplify",
        "written 2026-12-01 by writers who never saw the engine (batches qa, qb, qc, qd); measured before tuning, not yet on the right side",
    ),
    (
        "qd03-ota-progress-reporting",
        "written 2026-12-01 by writers who never saw the engine (batches qa, qb, qc, qd); measured before tuning, not yet on the right side",
    ),
    (
        "qd13-broker-shared-tls-builder",
        "written 2026-12-01 by writers who never saw the engine (batches qa, qb, qc, qd); measured before tuning, not yet on the right side",
    ),
    (
        "qd15-cellular-rater-integer-math",
        "written 2026-12-01 by writers who never saw the engine (batches qa, qb, qc, qd); measured before tuning, not yet on the right side",
    ),
    (
        "pm08-release-retries",
        "a retry helper that returns success after its last failed attempt (`break` out of an `until` loop): control flow of shell, not a pattern the engine reads",
    ),
    (
        "qe06-serilog-prod-log-volume",
        "a log level raised to Warning for the whole app drops the Information-level audit events: needs to know which events are logged at which level",
    ),
    (
        "qe13-retention-duration-strings",
        "\"6y\" read by a parser that knows only days: the unit table lives in code the change does not touch",
    ),
    (
        "qf03-helm-drop-lookup",
        "a Helm secret no longer reuses the stored value through `lookup`: regenerated on every sync; template semantics",
    ),
    (
        "qf07-cost-labeler-fail-open",
        "a mutating webhook that only adds cost labels made fail-open: the engine cannot tell a cosmetic webhook from an enforcing one",
    ),
    (
        "qf11-audit-policy-noise",
        "a Kubernetes audit policy rule that stops logging secret reads by service accounts: audit-policy semantics",
    ),
    (
        "qf19-manager-flags-to-env",
        "a flag moved to an environment variable that the binary never reads: leader election silently off",
    ),
    (
        "qg10-admin-users-drop-client-check",
        "a client-side admin check removed while the server check stays: the engine cannot see the server check from the page",
    ),
    (
        "qg17-profile-route-app-router",
        "a Pages-to-App router port that keeps its checks in another form: the pairing of old and new handlers fails",
    ),
    (
        "qh03-order-revenue-incremental-pruning",
        "an incremental model's lookback pruned on order_date: late updates missed; needs data semantics",
    ),
    (
        "qh13-braze-export-column-spec",
        "plaintext email exported under a sha256 column name: the name promises hashing the code no longer does",
    ),
    (
        "qh15-ads-spend-parallel-backfill",
        "parallel backfill runs sharing one staging table: concurrency semantics",
    ),
    (
        "qi04-gitlab-needs-dag",
        "GitLab `needs:` that lets a publish job start before the test stage finishes: the job graph, not a line, decides",
    ),
    (
        "qi06-docs-deploy-force-push",
        "a force push to gh-pages, which holds only generated output: the branch's role is not in the diff",
    ),
    (
        "qi07-credentials-atomic-write",
        "an atomic write through a temp file created with default permissions: the token file ends up world-readable; file modes across calls",
    ),
    (
        "qi15-makefile-output-paths",
        "a Makefile variable renamed so `rm -rf $(OUT)/*` expands to `rm -rf /*`: needs to know the variable is no longer defined anywhere make reads",
    ),
    (
        "qj03-sendgrid-signature-middleware",
        "a signature parse error that falls through to the handler: the exception path of a middleware",
    ),
    (
        "qj04-webhooks-base-controller",
        "CSRF and session auth skipped in a webhook base controller whose signature check every subclass runs: the check lives in the parent",
    ),
    (
        "qj09-retention-purge-suppressions",
        "a retention purge that now also deletes suppression records: needs to know what the table holds",
    ),
    (
        "qj11-digest-cron-to-config",
        "a six-field cron expression read by a five-field scheduler: the scheduler's format is not in the diff",
    ),
    (
        "qj17-fcm-send-async",
        "a send made async whose failures are no longer awaited: the promise is dropped",
    ),
    (
        "qj19-broadcast-team-segments",
        "a segment query that lacks the tenant filter its siblings have, in a new query builder",
    ),
    (
        "qk05-memcached-remember-me-60d",
        "a memcached TTL over 30 days read as a Unix timestamp: a protocol rule about the number",
    ),
    (
        "qk07-fastly-fetch-setcookie",
        "a VCL tidy that caches responses carrying Set-Cookie",
    ),
    (
        "qk15-varnish-tag-ban",
        "a Varnish BAN handled before the ACL check: order of subroutine statements",
    ),
    (
        "ql08-host-prefixed-session-cookie",
        "a session cookie renamed to __Host- with a legacy fallback: error handling reshaped around the fallback",
    ),
    (
        "ql13-ldap-authenticator-refactor",
        "an empty-password guard dropped in an LDAP authenticator refactor: an unauthenticated bind succeeds; reported medium",
    ),
    (
        "ql18-scim-token-rotation",
        "SCIM token rotation with two tokens compared in constant time: the rewritten comparison looks like a weakened check",
    ),
    (
        "qm06-skip-noop-device-upserts",
        "a no-op check on device upserts that skips reassigning a push token to the account now signed in: needs to know what the skipped write carried",
    ),
    (
        "qm07-drop-packaging-dependency",
        "version strings compared as text after a dependency is dropped: \"10.0\" sorts before \"9.0\"",
    ),
    (
        "qm13-pinning-wildcards",
        "certificate pinning made to apply to fewer hosts by wildcard entries: unpinned hosts fall back to any certificate",
    ),
    (
        "qm15-ios-subscription-restore",
        "a restore looked up by original_transaction_id without the account: a lookup across a Swift and a server file",
    ),
    (
        "qn13-backup-tag-standard",
        "a tag key renamed on resources while the backup plan still selects the old tag: the plan now selects nothing",
    ),
    (
        "qn15-delete-dangling-dns",
        "dangling CNAMEs deleted, which closes a takeover: resource removal read as loss",
    ),
    (
        "qn17-cloudtrail-advanced-selectors",
        "CloudTrail advanced selectors that no longer log management events",
    ),
    (
        "qo03-customer-export-dictwriter",
        "CSV export that loses formula-injection escaping; reported medium",
    ),
    (
        "qo05-rename-jwt-secret-env",
        "a JWT secret's environment variable renamed with the old name as fallback: the change to the lookup reads as behaviour",
    ),
    (
        "qo07-bulk-user-delete-whereIn",
        "a bulk delete via whereIn that skips per-record authorization and model events",
    ),
    (
        "qo13-support-login-link-ttl-config",
        "a TTL of \"900\" now read as minutes by the helper it is passed to",
    ),
    (
        "qp03-vectorize-minor-units",
        "money converted to minor units by astype(int64), truncating where it rounded",
    ),
    (
        "qp06-lab-results-cast-helper",
        "a cast helper that coerces invalid lab results to NaN; reported medium",
    ),
    (
        "qp07-julia-threaded-var",
        "one random generator shared by threads in a Julia simulation",
    ),
    (
        "qp09-segment-lookup-merge",
        "an SCD2 merge that joins every version of a segment and multiplies revenue",
    ),
    (
        "qp15-bump-numpy-scipy",
        "numpy 2 bumped with pandas 1.5 pinned: an incompatibility known only from release notes",
    ),
    (
        "qp19-r-research-extract-tidyselect",
        "a tidyselect that no longer drops pii_-prefixed columns in R",
    ),
    (
        "qq04-ban-predicate-extract",
        "a ban predicate extracted into a helper that treats a null expiry as expired: permanent bans stop applying",
    ),
    (
        "qq05-gift-rpc-ops-sender",
        "an RPC that takes the sender from the payload instead of the session",
    ),
    (
        "qq17-queue-rwmutex",
        "map deletes under a read lock; reported medium",
    ),
    (
        "qq19-season-rewards-node-redis",
        "a Redis sorted-set read without REV: rewards go to the lowest-ranked players",
    ),
    (
        "qr01-shared-catalog-tenant-scope",
        "the tenant filter moved from filter to an optional should clause in an Elasticsearch query",
    ),
    (
        "qr02-remove-tenant-bypass-flag",
        "a tenant bypass flag and debug endpoint removed: the removed guard granted access",
    ),
    (
        "qr04-deterministic-reindex-names",
        "deterministic reindex names that make the job delete the live index",
    ),
    (
        "qr05-query-string-search-box",
        "raw user input passed to an Elasticsearch query_string query",
    ),
    (
        "qr09-ranking-profile-defaults",
        "a shallow merge of ranking defaults that drops the moderation filter; reported medium",
    ),
    (
        "qr11-quieter-bulk-indexer-logs",
        "bulk-indexing failures dropped from logs while offsets are still committed",
    ),
    (
        "qr17-camelcase-product-serializer",
        "serialized field names changed to camelCase while the index mapping keeps snake_case",
    ),
    (
        "qr19-embedding-model-bump",
        "a query embedding model bumped while stored vectors come from the old one",
    ),
    (
        "qs01-tlv-cursor-helpers",
        "a uint32 offset+len overflow that passes the bounds check",
    ),
    (
        "qs04-update-agent-tracing",
        "a signature failure in an update agent now only logged; reported medium",
    ),
    (
        "qs06-sighup-reload-immediately",
        "config reload run inside a signal handler",
    ),
    (
        "qs08-provision-write-file-helper",
        "a private key written with default (world-readable) permissions by a new helper",
    ),
    (
        "qs09-dsp-fast-math",
        "-ffast-math compiles out the isfinite checks the code relies on",
    ),
    (
        "qs11-palette-hoist-bounds",
        "an unsafe get_unchecked with a wrong SAFETY argument; reported medium",
    ),
    (
        "qs17-blockheader-reorder",
        "a struct field reorder that changes an on-disk format",
    ),
    (
        "qs19-share-decoder-arc",
        "unsafe impl Sync on a non-thread-safe C decoder; reported medium",
    ),
    (
        "qt04-clamd-dial-timeout",
        "a clamd error reply treated as clean; reported medium",
    ),
    (
        "qt05-permission-role-hierarchy",
        "a role hierarchy comparison inverted; reported medium",
    ),
    (
        "qt07-retention-queryset-refactor",
        "a retention queryset refactor that drops the legal-hold exclusion",
    ),
    (
        "qt11-remote-tenant-logos-pdf",
        "a PDF renderer that now fetches tenant-supplied URLs: server-side request forgery",
    ),
    (
        "qt12-esign-webhook-secret-rotation",
        "an e-sign webhook secret rotation with two keys checked in constant time: reads as a weakened check",
    ),
    (
        "qt15-delete-abandoned-upload-sessions",
        "an index built without CONCURRENTLY beside a batched purge, on a table the author knows is small",
    ),
    (
        "qt16-async-audit-trail",
        "audit events sent to an async queue that discards on overflow; reported medium",
    ),
    (
        "qt18-inline-preview-downloads",
        "an inline preview served with the client-declared MIME type: stored XSS",
    ),
    (
        "qv01-invoice-queryset-manager",
        "a Django detail view switched to a custom manager method that lacks the organisation filter: needs the QuerySet method bodies compared",
    ),
    (
        "qv09-express-route-table",
        "routers mounted before the authentication middleware inside a helper function: the registration order is read only at the top level",
    ),
    (
        "qv11-fastapi-merge-user-update-schemas",
        "a merged Pydantic schema makes role writable through a self-update endpoint: needs the schema fields compared per endpoint",
    ),
    (
        "qw07-flags-drop-rollout-pointer",
        "a nil rollout pointer now treated as 100 %: needs the meaning of the default value",
    ),
    (
        "qx18-tokens-base64-crate",
        "a hand-written base64 decoder replaced by a configured crate: its length guard is gone because the crate does it",
    ),
    (
        "qy06-kotlin-rename-amount-minor",
        "a serialised field renamed with a default of 0 where the decoder ignores unknown keys: needs the wire format of queued messages",
    ),
    (
        "qy13-python-async-payout-batch",
        "asyncio.gather(return_exceptions=True) where only one exception type counts as failure: needs the types the results can hold",
    ),
    (
        "qy20-boot3-config-property-renames",
        "Spring Boot 3's documented property relocations under a 'rename' message: read as values gone",
    ),
    (
        "qz05-batch-document-purge",
        "a batched purge query rewritten without its legal-hold predicate: the query is rebuilt, not edited",
    ),
    (
        "qz08-cdc-connector-naming",
        "a Debezium slot renamed, leaving the old replication slot to hold WAL: needs the connector's state",
    ),
    (
        "qz11-phone-backfill-offset-paging",
        "LIMIT/OFFSET paging over rows the batch itself takes out of the filter: needs the query's effect on its own predicate",
    ),
    (
        "ra14-security-config-split-chains",
        "CSRF disabled on a stateless bearer-token chain: safe for that chain, read as CSRF switched off",
    ),
    (
        "ra18-openapi-public-jwks",
        "security: [] on the JWKS and OpenID discovery endpoints, which must be public",
    ),
    (
        "rb01-error-rate-alert-by-route",
        "a PromQL ratio whose two sides are aggregated by different labels: needs PromQL vector matching",
    ),
    (
        "rb09-alertmanager-team-routes",
        "Alertmanager routes reordered so team routes catch critical alerts first: needs first-match routing",
    ),
    (
        "rb14-rename-slo-recording-rules",
        "recording rules renamed with every alert and dashboard updated in the same change: read as values changed under a 'rename' message",
    ),
    (
        "rb15-metrics-route-label-fallback",
        "a metrics label taken from the raw URL path: unbounded cardinality",
    ),
    (
        "rb17-restore-default-target-dsn",
        "a restore script's target now defaults to DATABASE_URL: needs what the default points at",
    ),
    (
        "rb19-logging-volume-reduction",
        "an audit logger's level override removed while its parent is raised to WARNING",
    ),
    (
        "rc01-refundable-balance-helper",
        "a refundable-balance helper that ignores pending refunds: needs what the amount means",
    ),
    (
        "rc13-ledger-batch-insert",
        "balance updates moved out of the transaction into a batch helper: the transaction boundary moves with the call",
    ),
    (
        "rc19-invoice-response-bigdecimal",
        "JSON fields keep their names but change from minor to major units: a wire contract the serializer hides",
    ),
    (
        "rd06-openresty-jwt-pcall",
        "an OpenResty verifier wrapped in pcall, which never fails on a rejected token: needs Lua's error convention",
    ),
    (
        "rd10-envoy-retry-policy-vhost",
        "retry_on widened on an Envoy virtual host in front of payments: read as a limit changed at medium",
    ),
    (
        "rd14-waf-sqli-scope-down-uploads",
        "a WAF scope-down statement without its NOT: needs the rule group's semantics",
    ),
    (
        "rd16-cloudflare-consolidate-cache-rules",
        "a CDN cache rule widened to per-user API paths: needs which paths are personal",
    ),
    (
        "rd20-ingress-nginx-forwarded-headers",
        "ingress-nginx use-forwarded-headers behind a load balancer that sets none",
    ),
    (
        "re01-qa-proxy-user-cas",
        "user certificate authorities moved from debug-overrides into the base network security config",
    ),
    (
        "re08-electron-env-module",
        "an Electron isDev derived from NODE_ENV, which packaged apps never set",
    ),
    (
        "re12-axios-global-auth-header",
        "a bearer token set on axios's global defaults, which third-party calls share",
    ),
    (
        "re14-shared-snakecase-decoder",
        "a shared JSONDecoder given convertFromSnakeCase while models keep snake_case CodingKeys",
    ),
    (
        "rf07-opsctl-env-config",
        "an env helper that reads unset as true now defaults --insecure",
    ),
    (
        "rf11-stale-users-queryset",
        "filter(last_login__lt) turned into exclude(last_login__gte), which also picks NULLs",
    ),
    (
        "rf14-reissue-invoices-skip-notifications",
        "an optional flag whose default keeps the old behaviour, under 'behaviour is unchanged'",
    ),
    (
        "rf17-search-reindex-slack-progress",
        "a URL with embedded credentials posted to Slack",
    ),
    (
        "rf18-payout-recon-decimal",
        "a read-only report's ledger amounts changed from units to cents: read as a contract change",
    ),
    (
        "rf19-purge-audit-events",
        "audit events added to a 30-day purge",
    ),
    (
        "rg02-dbt-ci-per-pr-schema",
        "a dbt macro that drops per-PR CI schemas behind a target guard: read as a table drop",
    ),
    (
        "rg03-settlement-loader-resilient",
        "a loader that swallows missing and malformed files into an empty frame: the swallowed error is spread over several except arms",
    ),
    (
        "rg05-looker-service-role",
        "a grant on all tables of the marts schema to a new read-only role: schema-wide grants are flagged whatever the schema",
    ),
    (
        "rg07-fct-orders-incremental-pruning",
        "a dbt incremental predicate moved to a column late refunds do not update: needs what the model means",
    ),
    (
        "rg09-erasure-targets-yaml",
        "an erasure target list moved from Python to YAML with one entry dropped across files",
    ),
    (
        "rg15-loyaltyplus-feed-consent-in-dim",
        "an export whose column whitelist is removed: needs that the frame holds personal data",
    ),
    (
        "rh04-token-cache-early-refresh",
        "a token cache's early return rewritten with a refresh skew: read as the guard removed",
    ),
    (
        "rh10-disable-ratelimit-in-tests",
        "a rate-limit switch defaulting on, off only in the test profile: read as a behaviour change under 'unchanged'",
    ),
    (
        "rh19-inventory-repo-early-returns",
        "an early return that skips client.release(): needs resource pairing",
    ),
    (
        "ri08-tag-keys-pascalcase",
        "a tag key's case changed while the backup selection still matches the old case",
    ),
    (
        "ri14-alb-listeners-for-each",
        "an HTTP listener folded into a for_each that forwards instead of redirecting to HTTPS",
    ),
    (
        "ri20-cdk-alarm-helper",
        "an alarm helper that treats missing data as not breaching, for a heartbeat alarm",
    ),
    (
        "rj06-angular-youtube-embed",
        "bypassSecurityTrustResourceUrl on a URL built from a fixed prefix and a validated id",
    ),
    (
        "rj07-drop-axios-fetch-wrapper",
        "fetch replacing axios without checking res.ok: needs the library's failure semantics",
    ),
    (
        "rj10-remove-dev-auth-bypass",
        "a dev-only fake-admin branch removed: its role list read as an auth check removed",
    ),
    (
        "rj11-sw-stale-while-revalidate",
        "a service worker caching every same-origin GET, authenticated API responses included",
    ),
    (
        "rk01-jwt-parse-refactor",
        "a parse helper that reports expiry as a flag the middleware discards: needs the tuple's meaning",
    ),
    (
        "rk16-nest-public-decorator",
        "a public-path list replaced by a @Public decorator on the same routes: read as the guard changed",
    ),
    (
        "rl03-project-repo-tenant-helper",
        "a tenant-filter helper refactor whose archived flag becomes an empty filter: read as behaviour changed under 'refactor'",
    ),
    (
        "rm01-helm-securitycontext-values",
        "a Helm values key renamed on one side only: the template's `with` renders nothing",
    ),
    (
        "rm07-hpa-v2-migration",
        "an HPA averageValue of 70 (cores) for 70 % utilisation: two digits, below the bare-quantity threshold",
    ),
    (
        "rm19-audit-policy-drop-reads",
        "an audit policy whose first-match None rule now shadows the Secrets rule: needs rule order",
    ),
    (
        "rn04-fastapi-return-annotations",
        "a FastAPI return annotation that becomes the response model and serialises secrets",
    ),
    (
        "rn05-attachments-original-filenames",
        "an upload path built from the client's original filename: StringUtils.cleanPath read as cleaning",
    ),
    (
        "rn07-kotlin-unify-okhttp-clients",
        "a payment client moved onto a shared client whose interceptor retries every method",
    ),
    (
        "rn09-cross-org-404",
        "an explicit cross-org 403 replaced by an org-scoped query that returns 404: read as the guard removed",
    ),
    (
        "rn10-invoice-pdf-service-cache",
        "an ownership check dropped when the lookup moved into a service: the new lookup takes no customer",
    ),
    (
        "rn14-supplier-dtos-to-records",
        "a DTO record that loses its @JsonProperty for next_cursor: pagination stops silently",
    ),
    (
        "rn17-shopify-webhook-ack-early",
        "a webhook acknowledged before it is processed, failures only logged",
    ),
    (
        "ro06-telemetry-flag-usage",
        "telemetry that records every changed flag's value, tokens included: needs what Visit visits",
    ),
    (
        "ro07-cli-entrypoint-error-tidy",
        "a CLI entry point that now exits 0 on errors: read as a tidy with conditions changed",
    ),
    (
        "ro08-telemetry-swallow-errors",
        "a best-effort telemetry ping that no longer throws: read as a guard removed",
    ),
    (
        "ro09-config-group-tls-settings",
        "a TLS settings regrouping whose new default skips verification",
    ),
    (
        "ro11-fmt-write-simplify",
        "a formatter that truncates the file before formatting can fail",
    ),
    (
        "ro14-credentials-profiles",
        "a credentials file no longer written with mode 0600 in a profile refactor",
    ),
    (
        "rp01-invoice-consumer-parallel",
        "auto-commit with a thread pool: offsets committed before the work is done",
    ),
    (
        "rp10-transfer-publisher-batching",
        "an async producer whose errors are swallowed while the outbox marks events published",
    ),
    (
        "rp11-ignore-statsd-errors",
        "a metrics error ignored after the work is committed: read as a swallowed error",
    ),
    (
        "rp15-rename-email-sender-service",
        "an application rename that changes the Kafka consumer group",
    ),
    (
        "rp18-ledger-publisher-key-balance",
        "a record key changed from account to event id: per-account ordering lost",
    ),
    (
        "rp19-sqs-consumer-failure-logging",
        "a shared consumer base class that logs raw message bodies holding reset tokens",
    ),
    (
        "rq01-invitation-accept-service",
        "an invitation service that permits the role parameter from the request",
    ),
    (
        "rq04-project-get-object-archived",
        "a get_object override that drops the organisation scope",
    ),
    (
        "rq06-async-impersonation-audit",
        "an impersonation audit write made asynchronous with a cancelled context",
    ),
    (
        "rq08-share-link-resolve-cache",
        "an LRU cache in front of share-link resolution that ignores revocation",
    ),
    (
        "rq11-audit-events-composite-index",
        "a non-concurrent composite index on the audit events table",
    ),
    (
        "rq13-webhook-member-serializer",
        "a webhook payload shape changed for consumers",
    ),
    (
        "rq15-scim-delete-idempotent",
        "a SCIM delete that catches everything and answers 204",
    ),
    (
        "rq17-autojoin-subdomains",
        "an exact domain match turned into HasSuffix for auto-join",
    ),
    (
        "rr01-env-bool-helper",
        "an env bool helper that reads 'false' as true",
    ),
    (
        "rr06-pydantic-settings-v2",
        "a settings env prefix that makes the JWT secret fall back to its dev default",
    ),
    (
        "rr11-maphash-bucketing",
        "a per-process maphash seed that makes rollout buckets unstable",
    ),
    (
        "rr12-launchdarkly-client-id-in-env",
        "an .env.production holding only a public client id: read as a committed secrets file",
    ),
    (
        "rr13-logging-noise-reduction",
        "an audit logger that inherits WARNING and drops INFO audit events",
    ),
    (
        "rr15-flags-admin-support-view",
        "a mutation route that lost its admin-only check in a router-level refactor",
    ),
    (
        "rr19-secrets-retry-and-version-logging",
        "a log line that includes a fetched secret's SecretString",
    ),
    (
        "rs06-merge-spring-profiles",
        "Round 22 (blind). A multi-document Spring YAML whose prod document inherits create-drop from the default document: the danger is in which document a key sits in, and the engine reads keys, not document inheritance.",
    ),
    (
        "rs11-unify-next-runtime-config",
        "Round 22 (blind). A secret moved into Next.js publicRuntimeConfig through a shared config object: where the object ends up (the browser bundle) is framework knowledge the engine does not model.",
    ),
    (
        "rs13-json-stdout-logging",
        "Round 22 (blind). A logback appender deleted while the audit logger still names it: the loss is the events a named logger no longer writes, which needs the logging framework's wiring.",
    ),
    (
        "rs15-sync-production-rb-template",
        "Round 22 (blind). Rails production storage moved to :local in a template sync: which storage service is durable is product knowledge, not a pattern.",
    ),
    (
        "rs17-partner-webhook-snake-case",
        "Round 22 (blind). Jackson's global naming strategy switched to SNAKE_CASE: every response's field names change, which needs knowing the setting is global and the clients are external.",
    ),
    (
        "rt03-export-on-behalf",
        "Round 22 (blind). A query parameter that selects whose data to export, on a handler also mounted for customers: the missing check is about who may name another user, which needs the routes.",
    ),
    (
        "rt05-rename-ssn-national-id",
        "Round 22 (blind). A Go field rename (SSN to NationalID) reads as redaction-list entries removed; the struct tags and the redaction by tag are unchanged.",
    ),
    (
        "rt08-staging-anonymise-tokens",
        "Round 22 (blind). An anonymisation script for a staging snapshot updates and truncates whole tables on purpose; the engine does not trust a path name to say where a script runs.",
    ),
    (
        "rt09-batch-retention-purge",
        "Round 22 (blind). A purge rewritten in batches lost its legal-hold condition: comparing a rewritten SQL statement's predicates across a restructured job is beyond the line-level SQL checks.",
    ),
    (
        "rt11-fluentbit-ingress-split",
        "Round 22 (blind). Fluent Bit records re-tagged so the redaction filter's match no longer covers them: tag routing across sections is not modelled.",
    ),
    (
        "rt12-keyring-decrypt-first",
        "Round 22 (blind). A decrypt that accepts a second key format reads as a format guard removed; the old format is still handled in the new branch.",
    ),
    (
        "rt19-drop-customer-summary-dto",
        "Round 22 (blind). A controller returns the entity instead of its DTO: which fields the entity exposes is in another file's annotations.",
    ),
    (
        "ru01-in-app-link-windows",
        "Round 22 (blind). Electron windows opened for links get the privileged preload: the danger is in what the window options inherit, which needs Electron's model.",
    ),
    (
        "ru02-drop-default-webprefs",
        "Round 22 (blind). Removing Electron webPreferences that equal the defaults, with a devDependency bump, under a spelling title: the bump is read as a behavioural difference of a no-change claim.",
    ),
    (
        "ru04-workspace-ipc-absolute-paths",
        "Round 22 (blind). A path resolver now returns absolute paths unchanged: the escape from the workspace is a property of the callers, not of the new branch.",
    ),
    (
        "ru12-xpc-helper-requirement",
        "Round 22 (blind). A macOS code-signing requirement string lost its team-identifier clause: the requirement language is not parsed.",
    ),
    (
        "ru14-reset-local-data-appdata",
        "Round 22 (blind). A reset deletes app.getPath('appData'), the parent of every app's data: knowing that path is shared needs Electron's path semantics.",
    ),
    (
        "ru15-protocol-handle-migration",
        "Round 22 (blind). A protocol-handler port keeps its containment check written another way (path.relative); the prefix rule sees the separator-ended prefix test go.",
    ),
    (
        "ru16-storekit-unverified-entitlements",
        "Round 22 (blind). StoreKit's .unverified case now returns its payload: the enum case's meaning (a failed JWS check) is Apple-specific.",
    ),
    (
        "ru18-ipc-tracing-support-bundle",
        "Round 22 (blind). A tracing wrapper logs every IPC argument, passwords included: which channels carry credentials is in other files.",
    ),
    (
        "rv08-tarfile-data-filter",
        "Round 22 (blind). A hand-written tar member check replaced by Python's filter='data': the library option performs the removed check, which the engine does not know.",
    ),
    (
        "rv11-feedparser-parse-options",
        "Round 22 (blind). An XML parser's doctype feature now set only on one branch of a new option: the XXE exposure depends on the default of the new option.",
    ),
    (
        "rv19-tsup-build-switch",
        "Round 22 (blind). A build-tool switch drops the CommonJS output in a minor release: which formats the package promises is in package.json exports and the old tool's config.",
    ),
    (
        "rw07-shopify-admin-client-helper",
        "Round 23 (blind). A Shopify helper takes the shop from the query string and loads that shop's token: whose session a request may use needs the app's authentication model.",
    ),
    (
        "rw09-nginx-fastcgi-cache-maps",
        "Round 23 (blind). An nginx cache-bypass regex anchored with `$` so trailing-slash cart URLs are cached: the exact URLs the shop serves are not in the change.",
    ),
    (
        "rw11-order-state-on-hold",
        "Round 23 (blind). A state machine's lookup now allows any transition from states missing in the table: the missing keys are data, not code the comparison reads.",
    ),
    (
        "rw15-ci-composite-laravel-prepare",
        "Round 23 (blind). A shared composite action runs `migrate:fresh` and a deploy workflow calls it: following the action into the production job is beyond the pipeline checks.",
    ),
    (
        "rx05-feature-range-backfill",
        "Round 23 (blind). A backfill's DELETE lost its upper date bound inside a restructured job: SQL predicates across a rewrite are not compared.",
    ),
    (
        "rx15-pydantic-settings-migration",
        "Round 23 (blind). A settings migration flips an audit flag's default from true to False across two forms (os.getenv string, pydantic field): the defaults are not compared across forms.",
    ),
    (
        "rx17-flask-per-request-model-version",
        "Round 23 (blind). A request value becomes a file path that joblib loads: the taint from the request to the unpickling call crosses functions.",
    ),
    (
        "ry05-azuread-config-tidy",
        "Round 23 (blind). An Entra ID tenant set to `organizations` accepts any tenant's tokens: the meaning of that value is identity-provider knowledge.",
    ),
    (
        "ry07-outbox-claim-batches",
        "Round 23 (blind). An outbox marks messages dispatched before publishing them: the order of two writes across a batch is not compared.",
    ),
    (
        "ry12-portal-startup-diagnostics",
        "Round 23 (blind). A production web.config sets ASPNETCORE_ENVIRONMENT to Development: read as a logging flag change, not as the environment switch it is.",
    ),
    (
        "ry13-discount-percent-int",
        "Round 23 (blind). A field changed to int makes a percentage overload use integer division: overload resolution needs types.",
    ),
    (
        "ry14-jwt-setup-extension",
        "Round 23 (blind). JWT validation moved into an extension method in another file: the issuer check is there, written as the library's option.",
    ),
    (
        "ry15-drop-newtonsoft-formatter",
        "Round 23 (blind). System.Text.Json ignores Newtonsoft's [JsonProperty] names: which serializer reads which attribute is framework knowledge.",
    ),
    (
        "ry17-audit-only-changed-columns",
        "Round 23 (blind). An audit interceptor that records only changed columns skips deletes: the filter's effect on the Deleted state needs EF's model.",
    ),
    (
        "rz03-iptables-allow-helper",
        "Round 23 (blind). A renamed shell variable leaves the SSH rule's source empty, opening it to everyone: an unset variable's effect on an iptables argument is not traced.",
    ),
    (
        "rz11-certbot-deploy-hook-dir",
        "Round 23 (blind). A certbot hook installed without the executable bit never runs: the tool's rule about executable hooks is not modelled.",
    ),
    (
        "sa07-fastapi-pydantic-v2-transfers",
        "Round 24 (blind), missed: The v1 Money type was condecimal(gt=0); the v2 Annotated version keeps max_digits and decimal_places but drops gt=0. A negative amount now passes the 'available_balance < amount' check and the handler moves money from the destination account into the caller's account, which is theft from any account whose ID is known.",
    ),
    (
        "sa13-laravel-invitation-routes-group",
        "Round 24 (blind), missed: Moving the accept route into the Route::controller group dropped ->middleware('signed'). accept() does not check that the invitee's email matches, so any signed-in user can join any team, at the invited role and possibly admin, by calling /invitations/{id}/accept with guessed sequential IDs.",
    ),
    (
        "sb07-payments-okhttp-retry-interceptor",
        "Round 24 (blind), missed: The new interceptor retries every method on IOException, including SocketTimeoutException after the request body was sent. createCharge is a POST with no idempotency key, so a PSP that charged the card but answered slowly gets a second identical charge, which means duplicate charges for customers.",
    ),
    (
        "sb11-wal-sync-error-logged",
        "Round 24 (blind), missed: A failed sync_data is now logged and counted, and append() still returns Ok(lsn), so the ingest path acks writes that never reached disk. After an fsync error the page cache state is undefined, so disk-full or EIO conditions silently lose acknowledged data on crash.",
    ),
    (
        "sb13-entitlements-client-fail-open",
        "Round 24 (blind), missed: When the entitlements service times out or returns an error, HasFeatureAsync now returns options.FailOpen, which defaults to true. Every tenant, including free and suspended ones, then passes the FeatureRequirement policy for paid or admin-only features. An outage or a slow upstream is enough to widen access.",
    ),
    (
        "sb14-stripe-transfer-idempotent-retry",
        "Round 24 (blind), false alarm: Retrying a money-moving POST looks risky, but every attempt sends the same Idempotency-Key, built from the payout's own id before the loop, and Stripe returns the original transfer for a repeated key instead of creating a new one. 4xx errors are not retried, and attempts are capped at 3.",
    ),
    (
        "sb17-http-session-drop-timeout-adapter",
        "Round 24 (blind), missed: The removed TimeoutHTTPAdapter was the only thing applying a default timeout. requests ignores a `timeout` attribute on Session, so every caller of build_session that doesn't pass timeout= now blocks forever on a stalled upstream. One slow dependency can tie up every gunicorn/Celery worker that shares this helper.",
    ),
    (
        "sc03-prune-backups-shared-config",
        "Round 24 (blind), missed: The variable was renamed BACKUP_ROOT -> BACKUP_DIR everywhere except the `find ... -delete` line; with no `set -u`, \"$BACKUP_ROOT/\" expands to \"/\" and the root cron job deletes every file on the host older than RETENTION_DAYS, while the logs still print the correct directory.",
    ),
    (
        "sc05-payments-recommended-labels",
        "Round 24 (blind), missed: The DB NetworkPolicy now selects pods by `app.kubernetes.io/name: payments-db`, but the StatefulSet only got that label on its own metadata, not on the pod template (pods still carry just `app: payments-db`). The policy selects no pods, so Postgres is no longer isolated by it and accepts connections from any pod in the cluster (or, if a namespace default-deny exists, the API and migrations lose DB access).",
    ),
    (
        "sc11-helm-values-platform-naming",
        "Round 24 (blind), missed: The template now reads `.Values.replicas`, but values-production.yaml still sets the old `replicaCount: 12` (only the podAnnotations key was migrated there). Helm silently ignores the stale key, so production checkout drops from 12 pods to the base default of 2 on the next deploy, with autoscaling disabled.",
    ),
    (
        "sc12-release-sh-safe-prune",
        "Round 24 (blind), false alarm: The rm -rf/force wording hides a hardening change: the same 'keep newest 5' pruning now runs under `set -u`, validates the version argument, quotes paths, uses `${RELEASES_DIR:?}` so it can never expand to `/`, skips the live `current` target, and downloads to a temp file so a failed curl no longer leaves a half-extracted release.",
    ),
    (
        "sc13-go-per-route-rate-limits",
        "Round 24 (blind), missed: `withLimit` constructs a fresh IPRateLimiter inside the per-request handler, so every request gets a brand-new bucket with a full burst and is always allowed: login and password-reset brute-force protection is gone. Each construction also starts a cleanup goroutine that never exits, so goroutines and memory leak with every request.",
    ),
    (
        "sc19-rollout-py-stream-output",
        "Round 24 (blind), missed: `kubectl()` now returns the exit code instead of using `check=True`, but callers still rely on `except CalledProcessError`, which can no longer be raised. A failed or timed-out `rollout status` is ignored: no automatic `rollout undo`, the script exits 0, and the pipeline tags the release as good while the broken version stays live.",
    ),
    (
        "sd06-pagerequest-validation",
        "Round 24 (blind), missed: Moving PageRequest to validate() dropped the MAX_PER_PAGE cap (there is no max rule and no min()), so every paginated endpoint in the API now accepts per_page=1000000. One request can make the database load and serialize whole tables, which is an easy memory and DB outage. It also silently changes the contract from clamping to a 422 for values that used to work.",
    ),
    (
        "sd07-billing-calendar-drop-account",
        "Round 24 (blind), missed: The Account was what supplied the customer's time zone. today() now uses the injected clock's zone (UTC in production), and the period boundary uses ZoneOffset.UTC, so renewals are decided and charged on the UTC date rather than the customer's local date. Customers west of UTC get billed up to a day early and those east of it late, which breaks the billing-period contract and shifts proration and invoice dates.",
    ),
    (
        "sd15-jackson-config-cleanup",
        "Round 24 (blind), missed: Removing the Long-to-string serializer changes every id in every service's JSON from \"1791234567890123456\" to a bare number. These are 64-bit snowflake ids, far above 2^53, so browser and Node clients silently round them and then load, update or delete the wrong record, and existing clients that expect strings break. This is a shared wire contract changed as a 'cleanup'.",
    ),
    (
        "se06-extract-user-session-manager",
        "Round 25 (blind), missed: The old code invalidated the pre-login session and created a fresh one; the new UserSessionManager.establish() reuses whatever session already exists and just adds USER_ID to it, so the session id is not rotated on login and a planted/known pre-login session id becomes authenticated (session fixation).",
    ),
    (
        "se08-mount-api-before-session-csrf",
        "Round 25 (blind), false alarm: The /api/v1 router authenticates only via the Authorization bearer API key (requireApiKey never reads cookies) and already skipped CSRF through the path check; mounting it before session/CSRF just makes that explicit and stops creating sessions for API calls, while every cookie-authenticated route still gets session + CSRF protection.",
    ),
    (
        "se12-trusted-device-time-limited-protector",
        "Round 25 (blind), missed: IsTrustedDevice now only checks that the cookie decrypts and hasn't expired; it ignores the userId it is given and never compares it to the protected payload, so a trusted-device cookie obtained on the attacker's own account skips the second factor for any account whose password the attacker has.",
    ),
    (
        "se18-saml-settings-from-env",
        "Round 25 (blind), missed: settings.json had \"strict\": true; the new builder reads SAML_STRICT with a default of false and only .env.example sets it, so production silently runs python3-saml in non-strict mode, which skips audience, destination, recipient, InResponseTo and NotOnOrAfter validation and lets replayed or other-SP assertions log users in.",
    ),
    (
        "sf03-invoice-amount-due-state-only",
        "Round 25 (blind), false alarm: Looks like a rename of a money column on the billing table with an empty database_operations list, but the model keeps db_column='total', so the DB column is untouched and the migration only updates Django's state. Every reference in the diff (aggregate, filter, payment comparison, balance) is updated consistently.",
    ),
    (
        "sf06-sqs-batch-delete",
        "Round 25 (blind), missed: The message is appended to `done` in a finally block, so messages whose handler raised are deleted along with the successful ones. Failed invoice events never get retried or redriven to the DLQ; they are logged once and lost.",
    ),
    (
        "sf12-export-derive-columns",
        "Round 25 (blind), missed: Switching from explicit column allowlists to klass.column_names puts every users column into the CSV that account admins download, including encrypted_password, reset_password_token, otp_secret and api_token_digest. That exposes credentials and 2FA secrets of every user in the account.",
    ),
    (
        "sg13-tax-rate-cache-key",
        "Round 25 (blind), missed: The cache key is only country + tax category, but the underlying lookup depends on region and postal code. The first US/Canadian address looked up in an hour fixes the rate for every other state/province in that country, so customers are charged the wrong sales tax for up to an hour at a time.",
    ),
    (
        "sg15-wallet-saturating-debit",
        "Round 25 (blind), missed: debit() switched from checked_sub(...).ok_or(InsufficientFunds) to saturating_sub, so a debit larger than the balance no longer fails: it clamps the balance to zero, returns Ok and records the full debit entry. Customers can spend more than they hold and the wallet balance no longer matches the sum of its entries.",
    ),
    (
        "sg20-remove-previous-webhook-secret",
        "Round 25 (blind), false alarm: Signature verification is not loosened: the handler still rejects any event that fails constructEvent, it just stops also accepting signatures made with the old, already-expired signing secret. Stripe signs only with the current secret once the roll window ends, so no legitimate event depends on the removed fallback; the env var, config field and Helm secret reference are removed together.",
    ),
    (
        "sh13-haproxy-cloudflare-real-ip",
        "Round 25 (blind), missed: set-src takes the FIRST X-Forwarded-For entry, which is whatever the client sent (Cloudflare appends the real IP at the end), and the admin allowlist ACL is based on src; anyone can now reach /admin and /internal by sending X-Forwarded-For with an office IP.",
    ),
    (
        "sh15-keysync-preserve-keys",
        "Round 25 (blind), missed: Merging the current authorized_keys with the GitHub list means keys are only ever added, never removed: when someone leaves the SRE team or rotates a compromised key, the old key keeps working on the production bastion indefinitely, breaking offboarding/revocation.",
    ),
    (
        "sh17-shared-security-headers",
        "Round 25 (blind), missed: The extracted middleware sets reportOnly unless CSP_REPORT_ONLY is explicitly \"false\", and nothing sets that variable, so production switches from an enforced Content-Security-Policy to Content-Security-Policy-Report-Only; the nonce-based script policy no longer blocks injected scripts.",
    ),
    (
        "sh18-remove-legacy-log-shipper",
        "Round 25 (blind), false alarm: The whole component is deleted together (DaemonSet, ServiceAccount, ClusterRole, ClusterRoleBinding and its kustomization entry), so nothing is left referencing the removed role; fluent-bit, which already ships the same container logs, stays in the kustomization. Deleting unused cluster-wide RBAC reduces access.",
    ),
    (
        "sh19-mesh-retry-defaults",
        "Round 25 (blind), missed: Payments had retries explicitly disabled (attempts: 0); after the dedupe it inherits 3 attempts on 5xx/reset/gateway-error with a 2s per-try timeout, so Envoy will re-send non-idempotent POST /v1/charges requests that already reached the backend, producing duplicate charges.",
    ),
    (
        "si06-rabbit-consumer-error-handling",
        "The two catch blocks are merged into one that always calls basicNack with requeue=true. Permanent failures such as malformed JSON or validation errors used to be nacked with requeue=false and sent to the configured dead-letter exchange. Now they go back on the queue forever: a poison message is redelivered in a tight loop, hammers the DB, blocks the consumer's prefetch, and never reaches the DLQ where someone would see it.",
    ),
    (
        "si09-account-status-circuit-breaker",
        "The circuit breaker fallback returns AccountStatus.ACTIVE whenever the compliance service errors, times out, or the breaker is open. The payout guard then treats suspended, sanctions-frozen and fraud-locked accounts as active and lets their payouts through. This fails open on a compliance control, and anyone who can degrade the status service, or just wait for an outage, can move money out of blocked accounts.",
    ),
    (
        "si11-wallet-concurrency-helper",
        "The old loop reloaded the wallet and re-checked the balance after a concurrency conflict. The new helper copies the database values into OriginalValues and saves again, which is 'client wins': the stale Balance computed from the old read overwrites the concurrent update. Two simultaneous debits both succeed, and one of them disappears from the balance (double spend), with the insufficient-funds check skipped.",
    ),
    (
        "si15-gateway-error-context",
        "GatewayError now carries the full request payload, which includes the raw card number, CVC and expiry, both as `context.request` and JSON-serialised into the error message. Errors are logged and sent to Sentry by the global handler, so full PANs and CVVs will end up in logs and a third-party error tracker. That is a PCI DSS violation and a card-data leak.",
    ),
    (
        "sj07-verdaccio-storage-values",
        "The templates now read .Values.storage.*, but the prod values file still sets persistence.enabled; on the next helm upgrade storage.enabled defaults to false, so Helm deletes the PVC it previously rendered (dynamic PV, reclaim Delete) and the registry comes up on emptyDir, destroying every privately published package.",
    ),
    (
        "sj13-cronjob-retry-defaults",
        "charge-renewals now retries up to 3 times with restartPolicy OnFailure, but the job charges every due subscription and only advances renews_on after the whole loop; a crash or OOM mid-run restarts from scratch and charges the already-billed customers again.",
    ),
    (
        "sj14-remove-tax-engine-flag",
        "The flag was enabled at 100% with no deny list or segments, so every request already took the TaxCalc v2 path; the deleted branch was dead code and the legacy path was never used as an error fallback, so removing it changes no runtime behaviour.",
    ),
    (
        "sj19-applicationset-region-selector",
        "The staging ApplicationSet now selects clusters by region instead of env: staging, so it also matches prod-use1 and prod-euw1; it will create auto-synced (prune+selfHeal) apps deploying the staging overlay from main into the production payments namespace, overwriting prod.",
    ),
    (
        "sk09-go-cookie-secure-local-dev",
        "Secure is now `r.TLS != nil`, but the server only ever does ListenAndServe on plain :8080 behind the TLS-terminating load balancer, so r.TLS is nil for every production request and session and CSRF cookies lose the Secure flag everywhere — they will be sent over any http:// request and can be sniffed or injected by a network attacker.",
    ),
    (
        "sk13-kotlin-keep-original-filenames",
        "The client-supplied originalFilename is passed straight to Path.resolve and written with REPLACE_EXISTING: `../../other-tenant/...` or an absolute path escapes the tenant directory (arbitrary file write), and two uploads with the same name silently overwrite each other's attachments.",
    ),
    (
        "sk18-twig-markdown-bio",
        "The new `markdown` Twig filter is declared is_safe html, so autoescaping is turned off for bios, and Parsedown is used without setSafeMode(true): raw HTML such as <img onerror> or <script> and javascript: links in a bio are emitted verbatim — stored XSS on public profile pages.",
    ),
    (
        "sl13-unbilled-usage-not-in",
        "NOT EXISTS was rewritten as `u.id NOT IN (SELECT il.usage_event_id FROM invoice_lines il)`, but usage_event_id is nullable and flat-fee lines are inserted with NULL; once any such row exists NOT IN yields NULL for every row, the query returns nothing, and usage is silently never invoiced (revenue loss with no error).",
    ),
    (
        "sl19-remove-user-response-dto",
        "The controller now serializes the JPA User entity directly, and the entity has no @JsonIgnore on passwordHash, totpSecret or failedLoginCount, so GET /api/users/{id} and /api/users/me start returning password hashes and MFA secrets to any caller; the DTO was the allow-list that kept them out.",
    ),
    (
        "sm07-type-auth-middleware",
        "Pure typing change in auth code: the jose verification options (issuer, audience, RS256) are untouched, the same 401/403 responses are sent on the same conditions, and `return res.status()` vs `res.status(); return` is equivalent in Express.",
    ),
    (
        "sm08-billing-money-type-hints",
        "The 'type hints' refactor drops the zero-decimal currency table and hardcodes a factor of 100, so JPY, KRW, VND etc. are now sent to the PSP as 100x the real amount (a 1,000 JPY order is charged 100,000 JPY) and split/format are wrong for them too.",
    ),
    (
        "sm09-harden-clean-build-cache",
        "Despite the rm -rf/force-delete wording, the change makes deletion strictly safer: quoted paths, ${CACHE_ROOT:?} guards, set -euo pipefail, NUL-safe find, an early exit when the cache dir is missing and a dry-run mode; everything removed is still confined to the cache directory.",
    ),
    (
        "sm12-retention-batched-purge",
        "The new batched DELETE no longer filters on tenant_id, so purging any tenant deletes every tenant's audit events older than that tenant's cutoff; the tenant with the shortest retention wipes everyone else's audit history (data loss and compliance breach).",
    ),
    (
        "sn02-drf-org-scoped-mixin",
        "The mixin is listed after ModelViewSet, so GenericAPIView.get_queryset wins the MRO and the mixin's org filter never runs; list/retrieve/update/delete now operate on every organization's folders and documents (IsOrgMember only checks that the user belongs to some org).",
    ),
    (
        "sn10-stripe-webhook-registry-swallow",
        "The refactor wraps handler execution in a blanket except Exception that only logs and still returns 200, so when fulfilment fails (DB error, missing order) Stripe treats the event as delivered and never retries; paid orders silently stay unfulfilled.",
    ),
    (
        "sn12-migration-delete-inactive-users",
        "An irreversible data migration hard-deletes every user with last_login NULL on deploy; that includes real customers (invited/SSO/API-only users, recent signups) and cascades to their related rows, with no backup, dry run or reverse.",
    ),
    (
        "so05-audit-request-context",
        "The audit write now runs in a goroutine using a context derived from r.Context(), which is cancelled as soon as the handler returns, so audit records for money transfers are routinely dropped with 'context canceled' (use context.WithoutCancel or a detached context).",
    ),
    (
        "so10-price-cache-drop-mutex",
        "The cache map is shared by all concurrent request handlers; without the lock, concurrent Set/Purge/Get on a Go map triggers 'fatal error: concurrent map writes' which crashes the whole process (and is a data race even when it doesn't).",
    ),
    (
        "so11-psp-client-retries",
        "The retry middleware wraps the whole client, including the non-idempotent POST /v1/charges, and it retries on timeouts and 5xx where the PSP may already have captured the charge; with no Idempotency-Key header this can charge customers twice.",
    ),
    (
        "so20-delete-user-by-id",
        "The handler now deletes whatever user id is in the path and ignores the authenticated caller (`_auth`), with no ownership or support-role check, so any logged-in user can delete any other user's account and sessions.",
    ),
    (
        "sp01-axios-retry-payments",
        "The new interceptor retries every method, including POST /payments/charges and refunds, on timeouts and 5xx with no idempotency key; a charge that succeeded server-side but timed out (now sooner, since the 45s override was removed) is re-submitted up to 3 times, double-charging customers.",
    ),
    (
        "sp06-stripe-webhook-raw-body",
        "Signature verification is preserved: the webhook route is now registered before the global express.json(), gets the untouched Buffer via express.raw, and still passes it with the stripe-signature header to constructEvent and rejects on failure; the change only removes a global hook that copied every request body.",
    ),
    (
        "sr07-reuse-userdto-for-update",
        "PUT /api/users/me now binds UserDto and AutoMapper copies every matching property onto the entity, including Role, IsEmailVerified and Email, so any logged-in user can make themselves Admin or mark an unverified email as verified (mass assignment / privilege escalation).",
    ),
    (
        "sr15-return-user-entity",
        "Serializing the JPA entity instead of the response DTO exposes every field to the client, including passwordHash, totpSecret and failedLoginAttempts, and ties the public API contract to the database model.",
    ),
    (
        "sr17-shared-objectmapper-bean",
        "Declaring a plain `new ObjectMapper()` @Bean makes Spring Boot's JacksonAutoConfiguration back off, so the REST API now uses it too: dates serialize as numeric timestamps (in the Kafka events as well, which previously disabled that), unknown request fields cause 400s, and the spring.jackson.* settings (non_null inclusion, date format) are ignored - a silent breaking change to the public JSON contract.",
    ),
    (
        "ss14-drop-redundant-csrf-config",
        "The app is on config.load_defaults 7.1, which already sets default_protect_from_forgery (ActionController::Base gets protect_from_forgery with: :exception), per_form_csrf_tokens, forgery_protection_origin_check and belongs_to_required_by_default to true; removing the explicit copies leaves CSRF protection and validations exactly as they were.",
    ),
    (
        "su01-split-token-generators",
        "The new _make_hash_value no longer mixes in user.password or last_login, so a password-reset link keeps working after it has been used and after the password changes, for the whole PASSWORD_RESET_TIMEOUT. A leaked or old reset email becomes an account-takeover link, and the test that covered this was swapped out.",
    ),
    (
        "su14-nginx-healthz-auth-off",
        "auth_basic off applies only to the exact-match location = /healthz, which returns a static 200 from nginx and never proxies to the admin app. Every other path still goes through location / with basic auth. The k8s probe just switches from a TCP check to that endpoint.",
    ),
    (
        "su15-consolidate-saml-settings",
        "The shared base file was copied from development.json and has \"strict\": false. The loader only calls setdefault('strict', True), which does not override an existing false, so production now runs python3-saml in non-strict mode. That turns off audience, issuer, destination, InResponseTo and NotOnOrAfter validation, so a signed assertion meant for another SP, or a captured expired one, can be replayed to log in.",
    ),
    (
        "sv07-proration-calculator",
        "unused_fraction is now Integer / Integer (remaining_days / total_days), which is 0 for every mid-cycle change, so upgrades are charged nothing and downgrades credit nothing; the new spec only checks the first day of the period, where the fraction happens to be 1.",
    ),
    (
        "sv18-acquirer-request-logging",
        "The full AuthorizationRequest is serialized into INFO logs, including the card PAN, CVC and expiry, which puts cardholder data into the log pipeline and is a straightforward PCI DSS violation.",
    ),
    (
        "sw11-gitlab-python-job-template",
        "allow_failure: true, which was meant only for the lint job's mypy rollout, moved into the shared template that the test job now extends; failing pytest runs become warnings, the pipeline stays green, and build + deploy_production run on main with broken code.",
    ),
    (
        "sx08-invoice-run-batched-helper",
        "batched() pages with OFFSET over a queryset whose filter (next_invoice_date <= run_date) stops matching each subscription once it is invoiced, so every page after the first skips a full batch; the monthly run silently leaves roughly half of due subscriptions uninvoiced.",
    ),
    (
        "sy02-move-jwt-alg-iss",
        "Round 30 (blind), false alarm: The manual signing-method type assertion and the issuer/audience checks are replaced by golang-jwt v5 parser options that enforce the same things (stricter: only HS256 instead of any HMAC, and exp is now required; the service only ever issues HS256 tokens with exp). The only caller is updated for the rename and new tests cover the rejected algorithms.",
    ),
    (
        "sy07-cache-verified-auth-contexts",
        "Round 30 (blind), missed: The cache is consulted with claims taken from jwt.decode (unverified) before any signature check and is keyed only by sub+iat. Anyone who knows a user id and roughly when they logged in can send an unsigned/forged token with those two claims and is handed the victim's cached auth context (org, roles) without verification.",
    ),
    (
        "sy09-serialize-store-user-directly",
        "Round 30 (blind), missed: store.User also carries PasswordHash and TOTPSecret without json tags, and encoding/json serializes untagged exported fields under their Go names. GET /v1/me and, worse, GET /v1/org/users (open to every org member) now return every colleague's password hash and TOTP seed.",
    ),
    (
        "sy15-manage-ingest-lifecycle-errgroup",
        "Round 30 (blind), missed: The shutdown context is now derived from the group ctx, which is already cancelled when shutdown starts, so srv.Shutdown returns context.Canceled at once (in-flight requests cut off) and Close is never reached. Batcher.Run also exits on ctx.Done and flushes with that cancelled ctx, so CopyFrom fails: every deploy drops the buffered audit events that clients already got a 202 for.",
    ),
    (
        "sy17-consolidate-stripe-amount-conversion",
        "Round 30 (blind), missed: The shared helper always multiplies by 100, dropping the zero-decimal handling that checkout relied on. JPY is a supported checkout currency and Stripe takes JPY amounts in whole yen, so a 1,500 yen cart is now charged 150,000 yen (and refunds are scaled the same way).",
    ),
    (
        "sy19-allow-sorting-orders-any",
        "Round 30 (blind), missed: Unknown sort keys are now interpolated into ORDER BY after only rejecting spaces, semicolons and quotes. Expressions need none of those, e.g. sort=id,(select/**/case/**/when(...)then/**/1/**/else/**/1/0/**/end), so the sort query parameter is a blind SQL injection that can read other tenants' data; the test only checks the characters that are blocked.",
    ),
    (
        "sz17-render-comments-marked-instead",
        "Round 30 (blind), missed: markdown-it was configured with html: false, so raw HTML in comments was escaped; marked passes raw HTML through and does not sanitise, and the output goes straight into v-html, so any user can post a comment like <img src=x onerror=...> and run script in every viewer's session (stored XSS).",
    ),
    (
        "sz20-move-response-headers-out",
        "Round 30 (blind), missed: Next.js applies header rules in order and the last matching rule wins for the same key; the new list puts the global `frame-ancestors 'self'` CSP after the /shopify override, so the embedded app can no longer be framed by Shopify admin and the whole Shopify integration breaks.",
    ),
    (
        "ta03-refactor-pg-backup-retention",
        "Round 30 (blind), missed: The WAL prune call uses $WAL_ARCHIVE_DIR but the variable defined is WAL_ARCHIVE; without set -u it expands to empty, so the generic helper runs `find / -mindepth 1 -mtime +7 -delete` as root every night and wipes the host (the helper also dropped the old -maxdepth/-name guards).",
    ),
    (
        "ta11-harden-ledger-api-systemd",
        "Round 30 (blind), missed: ProtectSystem=strict makes the whole filesystem read-only except ReadWritePaths, which lists /var/lib/ledger and /var/log/ledger, but the service writes its data and spool to /srv/ledger (LEDGER_DATA_DIR / LEDGER_SPOOL_DIR); on the next restart every write fails with EROFS and the ledger API goes down.",
    ),
    (
        "ta13-stop-admin-acl-blocking",
        "Round 30 (blind), missed: `path /admin /admin/` is an exact match, so the office-only deny now applies only to those two literal URLs; /admin/users, /admin/refunds and every other back-office page become reachable from the internet. The correct fix was path_beg /admin/ (plus path /admin).",
    ),
    (
        "tb07-generic-get-or-404",
        "Round 30 (blind), missed: The removed _get_invoice scoped the lookup to Invoice.account_id == user.account_id; get_or_404 does a bare db.get by primary key, so any authenticated user can read, edit and list lines of any other tenant's invoice by ID (IDOR).",
    ),
    (
        "tb13-django-s-url-has",
        "Round 30 (blind), false alarm: The hand-written is_safe_redirect (which missed backslash and control-character tricks like /\\evil.com) is replaced by Django's url_has_allowed_host_and_scheme with the request host and require_https; every call site is updated to the new helper, so redirect validation only gets stricter.",
    ),
    (
        "tb16-move-test-tooling-out",
        "Round 30 (blind), missed: redis is removed from [project.dependencies] on the assumption fakeredis pulls it in, but fakeredis now only lives in the dev extra while notify.ratelimit imports redis at runtime; the production image (pip install . without extras) will fail at startup with ModuleNotFoundError.",
    ),
    (
        "tb18-accept-over-precise-top",
        "Round 30 (blind), missed: amount becomes a float and to_minor_units truncates with int(amount * 100), so e.g. 19.99 is charged as 1998 cents and 0.29-style amounts lose a cent, while the wallet is credited Decimal(str(amount)) = 19.99; the service credits more than it charges on a large share of top-ups.",
    ),
    (
        "tb20-stop-invalidating-password-reset",
        "Round 30 (blind), missed: Dropping user.password (and last_login) from the reset token hash means a reset link stays valid after it has been used to set a new password, for the full 3-day PASSWORD_RESET_TIMEOUT; anyone who later obtains the link (mail forwarding, shared inbox, logs, Referer) can reset the password again.",
    ),
    (
        "tc09-bulk-delete-archived-projects",
        "Round 30 (blind), missed: bulkDestroy deletes `Project::whereIn('id', $ids)` without scoping to the current team or calling the delete policy, so any logged-in user can delete other teams' archived projects by posting their ids (IDOR leading to cross-tenant data loss).",
    ),
    (
        "td07-codeowners-require-platform-security",
        "Round 30 (blind), false alarm: Only adds owners: platform-security joins the existing owners of the IAM and workflow paths, and a new service directory gets its team. No line is removed or reordered, so nothing that was owned loses its owners; review rules only get stricter.",
    ),
    (
        "td12-data-export-reader-let",
        "Round 30 (blind), missed: The new trust statement uses Principal AWS \"*\" gated only by an sts:ExternalId value that is committed in the repo, so any principal in any AWS account can assume a role that reads the customer PII export bucket.",
    ),
    (
        "td20-vector-merge-checkout-java",
        "Round 30 (blind), missed: The new checkout pipeline (checkout_logs -> checkout_multiline) is wired straight into the Datadog and S3 sinks, bypassing parse_app and the redact transform, so checkout's logged Authorization/Cookie headers and card numbers are shipped unredacted to a third-party SaaS and the archive.",
    ),
    (
        "te03-make-account-purge-grace-period",
        "Round 31 (blind), missed: gracePeriod is a java.time.Duration bound from `grace-period: 30` with no unit and no @DurationUnit, so Spring Boot reads it as 30 milliseconds; the nightly job then hard-deletes every soft-deleted account immediately instead of after the 30-day restore window.",
    ),
    (
        "te04-purge-expired-password-reset-tokens",
        "Round 31 (blind), false alarm: The JPQL bulk delete uses the same predicate (expiresAt < now) as the derived findAllByExpiresAtBefore it replaces; the token entity has no associations, cascades or lifecycle callbacks that the bulk path would skip, and the job is still transactional.",
    ),
    (
        "te09-generate-team-invite-tokens-from",
        "Round 31 (blind), false alarm: Tokens go from a UUID string to 256 bits from SecureRandom encoded base64url, which is at least as strong; only the SHA-256 hash is stored (fixed 64-char column) and lookup hashes whatever the user presents, so existing outstanding invites keep working and no column or format check is affected.",
    ),
    (
        "te10-add-csv-export-for-monthly",
        "Round 31 (blind), missed: exportCsv is not annotated and calls buildReport on `this`, so the Spring proxy carrying @PreAuthorize (payroll:read + tenant access check) is bypassed; the new endpoint lets any authenticated user download any company's payroll (salaries, IBANs) by changing companyId.",
    ),
    (
        "tf01-require-authentication-by-default-in",
        "Round 31 (blind), false alarm: authenticate_user! moves into ApplicationController so every controller fails closed. The public actions (PagesController, ReportsController#shared) opt out explicitly, and the opt-out matches the old except: list exactly. Devise's helper does nothing inside Devise controllers, so the sign-in pages still work. Access control is unchanged.",
    ),
    (
        "tf05-publish-openapi-docs-for-the",
        "Round 31 (blind), missed: access_control paths are unanchored regex prefixes and the first match wins. `^/api/doc` also matches `/api/documents` and `/api/documents/{id}`, and the new rule sits above the `^/api` IS_AUTHENTICATED_FULLY rule. Anyone on the internet can now list and read every internal document without a JWT.",
    ),
    (
        "tf12-move-post-validation-and-authorization",
        "Round 31 (blind), false alarm: The inline authorize/cannot checks move into the FormRequests' authorize() methods. Laravel runs those automatically before the controller method whenever the request class is type-hinted, and a false return becomes a 403. The same policy abilities are checked against the same bound Post, and the validation rules are identical.",
    ),
    (
        "tf15-split-admin-routes-into-config",
        "Round 31 (blind), missed: Moving the routes put the Sidekiq::Web and Flipper UI mounts outside the `authenticate :user, ->(u) { u.admin? }` block. These engines have no authentication of their own, so after the change anyone can open /admin/sidekiq (see job arguments, delete or retry jobs) and /admin/flipper (turn feature flags on or off in production).",
    ),
    (
        "tf19-use-route-model-binding-and",
        "Round 31 (blind), missed: download() used to look the invoice up through the current team's invoices() relation, which was its only access check. It now gets an unscoped Invoice from route model binding and never calls authorize(), unlike show(). Any logged-in user can download any customer's invoice PDF by going through the sequential IDs at /invoices/{id}/pdf.",
    ),
    (
        "tg03-add-ledger-export-settings-and",
        "Round 31 (blind), missed: The prod overlay's JSON6902 `add` op targets /containers/0/env itself rather than /env/-; on an existing member `add` replaces the whole list, so prod pods lose DATABASE_URL, REDIS_URL, LEDGER_SIGNING_KEY etc. and crash-loop on rollout.",
    ),
    (
        "tg06-extract-orders-dynamodb-table-into",
        "Round 31 (blind), missed: Moving the Table under a new construct with child id 'Table' changes its CloudFormation logical ID (OrdersTable... -> OrdersTableTable...), so deploy creates a brand-new empty table and rewires TABLE_NAME/stream to it while the retained old table with all orders is orphaned — the API instantly loses every existing order.",
    ),
    (
        "tg09-add-google-search-console-verification",
        "Round 31 (blind), missed: Route 53 holds a single TXT record set per name, and the apex TXT set already holds the SPF record; the new resource with allow_overwrite = true UPSERTs over it, replacing SPF with only the verification string. With DMARC at p=reject, mail from acme.com (invoices, password resets) starts being rejected, and the two resources fight on every apply.",
    ),
    (
        "tg12-move-admin-console-service-to",
        "Round 31 (blind), missed: The template stops reading service.internal and now takes the scheme from service.scheme, whose chart default is internet-facing; the prod values file still only sets `internal: true` (now ignored), so the prod admin console NLB is re-created as internet-facing and exposed publicly.",
    ),
    (
        "tg16-encrypt-orders-database-at-rest",
        "Round 31 (blind), missed: StorageEncrypted and KmsKeyId are replacement-only properties of AWS::RDS::DBInstance: this stack update creates a brand-new, empty encrypted instance, repoints the SSM endpoint parameter the app reads to it and deletes the old one (leaving only a snapshot), so the service comes back against an empty database and new orders are split from all historical ones. Encrypting an existing instance requires a snapshot copy/restore cutover.",
    ),
    (
        "tg18-consolidate-vpc-ingress-firewall-rules",
        "Round 31 (blind), missed: The bastion entry moves its scoping from target_tags to target_service_accounts, but the for_each resource only wires target_tags (lookup returns null), so the 0.0.0.0/0:22 rule ends up with no target at all and applies to every VM in the VPC, exposing SSH on all instances to the internet.",
    ),
    (
        "tg20-let-the-reporting-export-function",
        "Round 31 (blind), missed: The server was private-endpoint-only; this enables its public endpoint and adds the 0.0.0.0-0.0.0.0 \"Allow Azure services\" rule, which admits connections from any Azure IP in any tenant, not just this Function App — exposing the customer reporting database (with a SQL-auth admin login) to every Azure customer.",
    ),
    (
        "th02-prune-old-releases-by-directory",
        "Round 31 (blind), missed: Release dirs are named with ascending UTC timestamps, so `sort | tail -n +6` now skips the five OLDEST releases and deletes everything newer, including the release that `current` was just switched to. From the sixth deploy onwards every deploy deletes the running code right after the reload, taking billing-api down.",
    ),
    (
        "th04-move-ci-cache-cleanup-path",
        "Round 31 (blind), false alarm: The inline CACHE_ROOT guard is replaced by require_safe_root, which does the same checks plus more (absolute path, resolves to something other than /), and every rm now goes through safe_rm_tree, which refuses anything that does not resolve strictly inside the cache root. The same things get deleted, and the deletes are now better guarded.",
    ),
    (
        "th06-deduplicate-staging-production-helm-depl",
        "Round 31 (blind), false alarm: Only the shared parts (image, needs, kubeconfig setup, helm command) move into a hidden `.helm_deploy` job. Each real job keeps its own rules and environment: production still runs only on vX.Y.Z tags and stays manual. The values file is picked with CI_ENVIRONMENT_NAME, which resolves to the same staging/production file names.",
    ),
    (
        "th09-move-prisma-cli-and-type",
        "Round 31 (blind), missed: The image build runs `npm prune --omit=dev`, so the prisma CLI is no longer in the runtime image, but docker-entrypoint.sh still runs `npx prisma migrate deploy` on every container start. npx will then try to download whatever prisma version is latest from the registry at boot, which fails without egress or pulls an incompatible major. Either way the entrypoint exits under `set -e` and the service crash-loops on the next deploy.",
    ),
    (
        "th16-allow-non-member-contributors-to",
        "Round 31 (blind), missed: `author_association != 'NONE'` also admits FIRST_TIME_CONTRIBUTOR, FIRST_TIMER and CONTRIBUTOR, i.e. any outsider who has opened a PR. Such a person can comment /preview on their own fork PR, and the workflow will check out their code and run `npm ci`/`npm run build` (arbitrary scripts) in a job holding VERCEL_TOKEN and a pull-requests: write token.",
    ),
    (
        "th18-tighten-main-branch-protection-and",
        "Round 31 (blind), false alarm: Every change makes the rules stricter: admins are no longer exempt, branches must be up to date, stale approvals are dismissed, the last pusher cannot self-approve, and the production environment gets a required reviewer team and only accepts deployments from protected branches. The required status check names are unchanged, so merges are not blocked by a missing check.",
    ),
    (
        "ti03-extract-stripe-webhook-signature-check",
        "Round 31 (blind), false alarm: Pure move-and-rename: the extracted verify_stripe_signature builds the same signed payload, still uses hmac.compare_digest against every v1 signature, keeps the 300s tolerance, and the view still calls it before touching the body; tests move with it.",
    ),
    (
        "ti07-rewrite-customer-events-retention-delete",
        "Round 31 (blind), missed: The NOT EXISTS legal-hold exclusion is replaced by a LEFT JOIN on legal_holds without the required `h.account_id IS NULL` filter, so the join excludes nothing and the retention job now permanently deletes events for accounts under active legal hold.",
    ),
    (
        "ti10-align-partner-order-export-with",
        "Round 31 (blind), missed: The SQL now aliases email/phone/full_name to customer_* names while PII_COLUMNS still lists the old names, and the drop was made errors=\"ignore\" to silence the resulting KeyError, so raw customer emails, phone numbers and names are written to the partner's bucket.",
    ),
    (
        "ti19-show-page-progress-in-the",
        "Round 31 (blind), missed: The job now pages with OFFSET over `WHERE status = 'draft'` while finalizing each row moves it out of that set, so every subsequent page skips a page's worth of still-draft invoices; roughly half of each month's invoices are never finalized or charged.",
    ),
    (
        "tj03-inventoryclient-raise-default-page-size",
        "Round 31 (blind), missed: The API silently clamps limit to 100 (documented in the same file), so with a requested page size of 500 every page is 'short' and ListAll stops after the first 100 items; the reconciler that prunes items missing from ListAll would then delete everything beyond the first page.",
    ),
    (
        "tj05-envelope-use-deterministic-counter-nonce",
        "Round 31 (blind), missed: The nonce is key_id || counter with the counter starting at 0 in every Sealer, but the same long-lived data key is loaded by every replica and after every restart, so identical (key, nonce) pairs are reused across processes; AES-GCM nonce reuse leaks plaintext XORs and the GHASH key, allowing forgeries of persisted ciphertexts.",
    ),
    (
        "tj08-platform-config-drop-deepcopy-from",
        "Round 31 (blind), missed: dict(DEFAULTS) is a shallow copy, so _deep_merge recurses into and mutates the module-level nested dicts (and the lru_cached YAML dicts); one tenant's override such as http.verify_tls=False or a db host then leaks into every later load_config call in the same worker process.",
    ),
    (
        "tj13-acme-clients-add-a-short",
        "Round 31 (blind), missed: The cache is module-global and keyed only by URL and params, but clients are constructed per inbound request with the end user's bearer token and downstream services authorize per user; user B now receives user A's cached response (e.g. /v1/me or an account they cannot access) for 30 seconds.",
    ),
    (
        "tj15-httpx-introduce-options-struct-and",
        "Round 31 (blind), missed: withDefaults fills in idle-conn and user-agent defaults but not Timeout, and the NewClient wrapper now starts from a zero Options, so every existing NewClient() caller that relied on the 10s DefaultTimeout gets an http.Client with no overall timeout; a hung upstream will pile up goroutines and connections until services fall over.",
    ),
    (
        "tj19-serialization-switch-shared-json-helpers",
        "Round 31 (blind), missed: The orjson default hook now turns Decimal into float, so money amounts that were emitted as exact strings (\"1234.10\") become binary floats (1234.1, and large or high-precision values lose digits); every API and event using dumps() silently changes its wire contract and consumers parsing amounts as strings break or round money.",
    ),
    (
        "tk04-proto-track-frame-offsets-as",
        "Round 32 (blind), missed: `off + len` is now computed in uint32_t, so an attacker-supplied TLV length near 0xFFFFFFFF wraps the sum below buf_len and passes the bounds check; the TLV then points len bytes past the buffer (out-of-bounds read / crash in every consumer) and `off += len` wraps backwards.",
    ),
    (
        "tk05-registry-drop-per-call-map",
        "Round 32 (blind), missed: Snapshot now hands out the live map after releasing the read lock; the health loop and /debug handler range over it while heartbeat goroutines call Register/Deregister, which triggers Go's unrecoverable `concurrent map iteration and map write` fatal error and kills the proxy.",
    ),
    (
        "tk13-spsc-queue-use-relaxed-ordering",
        "Round 32 (blind), missed: With the release store on tail_ and the acquire load in pop() both relaxed, nothing orders the slot write before the index publish: the compiler may reorder them and ARM hardware will, so the consumer can see the new tail and read a stale or half-written slot (and the producer can overwrite a slot still being moved out). That is a data race that silently corrupts records; the x86 benchmark hides it.",
    ),
    (
        "tk15-build-shrink-release-binary-with",
        "Round 32 (blind), missed: With panic = \"abort\" in the release profile, catch_unwind can no longer catch anything: a panic in any third-party filter plugin, which the worker is explicitly designed to contain and turn into a 500, now aborts the whole relayd process and drops every in-flight connection.",
    ),
    (
        "tk17-ingest-api-accept-gzip-compressed",
        "Round 32 (blind), missed: MaxBytesReader now limits only the compressed request body; io.ReadAll on the gzip reader has no cap, so a ~10 MiB gzip bomb from any agent token expands to gigabytes in memory and OOM-kills the ingest pods.",
    ),
    (
        "tk19-magic-factor-database-path-conversion",
        "Round 32 (blind), missed: In db_ptr, `map_or(..., |c| c.as_ptr())` takes the CString by value, so it is dropped at the end of the closure and the returned pointer dangles; magic_load/magic_compile/magic_check then read freed heap memory (use-after-free: garbage path, wrong database, or a crash) whenever a custom database is configured.",
    ),
    (
        "tl01-replace-check-array-with-lightweight",
        "Round 32 (blind), missed: np.asarray never copies an input that is already C-contiguous float64, so with the default copy=True normalize() now divides the caller's array in place, silently corrupting user data (e.g. a feature matrix reused later). The documented copy contract is broken in both branches.",
    ),
    (
        "tl03-deduplicate-weighted-reductions-around-a",
        "Round 32 (blind), missed: With skipna=True the new weighted_mean divides the nansum of values*weights by the sum of ALL weights, including weights of missing values, so any slice containing NaN is biased toward zero and all-NaN slices return 0.0 instead of NaN. Area-weighted climate means silently become wrong; weighted_var inherits the error.",
    ),
    (
        "tl04-factor-duplicated-input-validation-in",
        "Round 32 (blind), false alarm: Pure refactor: fit, predict and score each still run the same checks (2D finite float conversion, feature-count check against n_features_in_, is-fitted check, y length/finite check) via the new helper, with reset=True only in fit. The only visible difference is that score() now uses predict()'s wording for the feature-count error.",
    ),
    (
        "tl06-stop-installing-the-asv-benchmark",
        "Round 32 (blind), missed: `include = geoarray` matches only the top-level package, not geoarray.io, geoarray.backends etc., so the built wheel/sdist ships without its subpackages: `import geoarray` fails with ModuleNotFoundError for every user. Editable installs used in CI still resolve the subpackages from the source tree, so tests stay green. It needs `geoarray*` or `geoarray.*` as well.",
    ),
    (
        "tl07-vectorize-excess-active-return-computati",
        "Round 32 (blind), missed: The new code subtracts the benchmark positionally via .to_numpy() and only reindexes when lengths differ. A benchmark with the same number of rows but different or differently-ordered dates (e.g. one holiday missing on each side, or unsorted input) is silently subtracted from the wrong days, producing wrong excess returns, tracking error and information ratio with no error.",
    ),
    (
        "tl09-make-integral-image-box-mean",
        "Round 32 (blind), missed: The summed-area table is now accumulated and stored in the input dtype. For uint8/uint16 images (the common case) the running sums wrap around almost immediately (boundscheck/overflow checks are off), and float32 loses integer precision past 2**24, so box_mean returns garbage for ordinary photos and microscopy stacks with no error.",
    ),
    (
        "tl12-clear-cache-remove-extracted-archive",
        "Round 32 (blind), false alarm: The rmtree target is cache_dir(), i.e. always <cache root>/v3, a subdirectory this package creates itself, even when the root comes from the env override; it is what the old loop was already emptying file-by-file. Symlinked cache dirs are refused, and cache_dir() recreates the directory on next use. Only cache content the package owns is removed.",
    ),
    (
        "tl13-unify-dispersion-function-signatures-ddo",
        "Round 32 (blind), missed: std/var/sem swap the positional order of axis and ddof with no deprecation. Existing downstream calls like std(x, 0) or var(x, 1) keep running but now mean ddof=0/1 over the flattened array instead of reducing along an axis, silently returning a scalar or a differently-normalised result. Internal call sites were switched to keywords so the test suite does not notice.",
    ),
    (
        "tl15-share-the-tile-cache-between",
        "Round 32 (blind), missed: The cache moves to a fixed, world-writable directory under /tmp (mode 0o777, no sticky bit) and entries are still deserialised with pickle.load. Any local user on a shared HPC/login node can plant or replace a .pkl file for a predictable key and get arbitrary code executed in every other user's Python process that reads that tile.",
    ),
    (
        "tl18-import-pyarrow-lazily-in-the",
        "Round 32 (blind), false alarm: pyarrow stays an optional dependency; the import just moves from module import time into the two functions through a small helper that raises the same ImportError (with the install hint) when it is missing. Behaviour with pyarrow installed is identical, and `import tabular_io` gets faster.",
    ),
    (
        "tm02-extract-template-management-permission-c",
        "Round 32 (blind), false alarm: The inline admin-or-allowed-group check is moved verbatim into PermissionService::canManageTemplates() and every endpoint still calls it before doing anything; null user, empty group list and admin bypass behave exactly as before, and a unit test pins the behaviour.",
    ),
    (
        "tm05-dispatch-sharelinkexpiredevent-when-the",
        "Round 32 (blind), missed: Expiry used to be decided in SQL, where expires_at < now is never true for NULL. The new ShareLink::isExpired() compares in PHP, and there null < int is true, so the hourly job deletes every link that was created without an expiry date, which are the links documented to never expire.",
    ),
    (
        "tm08-return-json-errors-from-admin",
        "Round 32 (blind), missed: check_ajax_referer() with $stop = false returns false (or 1/2) on failure, never -1. The strict -1 === comparison is therefore never true, so the nonce is no longer enforced and the destructive delete/purge handlers become CSRF-able against a logged-in administrator.",
    ),
    (
        "tm11-introduce-a-shared-api-client",
        "Round 32 (blind), missed: The new client uses plain axios.create() instead of @nextcloud/axios, so requests no longer carry the requesttoken header (and the token refresh logic). Every POST/PUT/DELETE to the app controllers now fails Nextcloud's CSRF check with 412, so users can no longer create, save or delete notes.",
    ),
    (
        "tm15-group-sender-settings-under-a",
        "Round 32 (blind), missed: Config::setData() replaces the whole config object, so on every existing site update 10003 keeps only the sender block and wipes transport, SMTP host/port/credentials key, queue and bounce settings. Outgoing mail breaks or falls back to defaults right after drush updb.",
    ),
    (
        "tm19-make-bookings-list-table-sortable",
        "Round 32 (blind), missed: $_GET['orderby'] only goes through esc_sql() and is then placed unquoted into ORDER BY. esc_sql() only escapes quotes, so it does not protect an identifier position. Any user with edit_posts (contributors and up) can inject SQL, for example a CASE/SLEEP subquery, and read wp_users hashes. It should be checked against the sortable column allowlist.",
    ),
    (
        "tm20-throttle-password-attempts-on-password",
        "Round 32 (blind), false alarm: The change only adds defences. Brute-force protection and an anonymous rate limit go on the password endpoint, failed attempts are throttled and successful ones reset the counter. The password check, session handling and public/CSRF attributes are the same as before.",
    ),
    (
        "tn02-extract-webhook-signature-verification-i",
        "Round 32 (blind), false alarm: Pure refactor: the same HMAC-SHA256 over timestamp.body, the same 300s tolerance and constant-time compare still run before each handler, the secret is still read from the same settings, and failure still returns 400. The only behaviour change is that an invalid JSON body now gets a 400 instead of a 500.",
    ),
    (
        "tn06-let-the-app-boot-when",
        "Round 32 (blind), missed: PAYMENT_WEBHOOK_SECRET now defaults to an empty string, and the webhook blueprint is still registered and still computes an HMAC with that empty key. Any deployment where the secret is missing or misnamed accepts forged invoice.paid events signed with an empty key, so invoices get marked paid without payment. The old code failed closed at boot.",
    ),
    (
        "tn08-syncinvoicesjob-stop-rescuing-exception",
        "Round 32 (blind), false alarm: Narrowing rescue Exception to rescue StandardError only lets signals and Sidekiq::Shutdown propagate, which is the correct behaviour. retry_on is bounded and only for the rate-limit error, and discard_on RecordNotFound only drops jobs whose account no longer exists. Per-invoice failures are still counted and the loop continues as before.",
    ),
    (
        "tn11-report-unhandled-controller-errors-to",
        "Round 32 (blind), missed: The new extras send params.to_unsafe_h, request.raw_post and every HTTP_ header to Sentry. The before_send filter only scrubs event.request.data and send_default_pii is false, so passwords from sign-in and sign-up, card and IBAN fields, session cookies and Authorization bearer tokens reach a third-party service unfiltered on any 500.",
    ),
    (
        "tn15-return-upstream-error-details-from",
        "Round 32 (blind), missed: AxiosError.toJSON() includes the request config, and that config holds the ledger client's default headers, including Authorization: Bearer LEDGER_API_KEY, as well as the stack trace. Any end user who triggers a ledger error gets the service's ledger credential in the JSON response.",
    ),
    (
        "tn17-erasure-continue-past-failing-steps",
        "Round 32 (blind), missed: A failing erasure step (S3 documents, analytics, CRM) no longer raises. The request is marked COMPLETED, the user gets the erasure-complete email, and the Celery autoretry never fires. Because the account-anonymisation step still runs after the failure, the email and ids needed to find the leftover data later are gone: personal data stays in those systems while the company tells the user and regulators it was deleted.",
    ),
    (
        "tn19-wal-archive-retry-s3-uploads",
        "Round 32 (blind), missed: Inside the retry loop, _, err := u.s3.PutObject(...) declares a new err that shadows the outer one from os.Open. After the loop, if err != nil checks the outer err, which is always nil, so when every upload attempt fails the segment is still deleted and exit code 0 tells Postgres to recycle the WAL. The WAL is lost and point-in-time recovery breaks.",
    ),
    (
        "to02-webhooks-split-signature-header-parsing",
        "Round 32 (blind), false alarm: The timestamp tolerance check and the HMAC over \"<ts>.<body>\" are unchanged; hmac.Equal is constant-time just like subtle.ConstantTimeCompare, and decoding the hex signature first only means malformed hex is rejected earlier. Missing/empty fields still return ErrMissingSignature.",
    ),
    (
        "to13-securityconfig-drive-api-role-rules",
        "Round 32 (blind), missed: Spring's requestMatchers are first-match-wins, but the rules are now registered by iterating Map.of, whose iteration order is unspecified and randomised per JVM; on some instances /api/admin/** (ADMIN) is registered before /api/admin/billing/** (BILLING_ADMIN), letting any ADMIN issue refunds and payouts, and /api/support/** may precede /api/support/exports/**.",
    ),
    (
        "to14-auth-rename-password-verify-password",
        "Round 32 (blind), false alarm: The argon2 verification logic is byte-for-byte the same (mismatch -> Ok(false), malformed hash -> error); the login handler still burns a dummy verification for unknown emails, still rejects on a false result before the lock check, and only switches to let-else/matches! forms.",
    ),
    (
        "tp02-remove-fully-rolled-out-idempotent",
        "Round 32 (blind), false alarm: The flag has been at 100% for every merchant with no exclusions, and the change keeps exactly the enabled branch (idempotency-keyed capture); only the unreachable legacy path and its test are deleted.",
    ),
    (
        "tp03-deduplicate-pod-security-checks-over",
        "Round 32 (blind), missed: array.concat is undefined when any operand is undefined, and the API server omits empty initContainers/ephemeralContainers, so for almost every real pod all_containers is undefined and no container rule (privileged, escalation, capabilities) ever fires; the tests only pass because the fixture always sets all three lists.",
    ),
    (
        "tp10-merge-collaborator-and-workspace-documen",
        "Round 32 (blind), missed: The merged permit ORs the two conditions but keeps the collaborator action list, so every workspace member now gets `update` on any published document they merely could read before; anyone in a workspace can edit its published docs.",
    ),
    (
        "tp12-rename-payments-v1-envoy-cluster",
        "Round 32 (blind), false alarm: Every reference (both routes and the load_assignment cluster_name) is renamed consistently, ext_authz and TLS settings are untouched, and alt_stat_name keeps the stats under the old name so dashboards and alerts are unaffected.",
    ),
    (
        "tp17-always-enable-assistant-chat-history",
        "Round 32 (blind), missed: flagd evaluates the `if` conditions in order, and the new beta rule is placed before the EEA/UK exclusion, so beta members in those countries now get chat-transcript storage that the flag's own metadata says must stay off until the DPIA sign-off (LEGAL-2291).",
    ),
    (
        "tp18-tighten-main-branch-protection-after",
        "Round 32 (blind), false alarm: All changes strengthen repository controls (two approvals, stale-review dismissal, up-to-date branches, linear history, offboarded contractor removed from push restrictions); required status check names are unchanged.",
    ),
    (
        "tp19-add-payment-confirmation-slo-and",
        "Round 32 (blind), missed: Sloth's `objective` is a percentage (99.9 means 99.9%); 0.999 and 0.99 set targets below 1%, i.e. an error budget of ~99%, so the generated burn-rate page and ticket alerts for checkout availability, latency and the new confirmation SLO can effectively never fire.",
    ),
    (
        "tp20-codeowners-cleanup-drop-duplicate-auth",
        "Round 32 (blind), false alarm: The removed /services/auth/ line is identical to the earlier one and no pattern between them matches auth paths, so the last match for auth files still requires identity/security; the other removal is for a deleted directory and the new notifications entry is not overridden by anything below it.",
    ),
    (
        "tq07-enable-renderer-sandbox-move-recent",
        "Round 33 (blind), false alarm: The preload loses fs/path access and the window gains sandbox: true; the one file read moves behind a single read-only IPC handler that reads a fixed path and checks the sender is the main window. Strictly less renderer privilege, same feature.",
    ),
    (
        "tq08-fix-drafts-schema-mismatch-on",
        "Round 33 (blind), missed: The already-shipped v3 migration is edited in place and eraseDatabaseOnSchemaChange is taken out of #if DEBUG; on every production device whose schema predates the edit GRDB will wipe and recreate the database, destroying unsent local-only drafts and the outbox.",
    ),
    (
        "tq11-parse-integration-oauth-callbacks-into",
        "Round 33 (blind), missed: The state check now only runs when a state parameter is present; a crafted papertrail://integrations/callback?provider=dropbox&code=ATTACKER_CODE link with no state is accepted while a link is pending, and the backend exchanges the attacker's code, linking the victim's workspace exports to the attacker's Dropbox (OAuth login CSRF).",
    ),
    (
        "tq14-check-for-updates-every-4h",
        "Round 33 (blind), false alarm: Only the polling cadence, log wording and dialog handling change; feed, channel selection, signature verification and download/install settings of electron-updater are untouched, and the renamed entry point is updated at its single call site.",
    ),
    (
        "tq17-tighten-certificate-pinning-to-our",
        "Round 33 (blind), missed: The ISRG root pins are replaced by the SPKI hashes of the current leaf certificates, but those certs are auto-renewed by cert-manager roughly every 60 days with a fresh private key; at the next renewal every installed build fails pinning against api/uploads until users update, and the pin-set does not expire until 2027.",
    ),
    (
        "tq19-rename-userid-to-customerid-across",
        "Round 33 (blind), missed: CreateOrderRequest is serialized by reflection with LOWER_CASE_WITH_UNDERSCORES and has no @SerializedName, so the rename changes the wire field from user_id to customer_id: orders-service no longer receives the customer, and orders already queued on disk (stored as JSON with user_id) deserialize with a null customerId.",
    ),
    (
        "tr03-route-billing-worker-through-pgbouncer",
        "Round 33 (blind), missed: The scheduler's leader election uses a session-level pg_try_advisory_lock held on one connection; under pool_mode=transaction that session lock stays on whichever server connection ran it and other workers can be handed that same backend (re-entrant lock succeeds), so several workers become leader and charge_due_subscriptions double-charges customers.",
    ),
    (
        "tr04-rename-user-fullname-to-displayname",
        "Round 33 (blind), false alarm: The field is renamed only on the Prisma client side; @map(\"fullName\") keeps the underlying column name, so no migration/DDL is generated and no data moves, and the public API already exposed it as displayName so the response shape is unchanged.",
    ),
    (
        "tr12-refactor-events-partition-retention-extr",
        "Round 33 (blind), false alarm: The drop decision is unchanged (a partition is dropped only when its whole range ends on or before the same 13-month cutoff); the refactor just moves name parsing into a helper, quotes identifiers with psycopg.sql, and adds a guard that refuses implausibly recent cutoffs, with tests covering the boundary.",
    ),
    (
        "tr13-make-purge-retention-configurable-per",
        "Round 33 (blind), missed: payment_events is still in purgeTargets but has no entry in the new retention_days map, so cfg.RetentionDays[\"payment_events\"] is Go's zero value 0 and the job deletes every payment event older than now() — wiping the 7-year statutory payment history on the first nightly run.",
    ),
    (
        "tr15-widen-payment-events-id-to",
        "Round 33 (blind), missed: On MySQL Liquibase's modifyDataType emits `ALTER TABLE payment_events MODIFY id BIGINT`, which drops AUTO_INCREMENT (MODIFY restates the whole column definition), so every insert without an explicit id fails afterwards; it is also a copying ALTER that blocks writes on a ~1.9B-row table for hours during the deploy.",
    ),
    (
        "tr19-tune-checkout-connection-pools-and",
        "Round 33 (blind), missed: Each checkout-api pod now holds a fixed pool of 40 connections and the HPA can run 24 pods (plus 25% rollout surge), i.e. up to ~1,200 connections against an RDS instance whose max_connections is 400 and which checkout-worker and admin also use; once the HPA scales past 8 pods at peak (8x40 + worker 40 + admin 5 is already 365), new pods and the worker get 'too many clients' and checkout goes down exactly when traffic is highest.",
    ),
    (
        "ts01-batch-sqs-deletes-in-refund",
        "Round 33 (blind), missed: The new loop appends every received message to the delete batch, including ones whose processing raised and was only logged, so any refund that fails transiently is deleted from the queue instead of being redelivered and dead-lettered: refunds are silently lost.",
    ),
    (
        "ts04-project-ledger-postings-on-a",
        "Round 33 (blind), missed: Records are now applied concurrently and acknowledged as each future completes; Kafka offsets are a single high-water mark per partition, so a later record's ack commits past an earlier one that failed or is still running (lost on restart), and per-account postings are applied out of order even though the projector depends on offset order for running balances.",
    ),
    (
        "ts05-include-delivery-id-and-attempt",
        "Round 33 (blind), missed: The signature is computed over the payload serialized without the new `delivery` object, but the body actually sent is re-serialized with it, so the documented HMAC over the raw body no longer matches for any delivery and every customer verifying signatures starts rejecting all webhooks.",
    ),
    (
        "ts07-spread-ledger-entries-evenly-across",
        "Round 33 (blind), missed: Keying by entry ID scatters one account's entries across partitions, so they are consumed out of order; the balance consumer treats any entry whose sequence is not above the last applied one as a duplicate and acks it, so reordered entries are silently dropped and balances go wrong.",
    ),
    (
        "ts12-pipeline-outbox-relay-produces-instead",
        "Round 33 (blind), missed: Every row in the batch is stamped PublishedAt after Flush regardless of delivery reports (which are only logged) or of Flush timing out with messages still queued, so any message Kafka rejects or that is not delivered in 10s is marked published and never retried: the outbox silently loses events.",
    ),
    (
        "ts13-move-recurring-jobs-from-crontab",
        "Round 33 (blind), missed: The initializer starts a scheduler in every Rails process that boots (all app servers plus the Sidekiq worker), replacing a crontab that ran only on the single cron-role host, so ChargeDueSubscriptionsJob, which has no lock and charges each due subscription, runs several times concurrently each night and double-charges customers.",
    ),
    (
        "ts15-retry-transient-settlement-failures-with",
        "Round 33 (blind), missed: The retries sleep inside the poll loop for 2+4+8+16+32+64+120+120+120 = 486s (plus the settle calls themselves), longer than the consumer's max.poll.interval.ms of 300s, so during any downstream outage longer than a few minutes the consumer is evicted from the group, its commit fails, the partition is reassigned and the same message restarts the cycle on the next member: the whole group stalls in rebalance churn and payments can be settled twice.",
    ),
    (
        "ts16-tidy-webhook-retries-exhausted-handling",
        "Round 33 (blind), false alarm: The exhausted hook still marks the delivery failed through a model helper that performs the same update; it only tolerates a delivery row that no longer exists, truncates the stored error to the column width, and logs structured ids instead of inspecting the whole job hash. Retry count, queue and dead-set behaviour are unchanged.",
    ),
    (
        "ts17-cap-notification-queues-with-a",
        "Round 33 (blind), missed: The notification queues already exist on the broker with different arguments; re-declaring them with x-message-ttl/x-max-length makes RabbitMQ close the channel with 406 PRECONDITION_FAILED, assertTopology throws and the service exits on startup, so the deploy crash-loops every notifier instance (queue limits must be applied via a policy, not declare arguments).",
    ),
    (
        "tt01-convert-alertmanager-routes-and-inhibit",
        "Round 33 (blind), false alarm: Every match/match_re/source_match/target_match block is translated one-for-one into the equivalent matchers (regex matchers are fully anchored in both syntaxes), and both renamed receivers are updated in every place they are referenced, so routing and inhibition behave exactly as before.",
    ),
    (
        "tt02-forward-warnings-to-the-siem",
        "Round 33 (blind), missed: Filters attached to a logger only run for records created by that exact logger, not for records propagated up from child loggers; moving RedactingFilter off the handlers onto root means every record from ledger_api.payments, ledger_api.webhooks etc. now reaches stdout, the error file and the new SIEM handler with card numbers, bearer tokens and passwords unmasked.",
    ),
    (
        "tt05-propagate-all-correlation-headers-generi",
        "Round 33 (blind), missed: The new capture pattern /^x-/ also picks up x-internal-jwt and x-tenant-id, and addTracingHeaders is installed on externalClient, so the gateway-minted service-to-service JWT is now sent to customer-configured webhook URLs and partner APIs on the public internet.",
    ),
    (
        "tt15-vector-sample-before-routing-to",
        "Round 33 (blind), missed: Moving the 1-in-10 sample transform ahead of the route means audit events (logged at info level, so not covered by the error/warn/fatal exclusion) are now sampled too, and roughly 90% of the audit trail never reaches the immutable audit S3 bucket.",
    ),
    (
        "tu07-expire-temporary-exports-after-6",
        "Round 33 (blind), missed: retention.cutoff() takes hours, but RETENTION[\"trash\"] is still fed from TRASH_RETENTION_DAYS (30), so purge_trash now permanently deletes trashed documents after 30 hours instead of the promised 30 days.",
    ),
    (
        "tu09-cache-hot-get-responses-in",
        "Round 33 (blind), missed: The cache key is method + path + query only, and the cached router includes /v1/account/summary, whose response depends on the bearer token; the first user's balance and account details are served to every other user for 30 seconds.",
    ),
    (
        "tu14-verify-webhook-hmac-in-constant",
        "Round 33 (blind), false alarm: The string != comparison of hex digests is replaced by Mac::verify_slice, which is constant-time; the signed payload (t + \".\" + body), the secret and the 300 s tolerance are unchanged, and accepting any of several v1 values only helps secret rotation because each one must still be a valid HMAC.",
    ),
    (
        "tv03-replace-hand-rolled-constant-time",
        "Round 33 (blind), false alarm: hmac.compare_digest on the encoded bytes is a drop-in, better-audited replacement for the custom comparison, secrets.token_urlsafe is a CSPRNG that never emits '.', and the state format, HMAC input and max_age check are unchanged; the new isdigit guard only turns a ValueError into a clean rejection.",
    ),
    (
        "tw06-replace-adminguard-with-metadata-driven",
        "Round 34 (blind), false alarm: Both former AdminGuard usages now apply JwtAuthGuard + RolesGuard with @Roles(Role.Admin) at the same scope (controller-level and method-level), and RolesGuard denies when no roles metadata is present, so it is at least as strict as the guard it replaces.",
    ),
    (
        "tw08-migrate-method-security-from-secured",
        "Round 34 (blind), false alarm: @EnableMethodSecurity enables @PreAuthorize by default, and every @Secured annotation in the case is converted to an equivalent hasRole/hasAnyRole expression (hasRole('ADMIN') checks ROLE_ADMIN), so the same methods are protected by the same roles.",
    ),
    (
        "tw09-scope-project-lookups-to-the",
        "Round 34 (blind), false alarm: The explicit ownerId comparisons are replaced by queries that filter on both id and ownerId (findFirst / updateMany / deleteMany with ownerId), so a non-owner simply gets 404; every handler still requires a session and only touches the caller's own projects.",
    ),
    (
        "tw11-move-refund-creation-from-the",
        "Round 34 (blind), missed: The refund handler moved from adminRouter (mounted behind requireAdmin) to billingRouter, which is mounted with requireAuth only, and the handler itself does not check roles or ownership, so any logged-in customer can refund any payment intent.",
    ),
    (
        "tw12-move-project-membership-check-into",
        "Round 34 (blind), false alarm: All four project routes are now registered inside r.Route(\"/projects/{projectID}\") after r.Use(h.requireMember), so the same IsMember check against the session user runs before each of them; deleteTask keeps its task-belongs-to-project check.",
    ),
    (
        "tw15-rewrite-ledger-securityconfig-with-the",
        "Round 34 (blind), false alarm: The rules are translated one-for-one into the Kotlin DSL in the same order (first match still wins), with the same roles, the same permitAll exceptions, the same stateless/CSRF/JWT settings; the new tests pin each rule.",
    ),
    (
        "tw16-avoid-n-1-queries-on",
        "Round 34 (blind), missed: The overridden get_object fetches from an unscoped queryset and never calls self.check_object_permissions(), so IsOwnerOrSharedReadOnly no longer runs for retrieve/update/partial_update/destroy: any authenticated user can read, edit or delete any document by id.",
    ),
    (
        "tw18-turn-authz-predicates-into-result",
        "Round 34 (blind), false alarm: is_owner/can_edit become ensure_owner/ensure_editor with identical conditions, returning Err(ApiError::Forbidden) instead of false; every call site propagates the error with ?, so each handler still rejects the same users with the same 403.",
    ),
    (
        "tw19-split-csv-exports-out-of",
        "Round 34 (blind), missed: The admin restriction was the class-level @PreAuthorize on AdminReportController; the new CsvExportController has none, and SecurityConfig only requires authentication for /api/**, so any logged-in customer can download the full customer list (emails, phones, lifetime value) and all transactions.",
    ),
    (
        "tx02-extract-stripe-webhook-signature-check",
        "Round 34 (blind), false alarm: The signature check is moved into a decorator that still runs before the view, still aborts with 400 on any parse, timestamp or HMAC failure, still reads the secret with a hard config lookup, and now accepts any of several v1 signatures as Stripe documents during secret rotation; nothing fails open.",
    ),
    (
        "tx03-authz-fall-back-to-postgres",
        "Round 34 (blind), false alarm: Cache read/write errors now fall through to the authoritative Postgres store instead of failing the request; a store error still returns an error and the middleware still answers 503, so a Redis outage can only cost latency, never grant access.",
    ),
    (
        "tx04-retry-gateway-timeouts-at-checkout",
        "Round 34 (blind), missed: When the gateway stays unreachable the order is now marked payment_pending and still handed to fulfillment and confirmed to the customer, so goods ship without a confirmed charge; the reconciliation job only marks such orders failed after the fact, when the parcel is already gone.",
    ),
    (
        "tx10-updater-make-config-fields-optional",
        "Round 34 (blind), missed: verify_signatures gets a plain #[serde(default)], which is false for bool, and the new packaged updater.toml drops the verify_signatures line, so every fresh install downloads and installs update artifacts without checking signatures; a missing key used to be a parse error.",
    ),
    (
        "tx12-move-cors-setup-to-corssetup",
        "Round 34 (blind), missed: IsAllowed uses patterns.All(...), which is vacuously true for an empty list, so any environment without Cors:AllowedOrigins (now tolerated instead of a startup failure) accepts every origin with AllowCredentials and SameSite=None cookies, letting any website make authenticated requests and read the responses.",
    ),
    (
        "tx13-remove-the-ssh-bastion-access",
        "Round 34 (blind), false alarm: Deletes the bastion instance, its internet-facing SSH security group and the app's port-22 ingress from it; nothing else references them, the app instances already carry the SSM instance profile, and the change only shrinks the attack surface.",
    ),
    (
        "tx18-outbox-isolate-per-message-publish",
        "Round 34 (blind), missed: Publish failures are now caught and logged, but afterwards the whole batch, including the failed messages, is marked published, so any Kafka error or timeout permanently drops billing events that used to stay in the outbox and be retried.",
    ),
    (
        "tx19-webhooks-make-ca-file-optional",
        "Round 34 (blind), false alarm: When ca_file is unset the client now uses the system root pool with full certificate verification still on; skipping verification still requires an explicit insecure_skip_verify: true, which is now additionally refused in production, and an unreadable or empty CA file is still a hard error.",
    ),
    (
        "ty01-httpclient-give-each-retry-attempt",
        "Round 34 (blind), missed: Each attempt now derives its context from context.WithoutCancel(req.Context()), so the shared client ignores the caller's deadline and cancellation, and the overall per-call budget is gone. A call can now run 3x2s plus backoff even after the caller has given up. Every service uses this client, so a slow dependency turns into goroutine pile-ups and retry amplification across the fleet.",
    ),
    (
        "ty02-transport-honor-retry-after-and",
        "Round 34 (blind), false alarm: The retry decision moves into shouldRetry, but that helper still checks isIdempotent(req) first, so POST/PATCH are still never retried. Retry-After is capped at MaxBackoff, and the sleep still selects on the request context, so caller deadlines are respected. Full jitter only spreads retries out.",
    ),
    (
        "ty03-flags-drop-environment-overrides-that",
        "Round 34 (blind), missed: Most of the removed overrides really do equal the defaults. But ledger_async_posting's production override was rollout_percent: 5 while the default is 100, so removing it sends 100% of production ledger writes through the async outbox path that is still ramping. That is an unplanned jump from 5% to 100% on a money path.",
    ),
    (
        "ty05-grpc-common-add-retry-policy",
        "Round 34 (blind), false alarm: The new retryPolicy names only GetAccount, GetBalance and ListEntries, which the proto marks as read-only (NO_SIDE_EFFECTS). It retries only on UNAVAILABLE, with 3 attempts and retryThrottling. PostEntry and ReverseEntry keep their separate no-retry entry, and the client change only turns on the config that was already being loaded.",
    ),
    (
        "ty07-acme-http-make-retry-methods",
        "Round 34 (blind), missed: In urllib3, `Retry(allowed_methods=None)` means retry on any verb, not use the default. Every session built without `retry_methods` (the default) now retries POST on read timeouts and 502/503/504. billing's charge client POSTs to the PSP with no idempotency key, so a slow PSP response now causes double charges.",
    ),
    (
        "ty08-checkout-remove-checkout-v2-flag",
        "Round 34 (blind), false alarm: The flag registry records checkout_v2 at 100% in every environment since March, so only the v2 branch has run in production. The v2 path keeps the fraud check, the idempotency key and the order-state transition. Deleting the legacy chargeCard module and the flag branch is dead-code removal with no behaviour change.",
    ),
    (
        "ty11-flags-express-rollouts-as-fractions",
        "Round 34 (blind), missed: bucketOf now returns a value in [0,1), and the fallback `flag.rollout ?? flag.percentage` compares it against legacy percentage values like 2 or 5. Every bucket is below 2, so each production flag still using `percentage` (ledger_v2_writes at 2%, payouts_instant at 5%) jumps to 100% of users when this deploys.",
    ),
    (
        "ty15-http-client-support-long-running",
        "Round 34 (blind), missed: The fix for one caller changes the shared DEFAULT_TIMEOUTS used by every service. There is no longer a call timeout (callTimeout 0 means unlimited), the read timeout goes from 3s to 60s, and a retry interceptor with up to 3 attempts is added. A slow or hung dependency now holds request threads and dispatcher slots for minutes instead of 5s, and the retries multiply load on it. That cascades into fleet-wide thread exhaustion.",
    ),
    (
        "tz03-fix-cors-startup-failure-when",
        "Round 34 (blind), missed: allowedOriginPatterns(\"*\") together with allowCredentials(true) makes Spring reflect any requesting Origin back with Access-Control-Allow-Credentials: true, so any website can make cookie-authenticated calls to the API (SameSite=None session cookie) and read the responses; with the new prod default of * the same applies in production whenever the variable is not set. The startup error it silences exists precisely to forbid that combination.",
    ),
    (
        "tz04-sandbox-the-lesson-video-embed",
        "Round 34 (blind), false alarm: The iframe loads a cross-origin YouTube URL built from a validated 11-character video id, so allow-same-origin only lets the player keep its own youtube-nocookie.com origin; it cannot touch the app's DOM or storage. Before the change the iframe had no sandbox at all, so this strictly reduces what the embed can do.",
    ),
    (
        "tz06-support-webhook-signing-secret-rotation",
        "Round 34 (blind), missed: With webhook.previousSecret left at its default \"\" the env var renders as \"whsec_...,\" and _secrets() yields an empty key b\"\" as a valid candidate, so anyone can forge a payment_intent.succeeded webhook by signing it with HMAC-SHA256 and an empty key and get orders marked paid. Empty entries must be filtered and the list must be non-empty.",
    ),
    (
        "tz08-stop-rate-limiting-load-balancer",
        "Round 34 (blind), false alarm: Only the /_lb/health location loses its limit_req; that location is already restricted to the VPC CIDR with allow/deny and returns a static 200 without touching the backend, so there is nothing to brute-force or exhaust. All public locations, including the auth limit, are unchanged.",
    ),
    (
        "tz10-use-constant-time-comparison-for",
        "Round 34 (blind), false alarm: The MAC input, key and expiry check are unchanged; only the final string == comparison becomes hex-decode plus hmac.Equal, which rejects malformed or wrong-length signatures (hmac.Equal returns false on length mismatch) and removes a timing side channel. The rename is applied to the only caller.",
    ),
    (
        "tz14-replace-ssh-access-to-edge",
        "Round 34 (blind), false alarm: It removes the 0.0.0.0/0 port-22 ingress and the EC2 key pair and grants the instance role the AWS-managed AmazonSSMManagedInstanceCore policy, the standard minimal policy for Session Manager. Public 443 stays as it was; the attack surface shrinks and shell access becomes IAM-authenticated and logged.",
    ),
    (
        "tz19-shorten-signed-document-links-for",
        "Round 34 (blind), missed: Verify now compares only the first provided.Length bytes of the MAC and never enforces a minimum length, so an empty sig (or a 1-byte one, 1/256 odds) verifies for any path and expiry; anyone can download any patient document by requesting /d/{path}?exp=<future>&sig=. Truncated MACs need a fixed required length.",
    ),
    (
        "ua01-accept-numeric-amounts-in-money",
        "Round 34 (blind), missed: The new fast path converts floats with int(amount * 10**exp), which truncates binary-float error: 19.99 becomes 1998 cents and 0.29 becomes 28, so every checkout/invoice fed from pricing-service JSON silently undercharges. The added test uses 10.5, which happens to be exact, so it passes.",
    ),
    (
        "ua05-ledger-sdk-move-apierror-into",
        "Round 34 (blind), false alarm: Pure move-and-extract: APIError keeps the same fields, tags and Error() text, decodeAPIError reproduces the old inline logic line for line (>=300 check, 64 KiB limit, 'unknown' fallback, X-Request-Id fallback), and do() still returns *APIError so existing errors.As / type switches in callers keep working. The new helpers are additive.",
    ),
    (
        "ua17-media-chart-rename-tmp-dir",
        "Round 34 (blind), false alarm: The env var is renamed in both the env list and the shell command that uses it, the path it points at (/data/uploads/tmp from values) is unchanged, and the added ${VAR:?} guard, -xdev and the existing -mindepth/-mmin filters only make the delete more conservative. The CronJob still only touches the tmp subdirectory of the same PVC.",
    ),
    (
        "ua18-acme-agent-reset-parse-agent",
        "Round 34 (blind), missed: load_conf assigns DATA_DIR/LOG_DIR inside a `grep | while read` pipeline, which runs in a subshell, so both stay empty after the loop. The hardcoded /var/lib fallback was removed, so `rm -rf \"$DATA_DIR\"/!(identity.json)` becomes `rm -rf /!(identity.json)` and wipes the root filesystem of every host where support runs the reset.",
    ),
    (
        "ub03-add-request-duration-histogram-and",
        "Round 34 (blind), missed: The redaction set is keyed by lower-case names but the new lookup uses the raw key; net/http canonicalises header keys to \"Authorization\", \"Cookie\", \"X-Api-Key\", so nothing is redacted any more and every bearer token, session cookie and API key is written to the access log.",
    ),
    (
        "ub05-migrate-security-groups-to-standalone",
        "Round 34 (blind), missed: The office-VPN-only admin listener entry was written with key `cidr_blocks`, but the resource reads `each.value.cidr` via try() with a default of 0.0.0.0/0, so the internet-facing ALB opens port 8443 (the internal admin UI) to the whole internet.",
    ),
    (
        "ub10-support-post-login-redirects-to",
        "Round 34 (blind), missed: is_safe_redirect now accepts any host that merely ends with \"acme.io\" (no dot boundary), so https://evilacme.io/ passes, and login then appends a freshly issued session handoff token to that URL, handing an attacker a token that logs them in as the victim.",
    ),
    (
        "ub14-purge-soft-deleted-exports-too",
        "Round 34 (blind), missed: Export.expired starts with `unscoped`, which discards not only the soft-delete default scope but also the `account.exports` association condition, so each per-account nightly job deletes every account's exports (and their files) older than that account's retention, wiping data that customers on longer retention plans are owed.",
    ),
    (
        "ub20-centralize-tenant-scoping-in-invoicescon",
        "Round 34 (blind), false alarm: The per-action `if (invoice.TenantId != TenantId) return NotFound()` checks are replaced by a single OwnedInvoices() query that filters on the same tenant claim, and every action (list, get, update, void, delete) now loads through it, so the tenant check still runs everywhere and is enforced in SQL instead of after the fetch.",
    ),
    (
        "tw20-replace-authorization-policy-name-string",
        "Round 34 (blind), false alarm: The policy names become constants in one Policies class, used both where the policies are registered in Program.cs and in every [Authorize(Policy = ...)] attribute; the constant values equal the old strings and the policy requirements are untouched, so authorization is unchanged.",
    ),
    (
        "uc03-extract-duplicated-project-owner-check",
        "Round 35 (blind), false alarm: The concern's class macro registers the same before_action with the same only: lists, declared after set_project/set_document so ordering is preserved, and the check still compares owner_id with current_user.id (nil project also yields 403).",
    ),
    (
        "uc05-rename-adminprojectcontroller-to-project",
        "Round 35 (blind), missed: Admin authorization is purely URL-based (/api/admin/** -> hasRole ADMIN); moving the endpoints to /api/projects/... puts them under the /api/** authenticated() rule, so any logged-in user can list all orgs' projects, transfer ownership and purge projects.",
    ),
    (
        "uc06-rename-check-perm-require-perm",
        "Round 35 (blind), false alarm: Pure rename: the function bodies are identical, every call site is updated with the same arguments and negation, the if-not/raise Forbidden blocks are replaced by ensure_permission which raises the same Forbidden, and deprecated aliases keep any stragglers working.",
    ),
    (
        "uc10-split-admin-reports-into-their",
        "Round 35 (blind), missed: The admin check is a before_request hook on admin_bp only; the reports routes moved to a separate reports_bp that only has @login_required, so any logged-in user can now download the revenue and all-users CSV exports under /admin/reports/*.",
    ),
    (
        "uc11-move-overdue-invoice-aggregation-into",
        "Round 35 (blind), missed: Tenant isolation is applied implicitly by the do_orm_execute listener via with_loader_criteria on ORM entities; the new repository runs a raw text() query, which the listener cannot rewrite, so the overdue summary now aggregates every tenant's invoices and customer names.",
    ),
    (
        "uc12-use-isadminuser-on-auditlogviewset-inste",
        "Round 35 (blind), false alarm: DRF's IsAdminUser grants access only when request.user.is_staff is true, which is exactly the inline check that was removed; it applies to list, retrieve and the export @action (which sets no permission_classes override), and unauthenticated users are still rejected.",
    ),
    (
        "uc14-rename-tenantscontroller-to-tenantmanage",
        "Round 35 (blind), missed: Admin-only access is applied by AdminAreaAuthorizationConvention based on the controller's namespace (Acme.Portal.Controllers.Admin); moving the controller to Acme.Portal.Controllers.Management leaves it under only the fallback authenticated-user policy, so any signed-in user can list, suspend and delete tenants.",
    ),
    (
        "uc17-scope-project-queries-with-a",
        "Round 35 (blind), false alarm: Every handler now goes through forTenant(req.tenant.id), whose query extension ANDs tenantId into findMany/findFirst/count/updateMany/deleteMany, stamps it on create, and throws on the unique-key operations it cannot scope; every call site in the router uses a covered operation, so the tenant filter still applies everywhere.",
    ),
    (
        "uc18-replace-inline-require-permission-calls",
        "Round 35 (blind), missed: The @requires wrapper only looks for actor in kwargs, but the API calls issue_refund/void_refund with actor positionally; actor is then None, which require_permission treats as trusted system context, so any authenticated user can issue or void refunds.",
    ),
    (
        "uc19-replace-ensureadmin-plug-with-configurab",
        "Round 35 (blind), false alarm: RequireRole with roles: [:admin] admits exactly the users EnsureAdmin admitted (role == :admin), renders the same 403 and halts; the :admin pipeline and the scope using it are unchanged apart from the plug name, and the tests cover both outcomes.",
    ),
    (
        "uc20-collapse-per-report-export-endpoints",
        "Round 35 (blind), missed: The controller now calls the unannotated ReportService.export(), which dispatches to the @PreAuthorize methods via this.; Spring method security is proxy-based, so self-invocation skips the checks and any authenticated user can download the payroll and headcount exports.",
    ),
    (
        "ud01-support-a-custom-ca-bundle",
        "Round 35 (blind), missed: env_bool defaults to False, so PROCESSOR_VERIFY_TLS is False everywhere it is not set — including the production configmap, which only sets an empty CA bundle — and the settlement/refund client silently stops verifying the processor's TLS certificate, exposing the bearer API key and refund calls to MITM.",
    ),
    (
        "ud02-extract-webhook-signature-verification-i",
        "Round 35 (blind), false alarm: Pure extraction: the helper keeps the same header parsing, 5-minute tolerance, multiple-v1 support and constant-time hmac.Equal, and the handler still rejects before parsing the body; the only behaviour change is that an empty secret now fails closed with 500 instead of verifying against an empty HMAC key.",
    ),
    (
        "ud04-retry-transient-stripe-errors-when",
        "Round 35 (blind), missed: withRetry is the best-effort helper that resolves undefined after the last attempt or on any non-retryable error (card declined, intent expired); finalizeOrder no longer catches anything, so a failed capture now marks the order paid with amountCaptured = order.amount and ships it and sends a receipt without money being taken.",
    ),
    (
        "ud05-reject-refresh-tokens-presented-as",
        "Round 35 (blind), missed: Switching from parseClaimsJws() to the generic parse() in jjwt 0.11 means unsigned tokens (alg=none, no signature part) are accepted without any signature check, so anyone can forge a token with arbitrary sub/tenant/roles and the new typ check passes as long as they omit typ=refresh.",
    ),
    (
        "ud11-make-force-ssl-configurable-per",
        "Round 35 (blind), missed: ActiveModel::Type::Boolean.new.cast(nil) is nil, so with FORCE_SSL absent from the production Kamal env force_ssl is now off in production: no HTTP->HTTPS redirect, no HSTS header and session/remember-me cookies lose the Secure flag and can leak over plain HTTP.",
    ),
    (
        "ud12-fail-closed-when-internal-api",
        "Round 35 (blind), false alarm: Previously an unset INTERNAL_API_KEY silently disabled auth on every admin route; now a missing key returns 503 unless an explicit opt-in flag is set, that flag is refused in production, and the key comparison is constant-time — the rename and the new bypass flag only make the existing dev behaviour explicit.",
    ),
    (
        "ud13-trust-the-partner-s-private",
        "Round 35 (blind), missed: The fallback chain uses AllowUnknownCertificateAuthority and only adds the partner root to ExtraStore without checking that the built chain actually ends at that root, and it ignores name-mismatch errors, so any self-signed or foreign-CA certificate for any host is accepted — a MITM can read and forge claims traffic.",
    ),
    (
        "ud18-allow-rolling-back-to-releases",
        "Round 35 (blind), missed: Signature verification now only runs if a .sig can be downloaded; anyone who can tamper with the release host or the download path just makes the .sig request fail (404 or any non-2xx) and the updater installs an arbitrary unsigned binary with a log warning, defeating the whole point of signing.",
    ),
    (
        "ud20-payments-degrade-gracefully-when-the",
        "Round 35 (blind), missed: When Redis errors, Begin now reports 'fresh key' instead of failing, so the charge goes through with no reservation; clients retry exactly when things are flaky, and each retry of the same Idempotency-Key creates another real card charge — double-charging customers during every Redis failover.",
    ),
    (
        "ue03-billing-auto-retry-apply-webhook",
        "Round 35 (blind), false alarm: The task only touches the database in a single transaction that locks the webhook row, checks processed_at, writes the ledger entry and marks the event processed; a retry or redelivery after a failure either sees the committed processed_at and exits or re-runs a rolled-back transaction, so retries cannot double-post.",
    ),
    (
        "ue04-dbx-apply-transient-error-retry",
        "Round 35 (blind), missed: A connection reset, unexpected EOF or timeout after the statement was sent does not mean it failed: in autocommit mode the UPDATE/INSERT may already be committed. Replaying Exec in the shared DB package makes non-idempotent writes such as `balance = balance - $1` in every service apply twice.",
    ),
    (
        "ue07-platform-kafka-decouple-poll-loop",
        "Round 35 (blind), missed: With enable.auto.commit=true and the batch handed to the worker pool without waiting, the consumer commits offsets of records that have not been processed yet; any crash, deploy or rebalance silently drops every in-flight message for every service using the shared consumer (at-least-once becomes at-most-once), and the unbounded worker queue removes backpressure.",
    ),
    (
        "ue11-http-client-honor-retry-after",
        "Round 35 (blind), missed: The Retry-After branch `continue`s before the attempt counter is incremented, so any upstream that keeps answering 429/503 with Retry-After makes every caller of the shared client retry forever (and in a tight loop with `Retry-After: 0`, or hang for an hour with a large value), for every HTTP method and regardless of the retry budget; an overloaded dependency turns into an unbounded retry storm and request pile-up across all services.",
    ),
    (
        "ue13-invoice-events-align-sqs-visibility",
        "Round 35 (blind), false alarm: Raising the visibility timeout to 6x the Lambda timeout stops in-flight messages from being redelivered to a second consumer mid-processing, and the redrive policy moves poison messages to an encrypted DLQ with 14-day retention and an alarm instead of letting them expire silently; no message is dropped or processed twice by this change.",
    ),
    (
        "ue14-ci-deduplicate-deploy-jobs-with",
        "Round 35 (blind), missed: deploy_production now inherits the staging rules from .deploy: it runs automatically (no manual approval) on every default-branch pipeline and becomes a manually triggerable job on every other branch, so unreviewed feature branches can be deployed to production.",
    ),
    (
        "ue16-db-make-postgres-statement-lock",
        "Round 35 (blind), missed: The defaults in database.yml drop from 5s/2s to 0 (disabled) and only the web container sets the env vars, so the Sidekiq workers and the pre-deploy db-migrate Job now run with no statement_timeout or lock_timeout; a migration's ALTER TABLE can then wait indefinitely on a lock while queueing every other query on the table behind it, taking production down.",
    ),
    (
        "ue17-checkout-api-move-polly-policies",
        "Round 35 (blind), false alarm: Pure extraction: the retry (3 attempts, same backoff and jitter, same handled errors), GET-only selector for the payments gateway, circuit breaker (still a new instance per client) and per-try timeouts are identical and attached in the same order to the same clients.",
    ),
    (
        "ue18-checkout-use-prometheus-recording-rules",
        "Round 35 (blind), missed: The new recording rules aggregate `by (service)` only, so the analysis no longer isolates canary pods (the rollouts_pod_template_hash filter and canary-hash arg are gone); at 5-25% canary weight the stable pods dilute the error ratio and latency, so a badly broken canary passes the gate and gets promoted.",
    ),
    (
        "ue19-remove-legacy-jenkins-deploy-pipeline",
        "Round 35 (blind), false alarm: The Jenkinsfile and its helper script are dead: the file itself says the Jenkins job was archived and production deploys (with their approval gate) run from the GitHub Actions workflow, and the README already documents that. Deleting them removes no active gate or pipeline.",
    ),
    (
        "uf04-auth-normalize-ttl-helpers-to",
        "Round 35 (blind), missed: ttl.ts now returns milliseconds but tokens.ts still passes ACCESS_TOKEN_TTL and sessionTtl() as a number to jsonwebtoken's expiresIn, which is interpreted as seconds: access tokens go from 15 minutes to ~10 days and refresh JWTs to ~38 years, so stolen or logged-out tokens stay valid.",
    ),
    (
        "uf11-server-move-credential-endpoints-under",
        "Round 35 (blind), missed: The new /api/v1/auth routes (login, password reset, MFA verify) are mounted without the httprate.LimitByIP(10/min) middleware, which now only wraps the deprecated aliases; once clients switch to the new paths, passwords and 6-digit MFA codes can be brute-forced with no rate limit.",
    ),
    (
        "uf14-fx-return-a-zero-rate",
        "Round 35 (blind), missed: get_rate() is a shared contract; changing it from raising RateUnavailable to returning Decimal(0) makes finalize_invoice compute a total of 0 for every non-USD invoice while the feed is down, and that path marks zero-total invoices PAID without charging, so renewals are silently given away instead of being retried.",
    ),
    (
        "ug01-split-api-route-registration-into",
        "Round 36 (blind), missed: In the new mountAdminRoutes the suspend endpoint is registered on the bare router `r` instead of the `admin` router that carries RequireRole(\"billing_admin\"), so any authenticated customer can suspend any account.",
    ),
    (
        "ug02-use-authorizeresource-in-projectcontroll",
        "Round 36 (blind), false alarm: authorizeResource(Project::class, 'project') maps index/show/store/update/destroy to exactly the viewAny/view/create/update/delete abilities the removed calls checked, the apiResource parameter is {project}, and the non-resource archive action keeps its explicit authorize; the new tests cover every action.",
    ),
    (
        "ug04-build-document-search-query-with",
        "Round 36 (blind), missed: The text-search branch appends `AND title ILIKE $x OR body ILIKE $x` without parentheses, so the WHERE clause becomes `(tenant_id = $1 AND title ILIKE ...) OR body ILIKE ...` and any search returns matching documents from every tenant.",
    ),
    (
        "ug07-extract-sso-endpoints-from-tenantsetting",
        "Round 36 (blind), missed: The SSO endpoints were protected by the class-level TenantAdmin policy; the new controller uses the TenantMember policy, so any ordinary member of a tenant can read the IdP configuration, replace the SAML/OIDC settings and rotate the client secret (a tenant takeover path).",
    ),
    (
        "ug08-move-projectservice-per-method-access",
        "Round 36 (blind), false alarm: The new interceptor is added to the server's ChainUnaryInterceptor after authn, maps every project-scoped method to the same action the handler used to check, denies any ProjectService method without a rule, and the service has no streaming RPCs, so every call still gets the identical RequireProjectAccess check.",
    ),
    (
        "ug10-add-read-only-auditor-workspace",
        "Round 36 (blind), missed: Role checks use `this >= required` on enum ordinal, and AUDITOR is appended after OWNER, so an auditor now passes every require(..., ADMIN) and require(..., OWNER) check: a supposedly read-only role can manage members, billing and delete the workspace.",
    ),
    (
        "ug13-extract-project-row-actions-into",
        "Round 36 (blind), missed: The new component handles client-sent `delete`/`archive` events with the unscoped admin `Projects.get_project!/1` instead of `get_project!(current_user, id)`, so any logged-in user can push an event with another user's project id over the socket and delete or archive it.",
    ),
    (
        "ug15-don-t-cut-overdue-reminder",
        "Round 36 (blind), missed: The job now queries with a context derived from context.Background(), which drops the tenant the worker put on ctx; InvoiceStore.ListOverdue only filters by tenant when ctx carries one, so each tenant's billing contact is emailed the overdue invoices (customers, amounts) of every tenant.",
    ),
    (
        "ug17-serve-admin-reports-under-api",
        "Round 36 (blind), missed: AdminReportController has no method security and was protected only by the URL rule `/api/admin/reports/** -> ADMIN/FINANCE`; after the move its new path /api/reports/admin/** only matches `/api/** -> authenticated()`, so any logged-in customer can pull company-wide revenue, payouts and the cross-tenant usage export.",
    ),
    (
        "ug18-rename-billing-gates-to-dotted",
        "Round 36 (blind), false alarm: A pure rename: both gates keep their exact closures, and every reference (route can: middleware, Gate::authorize in the controller, @can in the nav, tests) is updated in the same commit; an ability name that was missed would fail closed, since Gate denies undefined abilities.",
    ),
    (
        "uh02-move-carrier-webhook-hmac-verification",
        "Round 36 (blind), false alarm: The signature check is removed from the handler but the new middleware, wired in front of the only route that served it, still rejects a missing header, uses hmac.Equal on the whole raw body, caps the body size and restores it for the handler; behaviour is unchanged (and an empty secret now panics at startup instead of being accepted).",
    ),
    (
        "uj01-centralise-environment-parsing-in-paymen",
        "Round 36 (blind), missed: The new env_bool() defaults to False and the acquirer client now calls env_bool(\"ACQUIRER_VERIFY_TLS\") without a default, so every deployment that relies on the documented default (the example env leaves it commented out) silently disables TLS certificate verification for the card acquirer, exposing the API key and card tokens to MITM.",
    ),
    (
        "uj08-infra-move-prod-buckets-onto",
        "Round 36 (blind), missed: The module's expiration object defaults prefix to \"\" (whole bucket), and the ledger_archive call passes expiration = { days = 1 } without the old prefix = \"tmp/\" filter, so every ledger archive object expires after one day and is then permanently removed by the 30-day noncurrent-version rule: silent loss of the financial archive.",
    ),
    (
        "uj09-audit-bind-retention-settings-via",
        "Round 36 (blind), missed: application.yml now sets audit.retention.max-age: ${AUDIT_RETENTION_DAYS:400}, a bare number bound to a java.time.Duration without @DurationUnit, which Spring Boot interprets as 400 milliseconds; the nightly job then deletes essentially the entire audit log instead of events older than 400 days. The test builds the properties with Duration.ofDays directly, so it never exercises the binding.",
    ),
    (
        "uj16-crypto-replace-static-cryptoutils-with",
        "Round 36 (blind), false alarm: A rename/restructure only: AES-256-GCM with a fresh 12-byte SecureRandom nonce per message, a 128-bit tag, the same AAD and the same iv||ciphertext wire format are preserved (so existing ciphertexts still decrypt), and the tests, including tamper and wrong-AAD cases, move over unchanged in substance.",
    ),
    (
        "uj20-db-adopt-ix-uq-naming",
        "Round 36 (blind), missed: The table-driven migration recreates users_email_active_key as uq_users_email with unique=True but drops its postgresql_where=deleted_at IS NULL, turning a partial unique index into a full one: the migration fails on any soft-deleted duplicate email, and if it succeeds, users who deleted their account can no longer sign up again with that address, contradicting the model (which still declares the partial index).",
    ),
    (
        "uk03-route-stripe-calls-through-callstripe",
        "Round 37 (blind), missed: The refactor passes the idempotency key to callStripe, which only logs it; the Stripe calls themselves no longer send it. The charge job is retried up to 5 times by BullMQ, so a timeout after Stripe confirmed the intent now creates and confirms a second off-session PaymentIntent, double-charging the customer (same for refunds).",
    ),
    (
        "uk05-extract-postwithretry-from-payout-client",
        "Round 37 (blind), false alarm: The retry loop moves into a helper but the Idempotency-Key is still computed once per payout (payout:<id>) by the caller and sent unchanged on every attempt; 4xx still aborts immediately. Cancellation gains retries with its own stable key, which is safe because the provider deduplicates on it.",
    ),
    (
        "uk07-hibernate-6-4-cleanup-replace",
        "Round 37 (blind), missed: Removing @SQLDelete turns invoiceRepository.delete() into a real DELETE: the deletedAt stamp set just before is never persisted, the invoice row and (via cascade/orphanRemoval) its lines are physically removed, destroying financial records that must be retained and that credit notes and ledger entries reference.",
    ),
    (
        "uk08-replace-select-then-write-in",
        "Round 37 (blind), false alarm: The new INSERT ... ON CONFLICT keeps the old merge semantics exactly (COALESCE(EXCLUDED.col, existing.col) so absent fields never overwrite stored values) while removing the race between the SELECT and the INSERT; the tests cover the partial-update case.",
    ),
    (
        "uk09-add-retrying-transport-to-the",
        "Round 37 (blind), missed: The RoundTripper retries every method, including the POST /v1/authorizations capture-on-auth call, on any transport error (client timeouts included) and on 502/503/504; the request carries no idempotency key, so when the acquirer processed the charge but the response was lost, the retry charges the card again.",
    ),
    (
        "uk10-rename-round-money-to-quantize",
        "Round 37 (blind), false alarm: Pure rename: the function body, quantum and ROUND_HALF_EVEN mode are unchanged, the old name remains as a warning alias for any external caller, and the two internal call sites are updated.",
    ),
    (
        "uk12-move-refund-checks-into-refundvalidator",
        "Round 37 (blind), false alarm: The inline require() checks in RefundService move into RefundValidator, which is still called first in refund() before any PSP call, keeping every existing rule (positive amount, not exceeding the refundable remainder, payment captured); the only behaviour change is an extra rejection for a mismatched currency, which tightens the rules.",
    ),
    (
        "uk13-make-settlement-rollup-safe-to",
        "Round 37 (blind), missed: The rollup aggregates per page of 1000 transactions and upserts after each page; switching the conflict action from accumulate to SET col = EXCLUDED.col means every page overwrites the merchant's day totals with just that page's sums, so any merchant with transactions spanning pages gets understated gross/fees and is underpaid or misreported in settlement.",
    ),
    (
        "uk17-collapse-invoice-auto-void-job",
        "Round 37 (blind), missed: Merging the two UPDATEs without parentheses makes the WHERE parse as (tenant AND draft AND old) OR (open AND overdue AND unpaid): the second branch has no tenant filter, so each run voids stale open invoices of every tenant, including those that disabled auto_void, and emits the void events under the wrong tenant.",
    ),
    (
        "uk19-support-fractional-commission-percentage",
        "Round 37 (blind), missed: Each share is now rounded independently with HALF_UP and the old 'last recipient gets the remainder' step is gone, so allocations no longer sum to the captured amount: three equal 33.3333% shares of 100 pay 99, and two 50% shares of 101 pay 51+51=102, i.e. the platform transfers out money it never collected or strands cents.",
    ),
    (
        "uk20-move-stripe-webhook-signature-check",
        "Round 37 (blind), false alarm: Signature verification is renamed and moved into middleware that is mounted on the same route after express.raw and before the handler; it still calls stripe.webhooks.constructEvent on the raw body with the same secret and tolerance and rejects with 400 on failure, and the handler only consumes the verified event.",
    ),
    (
        "ul01-ledger-extract-generic-queryall-helper",
        "Round 37 (blind), false alarm: The rows.Close defer, the rows.Err check and error wrapping all move into queryAll, which every list query now goes through; the transactional ReleaseExpiredHolds with its deferred Rollback is untouched. Pure refactor with identical resource handling.",
    ),
    (
        "ul02-settlement-consumer-stop-counting-transi",
        "Round 37 (blind), missed: The SQS client is built with maxAttempts: 1, so the poll loop's sleep is the only backoff; the new `continue` for throttling/ECONNREFUSED/EAI_AGAIN skips it, turning every worker into a zero-delay hot loop that amplifies SQS throttling and pins CPU during an outage, while the receive_failures metric that pages on-call is no longer incremented, so settlement processing can stall silently.",
    ),
    (
        "ul04-refunds-use-a-linked-cancellationtokenso",
        "Round 37 (blind), false alarm: CreateLinkedTokenSource(cancellationToken) + CancelAfter(30s) gives exactly the old semantics (cancel on caller cancellation or after 30s), the timeout-vs-caller catch filter is unchanged, and `using var` disposes the source at method exit just like the old finally block.",
    ),
    (
        "ul08-export-simplify-semaphore-permit-acquisi",
        "Round 37 (blind), missed: `let _ = ...?` drops the SemaphorePermit immediately (unlike `let _permit`), so the MAX_CONCURRENT_EXPORTS cap no longer limits anything; concurrent exports each materialise up to ~400 MiB and the 2 GiB pod gets OOM-killed under load.",
    ),
    (
        "ul09-audit-honour-stoppingtoken-in-auditwrite",
        "Round 37 (blind), missed: The writer used to complete the channel in StopAsync and drain every buffered event before exiting. Now shutdown cancels WaitToReadAsync/InsertBatchAsync and the loop exits, so every audit event still buffered at each deploy or scale-down is silently dropped. Request handlers have already returned success for those events, so compliance audit data is lost.",
    ),
    (
        "ul10-auth-route-sessionregistry-lock-access",
        "Round 37 (blind), false alarm: Every method still does its whole read-modify-write inside a single closure run under one lock acquisition (revoke_user removes the index and all sessions in one critical section), poisoning still panics, and the shared removal logic just moves into Inner::remove_session. Revocation atomicity is unchanged.",
    ),
    (
        "ul11-ledger-sync-express-all-durations",
        "Round 37 (blind), missed: The code now reads BANK_API_TIMEOUT as seconds, but the Helm value was renamed without converting it: \"8000\" (ms before) becomes an 8000-second (~2.2 hour) read timeout on the partner-bank client. When the bank API hangs, all four sync workers block for hours instead of failing after 8s, and transfers and statements stall with no errors raised.",
    ),
    (
        "ul13-pricing-extract-getjson-helper-and",
        "Round 37 (blind), missed: getJSON derives a timeout context but then builds the request with http.NewRequest, so neither the 800ms cap nor the caller's cancellation reaches the HTTP call, and the client deliberately has no Client.Timeout. A slow or hung pricing service now blocks checkout requests indefinitely and piles up goroutines and connections until checkout falls over.",
    ),
    (
        "ul17-webhooks-let-the-httpx-pool",
        "Round 37 (blind), missed: The semaphore made deliveries wait as long as needed. Now every delivery is started at once and waits for one of 50 pooled connections with httpx's 10s pool timeout. For a large replay almost every delivery raises PoolTimeout without ever being sent, is counted as failed and gets record_attempt, which dead-letters deliveries at max attempts. Running a replay after an incident would permanently drop customer webhooks.",
    ),
    (
        "un08-pin-jsonwebtoken-to-8-5",
        "Round 37 (blind), missed: jsonwebtoken 8.5.1 is the release affected by the 2022 advisories (CVE-2022-23539/23540/23541: insecure key types, 'none'/algorithm-confusion signature bypass when verify() has no algorithms list), and verifyToken calls jwt.verify without an algorithms allow-list. Pinning it back, forcing it via overrides and telling Dependabot to ignore v9 reopens a token-forgery path on the API's auth to fix a test fixture's 1024-bit key.",
    ),
    (
        "un11-make-add-refund-reason-migration",
        "Round 37 (blind), false alarm: The down migration was an empty function, so the CI rollback/re-apply check failed with 'column already exists'. The new down drops exactly the index and column that up adds, in reverse order; it never runs on deploy and touches nothing pre-existing.",
    ),
    (
        "un12-store-promo-thresholds-in-minor",
        "Round 37 (blind), missed: The config now holds maxDiscountCents: 5000, but applyPromo still multiplies it by 100, so the cap becomes 5,000 EUR instead of 50 EUR; the failing 'caps the discount' test was rewritten to expect the uncapped 200 EUR discount, hiding that every large basket now gets the full 20% off.",
    ),
    (
        "un20-keep-applying-a-settlement-batch",
        "Round 37 (blind), missed: When the debit fails (frozen or insufficient source account) the code only logs it and still performs the credit, then files the transfer under `failed`; the destination is paid money that was never taken from the source, minting funds on every failed debit. The new test checks the source balance but never the destination's.",
    ),
    (
        "uo08-codeowners-add-owners-for-notifications",
        "Round 38 (blind), false alarm: Only adds two ownership lines; the ledger rule is more specific than /services/payments/ and still includes @acme/payments, and no existing rule is removed or shadowed by a broader pattern placed later.",
    ),
    (
        "uo15-cache-field-encryption-cipher-instead",
        "Round 38 (blind), missed: FieldCipher draws its nonce once in __init__ and get_cipher() returns a process-wide singleton, so every encrypt() reuses the same AES-GCM nonce with the same key; that leaks the XOR of plaintexts and lets an attacker recover the GHASH key and forge ciphertexts for the encrypted SSNs and bank details.",
    ),
    (
        "up02-add-get-invoices-invoice-id",
        "Round 38 (blind), missed: The new detail endpoint loads the invoice by primary key with session.get() and never checks invoice.org_id against the caller's organisation, unlike the list endpoint; any logged-in user can read any customer's invoice (amounts, billing address, line items) by iterating IDs.",
    ),
    (
        "up05-route-store-credit-refund-amounts",
        "Round 38 (blind), missed: RefundRequest.amount_cents is already in minor units, but the refactor passes it through to_minor_units(), which multiplies by 100; the refundable-amount check still runs on the raw value, so a $5.00 refund now credits $500.00 to the customer's wallet.",
    ),
    (
        "up14-include-request-body-in-http",
        "Round 38 (blind), missed: The new serializer logs the full parsed JSON body of every 4xx request app-wide, and the redact list only covers the Authorization header; failed logins (401), signups and password resets (400) and card/billing updates will write plaintext passwords, reset tokens and PII into Datadog, which is retained and broadly accessible.",
    ),
    (
        "up15-align-api-chart-container-port",
        "Round 38 (blind), missed: containerPort, the Service targetPort and both probes move to 3000, but the same values file still sets PORT=8080 and the server listens on process.env.PORT; every pod fails its readiness/liveness probes on 3000, gets restarted in a loop, and the Service routes to a closed port, so the API goes down on deploy.",
    ),
    (
        "uq04-remove-unused-dependencies-reported-by",
        "Round 38 (blind), missed: pg is never require()d directly because knex loads it by name for `client: 'pg'`, which the production config uses; without it knex throws \"Cannot find module 'pg'\" on first use in production, while tests stay green because they run on sqlite3.",
    ),
    (
        "uq11-remove-redundant-authorize-gate-from",
        "Round 38 (blind), missed: The workflow runs on pull_request_target and checks out and builds the PR head; the authorize job was the only thing stopping fork PRs from running arbitrary `npm ci`/build scripts with NPM_TOKEN, a write-scoped GITHUB_TOKEN and the OIDC deploy role, so removing it lets any outsider exfiltrate secrets.",
    ),
    (
        "uq15-drop-invoices-pdf-blob-after",
        "Round 38 (blind), false alarm: The migration refuses to run if any invoice still has a blob without an S3 key, so no PDF can be lost, and the read path already prefers S3; dropping the fallback and the column only removes a code path that the guard proves is unused.",
    ),
    (
        "uu03-apikey-fixed-time-compare",
        "written 2026-12-03 (round thirty-nine) by a writer who never saw the engine; measured before tuning; not yet on the right side",
    ),
    (
        "tm09-make-public-link-token-lookup",
        "round 41: a claim read no more from a wrapped line (tm09, uk15 were caught by a word carried over a line break); CODEOWNERS owners replaced stays critical by design",
    ),
    (
        "uk15-model-payout-status-as-an",
        "round 41: a claim read no more from a wrapped line (tm09, uk15 were caught by a word carried over a line break); CODEOWNERS owners replaced stays critical by design",
    ),
    (
        "uy10-codeowners-branch-protection",
        "round 41: a claim read no more from a wrapped line (tm09, uk15 were caught by a word carried over a line break); CODEOWNERS owners replaced stays critical by design",
    ),
    (
        "vd02-hash-reset-tokens",
        "round 43: a unique index built without CONCURRENTLY on a table the engine cannot size stays high by design",
    ),
    (
        "vf07-branch-protection-renamed-checks",
        "round 43: any change to branch protection as code stays critical by design (it decides what merges unreviewed)",
    ),
    (
        "vl04-go-cors-rs-cors",
        "round forty-five blind case left for a later round: its reading needs a rule not written yet",
    ),
    (
        "vm04-response-cache-canonical-keys",
        "round forty-five blind case left for a later round: its reading needs a rule not written yet",
    ),
    (
        "vm08-inventory-reserve-lock-scope",
        "round forty-five blind case left for a later round: its reading needs a rule not written yet",
    ),
    (
        "vn08-vue-segment-analytics",
        "round forty-five blind case left for a later round: its reading needs a rule not written yet",
    ),
    (
        "vo04-dbt-partner-consent-refactor",
        "round forty-five blind case left for a later round: its reading needs a rule not written yet",
    ),
    (
        "vo07-kustomize-cronjobs-into-base",
        "round forty-five blind case left for a later round: its reading needs a rule not written yet",
    ),
    (
        "vo10-parallel-attachment-migration",
        "round forty-five blind case left for a later round: its reading needs a rule not written yet",
    ),
    (
        "vp06-transfer-bookkeeping-extract",
        "round forty-six (blind), missed: a ledger post moved into a helper that catches and logs its failure; the catch-and-log is read in the helper, not traced back to the money-moving caller",
    ),
    (
        "vq01-sqs-consumer-retryable-errors",
        "round forty-six (blind), missed: the queue message is now deleted in a finally block for every outcome but one; acknowledgement reached through a settle helper is not traced",
    ),
    (
        "vq03-checked-transfer-rejection",
        "round forty-six (blind), missed: an exception made checked while the @Transactional method that throws it keeps no rollbackFor; the exception's class hierarchy lives in another file",
    ),
    (
        "vq10-bankrails-transient-errors",
        "round forty-six (blind), missed (medium): a non-idempotent bank call put under a transient-error retry through a predicate class; the retry's target is not resolved",
    ),
    (
        "vs05-rds-aws-backup",
        "round forty-six (blind), false alarm: snapshot and retention resources removed because AWS Backup now owns them in the same change; the replacement plan is not matched to the removed resources",
    ),
    (
        "vt01-auth-kit-centralize-token-durations",
        "round forty-seven (blind), missed: TTLs moved into a module that counts in milliseconds, while jsonwebtoken reads a numeric expiresIn as seconds; the unit a library expects of an argument is not known",
    ),
    (
        "vt07-breaker-lock-free-deadline",
        "round forty-seven (blind), false alarm: a mutex replaced by an atomic holding nanoseconds, read as a behaviour change under a refactor message; equivalence of the lock-free rewrite is not established",
    ),
    (
        "vv10-preview-cleanup-drops-pr-databases",
        "round forty-seven (blind), false alarm: a nightly DROP DATABASE of closed pull requests' preview databases, names validated and the host guarded; the guards in the script are not weighed against the drop",
    ),
    (
        "vw03-cors-allow-vercel-preview-origins",
        "round forty-seven (blind), missed: an nginx map reflecting origins of a shared hosting domain (*.vercel.app) with credentials; which domains anyone can register is not known",
    ),
    (
        "vw08-stripe-webhook-use-sdk-verification",
        "round forty-seven (blind), false alarm: a payload shape check removed because the SDK's constructEvent now rejects malformed payloads, caught with a 400; the library's own validation is not known",
    ),
    (
        "pz19-pricing-api-startup-extensions",
        "missed since risk-engine-65: the JSON naming policy switched to snake_case inside registrations moved into a new extension-method file; a policy in a created file is not compared with the code it was moved from (it was caught before only by reading each chained registration as the same call)",
    ),
    (
        "ux01-records-repository",
        "missed since risk-engine-65: one repository method looks a lab result up by primary key alone (session.get), dropping the clinic scope the others keep; the not-found guards that moved into the repository were the old, accidental reason for the alarm",
    ),
    (
        "vz07-lock-alb-to-cloudfront-origin-ranges",
        "round forty-eight (blind), false alarm: the plain-HTTP listener removed while CloudFront is switched to HTTPS-only origins in the same change; what still needs port 80 is not weighed",
    ),
    (
        "uu05-stripe-signature-middleware",
        "false alarm since risk-engine-66: a signature guard moved into a route middleware attached in the same change; it was quiet before only because words of the new doc comment were read as renames of the removed code's names, which no longer happens",
    ),
    (
        "wa03-lldp-parser-bounded-cursor",
        "round forty-eight (blind), missed: a C TLV parser rewritten around a bounds-checked cursor that checks the frame, not the 16-byte destination buffer; which buffer a length is checked against is not read",
    ),
    (
        "wc03-profile-active-recently-badge",
        "a page's field list replaced by the whole user row handed to a client component: telling which fields reach the browser needs the framework's server/client boundary and the model's sensitive columns, which no rule reads yet",
    ),
    (
        "wc05-share-okhttp-client-with-coil",
        "the image loader now shares the API client whose interceptor adds the bearer token, so third-party image hosts receive it: the token's reach follows dependency injection across modules, which no rule follows",
    ),
    (
        "wc06-product-jsonld-structured-data",
        "false alarm: HTML written with dangerouslySetInnerHTML into a JSON-LD script element through a serialiser that escapes `<`; telling a safe serialiser from JSON.stringify needs reading the helper",
    ),
    (
        "wc07-template-preview-isolated-origin",
        "false alarm: `allow-scripts allow-same-origin` on a frame served from a separate cookieless origin; the sandbox rule cannot tell the frame's origin from the page's",
    ),
    (
        "wc09-sveltekit-auth-guard-in-hooks",
        "false alarm: sign-in checks moved into the SvelteKit hook (recognised), but the refactor's other changes (a variable renamed in a password check) still read as behaviour under a 'refactor' message",
    ),
    (
        "wd10-kotlin-invoice-rounding-mode",
        "false alarm: HALF_UP to HALF_EVEN where values are already exact at the currency's scale, so nothing is rounded; knowing that needs the values' scale at every call",
    ),
    (
        "wf01-webhooks-shared-pooled-http-client",
        "round fifty (blind), missed: the private-address check moves from connect time (every dial) to one DNS lookup before the request, and the shared client follows redirects unchecked; when a check runs relative to a redirect or a re-resolution is not read",
    ),
    (
        "wf07-reports-single-grouped-orders-query",
        "false alarm: SQL built with an f-string whose pieces are fixed snippets looked up by validated enum values, every user value still bound; telling a snippet table from user text needs the lookup's keys and the request model",
    ),
    (
        "wf08-orders-list-bind-query-struct",
        "false alarm: a hand-written limit clamp and status check replaced by gin binding tags (min, max, oneof) that refuse the same input with a 400; the guard rules do not yet read struct-tag validation as the same check",
    ),
    (
        "wg06-account-deletion-service",
        "false alarm: a view's owner check and password re-check moved into a service method (negated, with the user renamed to the actor) that the view calls; the intent check does not follow a condition into a predicate helper written the other way round",
    ),
    (
        "wg07-billing-money-value-class",
        "false alarm: cent amounts wrapped in a Money value class with the same rounding and comparisons; the intent check reads the wrapper's calls as new behaviour",
    ),
    (
        "wh02-fct-orders-shipping-country",
        "round fifty (blind), missed: a dbt join on customer id only, where customers have several addresses and orders carry their address id, so orders fan out and revenue doubles; a join's cardinality is not read",
    ),
    (
        "wh07-stripe-charges-rename-cents-columns",
        "false alarm: money columns renamed to show their units, the one downstream model updated with the same arithmetic and an alias kept; the intent check reads the renamed SQL expressions as changed values",
    ),
    (
        "qd11-reusable-ota-publish-workflow",
        "was caught only through `secrets: inherit`, which hands secrets to a workflow of the same repository and is no finding now; the real harm (a reusable workflow's input default of \"stable\" taking over once the caller stops passing it) is not read",
    ),
    (
        "wj04-go-order-cache-keyed-by-id",
        "a cache in front of a tenant-scoped query keyed by the order id alone; the engine does not tie a cache key to the scope of the query it stands in for",
    ),
    (
        "wj05-rego-v1-migration-suspended-check",
        "Rego's `not is_suspended` rewritten as `some group in groups; group != \"suspended\"`: a quantifier turned from every to some; Rego is not parsed",
    ),
    (
        "wj06-spring-centralise-admin-role-rule",
        "per-method @PreAuthorize replaced by one requestMatchers(\"/api/v1/admin/**\").hasRole(\"ADMIN\") rule; the engine does not match a controller's @RequestMapping prefix to a path rule of the security config",
    ),
    (
        "wj07-laravel-authorize-in-form-request-and-route",
        "checks moved into the FormRequest the handler takes and into a route's ->can(); the show action's move to Gate::authorize is read, these two are not",
    ),
    (
        "wj08-aspnet-stripe-webhook-allow-anonymous",
        "[AllowAnonymous] on a webhook that now verifies the provider's signature in its body; the removed [Authorize] is not weighed against the signature check that replaces it",
    ),
    (
        "wl04-jackson-to-kotlinx-gateway-dtos",
        "kotlinx.serialization leaves out fields equal to their default unless encodeDefaults is on; a serialiser's defaults are not modelled",
    ),
    (
        "wl06-jwt-go-to-golang-jwt-v5",
        "the algorithm and expiry checks moved into golang-jwt v5 parser options (WithValidMethods, WithExpirationRequired); library options are not read as the guards they replace",
    ),
    (
        "wm04-electron-open-relative-vault-links",
        "a containment check written as path.relative(root, target).startsWith('..'), which misses other drives and UNC paths; the check is new, its weakness is in what it does not test",
    ),
    (
        "wo01-s3-buckets-into-module",
        "the caller passes `prefix` where the module's typed object attribute is `filter_prefix`, which Terraform drops silently; module input types are not read against their callers",
    ),
    (
        "wo03-nginx-hoist-proxy-headers",
        "proxy headers hoisted to server level while each location still sets a header of its own, so nginx inherits none there; the inheritance rule reads add_header blocks, not proxy_set_header hoisted out of locations that keep one",
    ),
    (
        "wn07-gateway-replace-retry-with-tenacity",
        "a hand-written retry loop replaced by a tenacity decorator with the same policy; the loop's counters and conditions read as behaviour gone under the refactor message",
    ),
    (
        "wn08-repos-tenant-scoped-base-class",
        "tenant and soft-delete predicates moved into a base class's scoped() query; the intent check and the string-building rule read the new base query as changed behaviour",
    ),
    (
        "wn09-wallets-split-service-into-operations",
        "a service split into operation objects with transaction+lock! made with_lock; the guards and locks moved into the new classes are read as removed from the old one",
    ),
    (
        "wp03-keyset-paginator-newest-first",
        "The shared paginator's default order turned DESC while its cursor predicate stays `key > ?`; seeing that the order and the comparison now disagree needs the query's meaning, not its text.",
    ),
    (
        "wp04-cachekey-zero-alloc-hashing",
        "A key helper hashes its parts back to back without a separator, so ('acme','rob') and ('acmer','ob') collide; the engine does not reason about the injectivity of a hash input.",
    ),
    (
        "wq02-internal-http-retry-5xx-during-deploys",
        "A faraday-retry `retry_if` lambda makes the shared client retry POSTs; the retry options read as values, not as which methods they let through.",
    ),
    (
        "wr02-flag-rollout-fraction-unit-change",
        "Rollouts became fractions of one while one flag kept the value 2 (percent): the unit change lives in the comparison code, the value in a data file the change does not touch on that line.",
    ),
    (
        "ws02-csrf-token-via-getparam",
        "The CSRF middleware now reads the submitted token through a helper that falls back to cookies of the same name, so the cookie is compared with itself; this needs the helper's fallback order and the cookie's name together.",
    ),
    (
        "ws06-jjwt-012-migration",
        "A hand-written alg=none pre-check removed because jjwt 0.12's parseSignedClaims rejects unsigned tokens; the engine cannot know that the library's parse now does the check the guard did.",
    ),
    (
        "wt08-ktor-project-access-helper",
        "Six membership and role checks folded into one requireProjectRole helper that loads the project itself; the lookup in the helper is read as unscoped because the scope is the membership check right after it, in the same helper.",
    ),
    (
        "wt09-wallet-balance-check-constraint",
        "The app-level overdraft check and its FOR UPDATE lock are replaced by a CHECK constraint whose violation maps back to the same error; the engine does not know that a constraint makes the lock unnecessary.",
    ),
    (
        "wu08-ledger-transfer-serialization-retry",
        "A tenacity retry for serialization failures wraps the whole function that opens and commits the transaction; the hand-written retry loop's guard reads as removed, and re-running a rolled-back transaction being safe is not known to the engine.",
    ),
    (
        "wu01-consumer-treat-cancellation-as-shutdown",
        "A new IsCancellation helper also matches DeadlineExceeded, so a per-message timeout commits the offset; telling two sentinel errors apart through a helper's body is beyond the engine.",
    ),
    (
        "wu05-application-job-error-reporting-concern",
        "A rescue_from StandardError that reports without re-raising makes ActiveJob treat every failure as success; the per-job rescue blocks moved into a concern read as moved, and the framework's meaning of a handled rescue_from is not known to the engine.",
    ),
    (
        "wx03-ledger-drop-named-returns",
        "missed: the deferred commit/rollback reads a named `err` result the change turned into a local; seeing that a defer now writes a variable no return carries needs Go's return semantics, which the engine does not model",
    ),
    (
        "wx05-stripe-gateway-extraction",
        "missed: the idempotency key became an optional argument of the new gateway and one of the two callers stopped passing it; telling which call still needs the key takes following an argument that is simply absent across files",
    ),
    (
        "wy01-accept-legacy-remember-cookies",
        "missed: a cookie decoder now returns the raw value when it carries no signature; the engine sees a changed return, not that the unsigned branch now answers with attacker input as a user id",
    ),
    (
        "ww09-k8s-postgres-networkpolicy-rename",
        "still a false alarm: a NetworkPolicy deleted and re-created under a new name with equivalent selectors (three single-label peers as one `In` expression); the intent check sees the old labels gone and cannot prove the two selector sets admit the same pods",
    ),
    (
        "wx06-kotlin-extract-token-verifier",
        "still a false alarm: JWT verification moved into a new bean that builds the same parser; the filter's guard now tests the bean's result (`verified != null`), and the intent check reads that as a changed condition",
    ),
];

/// Recall and false alarms, overall and by subtlety.
#[derive(Default)]
struct Tally {
    /// [all, subtle, plain] × (cases, alarms)
    dangerous: [(u32, u32); 3],
    harmless: [(u32, u32); 3],
}

impl Tally {
    fn add(&mut self, case: &Case, alarmed: bool) {
        let t = if case.label == "dangerous" {
            &mut self.dangerous
        } else {
            &mut self.harmless
        };
        for i in [0, if case.subtle { 1 } else { 2 }] {
            t[i].0 += 1;
            t[i].1 += u32::from(alarmed);
        }
    }

    fn pct(x: (u32, u32)) -> f64 {
        100.0 * f64::from(x.1) / f64::from(x.0.max(1))
    }

    fn print(&self, name: &str) {
        let row = |what: &str, i: usize| {
            let (d, h) = (self.dangerous[i], self.harmless[i]);
            println!(
                "{name} {what:<7} recall on dangerous: {}/{} = {:.1} %   false alarms on harmless: {}/{} = {:.1} %",
                d.1,
                d.0,
                Self::pct(d),
                h.1,
                h.0,
                Self::pct(h)
            );
        };
        row("all", 0);
        row("subtle", 1);
        row("plain", 2);
    }
}

fn analyse_all(cases: &[(String, Case)]) -> Vec<Result<RiskReport, String>> {
    use rayon::prelude::*;
    let tmp = tempfile::tempdir().unwrap();
    cases
        .par_iter()
        .enumerate()
        .map(|(i, (_, case))| try_analyse(case, &tmp.path().join(i.to_string())))
        .collect()
}

#[test]
fn corpus_recall_and_false_alarms() {
    let corpus = load_corpus();
    let mut tally = Tally::default();
    let mut wrong = Vec::new();
    let mut languages = std::collections::BTreeSet::new();
    let reports = analyse_all(&corpus);
    for ((name, case), r) in corpus.iter().zip(reports) {
        let r = r.unwrap_or_else(|e| panic!("{DEV}/{name}.toml: {e}"));
        for p in case.files.keys() {
            languages.insert(
                p.rsplit_once('.')
                    .map_or(p.as_str(), |(_, e)| e)
                    .to_string(),
            );
        }
        let top = r
            .findings
            .first()
            .map(|f| {
                format!(
                    "{} {} {}:{:?} \"{}\"",
                    f.severity, f.rule, f.path, f.line, f.message
                )
            })
            .unwrap_or_else(|| "no findings".into());
        let rules: Vec<String> = r
            .findings
            .iter()
            .map(|f| format!("{}:{}", f.rule, f.severity))
            .collect();
        println!(
            "{:<48} {:<9} {:<8} {:>3}  {}",
            name,
            case.label,
            r.level.as_str(),
            r.score,
            rules.join(" ")
        );
        tally.add(case, alarm(&r));
        if case.label == "dangerous"
            && let Some((_, rule)) = EXPECTED_RULE.iter().find(|(n, _)| n == name)
            && !r.findings.iter().any(|f| f.rule == *rule)
        {
            let fired: Vec<&str> = r.findings.iter().map(|f| f.rule.as_str()).collect();
            wrong.push((
                name.clone(),
                false,
                format!("RULE   {name}: {rule} did not fire (fired: {fired:?})"),
            ));
        }
        let ok = alarm(&r) == (case.label == "dangerous");
        if !ok {
            let what = if case.label == "dangerous" {
                "MISSED"
            } else {
                "FALSE "
            };
            let allowed = ALLOWED_MISSES.iter().any(|(n, _)| n == name);
            wrong.push((
                name.clone(),
                allowed,
                format!(
                    "{what} {name} ({} {}): {top} — {}{}",
                    r.level,
                    r.score,
                    case.why,
                    if allowed { " [allowed]" } else { "" }
                ),
            ));
        }
    }
    let (d, h) = (tally.dangerous[0], tally.harmless[0]);
    println!(
        "dev corpus: {} cases ({} dangerous, {} harmless, {} subtle), {} file kinds",
        corpus.len(),
        d.0,
        h.0,
        corpus.iter().filter(|(_, c)| c.subtle).count(),
        languages.len()
    );
    tally.print("dev");
    for (_, _, m) in &wrong {
        println!("{m}");
    }
    assert!(corpus.len() >= 40, "the corpus needs at least 40 cases");
    assert!(d.0 >= 20 && h.0 >= 20);
    for (n, _) in EXPECTED_RULE {
        assert!(corpus.iter().any(|(c, _)| c == n), "{n}: no such case");
    }
    for (n, _) in ALLOWED_MISSES {
        assert!(
            corpus.iter().any(|(c, _)| c == n),
            "allow-list names {n}, which is not in {DEV}"
        );
        assert!(
            wrong.iter().any(|(c, _, _)| c == n),
            "{n} is on the right side now: take it off ALLOWED_MISSES"
        );
    }
    let regressed: Vec<&str> = wrong
        .iter()
        .filter(|(_, allowed, _)| !allowed)
        .map(|(_, _, m)| m.as_str())
        .collect();
    assert!(
        regressed.is_empty(),
        "cases on the wrong side of high:\n{}",
        regressed.join("\n")
    );
    let recall = Tally::pct(d);
    let false_rate = Tally::pct(h);
    // Floors under the figures of 2026-12-01, last (88.1 % and 8.1 % once
    // the om*, on*, oo* and op* batches joined: 25/44 and 18/44 on them
    // before tuning, platform config and multi-file refactors the weakest).
    // Before: 2026-12-01, later (89.6 % and 6.9 % after
    // the oi*, oj*, ok* and ol* batches joined: 33/48 and 11/48 on them
    // before tuning). Before: 2026-12-01 (87.3 % and 7.0 % once the og* and
    // oh* batches joined: 20/24 and 4/24 on them before tuning). Before:
    // 2026-11-30, last (85.9 % and 6.5 % with the
    // od*, oe* and of* batches, which scored 20/36 and 9/36 before tuning on
    // them). Before: 2026-11-30 late (87.2 % and 6.1 % when the
    // oa*, ob* and oc* batches joined, before tuning on them; 89.6 % and 4.9 %
    // on the 792 cases before). Earlier: 2026-11-30 night (88.3 % and 5.4 % once
    // the j* and l* batches joined, before tuning on them; 89.2 % and 4.4 %
    // before they joined; 88.9 %
    // and 8.5 % the evening before; 83.7 % and 9.3 % when the p*, z* and a*
    // batches joined, before tuning on them): every case is listed above
    // anyway; these catch a drift the allow-list would hide.
    // 2026-12-01, second day: three more blind rounds joined (oq*–ou*,
    // ov*–oy*, oz* and pa*–pc*, 280 cases; 42 %/18 %, 58 %/23 % and 50 %/30 %
    // on them before tuning), 84.5 % and 8.9 % after: the floors follow the
    // corpus down, not the engine.
    // 2026-12-01, third day: round six joined (pg*–pj*, 80 cases; 17/40 and
    // 6/40 on them before tuning), 82.3 % and 8.0 % after; then round seven
    // (pk*–pn*, 80 cases; 21/40 and 14/40 before tuning), 82.8 % and 8.6 %;
    // then round eight (po*–pr*, 80 cases; 17/40 and 8/40 before tuning),
    // 81.4 % and 8.9 %.
    // 2026-12-01, fourth day: round nine joined (ps*–pv*, 80 cases; 24/40
    // and 9/40 before tuning), then round ten (pw*–pz*, 80 cases; 19/40 and
    // 4/40 before tuning): 80.3 % and 7.5 % after round ten's first rules;
    // then round eleven (qa*–qd*, 80 cases; 20/40 and 9/40 before tuning).
    // 2026-12-01, fifth day: rounds twelve to fifteen (qe*–qt*, 320 cases),
    // 77.7 % and 7.6 % after. Sixth day: round sixteen (qu*–qx*, 80 cases;
    // 27/40 and 9/40 before tuning), 78.2 % and 7.4 % after its first rules;
    // then round seventeen (qy*, qz*, ra*, rb*, 80 cases; 23/40 and 12/40
    // before tuning), 78.0 % and 7.7 % after; then round eighteen (rc*–rf*,
    // 80 cases; 19/40 and 7/40 before tuning), 77.5 % and 7.8 % after.
    // Seventh day: round nineteen (rg*–rj*, 80 cases; 24/40 and 12/40
    // before tuning), round twenty (rk*–rn*; 24/40 and 9/40), round
    // twenty-one (ro*–rr*; 14/40 and 6/40): 76.6 % and 7.1 % after.
    // Eighth day: round twenty-two (rs*–rv*, 80 cases; 16/40 and 6/40
    // before tuning), 76.2 % and 7.3 % after its first rules; then round
    // twenty-three (rw*–rz*, 80 cases; 16/40 and 2/40 before tuning),
    // 75.7 % and 7.2 % after. Ninth day: round twenty-four (sa*–sd*, 80
    // cases on the issue's own themes; 24/40 and 14/40 before tuning) and
    // round twenty-five (se*–sh*; 26/40 and 6/40 before tuning): 75.2 %
    // and 7.3 % after. Tenth day: round twenty-six (si*–sl*, 80 cases on
    // the issue's themes; 22/40 and 5/40 before tuning), then round
    // twenty-seven (sm*–sp*, 80 cases, 8 of each 20 plain; 22/40 and 6/40
    // before tuning). Eleventh day: round twenty-eight (sq*–st*, 80 cases:
    // infrastructure, JVM and .NET services, Rails and Laravel, data
    // pipelines; 22/40 and 6/40 before tuning), then round twenty-nine
    // (su*–sx*, 80 cases: authentication, billing, CI and supply chain,
    // concurrency and caching; 20/40 and 4/40 before tuning).
    // Twelfth day: round thirty (sy*–td*, 120 cases: Go and Node services,
    // web front ends and the edge, hosts and operations, Python services,
    // and two batches of everyday work with 14 of 20 plain; 27/60 and 9/60
    // before tuning), 75.8 % and 6.7 % after its rules. Thirteenth day:
    // round thirty-one (te*–tj*, 120 cases: JVM and .NET services, Rails and
    // Laravel, infrastructure as code, CI and release, data and money,
    // shared libraries; 19/60 and 13/60 before tuning), 75.1 % and 6.8 %
    // after its rules. Fourteenth day: round thirty-two (tk*–tp*, 120 cases:
    // systems code, Python libraries, self-hosted PHP apps, error handling,
    // security refactors, policy and rollout config; 23/60 and 18/60 before
    // tuning). Fifteenth day: round thirty-three (tq*–tv*, 120 cases: mobile
    // apps, schema migrations, messaging, observability, monorepo changes,
    // identity; 23/60 and 15/60 before tuning), then round thirty-four
    // (tw*–ub*, 120 cases on the issue's own themes; 32/60 and 22/60 before
    // tuning), 74.1 % and 8.5 % after. Sixteenth day: round thirty-five
    // (uc*–uf*, 80 cases on the issue's themes again: guards in refactors,
    // degrading safety, shared clients and rollouts, network edges and
    // contracts; 14/40 and 14/40 before tuning), 73.7 % and 8.9 % with it.
    // Seventeenth day: round thirty-six (ug*–uj*, 80 cases: authorisation
    // and tenancy in refactors across languages, failures that get quieter,
    // infrastructure and delivery, mechanical changes with one buried
    // change; 24/40 and 10/40 before tuning), 73.5 % and 9.2 % with it.
    // Eighteenth day: round thirty-seven (uk*–un*, 80 cases: money and
    // records in refactors, concurrency and resource lifetimes, privacy and
    // what leaves the service, an agent making CI green; 15/40 and 11/40
    // before tuning), 73.6 % and 9.4 % after its first rules.
    // Then round thirty-eight (uo*–uq*, 60 cases, most of them plain:
    // everyday work where it looks dangerous, a product team's small pull
    // requests, cleanup and removal; 19/30 and 6/30 before tuning), 73.6 %
    // and 9.4 % after its first rules.
    // Nineteenth day: round thirty-nine (ur*–uu*, 40 cases on the themes of
    // the held-out writers: application code, configuration and
    // infrastructure, both at once, an agent's mundane task; 15/20 and 6/20
    // before tuning), 73.9 % and 9.2 % after its rules. Then round forty
    // (uv*, uw*, 20 plain everyday pull requests, 14 of them harmless; 6/6
    // and 1/14 before tuning), 74.1 % and 9.1 % after.
    // Twentieth day: round forty-one (ux*–va*, 40 cases: back ends in
    // domains not seen before, infrastructure across clouds and CI
    // systems, code with its config, an agent's mundane task; 17/20 and
    // 7/20 before tuning, 20/20 and 1/20 after), 74.2 % and 9.0 %. Then
    // round forty-two (vb*, vc*, 20 cases: data and batch work, front ends
    // and API layers; 4/10 and 5/10 before tuning, 7/10 and 4/10 after its
    // first rules), 74.2 % and 9.1 %.
    // Twenty-first day: round forty-two's remaining seven, then round
    // forty-three (vd*–vg*, 40 cases: back ends with concurrency, money and
    // tenants; everyday infrastructure; tests, CI and scanners; an agent's
    // port or refactor; 10/20 and 7/20 before tuning, 20/20 and 2/20 after,
    // both left by design), 74.6 % and 8.9 %.
    assert!(recall >= 74.0, "recall {recall:.1} % < 74.0 %");
    assert!(false_rate <= 9.3, "false alarms {false_rate:.1} % > 9.3 %");
}

/// One development case in full, for whoever tunes a rule on it: every
/// finding with its line and message. Runs only when `COUNTERSIGN_CASE` names
/// development cases (comma-separated file stems); never reads the held-out
/// set. `COUNTERSIGN_CASE=d01-terraform-prevent-destroy-removed cargo test
/// --test risk corpus_one_case -- --nocapture`
#[test]
fn corpus_one_case() {
    let Ok(wanted) = std::env::var("COUNTERSIGN_CASE") else {
        return;
    };
    let wanted: Vec<&str> = wanted.split(',').map(str::trim).collect();
    let cases: Vec<(String, Case)> = load_corpus()
        .into_iter()
        .filter(|(n, _)| wanted.contains(&n.as_str()))
        .collect();
    assert_eq!(
        cases.len(),
        wanted.len(),
        "no such development case among {wanted:?}"
    );
    for ((name, case), r) in cases.iter().zip(analyse_all(&cases)) {
        let r = r.unwrap_or_else(|e| panic!("{DEV}/{name}.toml: {e}"));
        println!(
            "== {name} ({}): {} {}",
            case.label,
            r.level.as_str(),
            r.score
        );
        for f in &r.findings {
            println!(
                "  {} {} {}:{:?} {}",
                f.severity, f.rule, f.path, f.line, f.message
            );
        }
    }
}

/// The held-out figures. Aggregates only: which case was caught or missed is
/// not printed (set `COUNTERSIGN_HELDOUT_DETAIL=1` to see it, which anyone
/// changing the rules must not do).
#[test]
fn corpus_heldout_figures() {
    let loaded = load_dir(HELDOUT);
    assert!(
        !loaded.is_empty(),
        "{HELDOUT}/ holds no cases: the held-out set is part of the repository"
    );
    let detail = std::env::var("COUNTERSIGN_HELDOUT_DETAIL").is_ok_and(|v| v == "1");
    let mut broken = 0;
    let mut cases = Vec::new();
    for (name, c) in loaded {
        match c {
            Ok(c) => cases.push((name, c)),
            Err(e) => {
                broken += 1;
                if detail {
                    println!("BROKEN {name}: {e}");
                }
            }
        }
    }
    let reports = analyse_all(&cases);
    let mut tally = Tally::default();
    // The batches, by who wrote them when (see the directory's README).
    let batch_of = |name: &str| {
        if name.starts_with('m') {
            "batch 2"
        } else if name.starts_with('b') || name.starts_with('i') {
            "batch 3"
        } else {
            "batch 1"
        }
    };
    let mut batches: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut kinds = std::collections::BTreeSet::new();
    for ((name, case), r) in cases.iter().zip(reports) {
        let r = match r {
            Ok(r) => r,
            Err(e) => {
                broken += 1;
                if detail {
                    println!("BROKEN {name}: {e}");
                }
                continue;
            }
        };
        for p in case.files.keys() {
            kinds.insert(
                p.rsplit_once('.')
                    .map_or(p.as_str(), |(_, e)| e)
                    .to_string(),
            );
        }
        tally.add(case, alarm(&r));
        batches
            .entry(batch_of(name))
            .or_default()
            .add(case, alarm(&r));
        if detail {
            let rules: Vec<String> = r
                .findings
                .iter()
                .map(|f| format!("{}:{}", f.rule, f.severity))
                .collect();
            println!(
                "{name:<48} {:<9} {:<8} {:>3}  {}",
                case.label,
                r.level.as_str(),
                r.score,
                rules.join(" ")
            );
        }
    }
    let (d, h) = (tally.dangerous[0], tally.harmless[0]);
    println!(
        "held-out corpus: {} cases ({} dangerous, {} harmless), {} file kinds, {broken} could not be built",
        d.0 + h.0 + broken,
        d.0,
        h.0,
        kinds.len()
    );
    tally.print("held-out");
    for (name, t) in &batches {
        let (d, h) = (t.dangerous[0], t.harmless[0]);
        println!(
            "held-out {name}: recall {}/{} = {:.1} %, false alarms {}/{} = {:.1} %",
            d.1,
            d.0,
            Tally::pct(d),
            h.1,
            h.0,
            Tally::pct(h)
        );
    }
    assert!(d.0 > 0 && h.0 > 0, "the held-out set needs both labels");
}
