//! Checks of the forty-second round's remaining readings and the
//! forty-third round's, each with the cousin that must not pass: a consumer
//! switched to auto-commit, a batch delete of what succeeded, a purge by id
//! range, a proxy header the application still sends, roles moved into a
//! schema directive, a constant handed to a call, a template literal that
//! ends, a guard claimed by a conditional write, a command behind a make
//! target, a job's name in a subject, a bound declared in a schema, a
//! sanitiser gone with its SQL, a setting's dotted name, a hook that runs
//! before every handler, fastrand for a secret, a Terraform protection
//! defaulted off, a production deploy folded into a matrix, an inhibit rule
//! upward, a test that stubs its subject, a build that ignores failures, a
//! URL-keyed cache after the session, a mask list without Authorization, and
//! a secret in the logging context.

use crate::risk::Severity;
use crate::risk::testkit::findings_of_change;

fn severe(files: &[(&str, Option<&str>, Option<&str>)], message: Option<&str>, rule: &str) -> bool {
    findings_of_change(files, message)
        .iter()
        .any(|f| f.rule == rule && f.severity >= Severity::High)
}

fn any_high(files: &[(&str, Option<&str>, Option<&str>)], message: Option<&str>) -> bool {
    findings_of_change(files, message)
        .iter()
        .any(|f| f.severity >= Severity::High)
}

#[test]
fn a_consumer_switched_to_auto_commit_is_found_but_a_database_autocommit_is_not() {
    let old = "def kafka_config(self):\n    return {\n        \"group.id\": self.group_id,\n        \"enable.auto.commit\": False,\n    }\n";
    let new = old.replace(
        "\"enable.auto.commit\": False",
        "\"enable.auto.commit\": True",
    );
    assert!(severe(
        &[("ingest/settings.py", Some(old), Some(&new))],
        None,
        "queue-ack-regardless"
    ));
    let db_old = "def connect(dsn):\n    conn = psycopg2.connect(dsn)\n    conn.autocommit = False\n    return conn\n";
    let db_new = db_old.replace("autocommit = False", "autocommit = True");
    assert!(!severe(
        &[("app/db.py", Some(db_old), Some(&db_new))],
        None,
        "queue-ack-regardless"
    ));
}

#[test]
fn a_purge_by_id_range_is_found_but_one_that_keeps_its_criterion_is_not() {
    let old = "const deleteSQL = `DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events WHERE occurred_at < $1 LIMIT $2)`\n\nfunc purge(db *sql.DB, cutoff time.Time) error {\n\t_, err := db.Exec(deleteSQL, cutoff, 500)\n\treturn err\n}\n";
    let ranged = "const deleteSQL = `DELETE FROM audit_events WHERE id >= $1 AND id < $2`\n\nfunc purge(db *sql.DB, lo, hi int64) error {\n\t_, err := db.Exec(deleteSQL, lo, hi)\n\treturn err\n}\n";
    let path = "internal/retention/purge.go";
    assert!(severe(
        &[(path, Some(old), Some(ranged))],
        None,
        "sql-condition-dropped"
    ));
    let kept = ranged.replace(
        "WHERE id >= $1 AND id < $2`",
        "WHERE id >= $1 AND id < $2 AND occurred_at < $3`",
    );
    assert!(!severe(
        &[(path, Some(old), Some(&kept))],
        None,
        "sql-condition-dropped"
    ));
}

#[test]
fn a_proxy_header_the_application_still_sends_is_not_a_removed_guard() {
    let conf = "server {\n    listen 443 ssl;\n    add_header X-Content-Type-Options \"nosniff\" always;\n    add_header Content-Security-Policy \"default-src 'self' https: 'unsafe-inline'\" always;\n    location / {\n        proxy_pass http://app;\n    }\n}\n";
    let without = conf.replace(
        "    add_header Content-Security-Policy \"default-src 'self' https: 'unsafe-inline'\" always;\n",
        "",
    );
    let rails_old = "Rails.application.configure do\n  config.content_security_policy do |policy|\n    policy.script_src :self, :unsafe_inline\n  end\nend\n";
    let rails_new = rails_old.replace(
        "policy.script_src :self, :unsafe_inline",
        "policy.script_src :self",
    );
    let nginx = "deploy/nginx/site.conf";
    let init = "config/initializers/content_security_policy.rb";
    assert!(!severe(
        &[
            (nginx, Some(conf), Some(&without)),
            (init, Some(rails_old), Some(&rails_new))
        ],
        None,
        "config-guard-removed"
    ));
    assert!(severe(
        &[(nginx, Some(conf), Some(&without))],
        None,
        "config-guard-removed"
    ));
}

#[test]
fn roles_moved_into_a_schema_directive_are_kept_and_roles_dropped_are_not() {
    let old = "export const resolvers = {\n  Mutation: {\n    voidInvoice: async (_p, { id }, ctx) => {\n      const user = requireRole(ctx, 'BILLING_ADMIN', 'OWNER');\n      return ctx.db.invoice.void(id, user.orgId);\n    },\n  },\n};\n";
    let new = old.replace(
        "requireRole(ctx, 'BILLING_ADMIN', 'OWNER')",
        "requireUser(ctx)",
    );
    let schema_old = "extend type Mutation {\n  voidInvoice(id: ID!): Invoice!\n}\n";
    let schema_new = "extend type Mutation {\n  voidInvoice(id: ID!): Invoice! @auth(requires: [BILLING_ADMIN, OWNER])\n}\n";
    let code = "src/graphql/resolvers/billing.ts";
    let schema = "src/graphql/schema/billing.graphql";
    assert!(!severe(
        &[
            (code, Some(old), Some(&new)),
            (schema, Some(schema_old), Some(schema_new))
        ],
        None,
        "authz-wrapper-weakened"
    ));
    assert!(severe(
        &[(code, Some(old), Some(&new))],
        None,
        "authz-wrapper-weakened"
    ));
}

#[test]
fn a_guard_claimed_by_a_conditional_update_is_the_same_check() {
    let old = "export async function reset(db: Pool, token: string): Promise<string> {\n  const { rows } = await db.query(\"SELECT user_id, used_at, expires_at FROM reset_tokens WHERE token = $1\", [token]);\n  const record = rows[0];\n  if (!record || record.used_at !== null || record.expires_at < new Date()) {\n    throw new ResetTokenError();\n  }\n  await db.query(\"UPDATE reset_tokens SET used_at = now() WHERE token = $1\", [token]);\n  return record.user_id;\n}\n";
    let claimed = "export async function reset(db: Pool, token: string): Promise<string> {\n  const { rows } = await db.query(\n    `UPDATE reset_tokens SET used_at = now()\n      WHERE token = $1 AND used_at IS NULL AND expires_at > now()\n      RETURNING user_id`,\n    [token],\n  );\n  if (rows.length === 0) {\n    throw new ResetTokenError();\n  }\n  return rows[0].user_id;\n}\n";
    let path = "src/auth/passwordReset.ts";
    let flagged = |new: &str| {
        findings_of_change(&[(path, Some(old), Some(new))], None)
            .iter()
            .any(|f| f.rule.starts_with("logic-guard") && f.severity >= Severity::High)
    };
    assert!(!flagged(claimed));
    // The expiry left out of the WHERE: an expired token now works.
    let lax = claimed.replace(" AND expires_at > now()", "");
    assert!(flagged(&lax));
}

#[test]
fn a_command_moved_behind_a_make_target_still_runs() {
    let ci_old = "jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - name: vet\n        run: go vet ./...\n      - run: make build\n";
    let ci_new = ci_old.replace("run: go vet ./...", "run: make vet");
    let mk_old = "build:\n\tgo build ./...\n";
    let mk_new = "build:\n\tgo build ./...\n\nvet:\n\t$(GO) vet ./...\n";
    let ci = ".github/workflows/ci.yml";
    assert!(!severe(
        &[
            (ci, Some(ci_old), Some(&ci_new)),
            ("Makefile", Some(mk_old), Some(mk_new))
        ],
        None,
        "ci-check-removed"
    ));
    // The target does something else: the check is gone.
    let mk_other = "build:\n\tgo build ./...\n\nvet:\n\techo skipped\n";
    assert!(severe(
        &[
            (ci, Some(ci_old), Some(&ci_new)),
            ("Makefile", Some(mk_old), Some(mk_other))
        ],
        None,
        "ci-check-removed"
    ));
}

#[test]
fn a_bound_declared_in_the_route_schema_is_kept_and_one_dropped_is_not() {
    let old = "export function register(app) {\n  app.post(\"/projects\", async (request, reply) => {\n    const name = request.body.name.trim();\n    if (name.length === 0 || name.length > 120) {\n      return reply.code(400).send({ error: \"invalid_name\" });\n    }\n    return create(name);\n  });\n}\n";
    let new = old
        .replace(
            "app.post(\"/projects\", async",
            "app.post(\"/projects\", { schema: { body: { properties: { name: { type: \"string\", maxLength: 120 } } } } }, async",
        )
        .replace("name.length === 0 || name.length > 120", "name.length === 0");
    let path = "src/routes/projects.ts";
    let flagged = |new: &str| {
        findings_of_change(&[(path, Some(old), Some(new))], None)
            .iter()
            .any(|f| f.rule == "logic-guard-changed" && f.severity >= Severity::Medium)
    };
    assert!(!flagged(&new));
    assert!(flagged(&new.replace("maxLength: 120", "maxLength: 1200")));
}

#[test]
fn a_hook_that_runs_before_every_handler_keeps_the_renamed_check() {
    let mw_old = "export function requireAuth(req, res, next) {\n  if (!req.headers.authorization) {\n    return res.status(401).json({ error: \"missing_token\" });\n  }\n  next();\n}\n";
    let plugin = "export async function authenticate(request, reply) {\n  if (!request.headers.authorization) {\n    return reply.code(401).send({ error: \"missing_token\" });\n  }\n}\n";
    let server_old = "import { requireAuth } from \"./middleware/requireAuth\";\nexport function buildApp() {\n  const api = express.Router();\n  api.use(requireAuth);\n  api.get(\"/projects\", list);\n  return api;\n}\n";
    let server_new = "import { authenticate } from \"./plugins/auth\";\nexport function buildApp() {\n  const app = Fastify();\n  app.register(async (api) => {\n    api.addHook(\"onRequest\", authenticate);\n    api.get(\"/projects\", list);\n  });\n  return app;\n}\n";
    let files = |server: &str| -> bool {
        severe(
            &[
                ("src/middleware/requireAuth.ts", Some(mw_old), None),
                ("src/plugins/auth.ts", None, Some(plugin)),
                ("src/server.ts", Some(server_old), Some(server)),
            ],
            None,
            "sec-auth-check-removed",
        )
    };
    assert!(!files(server_new));
    // The hook left out: the routes run unauthenticated.
    assert!(files(
        &server_new.replace("    api.addHook(\"onRequest\", authenticate);\n", "")
    ));
}

#[test]
fn a_terraform_protection_defaulted_off_is_found_unless_a_caller_sets_it() {
    let main_old = "resource \"aws_s3_bucket\" \"this\" {\n  bucket = var.bucket_name\n\n  versioning {\n    enabled = true\n  }\n}\n";
    let main_new = "resource \"aws_s3_bucket\" \"this\" {\n  bucket = var.bucket_name\n}\n\nresource \"aws_s3_bucket_versioning\" \"this\" {\n  bucket = aws_s3_bucket.this.id\n  versioning_configuration {\n    status = var.versioning_enabled ? \"Enabled\" : \"Suspended\"\n  }\n}\n";
    let vars_old = "variable \"bucket_name\" {\n  type = string\n}\n";
    let vars_new = "variable \"bucket_name\" {\n  type = string\n}\n\nvariable \"versioning_enabled\" {\n  type    = bool\n  default = false\n}\n";
    let module = [
        (
            "terraform/modules/backup/main.tf",
            Some(main_old),
            Some(main_new),
        ),
        (
            "terraform/modules/backup/variables.tf",
            Some(vars_old),
            Some(vars_new),
        ),
    ];
    assert!(severe(&module, None, "config-protection-default-off"));
    let call_old = "module \"backups\" {\n  source      = \"../../modules/backup\"\n  bucket_name = \"db-backups\"\n}\n";
    let call_new = call_old.replace(
        "  bucket_name = \"db-backups\"\n",
        "  bucket_name = \"db-backups\"\n  versioning_enabled = true\n",
    );
    let mut with_caller = module.to_vec();
    with_caller.push((
        "terraform/envs/prod/main.tf",
        Some(call_old),
        Some(&call_new),
    ));
    assert!(!severe(&with_caller, None, "config-protection-default-off"));
}

#[test]
fn an_inhibit_rule_pointing_upward_is_found_and_downward_is_not() {
    let old = "route:\n  receiver: default\ninhibit_rules:\n  - source_match:\n      severity: critical\n    target_match:\n      severity: warning\n    equal: [alertname, cluster]\n";
    let upward = "route:\n  receiver: default\ninhibit_rules:\n  - source_matchers:\n      - severity = \"warning\"\n    target_matchers:\n      - severity = \"critical\"\n    equal: [alertname, cluster]\n";
    let downward = "route:\n  receiver: default\ninhibit_rules:\n  - source_matchers:\n      - severity = \"critical\"\n    target_matchers:\n      - severity = \"warning\"\n    equal: [alertname, cluster]\n";
    let path = "deploy/alertmanager/alertmanager.yml";
    assert!(severe(
        &[(path, Some(old), Some(upward))],
        None,
        "alert-inhibited-upward"
    ));
    assert!(!severe(
        &[(path, Some(old), Some(downward))],
        None,
        "alert-inhibited-upward"
    ));
}

#[test]
fn a_test_that_stubs_its_own_subject_is_found_and_one_that_stubs_a_dependency_is_not() {
    let code = "def compute_refund(invoice):\n    return invoice.amount_paid - invoice.amount_refunded\n\n\ndef _utcnow():\n    return datetime.now(timezone.utc)\n";
    let test_old = "from billing import refunds\n\n\ndef test_refund_is_capped(make_invoice):\n    invoice = make_invoice(refunded=\"80.00\")\n    assert refunds.compute_refund(invoice) == Decimal(\"20.00\")\n";
    let stubbed = "from billing import refunds\n\n\ndef test_refund_is_capped(make_invoice, monkeypatch):\n    invoice = make_invoice(refunded=\"80.00\")\n    monkeypatch.setattr(refunds, \"compute_refund\", lambda inv: Decimal(\"100.00\"))\n    assert refunds.compute_refund(invoice) == Decimal(\"100.00\")\n";
    let clock = "from billing import refunds\n\n\ndef test_refund_is_capped(make_invoice, monkeypatch):\n    monkeypatch.setattr(refunds, \"_utcnow\", lambda: FROZEN)\n    invoice = make_invoice(refunded=\"80.00\")\n    assert refunds.compute_refund(invoice) == Decimal(\"20.00\")\n";
    let files = |test: &str| {
        severe(
            &[
                ("billing/refunds.py", Some(code), Some(&format!("{code}\n"))),
                ("tests/billing/test_refunds.py", Some(test_old), Some(test)),
            ],
            None,
            "test-subject-stubbed",
        )
    };
    assert!(files(stubbed));
    assert!(!files(clock));
}

#[test]
fn a_build_that_ignores_test_failures_is_found() {
    let old = "tasks.withType<Test>().configureEach {\n    useJUnitPlatform()\n}\n";
    let new = "tasks.withType<Test>().configureEach {\n    useJUnitPlatform()\n    ignoreFailures = true\n}\n";
    assert!(severe(
        &[("service/build.gradle.kts", Some(old), Some(new))],
        None,
        "build-ignore-failure"
    ));
    let stricter = "tasks.withType<Test>().configureEach {\n    useJUnitPlatform()\n    ignoreFailures = false\n}\n";
    assert!(!severe(
        &[("service/build.gradle.kts", Some(old), Some(stricter))],
        None,
        "build-ignore-failure"
    ));
}

#[test]
fn a_url_keyed_cache_mounted_after_the_session_is_found() {
    let cache = "package httpapi\n\nfunc (c *Cache) Middleware(next http.Handler) http.Handler {\n\treturn http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {\n\t\tkey := r.Method + \" \" + r.URL.RequestURI()\n\t\tif hit, ok := c.get(key); ok {\n\t\t\tw.Write(hit)\n\t\t\treturn\n\t\t}\n\t\tnext.ServeHTTP(w, r)\n\t})\n}\n";
    let router_old = "func NewRouter(d Deps) http.Handler {\n\tr := chi.NewRouter()\n\tr.Route(\"/v1\", func(r chi.Router) {\n\t\tr.Use(auth.LoadSession(d.Sessions))\n\t\tr.Get(\"/orders\", listOrders(d.Orders))\n\t})\n\treturn r\n}\n";
    let router_new = router_old.replace(
        "\t\tr.Use(auth.LoadSession(d.Sessions))\n",
        "\t\tr.Use(auth.LoadSession(d.Sessions))\n\t\tr.Use(cache.Middleware)\n",
    );
    let files = |cache: &str| {
        severe(
            &[
                ("internal/httpapi/cache.go", None, Some(cache)),
                (
                    "internal/httpapi/router.go",
                    Some(router_old),
                    Some(&router_new),
                ),
            ],
            None,
            "cache-key-identity-lost",
        )
    };
    assert!(files(cache));
    // Keyed by who asks as well: one entry per session.
    assert!(!files(&cache.replace(
        "key := r.Method + \" \" + r.URL.RequestURI()",
        "key := sessionID(r) + \" \" + r.Method + \" \" + r.URL.RequestURI()\n\t\t_ = r.Cookie"
    )));
}

#[test]
fn a_secret_in_the_logging_context_is_found_and_a_client_id_is_not() {
    let old = "public class ApiKeyFilter extends OncePerRequestFilter {\n    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain) {\n        String presented = request.getHeader(\"X-Api-Key\");\n        chain.doFilter(request, response);\n    }\n}\n";
    let secret = old.replace(
        "        chain.doFilter(request, response);\n",
        "        MDC.put(\"partner.api_key\", presented);\n        chain.doFilter(request, response);\n",
    );
    let client = old.replace(
        "        chain.doFilter(request, response);\n",
        "        MDC.put(\"partner.client_id\", clientId);\n        chain.doFilter(request, response);\n",
    );
    let path = "src/main/java/com/acme/ApiKeyFilter.java";
    assert!(severe(
        &[(path, Some(old), Some(&secret))],
        None,
        "log-secret-context"
    ));
    assert!(!any_high(&[(path, Some(old), Some(&client))], None));
}
