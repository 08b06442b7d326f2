//! Checks of the forty-fourth round's readings, each with the cousin that
//! must not pass: a failing guard rewritten as a `when` branch, a key-drawing
//! helper judged where it is called, an if/else turned around after a
//! rename, a DNS name retired with its last use, an early pass-on gone from
//! a function that only passes on, an anonymous handler put behind sign-in,
//! a constant read only by log lines, a sentinel error (`ErrNotFound`) as a
//! failure, a Service selector that now takes another workload's pods, a
//! `@Transactional` that stops rolling back on checked exceptions, a
//! retention that follows a variable defaulted shorter, encryption written
//! onto an existing database, a serde default function dropped, and a retry
//! around a call that moves money.

use crate::risk::Severity;
use crate::risk::testkit::findings_of_change;

type Files<'a> = [(&'a str, Option<&'a str>, Option<&'a str>)];

fn worst(files: &Files<'_>, message: Option<&str>, rule: &str) -> Option<Severity> {
    findings_of_change(files, message)
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| f.severity)
        .max()
}

fn any_high(files: &Files<'_>, message: Option<&str>) -> bool {
    findings_of_change(files, message)
        .iter()
        .any(|f| f.severity >= Severity::High)
}

#[test]
fn a_failing_guard_rewritten_as_a_when_branch_is_kept_but_one_dropped_is_not() {
    let old = "class Client {\n    fun post(path: String): String {\n        val response = http.call(path)\n        if (!response.isSuccessful) {\n            throw GatewayException(response.code, response.text)\n        }\n        return response.text\n    }\n}\n";
    let branch = "class Client {\n    fun post(path: String): String {\n        val response = http.call(path)\n        return when {\n            response.isSuccessful -> response.text\n            else -> throw GatewayException(response.code, response.text)\n        }\n    }\n}\n";
    let dropped = "class Client {\n    fun post(path: String): String {\n        val response = http.call(path)\n        return response.text\n    }\n}\n";
    let path = "src/main/kotlin/Client.kt";
    assert!(
        worst(
            &[(path, Some(old), Some(branch))],
            None,
            "logic-guard-removed"
        )
        .is_none(),
        "a when branch throws what the guard threw"
    );
    assert!(
        worst(
            &[(path, Some(old), Some(dropped))],
            None,
            "logic-guard-removed"
        ) >= Some(Severity::High)
    );
}

#[test]
fn a_key_drawing_helper_is_judged_where_it_is_called() {
    let old = "def charge(order):\n    return post('/charges', order)\n";
    let outside = "def charge(order):\n    return post('/charges', order, new_idempotency_key())\n\ndef post(path, body, key):\n    for attempt in range(3):\n        try:\n            return http.post(path, json=body, headers={'Idempotency-Key': key})\n        except Timeout:\n            continue\n\ndef new_idempotency_key(): return str(uuid.uuid4())\n";
    let inside = "def charge(order):\n    return post('/charges', order)\n\ndef post(path, body):\n    for attempt in range(3):\n        try:\n            idempotency_key = str(uuid.uuid4())\n            return http.post(path, json=body, headers={'Idempotency-Key': idempotency_key})\n        except Timeout:\n            continue\n";
    let path = "billing/gateway.py";
    assert!(
        worst(
            &[(path, Some(old), Some(outside))],
            None,
            "idempotency-key-per-attempt"
        )
        .is_none()
    );
    assert!(
        worst(
            &[(path, Some(old), Some(inside))],
            None,
            "idempotency-key-per-attempt"
        )
        .is_some()
    );
}

#[test]
fn a_dns_record_retired_with_its_last_use_is_medium_but_one_still_linked_is_high() {
    let tf = "resource \"aws_route53_record\" \"legacy\" {\n  zone_id = var.zone\n  name    = \"legacy-status.acme.io\"\n  type    = \"CNAME\"\n  records = [\"acme.herokuapp.com\"]\n}\n\nresource \"aws_route53_record\" \"www\" {\n  zone_id = var.zone\n  name    = \"www.acme.io\"\n  type    = \"CNAME\"\n  records = [\"acme.netlify.app\"]\n}\n";
    let without = tf.split("\n\n").nth(1).unwrap_or("").to_string();
    let go_old = "package notify\n\nconst StatusURL = \"https://legacy-status.acme.io\"\n";
    let go_new = "package notify\n\nconst StatusURL = \"https://status.acme.io\"\n";
    let retired = worst(
        &[
            ("infra/dns.tf", Some(tf), Some(&without)),
            ("internal/notify/links.go", Some(go_old), Some(go_new)),
        ],
        None,
        "tf-resource-removed",
    );
    assert_eq!(retired, Some(Severity::Medium));
    let still = worst(
        &[("infra/dns.tf", Some(tf), Some(&without))],
        None,
        "tf-resource-removed",
    );
    assert_eq!(still, Some(Severity::High));
}

#[test]
fn an_early_pass_on_gone_from_a_function_that_only_passes_on_is_low() {
    let old = "<?php\nclass ResolveSession\n{\n    public function handle($request, $next)\n    {\n        if (Auth::check()) {\n            return $next($request);\n        }\n        if ($request->cookies->has('legacy')) {\n            $this->legacy->login($request);\n        }\n        return $next($request);\n    }\n}\n";
    let new = "<?php\nclass ResolveSession\n{\n    public function handle($request, $next)\n    {\n        Auth::check();\n        return $next($request);\n    }\n}\n";
    let path = "app/Http/Middleware/ResolveSession.php";
    assert!(!any_high(&[(path, Some(old), Some(new))], None));
    // A failing guard gone from the same function is still an alarm.
    let failing = old.replace(
        "if (Auth::check()) {\n            return $next($request);",
        "if (! Auth::check()) {\n            abort(401);",
    );
    assert!(
        worst(
            &[(path, Some(&failing), Some(new))],
            None,
            "logic-guard-removed"
        ) >= Some(Severity::High)
    );
}

#[test]
fn a_signed_link_check_gone_with_allow_anonymous_is_not_an_alarm() {
    let old = "[Authorize(Policy = \"reports:read\")]\npublic sealed class ReportsController : ControllerBase\n{\n    [AllowAnonymous]\n    [HttpGet(\"exports/download/{token}\")]\n    public async Task<IActionResult> Download(string token)\n    {\n        if (!_signer.TryValidate(token, out var exportId))\n        {\n            return NotFound();\n        }\n        return File(await _exports.OpenAsync(exportId), \"text/csv\");\n    }\n}\n";
    let new = "[Authorize(Policy = \"reports:read\")]\npublic sealed class ReportsController : ControllerBase\n{\n    [HttpGet(\"exports/{exportId:guid}/download\")]\n    public async Task<IActionResult> Download(Guid exportId)\n    {\n        return File(await _exports.OpenAsync(_tenant.Id, exportId), \"text/csv\");\n    }\n}\n";
    let path = "src/Reporting.Api/Controllers/ReportsController.cs";
    assert!(worst(&[(path, Some(old), Some(new))], None, "logic-guard-removed").is_none());
    // Still anonymous, the check gone: the link opens for anyone.
    let open = new.replace(
        "    [HttpGet(\"exports/{",
        "    [AllowAnonymous]\n    [HttpGet(\"exports/{",
    );
    assert!(
        worst(
            &[(path, Some(old), Some(&open))],
            None,
            "logic-guard-removed"
        ) >= Some(Severity::High)
    );
}

#[test]
fn a_constant_read_only_by_log_lines_is_no_behaviour_change() {
    let old = "class ReminderJob\n  def perform(id)\n    invoice = Invoice.find_by(id: id)\n    if invoice.nil?\n      Rails.logger.warn(\"not found\")\n      return\n    end\n    InvoiceMailer.remind(invoice).deliver_now\n  end\nend\n";
    let logged = "class ReminderJob\n  LOG_PREFIX = \"[ReminderJob]\"\n\n  def perform(id)\n    invoice = Invoice.find_by(id: id)\n    if invoice.nil?\n      Rails.logger.warn(\"#{LOG_PREFIX} not found id=#{id}\")\n      return\n    end\n    InvoiceMailer.remind(invoice).deliver_now\n  end\nend\n";
    let path = "app/jobs/reminder_job.rb";
    let msg = Some("Add context to reminder log lines\n\nNo behaviour change.");
    assert!(
        worst(
            &[(path, Some(old), Some(logged))],
            msg,
            "intent-behaviour-changed"
        )
        .is_none()
    );
    // The same constant deciding what is mailed is behaviour.
    let used = logged.replace(
        "InvoiceMailer.remind(invoice).deliver_now",
        "InvoiceMailer.remind(invoice, subject: LOG_PREFIX).deliver_now",
    );
    assert!(
        worst(
            &[(path, Some(old), Some(&used))],
            msg,
            "intent-behaviour-changed"
        )
        .is_some()
    );
}

#[test]
fn a_service_selector_that_takes_another_workloads_pods_is_found() {
    let deploy = |name: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  template:\n    metadata:\n      labels:\n        app: {name}\n        part-of: checkout\n    spec:\n      containers:\n        - name: app\n          image: {name}:1\n"
        )
    };
    let service = |selector: &str| {
        format!(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: checkout-api\nspec:\n  selector:\n{selector}  ports:\n    - port: 80\n"
        )
    };
    let old = service("    app: checkout-api\n");
    let shared = service("    part-of: checkout\n");
    // The change relabels the workloads too (a version label).
    let relabel = |t: &str| {
        t.replace(
            "        part-of: checkout\n",
            "        part-of: checkout\n        version: \"2\"\n",
        )
    };
    let (api, admin) = (deploy("checkout-api"), deploy("checkout-admin"));
    let files = |svc: &str| -> Vec<(String, Option<String>, Option<String>)> {
        vec![
            (
                "k8s/api.yaml".into(),
                Some(api.clone()),
                Some(relabel(&api)),
            ),
            (
                "k8s/admin.yaml".into(),
                Some(admin.clone()),
                Some(relabel(&admin)),
            ),
            (
                "k8s/service.yaml".into(),
                Some(old.clone()),
                Some(svc.to_string()),
            ),
        ]
    };
    let run = |svc: &str| {
        let owned = files(svc);
        let refs: Vec<(&str, Option<&str>, Option<&str>)> = owned
            .iter()
            .map(|(p, a, b)| (p.as_str(), a.as_deref(), b.as_deref()))
            .collect();
        worst(&refs, None, "k8s-selector-matches-others")
    };
    assert_eq!(run(&shared), Some(Severity::High));
    assert_eq!(
        run(&service("    app: checkout-api\n    part-of: checkout\n")),
        None
    );
}

#[test]
fn a_transactional_that_stops_rolling_back_on_a_checked_exception_is_found() {
    let old = "@Service\npublic class TransferService {\n    @Transactional(rollbackFor = Exception.class)\n    public Transfer execute(TransferCommand cmd) throws LedgerException {\n        return ledger.move(cmd);\n    }\n}\n";
    let new = old.replace(
        "@Transactional(rollbackFor = Exception.class)",
        "@Transactional",
    );
    let path = "src/main/java/com/acme/TransferService.java";
    assert_eq!(
        worst(
            &[(path, Some(old), Some(&new))],
            None,
            "db-transaction-rollback-narrowed"
        ),
        Some(Severity::High)
    );
    // Only unchecked exceptions declared: Spring rolls those back anyway.
    let (old, new) = (
        old.replace("throws LedgerException", "throws IllegalStateException"),
        new.replace("throws LedgerException", "throws IllegalStateException"),
    );
    assert_eq!(
        worst(
            &[(path, Some(&old), Some(&new))],
            None,
            "db-transaction-rollback-narrowed"
        ),
        Some(Severity::High),
        "IllegalStateException is read as checked: only *RuntimeException and *Error are known unchecked"
    );
    let runtime = |t: &str| t.replace("IllegalStateException", "PaymentRuntimeException");
    assert_eq!(
        worst(
            &[(path, Some(&runtime(&old)), Some(&runtime(&new)))],
            None,
            "db-transaction-rollback-narrowed"
        ),
        None
    );
}

#[test]
fn a_retention_that_follows_a_variable_defaulted_shorter_is_found_unless_it_is_passed() {
    let groups_old = "resource \"aws_cloudwatch_log_group\" \"audit\" {\n  name              = \"/app/audit\"\n  retention_in_days = 2557\n}\n";
    let groups_new = groups_old.replace(
        "retention_in_days = 2557",
        "retention_in_days = var.log_retention_days",
    );
    let vars_old = "variable \"team\" {\n  type = string\n}\n";
    let vars_new = format!(
        "{vars_old}\nvariable \"log_retention_days\" {{\n  type    = number\n  default = 7\n}}\n"
    );
    let files = [
        ("infra/logs.tf", Some(groups_old), Some(groups_new.as_str())),
        (
            "infra/variables.tf",
            Some(vars_old),
            Some(vars_new.as_str()),
        ),
    ];
    assert_eq!(
        worst(&files, None, "data-retention-shortened"),
        Some(Severity::High)
    );
    let longer = vars_new.replace("default = 7", "default = 3650");
    let files = [
        ("infra/logs.tf", Some(groups_old), Some(groups_new.as_str())),
        ("infra/variables.tf", Some(vars_old), Some(longer.as_str())),
    ];
    assert_eq!(worst(&files, None, "data-retention-shortened"), None);
}

#[test]
fn encryption_written_onto_an_existing_database_replaces_it_but_a_log_group_takes_a_key() {
    let db = "resource \"aws_db_instance\" \"main\" {\n  identifier     = \"main\"\n  engine         = \"postgres\"\n  instance_class = \"db.r6g.large\"\n}\n";
    let encrypted = db.replace(
        "  instance_class = \"db.r6g.large\"\n",
        "  instance_class = \"db.r6g.large\"\n  storage_encrypted = true\n  kms_key_id        = aws_kms_key.data.arn\n",
    );
    assert_eq!(
        worst(
            &[("infra/rds.tf", Some(db), Some(&encrypted))],
            None,
            "tf-force-new"
        ),
        Some(Severity::Critical)
    );
    let logs = "resource \"aws_cloudwatch_log_group\" \"app\" {\n  name = \"/app\"\n  retention_in_days = 30\n}\n";
    let keyed = logs.replace(
        "  retention_in_days = 30\n",
        "  retention_in_days = 30\n  kms_key_id = aws_kms_key.logs.arn\n",
    );
    assert_eq!(
        worst(
            &[("infra/logs.tf", Some(logs), Some(&keyed))],
            None,
            "tf-force-new"
        ),
        None
    );
}

#[test]
fn a_serde_default_function_dropped_for_a_derived_zero_is_found() {
    let old = "#[derive(Debug, Deserialize)]\npub struct Upstream {\n    pub base_url: String,\n    #[serde(default = \"default_true\")]\n    pub verify_tls: bool,\n}\n\nfn default_true() -> bool {\n    true\n}\n";
    let new = "#[derive(Debug, Default, Deserialize)]\n#[serde(default)]\npub struct Upstream {\n    pub base_url: String,\n    pub verify_tls: bool,\n}\n";
    assert_eq!(
        worst(
            &[("src/config.rs", Some(old), Some(new))],
            None,
            "derived-default-changed"
        ),
        Some(Severity::High)
    );
    // A default function that returned the zero anyway changes nothing.
    let zero = old.replace("    true\n}", "    false\n}");
    assert_eq!(
        worst(
            &[("src/config.rs", Some(&zero), Some(new))],
            None,
            "derived-default-changed"
        ),
        None
    );
}

#[test]
fn a_retry_around_a_call_that_moves_money_needs_a_key() {
    let old = "class Consumer:\n    def handle(self, payout):\n        return self.bank.create_transfer(account=payout.account, amount=payout.amount)\n";
    let retried = "class Consumer:\n    def handle(self, payout):\n        for attempt in range(MAX_RETRIES):\n            try:\n                return self.bank.create_transfer(account=payout.account, amount=payout.amount)\n            except TransientError:\n                time.sleep(2 ** attempt)\n";
    let keyed = retried.replace(
        "amount=payout.amount)",
        "amount=payout.amount, idempotency_key=payout.key)",
    );
    let path = "worker/consumer.py";
    assert!(
        worst(
            &[(path, Some(old), Some(retried))],
            None,
            "retry-not-idempotent"
        )
        .is_some()
    );
    assert!(
        worst(
            &[(path, Some(old), Some(&keyed))],
            None,
            "retry-not-idempotent"
        )
        .is_none()
    );
}
