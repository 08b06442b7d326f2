//! Checks of the forty-first round's readings, each with the cousin that
//! must not pass: an equality handed whole to a new helper, a parameter
//! renamed in one signature, a check made a function of what it checks, a
//! removed `rm` only rewrapped, a wrapped line that opens no claim, a value
//! a caller may now inject, whole headers handed to a logger, and TLS
//! checking switched off by a setting's name.

use crate::risk::Severity;
use crate::risk::testkit::{findings_of_change, rules_hit, rules_hit_with_contents};

fn severe(files: &[(&str, Option<&str>, Option<&str>)], message: Option<&str>, rule: &str) -> bool {
    findings_of_change(files, message)
        .iter()
        .any(|f| f.rule == rule && f.severity >= Severity::High)
}

const DEVICE: &str = "pub fn hash_token(secret: &str) -> String {\n    hex::encode(Sha256::digest(secret.as_bytes()))\n}\n\npub async fn verify(pool: &PgPool, id: Uuid, secret: &str) -> Result<Device, AuthError> {\n    let row = load(pool, id).await?;\n    if row.revoked_at.is_some() {\n        return Err(AuthError::Revoked);\n    }\n    if hash_token(secret) != row.token_sha256 {\n        return Err(AuthError::InvalidToken);\n    }\n    Ok(row.into())\n}\n";

#[test]
fn an_equality_handed_whole_to_a_new_helper_is_the_same_check() {
    let path = "src/auth/device_token.rs";
    let helper = "pub fn token_matches(secret: &str, stored_hex: &str) -> bool {\n    let presented = Sha256::digest(secret.as_bytes());\n    match hex::decode(stored_hex) {\n        Ok(stored) => presented.as_slice().ct_eq(stored.as_slice()).into(),\n        Err(_) => false,\n    }\n}\n\n";
    let new = DEVICE
        .replace(
            "pub async fn verify",
            &format!("{helper}pub async fn verify"),
        )
        .replace(
            "hash_token(secret) != row.token_sha256",
            "!token_matches(secret, &row.token_sha256)",
        );
    assert!(!severe(
        &[(path, Some(DEVICE), Some(&new))],
        None,
        "logic-guard-changed"
    ));
    // The stored hash no longer passed: the helper cannot compare with it.
    let blind = new.replace(
        "!token_matches(secret, &row.token_sha256)",
        "!token_matches(secret, \"\")",
    );
    assert!(severe(
        &[(path, Some(DEVICE), Some(&blind))],
        None,
        "logic-guard-changed"
    ));
    // The test turned around (`==` handed to a negated helper): it now
    // stops the right secret.
    let flipped = new.replace(
        "!token_matches(secret, &row.token_sha256)",
        "token_matches(secret, &row.token_sha256)",
    );
    assert!(severe(
        &[(path, Some(DEVICE), Some(&flipped))],
        None,
        "logic-guard-changed"
    ));
}

const ROUTES: &str = "package middleware\n\nfunc LoadPublicRoutes(path string) (*PublicRoutes, error) {\n\traw, err := os.ReadFile(path)\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\treturn parse(raw)\n}\n\nfunc (p *PublicRoutes) allows(path string) bool {\n\tfor _, prefix := range p.Prefixes {\n\t\tif strings.HasPrefix(path, prefix) {\n\t\t\treturn true\n\t\t}\n\t}\n\treturn false\n}\n";

#[test]
fn a_parameter_renamed_in_one_signature_is_read_from_that_signature() {
    let path = "internal/httpapi/middleware/auth.go";
    // `path` becomes `file` in one function and `requestPath` in the other
    // (the package `path` is imported too).
    let new = ROUTES
        .replace(
            "LoadPublicRoutes(path string) (*PublicRoutes, error) {\n\traw, err := os.ReadFile(path)",
            "LoadPublicRoutes(file string) (*PublicRoutes, error) {\n\traw, err := os.ReadFile(file)",
        )
        .replace("allows(path string)", "allows(requestPath string)")
        .replace(
            "strings.HasPrefix(path, prefix)",
            "strings.HasPrefix(requestPath, prefix)",
        );
    let hit = rules_hit_with_contents(path, ROUTES, &new);
    assert!(!hit.contains(&"logic-guard-changed".to_string()), "{hit:?}");
    // Another value tested under the new name: still found.
    let other = new.replace(
        "strings.HasPrefix(requestPath, prefix)",
        "strings.HasPrefix(prefix, requestPath)",
    );
    let hit = rules_hit_with_contents(path, ROUTES, &other);
    assert!(hit.contains(&"logic-guard-changed".to_string()), "{hit:?}");
}

const TOKENS: &str = "pub fn verify_refresh_token(cfg: &AuthConfig, token: &str) -> Result<Claims, AuthError> {\n    let claims = decode(&cfg.refresh_secret, token)?;\n    if claims.kind != TokenKind::Refresh {\n        return Err(AuthError::WrongKind);\n    }\n    Ok(claims)\n}\n";
const SESSION: &str = "pub async fn refresh(state: State, body: Body) -> Result<Json<Pair>, StatusCode> {\n    let cfg = &state.config.auth;\n    let claims = verify_refresh_token(cfg, &body.refresh_token).map_err(|_| StatusCode::UNAUTHORIZED)?;\n    Ok(issue(cfg, &claims))\n}\n";

#[test]
fn a_check_made_a_function_of_what_it_checks_is_still_called() {
    let tokens_new = "pub fn verify(cfg: &AuthConfig, expected: TokenKind, token: &str) -> Result<Claims, AuthError> {\n    let claims = decode(expected.secret(cfg), token)?;\n    if claims.kind != expected {\n        return Err(AuthError::WrongKind);\n    }\n    Ok(claims)\n}\n";
    let session_new = SESSION.replace(
        "verify_refresh_token(cfg, &body.refresh_token)",
        "tokens::verify(cfg, TokenKind::Refresh, &body.refresh_token)",
    );
    let files = |session: &str| -> Vec<crate::risk::Finding> {
        findings_of_change(
            &[
                ("src/auth/tokens.rs", Some(TOKENS), Some(tokens_new)),
                ("src/http/handlers/session.rs", Some(SESSION), Some(session)),
            ],
            None,
        )
    };
    let high = |hit: &[crate::risk::Finding], rule: &str| {
        hit.iter()
            .any(|f| f.rule == rule && f.severity >= Severity::High)
    };
    let hit = files(&session_new);
    assert!(!high(&hit, "logic-check-removed"), "{hit:?}");
    assert!(!high(&hit, "logic-guard-changed"), "{hit:?}");
    // A call that only decodes the token, kind passed or not, checks nothing.
    let decoded = SESSION.replace(
        "verify_refresh_token(cfg, &body.refresh_token)",
        "tokens::decode(cfg, TokenKind::Refresh, &body.refresh_token)",
    );
    assert!(high(&files(&decoded), "logic-check-removed"));
    // The verifier for the other kind: the words of the old name are not
    // all in the new call.
    let access = SESSION.replace(
        "verify_refresh_token(cfg, &body.refresh_token)",
        "tokens::verify(cfg, TokenKind::Access, &body.refresh_token)",
    );
    assert!(high(&files(&access), "logic-check-removed"));
}

#[test]
fn an_rm_only_rewrapped_leaves_a_new_rm_beside_it_no_replacement() {
    let path = "services/api/Dockerfile";
    let old = "FROM python:3.12-slim\nRUN apt-get update \\\n && apt-get install -y curl \\\n && rm -rf /var/lib/apt/lists/*\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n";
    let new = "FROM python:3.12-slim\nRUN apt-get update \\\n && apt-get install -y curl \\\n && rm -rf /var/lib/apt/lists/* \\\n && useradd --system app\nCOPY --from=builder /wheels /wheels\nRUN pip install --no-index /wheels/* \\\n && rm -rf /wheels\n";
    let hit = rules_hit(path, Some(old), Some(new));
    assert!(
        !hit.contains(&"destructive-selection-changed".to_string()),
        "{hit:?}"
    );
    // The old selection gone and another in its place: found.
    let moved = new.replace(
        " && rm -rf /var/lib/apt/lists/* \\\n",
        " && rm -rf /var/lib/* \\\n",
    );
    let hit = rules_hit(path, Some(old), Some(&moved));
    assert!(
        hit.contains(&"destructive-selection-changed".to_string()),
        "{hit:?}"
    );
}

const EXPORT: &str = "def export(day):\n    rows = load(day)\n    return write_csv(rows)\n";

#[test]
fn a_word_that_carries_on_a_wrapped_sentence_opens_no_claim() {
    let path = "jobs/export.py";
    let new = EXPORT.replace(
        "    rows = load(day)\n",
        "    rows = load(day)\n    if not rows:\n        return None\n",
    );
    let wrapped = "Stream the export\n\nAdded tests pinning the header, escaping and\nformatting of each column.\n";
    assert!(
        !findings_of_change(&[(path, Some(EXPORT), Some(&new))], Some(wrapped))
            .iter()
            .any(|f| f.rule == "intent-behaviour-changed")
    );
    // The same word opening a sentence of its own is a claim.
    let claim =
        "Stream the export\n\nAdded tests for the header.\nFormatting only in the job itself.\n";
    assert!(
        findings_of_change(&[(path, Some(EXPORT), Some(&new))], Some(claim))
            .iter()
            .any(|f| f.rule == "intent-behaviour-changed")
    );
}

const CLOCK: &str = "from django.utils import timezone\n\n\ndef _now_ts() -> int:\n    return int(timezone.now().timestamp())\n\n\ndef make_token(user) -> str:\n    issued_at = _now_ts()\n    return sign(user, issued_at)\n";

#[test]
fn a_value_a_caller_may_now_inject_with_the_old_one_as_default_is_no_change() {
    let path = "accounts/tokens.py";
    let msg = Some("Make reset token tests deterministic\n\nBehaviour is unchanged for callers.\n");
    let new = CLOCK
        .replace(
            "def _now_ts() -> int:\n    return int(timezone.now().timestamp())",
            "def _ts(now: datetime | None) -> int:\n    return int((now if now is not None else timezone.now()).timestamp())",
        )
        .replace("def make_token(user) -> str:\n    issued_at = _now_ts()", "def make_token(user, *, now: datetime | None = None) -> str:\n    issued_at = _ts(now)");
    assert!(!severe(
        &[(path, Some(CLOCK), Some(&new))],
        msg,
        "intent-behaviour-changed"
    ));
    // A new parameter that skips the signature when given is no default.
    let skip = CLOCK.replace(
        "def make_token(user) -> str:\n    issued_at = _now_ts()\n    return sign(user, issued_at)",
        "def make_token(user, *, unsigned=None) -> str:\n    issued_at = _now_ts()\n    if unsigned:\n        return str(issued_at)\n    return sign(user, issued_at)",
    );
    assert!(severe(
        &[(path, Some(CLOCK), Some(&skip))],
        msg,
        "intent-behaviour-changed"
    ));
}

const CRM: &str = "<?php\nclass Crm_Client {\n\tpublic function send( string $method, string $path, array $args ) {\n\t\t$response = wp_remote_request( $this->base_url . $path, $args );\n\t\t$status = (int) wp_remote_retrieve_response_code( $response );\n\t\t$this->logger->request( $method, $path, $status );\n\t\treturn $response;\n\t}\n}\n";

#[test]
fn whole_headers_handed_to_a_logger_are_found() {
    let path = "includes/class-crm-client.php";
    let new = CRM.replace(
        "\t\t$this->logger->request( $method, $path, $status );\n",
        "\t\t$this->logger->exchange(\n\t\t\tarray(\n\t\t\t\t'method'  => $method,\n\t\t\t\t'headers' => $args['headers'],\n\t\t\t\t'status'  => $status,\n\t\t\t)\n\t\t);\n",
    );
    let hit = rules_hit(path, Some(CRM), Some(&new));
    assert!(hit.contains(&"log-headers-dumped".to_string()), "{hit:?}");
    // The headers handed to the HTTP call itself, not to a logger: nothing.
    let sent = CRM.replace(
        "\t\t$response = wp_remote_request( $this->base_url . $path, $args );\n",
        "\t\t$response = wp_remote_request(\n\t\t\t$this->base_url . $path,\n\t\t\tarray(\n\t\t\t\t'headers' => $args['headers'],\n\t\t\t)\n\t\t);\n",
    );
    let hit = rules_hit(path, Some(CRM), Some(&sent));
    assert!(!hit.contains(&"log-headers-dumped".to_string()), "{hit:?}");
}

#[test]
fn tls_checking_switched_off_by_a_setting_name_is_found() {
    let rule = "sec-tls-verify-off".to_string();
    for (path, line) in [
        (
            "deploy/helm/shop/values-production.yaml",
            "  CARRIER_VERIFY_TLS: \"false\"",
        ),
        (
            "config/services.php",
            "        'verify_tls' => filter_var(env('CARRIER_VERIFY_TLS', false), FILTER_VALIDATE_BOOLEAN),",
        ),
        ("config/settings.toml", "verify_certs = false"),
    ] {
        let hit = rules_hit(path, None, Some(&format!("{line}\n")));
        assert!(hit.contains(&rule), "{line}: {hit:?}");
    }
    for (path, line) in [
        (
            "deploy/helm/shop/values-production.yaml",
            "  CARRIER_VERIFY_TLS: \"true\"",
        ),
        (
            "config/services.php",
            "        'verify_tls' => filter_var(env('CARRIER_VERIFY_TLS', true), FILTER_VALIDATE_BOOLEAN),",
        ),
    ] {
        let hit = rules_hit(path, None, Some(&format!("{line}\n")));
        assert!(!hit.contains(&rule), "{line}: {hit:?}");
    }
}

#[test]
fn any_origin_by_pattern_or_callback_is_permissive_cors() {
    let rule = "sec-cors-permissive".to_string();
    for (path, line) in [
        ("app/main.py", "    allow_origin_regex=\".*\","),
        ("src/server.ts", "  origin: (origin, cb) => cb(null, true),"),
        (
            "src/Api/Program.cs",
            "    policy.SetIsOriginAllowed(_ => true).AllowCredentials();",
        ),
    ] {
        let hit = rules_hit(path, None, Some(&format!("{line}\n")));
        assert!(hit.contains(&rule), "{line}: {hit:?}");
    }
    // A pattern of the company's own subdomains is a list, not any origin.
    let own = "    allow_origin_regex=r\"https://.*\\.tablehop\\.com\",\n";
    let hit = rules_hit("app/main.py", None, Some(own));
    assert!(!hit.contains(&rule), "{hit:?}");
}

const SORT_REPO: &str = "class OrderRepository {\n    List<Order> list(OrderSort sort) {\n        StringBuilder sql = new StringBuilder(\"SELECT * FROM orders\");\n        sql.append(\" ORDER BY \").append(columnFor(sort.field()));\n        return jdbc.query(sql.toString(), MAPPER);\n    }\n\n    private static String columnFor(OrderSortField field) {\n        return switch (field) {\n            case CREATED_AT -> \"created_at\";\n            case TOTAL -> \"total\";\n        };\n    }\n}\n";

#[test]
fn a_sort_column_no_longer_mapped_from_a_fixed_list_is_found() {
    let path = "src/main/java/shop/OrderRepository.java";
    let new = SORT_REPO
        .replace(".append(columnFor(sort.field()))", ".append(sort.column())")
        .replace(
            "\n    private static String columnFor(OrderSortField field) {\n        return switch (field) {\n            case CREATED_AT -> \"created_at\";\n            case TOTAL -> \"total\";\n        };\n    }\n",
            "",
        );
    let hit = rules_hit_with_contents(path, SORT_REPO, &new);
    assert!(
        hit.contains(&"sql-identifier-unchecked".to_string()),
        "{hit:?}"
    );
    // The mapping kept under another name, or kept and called: nothing.
    let renamed = SORT_REPO.replace("columnFor", "sortColumn");
    let hit = rules_hit_with_contents(path, SORT_REPO, &renamed);
    assert!(
        !hit.contains(&"sql-identifier-unchecked".to_string()),
        "{hit:?}"
    );
}

const EXTRACT: &str = "select\n    customer_id as member_ref,\n    sha2(lower(email), 256) as email_sha256,\n    tier\nfrom analytics.core.dim_customers\n";

#[test]
fn a_partner_extract_that_sends_every_column_is_found() {
    let dag = "dags/partner_exports/loyalty_export.py";
    let sql = "dags/partner_exports/sql/members.sql";
    let old_dag = "UNLOAD_SQL = \"\"\"\ncopy into @partner_stage from (\n{% include 'members.sql' %}\n)\n\"\"\"\n";
    let new_dag = "MEMBERS = \"\"\"\nselect *\nfrom analytics.core.dim_customers\nwhere is_member\n\"\"\"\nUNLOAD_SQL = \"\"\"\ncopy into @partner_stage from (\n{{ params.query }}\n)\n\"\"\"\n";
    let hit = findings_of_change(
        &[
            (dag, Some(old_dag), Some(new_dag)),
            (sql, Some(EXTRACT), None),
        ],
        None,
    );
    assert!(
        hit.iter().any(|f| f.rule == "export-columns-unlisted"),
        "{hit:?}"
    );
    // The same extract kept, a new internal report reading another table.
    let internal = "reports/daily_orders.py";
    let hit = findings_of_change(
        &[(
            internal,
            None,
            Some("QUERY = \"\"\"\nselect *\nfrom analytics.core.fct_orders\n\"\"\"\n"),
        )],
        None,
    );
    assert!(
        !hit.iter().any(|f| f.rule == "export-columns-unlisted"),
        "{hit:?}"
    );
}

#[test]
fn sql_written_over_two_literal_lines_pastes_nothing() {
    let path = "src/main/kotlin/privacy/ErasureTargets.kt";
    let old = "val targets = listOf<String>()\n";
    let new = "val targets = listOf(\n    \"UPDATE users SET email = CONCAT('erased+', id, '@invalid'), name = NULL, \" +\n        \"phone = NULL WHERE id = :userId\",\n)\n";
    let hit = rules_hit(path, Some(old), Some(new));
    assert!(
        !hit.contains(&"sec-sql-string-building".to_string()),
        "{hit:?}"
    );
    // The value on the next line is pasted in.
    let pasted = new.replace(
        "        \"phone = NULL WHERE id = :userId\",",
        "        userId,",
    );
    let pasted = pasted.replace("name = NULL, \" +", "name = NULL WHERE id = \" +");
    let hit = rules_hit(path, Some(old), Some(&pasted));
    assert!(
        hit.contains(&"sec-sql-string-building".to_string()),
        "{hit:?}"
    );
}
