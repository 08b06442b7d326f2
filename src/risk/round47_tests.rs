//! Checks of the forty-seventh round's readings, each with the cousin that
//! must not pass: a deny on an entitlement (a plan's grant of a feature)
//! that now runs only when the grant is there.

use crate::risk::Severity;
use crate::risk::testkit::{findings_of_change, high_rules};

const GATE: &str = "api/src/middleware/requireFeature.ts";

/// A middleware that stops the request with `status` when `cond` holds.
fn gate(lookup: &str, cond: &str, status: &str) -> String {
    format!(
        "export function requireFeature(feature: FeatureKey) {{\n  return async (req: Request, res: Response, next: NextFunction) => {{\n    const orgId = req.auth.orgId;\n    try {{\n      const plan = await loadPlan(orgId);\n      {lookup}\n      if ({cond}) {{\n        res.status({status}).json({{ error: 'not_allowed', feature }});\n        return;\n      }}\n      next();\n    }} catch (err) {{\n      next(err);\n    }}\n  }};\n}}\n"
    )
}

#[test]
fn an_entitlement_deny_that_now_needs_the_grant_present_alarms_but_a_capacity_cap_does_not() {
    let old = gate("", "!plan.features[feature]?.enabled", "403");
    let new = gate(
        "const grant = plan?.features?.[feature];",
        "grant && !grant.enabled",
        "403",
    );
    let found = high_rules(&[(GATE, Some(&old), Some(&new))]);
    assert!(
        found.iter().any(|f| f.starts_with("logic-guard-changed")),
        "a feature missing from the plan now passes: {found:?}"
    );
    // The same shape on a capacity cap: a cap applied only when one is set
    // is worth a look, not an alarm.
    let old = gate("", "!plan.caps[feature]?.spare", "429");
    let new = gate(
        "const cap = plan?.caps?.[feature];",
        "cap && !cap.spare",
        "429",
    );
    let found = high_rules(&[(GATE, Some(&old), Some(&new))]);
    assert!(found.is_empty(), "{found:?}");
}

const RDS: &str = "infra/aws/prod/rds.tf";
const MODULE_MAIN: &str = "infra/aws/modules/rds-postgres/main.tf";
const MODULE_VARS: &str = "infra/aws/modules/rds-postgres/variables.tf";
const RDS_OLD: &str = "resource \"aws_db_instance\" \"orders\" {\n  identifier          = \"orders-prod\"\n  engine              = \"postgres\"\n  instance_class      = \"db.r6g.2xlarge\"\n  deletion_protection = true\n}\n";
const RDS_NEW: &str = "module \"orders_db\" {\n  source     = \"../modules/rds-postgres\"\n  identifier = \"orders-prod\"\n}\n\nmoved {\n  from = aws_db_instance.orders\n  to   = module.orders_db.aws_db_instance.this\n}\n";
const MODULE_MAIN_NEW: &str = "resource \"aws_db_instance\" \"this\" {\n  identifier          = var.identifier\n  engine              = \"postgres\"\n  instance_class      = \"db.r6g.2xlarge\"\n  deletion_protection = var.deletion_protection\n}\n";

fn vars(default: &str) -> String {
    format!(
        "variable \"identifier\" {{\n  type = string\n}}\n\nvariable \"deletion_protection\" {{\n  type    = bool\n  default = {default}\n}}\n"
    )
}

#[test]
fn a_protection_moved_into_a_module_variable_defaulting_on_is_kept_but_not_when_off() {
    let protected = |rds_new: &str, default: &str| {
        let vars = vars(default);
        !findings_of_change(
            &[
                (RDS, Some(RDS_OLD), Some(rds_new)),
                (MODULE_MAIN, None, Some(MODULE_MAIN_NEW)),
                (MODULE_VARS, None, Some(&vars)),
            ],
            None,
        )
        .iter()
        .any(|f| f.rule.starts_with("tf-protection") && f.severity >= Severity::High)
    };
    assert!(
        protected(RDS_NEW, "true"),
        "the module keeps the protection on"
    );
    assert!(
        !protected(RDS_NEW, "false"),
        "the module's default turns it off"
    );
    let overridden = RDS_NEW.replace(
        "  identifier = \"orders-prod\"\n",
        "  identifier = \"orders-prod\"\n  deletion_protection = false\n",
    );
    assert!(!protected(&overridden, "true"), "the call turns it off");
}

const HANDLER: &str = "src/Orders.Api/Infrastructure/GlobalExceptionHandler.cs";

fn handler(body: &str) -> String {
    format!(
        "public sealed class GlobalExceptionHandler : IExceptionHandler\n{{\n    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken ct)\n    {{\n        var status = exception switch\n        {{\n            DbUpdateConcurrencyException => StatusCodes.Status409Conflict,\n            _ => StatusCodes.Status500InternalServerError,\n        }};\n        _logger.LogWarning(\"Request {{Method}} {{Path}} failed with {{Status}}: {{Message}}\",\n            httpContext.Request.Method, httpContext.Request.Path, status, exception.Message);\n        httpContext.Response.StatusCode = status;\n        await httpContext.Response.WriteAsJsonAsync({body}, ct);\n        return true;\n    }}\n}}\n"
    )
}

#[test]
fn a_database_error_logged_across_lines_is_not_sent_but_one_in_the_body_is() {
    let exposed = |body: &str| {
        let new = handler(body);
        findings_of_change(&[(HANDLER, None, Some(&new))], None)
            .iter()
            .any(|f| f.rule == "error-details-exposed" && f.severity >= Severity::High)
    };
    assert!(
        !exposed("new { title = \"Request failed\" }"),
        "the message goes to the log"
    );
    assert!(
        exposed("new { title = \"Request failed\", detail = exception.Message }"),
        "the message goes to the caller"
    );
}

const TOKENS: &str = "packages/support/src/Security/TokenGenerator.php";
const TOKENS_OLD: &str = "<?php\n\nfinal class TokenGenerator\n{\n    public static function generate(int $bytes = 32): string\n    {\n        $strong = false;\n        $raw = openssl_random_pseudo_bytes($bytes, $strong);\n        if ($raw === false || $strong !== true) {\n            throw new RuntimeException('Unable to generate a strong token');\n        }\n\n        return bin2hex($raw);\n    }\n}\n";

fn tokens_new(on_failure: &str) -> String {
    format!(
        "<?php\n\nfinal class TokenGenerator\n{{\n    public static function generate(int $bytes = 32): string\n    {{\n        try {{\n            $raw = random_bytes($bytes);\n        }} catch (Throwable $e) {{\n            {on_failure}\n        }}\n\n        return bin2hex($raw);\n    }}\n}}\n"
    )
}

#[test]
fn a_failure_check_turned_into_a_catch_that_throws_the_same_error_is_kept() {
    let rethrown =
        tokens_new("throw new RuntimeException('Unable to generate a strong token', 0, $e);");
    let found = high_rules(&[(TOKENS, Some(TOKENS_OLD), Some(&rethrown))]);
    assert!(
        found.is_empty(),
        "the same error still stops the caller: {found:?}"
    );
    let swallowed = tokens_new("error_log('Unable to generate a strong token'); $raw = '';");
    let found = high_rules(&[(TOKENS, Some(TOKENS_OLD), Some(&swallowed))]);
    assert!(
        found.iter().any(|f| f.starts_with("logic-")),
        "a failure logged and replaced by an empty token: {found:?}"
    );
}

fn header_parser(cond: &str) -> String {
    format!(
        "package webhooks\n\nfunc parseHeader(h string) (*header, error) {{\n\tout := &header{{}}\n\thaveTS, haveSig := false, false\n\tfor _, part := range strings.Split(h, \",\") {{\n\t\tk, v, ok := strings.Cut(part, \"=\")\n\t\tif !ok {{\n\t\t\tcontinue\n\t\t}}\n\t\tswitch k {{\n\t\tcase \"t\":\n\t\t\tout.ts, haveTS = v, true\n\t\tcase \"v1\":\n\t\t\tout.sigs = append(out.sigs, v)\n\t\t\thaveSig = true\n\t\t}}\n\t}}\n\tif {cond} {{\n\t\treturn nil, ErrMalformedHeader\n\t}}\n\treturn out, nil\n}}\n"
    )
}

#[test]
fn a_failing_check_that_stops_in_fewer_cases_alarms_in_code_named_for_signatures_only() {
    let old = header_parser("!haveTS || !haveSig");
    let new = header_parser("!haveTS");
    let high = |path: &str| {
        findings_of_change(&[(path, Some(&old), Some(&new))], None)
            .iter()
            .any(|f| f.rule == "logic-guard-changed" && f.severity >= Severity::High)
    };
    assert!(
        high("internal/webhooks/signature.go"),
        "a header with no signature now parses"
    );
    assert!(!high("internal/reports/header.go"), "elsewhere, a look");
}

const WRAPPER: &str = "src/lib/asyncMiddleware.ts";
const AUTH: &str = "src/middleware/auth.ts";

fn wrapper(on_failure: &str) -> String {
    format!(
        "import type {{ NextFunction, Request, RequestHandler, Response }} from 'express';\nimport {{ logger }} from './logger';\n\nexport function asyncMiddleware(fn: AsyncMiddleware): RequestHandler {{\n  return (req, res, next) => {{\n    fn(req, res, next).catch((err: unknown) => {{\n      logger.error({{ err, path: req.originalUrl }}, 'async middleware failed');\n      {on_failure}\n    }});\n  }};\n}}\n"
    )
}

const AUTH_OLD: &str = "export const authenticate: RequestHandler = async (req, _res, next) => {\n  try {\n    const header = req.get('authorization');\n    if (!header?.startsWith(BEARER)) {\n      throw new UnauthorizedError('missing bearer token');\n    }\n    req.user = await verifySessionToken(header.slice(BEARER.length));\n    next();\n  } catch (err) {\n    next(err);\n  }\n};\n";
const AUTH_NEW: &str = "export const authenticate = asyncMiddleware(async function authenticate(req, _res, next) {\n  const header = req.get('authorization');\n  if (!header?.startsWith(BEARER)) {\n    throw new UnauthorizedError('missing bearer token');\n  }\n  req.user = await verifySessionToken(header.slice(BEARER.length));\n  next();\n});\n";

#[test]
fn a_middleware_wrapper_that_carries_on_after_a_failure_alarms_but_one_passing_the_error_does_not()
{
    let rule = |on_failure: &str, with_auth: bool| {
        let w = wrapper(on_failure);
        let mut files = vec![(WRAPPER, None, Some(w.as_str()))];
        if with_auth {
            files.push((AUTH, Some(AUTH_OLD), Some(AUTH_NEW)));
        }
        findings_of_change(&files, None)
            .into_iter()
            .find(|f| f.rule == "middleware-error-continues")
            .map(|f| f.severity)
    };
    assert_eq!(
        rule("if (!res.headersSent) {\n        next();\n      }", true),
        Some(Severity::High),
        "authenticate's throw now lets the request through"
    );
    assert_eq!(
        rule("if (!res.headersSent) {\n        next();\n      }", false),
        Some(Severity::Medium),
        "no check runs through it yet: a look"
    );
    assert_eq!(rule("next(err);", true), None, "the error is handed on");
    assert_eq!(
        rule("res.status(500).json({ error: 'internal' });", true),
        None
    );
}

const BUCKET: &str = "infra/aws/prod/backups.tf";

fn lifecycle(rules: &str) -> String {
    format!(
        "resource \"aws_s3_bucket_lifecycle_configuration\" \"backups\" {{\n  bucket = aws_s3_bucket.backups.id\n\n  rule {{\n    id     = \"wal-archive\"\n    status = \"Enabled\"\n\n    filter {{\n      prefix = \"wal/\"\n    }}\n\n    expiration {{\n      days = 400\n    }}\n  }}\n{rules}}}\n"
    )
}

const SCRATCH: &str = "\n  rule {\n    id     = \"scratch-exports\"\n    status = \"Enabled\"\n\n    filter {\n      prefix = \"scratch/\"\n    }\n\n    expiration {\n      days = 3\n    }\n  }\n\n  rule {\n    id     = \"abort-incomplete-multipart\"\n    status = \"Enabled\"\n\n    filter {}\n\n    abort_incomplete_multipart_upload {\n      days_after_initiation = 7\n    }\n  }\n";

#[test]
fn an_expiration_moved_into_a_rule_without_a_filter_alarms_but_a_scoped_one_does_not() {
    let found = |new_rules: &str| {
        let (old, new) = (lifecycle(SCRATCH), lifecycle(new_rules));
        findings_of_change(&[(BUCKET, Some(&old), Some(&new))], None)
            .iter()
            .any(|f| f.rule == "lifecycle-expiration-whole-bucket" && f.severity >= Severity::High)
    };
    let merged = "\n  rule {\n    id     = \"housekeeping\"\n    status = \"Enabled\"\n\n    filter {}\n\n    expiration {\n      days = 3\n    }\n\n    abort_incomplete_multipart_upload {\n      days_after_initiation = 3\n    }\n  }\n";
    assert!(
        found(merged),
        "the 3-day expiration now reaches the WAL archive"
    );
    let kept = SCRATCH.replace("days_after_initiation = 7", "days_after_initiation = 3");
    assert!(!found(&kept), "the scratch rule keeps its prefix");
    let renamed = SCRATCH.replace("scratch-exports", "scratch");
    assert!(!found(&renamed));
}

const AUTHORIZE: &str = "src/checkout/authorizePayment.ts";

fn authorize(condition: &str) -> String {
    format!(
        "export async function authorizePayment(cart: Cart, ctx: CheckoutContext): Promise<AuthorizationResult> {{\n  const amount = totalOf(cart);\n  if ({condition}) {{\n    return authorizeWithPaymentIntent(cart, ctx, amount);\n  }}\n  return authorizeWithCharge(cart, ctx, amount);\n}}\n\nasync function authorizeWithPaymentIntent(cart: Cart, ctx: CheckoutContext, amount: number) {{\n  const intent = await stripe.paymentIntents.create({{ amount, currency: cart.currency }});\n  return toResult(intent);\n}}\n\nasync function authorizeWithCharge(cart: Cart, ctx: CheckoutContext, amount: number) {{\n  const charge = await stripe.charges.create({{ amount, currency: cart.currency }});\n  return toResult(charge);\n}}\n"
    )
}

const AUTHORIZE_NEW: &str = "export async function authorizePayment(cart: Cart, ctx: CheckoutContext): Promise<AuthorizationResult> {\n  const amount = totalOf(cart);\n  return authorizeWithPaymentIntent(cart, ctx, amount);\n}\n\nasync function authorizeWithPaymentIntent(cart: Cart, ctx: CheckoutContext, amount: number) {\n  const intent = await stripe.paymentIntents.create({ amount, currency: cart.currency });\n  return toResult(intent);\n}\n";

#[test]
fn the_fallback_of_a_retired_flag_deleted_with_its_function_is_not_a_check_removed() {
    let removed_check = |old: &str| {
        findings_of_change(&[(AUTHORIZE, Some(old), Some(AUTHORIZE_NEW))], None)
            .iter()
            .any(|f| f.rule == "logic-check-removed" && f.severity >= Severity::High)
    };
    assert!(
        !removed_check(&authorize(
            "flags.isEnabled(\"checkout.payment-intents\", { userId: ctx.userId })"
        )),
        "the flag was on: the legacy path is dead code"
    );
    assert!(
        removed_check(&authorize("ctx.trustedDevice")),
        "not a flag: the charge path served untrusted devices"
    );
}
