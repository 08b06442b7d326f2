//! Checks of the thirty-third round's readings, each with the cousin that
//! must not fire: privileges named in grants, grants that narrow, NOT NULL
//! proven by a validated check, string widenings, allow-list entries matched
//! by part, a setting's configured value, liveness handlers that ask the
//! dependencies, a protection switch named for its attack, a check helper
//! written out with a parameter, and a flag retired at off.

use crate::risk::Severity;
use crate::risk::testkit::{findings_of_change, rules_hit, rules_hit_with_contents};

fn severe(files: &[(&str, Option<&str>, Option<&str>)], rule: &str) -> bool {
    findings_of_change(files, None)
        .iter()
        .any(|f| f.rule == rule && f.severity >= Severity::High)
}

#[test]
fn truncate_named_as_a_privilege_empties_nothing() {
    let path = "db/migrations/20240620_ro.sql";
    let revoke = "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public FROM reporting_ro;\n";
    assert!(!severe(&[(path, None, Some(revoke))], "sql-truncate"));
    assert!(severe(
        &[(path, None, Some("TRUNCATE TABLE orders;\n"))],
        "sql-truncate"
    ));
}

#[test]
fn a_schema_wide_grant_that_narrows_the_role_is_no_widening() {
    let role = "db/roles/reporting_ro.sql";
    let old = "GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA public TO reporting_ro;\n";
    let new = "GRANT SELECT ON ALL TABLES IN SCHEMA public TO reporting_ro;\n";
    assert!(!severe(
        &[(role, Some(old), Some(new))],
        "sql-grant-schema-wide"
    ));
    // Another role, or nothing taken away: a grant of every table.
    let other = new.replace("reporting_ro", "partner_acme");
    assert!(severe(
        &[(role, Some(old), Some(&other))],
        "sql-grant-schema-wide"
    ));
    assert!(severe(
        &[(role, Some(""), Some(new))],
        "sql-grant-schema-wide"
    ));
    // A revoke alone proves nothing: the role may never have had it.
    let revoke_then_grant =
        format!("REVOKE TRUNCATE ON ALL TABLES IN SCHEMA public FROM reporting_ro;\n{new}");
    assert!(severe(
        &[(
            "db/migrations/20240620_ro.sql",
            None,
            Some(&revoke_then_grant)
        )],
        "sql-grant-schema-wide"
    ));
}

#[test]
fn not_null_after_a_validated_check_takes_no_scan() {
    let path = "migrations/versions/b3e0_orders_tenant_not_null.py";
    let validated = "def upgrade():\n    op.execute(\"ALTER TABLE orders VALIDATE CONSTRAINT orders_tenant_id_not_null\")\n    op.alter_column(\"orders\", \"tenant_id\", nullable=False)\n";
    assert!(!severe(
        &[(path, None, Some(validated))],
        "migration-not-null"
    ));
    let bare = "def upgrade():\n    op.alter_column(\"orders\", \"tenant_id\", nullable=False)\n";
    assert!(severe(&[(path, None, Some(bare))], "migration-not-null"));
    // A check on another column validated first proves nothing about this one.
    let other = validated.replace("orders_tenant_id_not_null", "orders_amount_positive");
    assert!(severe(&[(path, None, Some(&other))], "migration-not-null"));
    let sql = "ALTER TABLE orders VALIDATE CONSTRAINT orders_tenant_id_not_null;\nALTER TABLE orders ALTER COLUMN tenant_id SET NOT NULL;\n";
    let sql_path = "db/migrations/0042_tenant_not_null.sql";
    assert!(!severe(
        &[(sql_path, None, Some(sql))],
        "sql-not-null-without-default"
    ));
    let sql_other = sql.replace("orders_tenant_id_not_null", "orders_amount_positive");
    assert!(severe(
        &[(sql_path, None, Some(&sql_other))],
        "sql-not-null-without-default"
    ));
}

#[test]
fn a_column_made_a_wider_string_is_no_rewrite() {
    let path = "db/migration/V42__widen.sql";
    let widen = "ALTER TABLE users ALTER COLUMN password_hash TYPE varchar(100);\n";
    assert!(!severe(
        &[(path, None, Some(widen))],
        "sql-column-type-change"
    ));
    let bigint = "ALTER TABLE events ALTER COLUMN id TYPE bigint;\n";
    assert!(severe(
        &[(path, None, Some(bigint))],
        "sql-column-type-change"
    ));
}

#[test]
fn allow_list_entries_matched_by_prefix_are_found() {
    let old = "function isAppUrl(u) {\n  return new URL(u).origin === APP_ORIGIN;\n}\n";
    let new = "function isAppUrl(u) {\n  return Object.values(APP_HOSTS).some((host) => u.startsWith(host));\n}\n";
    let hit = rules_hit_with_contents("desktop/src/main/windows.js", old, new);
    assert!(hit.contains(&"host-match-partial".to_string()), "{hit:?}");
    let kt = "if (client.redirectUris.any { registered -> requested.startsWith(registered) }) {\n";
    let hit = rules_hit("auth/src/main/kotlin/Redirects.kt", Some(""), Some(kt));
    assert!(hit.contains(&"host-match-partial".to_string()), "{hit:?}");
    // Route prefixes of a list of paths: no host in them.
    let paths = "  return publicPaths.some((p) => req.path.startsWith(p));\n";
    let hit = rules_hit("src/middleware/auth.ts", Some(""), Some(paths));
    assert!(!hit.contains(&"host-match-partial".to_string()), "{hit:?}");
}

#[test]
fn a_suffix_read_from_the_changes_settings_is_resolved() {
    let policy = "public bool IsAllowed(Uri uri) {\n    return uri.Host.EndsWith(_previewDomain, StringComparison.OrdinalIgnoreCase);\n}\n";
    let files = |domain: &str| {
        let settings =
            format!("{{\n  \"Cors\": {{\n    \"PreviewDomain\": \"{domain}\"\n  }}\n}}\n");
        severe(
            &[
                ("src/Api/Security/CorsPolicy.cs", Some(""), Some(policy)),
                (
                    "src/Api/appsettings.json",
                    Some("{}\n"),
                    Some(settings.as_str()),
                ),
            ],
            "host-match-partial",
        )
    };
    assert!(files("shop-preview.app"));
    assert!(!files(".shop-preview.app"));
}

#[test]
fn a_liveness_handler_that_pings_the_database_is_found() {
    let old = "func (c *Checker) Livez(w http.ResponseWriter, _ *http.Request) {\n\tw.WriteHeader(200)\n}\n\nfunc (c *Checker) Register(mux *http.ServeMux) {\n\tmux.HandleFunc(\"/livez\", c.Livez)\n}\n";
    let new = "func (c *Checker) all(w http.ResponseWriter, r *http.Request) {\n\tif err := c.db.PingContext(r.Context()); err != nil {\n\t\tw.WriteHeader(503)\n\t\treturn\n\t}\n\tw.WriteHeader(200)\n}\n\nfunc (c *Checker) Register(mux *http.ServeMux) {\n\tmux.HandleFunc(\"/livez\", c.all)\n}\n";
    let rule = "liveness-probe-checks-dependencies".to_string();
    assert!(rules_hit_with_contents("internal/health/health.go", old, new).contains(&rule));
    // The process only, as before.
    let plain = new.replace(
        "\tif err := c.db.PingContext(r.Context()); err != nil {\n\t\tw.WriteHeader(503)\n\t\treturn\n\t}\n",
        "",
    );
    assert!(!rules_hit_with_contents("internal/health/health.go", old, &plain).contains(&rule));
}

#[test]
fn a_protection_named_for_its_attack_turned_on_is_no_weakening() {
    let old = "{\n  \"realm\": \"acme\",\n  \"bruteForceProtected\": false\n}\n";
    let on = old.replace("false", "true");
    let rule = "config-safety-off".to_string();
    assert!(!rules_hit_with_contents("infra/keycloak/realm.json", old, &on).contains(&rule));
    assert!(rules_hit_with_contents("infra/keycloak/realm.json", &on, old).contains(&rule));
}

#[test]
fn a_check_helper_written_out_as_a_middleware_with_its_role_as_argument_moved() {
    let handlers_old = "package api\n\nfunc requireAdmin(w http.ResponseWriter, r *http.Request) bool {\n\tu, ok := auth.UserFrom(r.Context())\n\tif !ok {\n\t\thttp.Error(w, \"unauthorized\", 401)\n\t\treturn false\n\t}\n\tif !u.HasRole(\"admin\") {\n\t\thttp.Error(w, \"forbidden\", 403)\n\t\treturn false\n\t}\n\treturn true\n}\n\nfunc (h *Handlers) AdminDeleteUser(w http.ResponseWriter, r *http.Request) {\n\tif !requireAdmin(w, r) {\n\t\treturn\n\t}\n\th.Users.Delete(r.Context(), chi.URLParam(r, \"id\"))\n}\n";
    let handlers_new = "package api\n\nfunc (h *Handlers) AdminDeleteUser(w http.ResponseWriter, r *http.Request) {\n\th.Users.Delete(r.Context(), chi.URLParam(r, \"id\"))\n}\n";
    let middleware = "package middleware\n\nfunc RequireRole(role string) func(http.Handler) http.Handler {\n\treturn func(next http.Handler) http.Handler {\n\t\treturn http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {\n\t\t\tu, ok := auth.UserFrom(r.Context())\n\t\t\tif !ok {\n\t\t\t\thttp.Error(w, \"unauthorized\", 401)\n\t\t\t\treturn\n\t\t\t}\n\t\t\tif !u.HasRole(role) {\n\t\t\t\thttp.Error(w, \"forbidden\", 403)\n\t\t\t\treturn\n\t\t\t}\n\t\t\tnext.ServeHTTP(w, r)\n\t\t})\n\t}\n}\n";
    let router_old = "package api\n\nfunc routes(r chi.Router, h *Handlers) {\n\tr.Route(\"/admin\", func(r chi.Router) {\n\t\tr.Delete(\"/users/{id}\", h.AdminDeleteUser)\n\t})\n}\n";
    let removed = |role: &str| {
        let router_new = router_old.replace(
            "\t\tr.Delete(",
            &format!("\t\tr.Use(middleware.RequireRole(\"{role}\"))\n\t\tr.Delete("),
        );
        let files = [
            (
                "internal/api/admin_handlers.go",
                Some(handlers_old),
                Some(handlers_new),
            ),
            ("internal/api/middleware/roles.go", None, Some(middleware)),
            (
                "internal/api/router.go",
                Some(router_old),
                Some(router_new.as_str()),
            ),
        ];
        findings_of_change(&files, None).iter().any(|f| {
            f.severity >= Severity::High
                && (f.rule == "sec-auth-check-removed" || f.rule.starts_with("logic-"))
        })
    };
    assert!(!removed("admin"));
    // Another role in the middleware: the admin check is gone.
    assert!(removed("support"));
}

#[test]
fn a_flag_retired_at_off_with_its_branch_is_no_guard_removed() {
    let page_old = "export function Page({ s }: Props) {\n  const flags = useFlags();\n  if (flags.legacyCheckout) {\n    return <LegacyCheckout session={s} />;\n  }\n  return <Checkout session={s} />;\n}\n";
    let page_new = "export function Page({ s }: Props) {\n  return <Checkout session={s} />;\n}\n";
    let defaults = |v: &str| {
        format!(
            "export const DEFAULT_FLAGS = {{\n  legacyCheckout: {v},\n  showGiftWrap: true,\n}};\n"
        )
    };
    let after = "export const DEFAULT_FLAGS = {\n  showGiftWrap: true,\n};\n";
    let guard_removed = |v: &str| {
        let before = defaults(v);
        severe(
            &[
                (
                    "apps/web/src/checkout/Page.tsx",
                    Some(page_old),
                    Some(page_new),
                ),
                (
                    "packages/flags/src/defaults.ts",
                    Some(before.as_str()),
                    Some(after),
                ),
            ],
            "logic-guard-removed",
        )
    };
    assert!(!guard_removed("false"));
    // Retired at on, the branch dropped: everyone who had it loses it.
    assert!(guard_removed("true"));
    // A setting, not a feature flag: its branch may be on in production.
    let login_old = "export async function login(u: User) {\n  if (settings.requireMfa) {\n    return challenge(u);\n  }\n  return session(u);\n}\n";
    let login_new = "export async function login(u: User) {\n  return session(u);\n}\n";
    assert!(severe(
        &[
            ("src/auth/login.ts", Some(login_old), Some(login_new)),
            (
                "src/config/defaults.ts",
                Some("export const settings = {\n  requireMfa: false,\n  theme: 'light',\n};\n"),
                Some("export const settings = {\n  theme: 'light',\n};\n"),
            ),
        ],
        "logic-guard-removed",
    ));
}

#[test]
fn a_view_that_selects_every_column_of_its_table_is_found() {
    let old = "CREATE OR REPLACE VIEW analytics.customers AS\nSELECT\n    c.id,\n    c.country_code,\n    c.created_at\nFROM public.customers c;\n";
    let new = old.replace(
        "    c.id,\n    c.country_code,\n    c.created_at\n",
        "    c.*\n",
    );
    let high = |new: &str| {
        severe(
            &[("schema/views/analytics_customers.sql", Some(old), Some(new))],
            "sql-view-selects-every-column",
        )
    };
    assert!(high(&new));
    // A column added to the list: still listed one by one.
    let listed = old.replace("    c.created_at\n", "    c.created_at,\n    c.plan\n");
    assert!(!high(&listed));
    // A count of every row is no column list.
    let counted = old.replace("    c.id,\n", "    count(*) AS n,\n");
    assert!(!high(&counted));
}

#[test]
fn an_outbound_address_check_removed_is_found_and_one_moved_is_not() {
    let old = "func deny(address string) error {\n\tip := net.ParseIP(address)\n\tif ip.IsLoopback() || ip.IsPrivate() {\n\t\treturn errForbidden\n\t}\n\treturn nil\n}\n";
    let rule = "ssrf-address-check-removed".to_string();
    let gone = rules_hit("internal/webhooks/client.go", Some(old), None);
    assert!(gone.contains(&rule), "{gone:?}");
    let files = [
        ("internal/webhooks/client.go", Some(old), None),
        ("internal/netguard/dial.go", None, Some(old)),
    ];
    let moved: Vec<String> = findings_of_change(&files, None)
        .into_iter()
        .map(|f| f.rule)
        .collect();
    assert!(!moved.contains(&rule), "{moved:?}");
}
