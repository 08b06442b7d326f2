//! Checks of the forty-sixth round's readings, each with the cousin that
//! must not pass: a per-query tenant filter moved into a model-wide query
//! filter, a signature check moved into middleware that the routes now name,
//! a lookup that raises when the record is missing instead of a null check,
//! a list of comparisons restated as a membership test of a named set, and
//! a failing `when` branch of a returned `when`.

use crate::risk::Severity;
use crate::risk::testkit::{findings_of_change, high_rules};

type Files<'a> = [(&'a str, Option<&'a str>, Option<&'a str>)];

fn any_high(files: &Files<'_>) -> bool {
    findings_of_change(files, None)
        .iter()
        .any(|f| f.severity >= Severity::High)
}

const REPO: &str = "src/Infrastructure/Repositories/InvoiceRepository.cs";
const CONTEXT: &str = "src/Infrastructure/Persistence/AppDbContext.cs";

const REPO_OLD: &str = "public sealed class InvoiceRepository\n{\n    public Task<Invoice?> FindAsync(Guid id, CancellationToken ct)\n    {\n        return _db.Invoices\n            .FirstOrDefaultAsync(i => i.Id == id && i.TenantId == _tenant.TenantId, ct);\n    }\n\n    public Task<List<Invoice>> ListAsync(CancellationToken ct)\n    {\n        return _db.Invoices\n            .Where(i => i.TenantId == _tenant.TenantId)\n            .OrderBy(i => i.DueDate)\n            .ToListAsync(ct);\n    }\n}\n";
const REPO_NEW: &str = "public sealed class InvoiceRepository\n{\n    public Task<Invoice?> FindAsync(Guid id, CancellationToken ct)\n    {\n        return _db.Invoices\n            .FirstOrDefaultAsync(i => i.Id == id, ct);\n    }\n\n    public Task<List<Invoice>> ListAsync(CancellationToken ct)\n    {\n        return _db.Invoices\n            .OrderBy(i => i.DueDate)\n            .ToListAsync(ct);\n    }\n}\n";
const CONTEXT_OLD: &str = "public class AppDbContext : DbContext\n{\n    protected override void OnModelCreating(ModelBuilder modelBuilder)\n    {\n        modelBuilder.Entity<Invoice>(b =>\n        {\n            b.HasKey(i => i.Id);\n        });\n    }\n}\n";

fn context_with(filter: &str) -> String {
    CONTEXT_OLD.replace(
        "            b.HasKey(i => i.Id);\n",
        &format!("            b.HasKey(i => i.Id);\n            {filter}\n"),
    )
}

#[test]
fn a_tenant_filter_moved_into_a_query_filter_on_the_tenant_is_kept_but_others_are_not() {
    let unscoped: &Files<'_> = &[(REPO, Some(REPO_OLD), Some(REPO_NEW))];
    assert!(
        any_high(unscoped),
        "the tenant condition dropped with nothing in its place must alarm"
    );
    let tenant = context_with("b.HasQueryFilter(i => i.TenantId == _tenantId);");
    let moved: &Files<'_> = &[
        (REPO, Some(REPO_OLD), Some(REPO_NEW)),
        (CONTEXT, Some(CONTEXT_OLD), Some(&tenant)),
    ];
    assert!(
        !any_high(moved),
        "a model-wide filter on the tenant keeps every query scoped: {:?}",
        high_rules(moved)
    );
    let commented = context_with("// b.HasQueryFilter(i => i.TenantId == _tenantId);");
    let only_said: &Files<'_> = &[
        (REPO, Some(REPO_OLD), Some(REPO_NEW)),
        (CONTEXT, Some(CONTEXT_OLD), Some(&commented)),
    ];
    assert!(
        any_high(only_said),
        "a filter named in a comment filters nothing"
    );
    let soft_delete = context_with("b.HasQueryFilter(i => !i.IsDeleted);");
    let other: &Files<'_> = &[
        (REPO, Some(REPO_OLD), Some(REPO_NEW)),
        (CONTEXT, Some(CONTEXT_OLD), Some(&soft_delete)),
    ];
    assert!(
        any_high(other),
        "a filter on another column does not scope by tenant"
    );
    let escaped = REPO_NEW.replace(
        "            .OrderBy(i => i.DueDate)",
        "            .IgnoreQueryFilters()\n            .OrderBy(i => i.DueDate)",
    );
    let ignored: &Files<'_> = &[
        (REPO, Some(REPO_OLD), Some(&escaped)),
        (CONTEXT, Some(CONTEXT_OLD), Some(&tenant)),
    ];
    assert!(
        any_high(ignored),
        "a query that ignores the model's filters is unscoped again"
    );
}

const CONTROLLER: &str = "app/Http/Controllers/Webhooks/CarrierWebhookController.php";
const MIDDLEWARE: &str = "app/Http/Middleware/VerifyCarrierSignature.php";
const ROUTES: &str = "routes/api.php";

const CONTROLLER_OLD: &str = "<?php\n\nclass CarrierWebhookController extends Controller\n{\n    public function status(Request $request): JsonResponse\n    {\n        if ($error = $this->verify($request)) {\n            return $error;\n        }\n\n        ApplyShipmentStatus::dispatch($request->json()->all());\n\n        return response()->json(['received' => true]);\n    }\n\n    private function verify(Request $request): ?JsonResponse\n    {\n        $secret = (string) config('services.carrier.webhook_secret');\n        $given = (string) $request->header('X-Carrier-Signature', '');\n        $expected = hash_hmac('sha256', $request->getContent(), $secret);\n\n        if (! hash_equals($expected, $given)) {\n            return response()->json(['error' => 'invalid signature'], 401);\n        }\n\n        return null;\n    }\n}\n";
const CONTROLLER_NEW: &str = "<?php\n\nclass CarrierWebhookController extends Controller\n{\n    public function status(Request $request): JsonResponse\n    {\n        ApplyShipmentStatus::dispatch($request->json()->all());\n\n        return response()->json(['received' => true]);\n    }\n}\n";
const MIDDLEWARE_NEW: &str = "<?php\n\nclass VerifyCarrierSignature\n{\n    public function handle(Request $request, Closure $next): Response\n    {\n        $secret = (string) config('services.carrier.webhook_secret');\n        $given = (string) $request->header('X-Carrier-Signature', '');\n        $expected = hash_hmac('sha256', $request->getContent(), $secret);\n\n        if (! hash_equals($expected, $given)) {\n            return response()->json(['error' => 'invalid signature'], 401);\n        }\n\n        return $next($request);\n    }\n}\n";
const ROUTES_OLD: &str = "<?php\n\nRoute::prefix('webhooks/carrier')->middleware('throttle:600,1')->group(function () {\n    Route::post('/status', [CarrierWebhookController::class, 'status']);\n});\n";
const ROUTES_NEW: &str = "<?php\n\nRoute::prefix('webhooks/carrier')->middleware(['throttle:600,1', VerifyCarrierSignature::class])->group(function () {\n    Route::post('/status', [CarrierWebhookController::class, 'status']);\n});\n";

#[test]
fn a_signature_check_moved_into_registered_middleware_is_kept_but_an_unregistered_one_is_not() {
    let registered: &Files<'_> = &[
        (CONTROLLER, Some(CONTROLLER_OLD), Some(CONTROLLER_NEW)),
        (MIDDLEWARE, None, Some(MIDDLEWARE_NEW)),
        (ROUTES, Some(ROUTES_OLD), Some(ROUTES_NEW)),
    ];
    assert!(
        !any_high(registered),
        "the middleware runs the same check before the route: {:?}",
        high_rules(registered)
    );
    let unregistered: &Files<'_> = &[
        (CONTROLLER, Some(CONTROLLER_OLD), Some(CONTROLLER_NEW)),
        (MIDDLEWARE, None, Some(MIDDLEWARE_NEW)),
    ];
    assert!(
        any_high(unregistered),
        "middleware no route names checks nothing"
    );
    let hollow = MIDDLEWARE_NEW.replace(
        "        if (! hash_equals($expected, $given)) {\n            return response()->json(['error' => 'invalid signature'], 401);\n        }\n\n",
        "",
    );
    let without_check: &Files<'_> = &[
        (CONTROLLER, Some(CONTROLLER_OLD), Some(CONTROLLER_NEW)),
        (MIDDLEWARE, None, Some(&hollow)),
        (ROUTES, Some(ROUTES_OLD), Some(ROUTES_NEW)),
    ];
    assert!(
        any_high(without_check),
        "registered middleware that no longer compares the signature must alarm"
    );
}

const SHOW: &str = "app/Http/Controllers/CustomerController.php";

#[test]
fn a_null_check_gone_because_the_lookup_now_raises_is_kept_but_a_bare_find_is_not() {
    let old = "<?php\n\nclass CustomerController extends Controller\n{\n    public function destroy(int $id): JsonResponse\n    {\n        $customer = Customer::where('account_id', $this->account()->id)->find($id);\n        if ($customer === null) {\n            abort(404);\n        }\n        $customer->delete();\n        return response()->json(null, 204);\n    }\n}\n";
    let raises = old.replace("->find($id);", "->findOrFail($id);").replace(
        "        if ($customer === null) {\n            abort(404);\n        }\n",
        "",
    );
    let bare = old.replace(
        "        if ($customer === null) {\n            abort(404);\n        }\n",
        "",
    );
    let kept: &Files<'_> = &[(SHOW, Some(old), Some(&raises))];
    assert!(
        !any_high(kept),
        "findOrFail stops on a missing record as the check did: {:?}",
        high_rules(kept)
    );
    assert!(
        any_high(&[(SHOW, Some(old), Some(&bare))]),
        "a bare find passes null on"
    );
}

const REFUNDS: &str = "src/main/kotlin/shop/refunds/RefundPolicy.kt";

#[test]
fn comparisons_restated_as_the_same_set_are_kept_but_a_wider_set_is_not() {
    let old = "package shop.refunds\n\nclass RefundPolicy {\n    fun check(order: Order) {\n        if (order.status != OrderStatus.PAID && order.status != OrderStatus.SHIPPED) {\n            throw RefundRejected(\"order is not refundable\")\n        }\n        ledger.refund(order)\n    }\n}\n";
    let same = "package shop.refunds\n\nprivate val REFUNDABLE = setOf(OrderStatus.PAID, OrderStatus.SHIPPED)\n\nclass RefundPolicy {\n    fun check(order: Order) {\n        if (order.status !in REFUNDABLE) {\n            throw RefundRejected(\"order is not refundable\")\n        }\n        ledger.refund(order)\n    }\n}\n";
    let wider = same.replace(
        "setOf(OrderStatus.PAID, OrderStatus.SHIPPED)",
        "setOf(OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.CANCELLED)",
    );
    let kept: &Files<'_> = &[(REFUNDS, Some(old), Some(same))];
    assert!(
        !any_high(kept),
        "the set holds exactly the values compared before: {:?}",
        high_rules(kept)
    );
    assert!(
        any_high(&[(REFUNDS, Some(old), Some(&wider))]),
        "a set with one value more lets cancelled orders through"
    );
}

const TOKENS: &str = "src/main/kotlin/auth/TokenValidator.kt";

#[test]
fn a_failing_branch_of_a_returned_when_is_a_guard_and_dropping_it_alarms() {
    let old = "class TokenValidator {\n    fun validate(token: Token): Claims {\n        if (token.expiresAt < clock.now()) {\n            throw TokenRejected(\"expired\")\n        }\n        return token.claims\n    }\n}\n";
    let arm = "class TokenValidator {\n    fun validate(token: Token): Claims {\n        return when {\n            token.expiresAt < clock.now() -> throw TokenRejected(\"expired\")\n            else -> token.claims\n        }\n    }\n}\n";
    let dropped = "class TokenValidator {\n    fun validate(token: Token): Claims {\n        return when {\n            else -> token.claims\n        }\n    }\n}\n";
    let kept: &Files<'_> = &[(TOKENS, Some(old), Some(arm))];
    assert!(
        !any_high(kept),
        "the when branch throws what the guard threw: {:?}",
        high_rules(kept)
    );
    assert!(
        any_high(&[(TOKENS, Some(old), Some(dropped))]),
        "the expiry check is gone"
    );
}
