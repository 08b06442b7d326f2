//! The tenant a request acts on, taken from the request where it was the
//! caller's own. Code that scoped every lookup to the signed-in principal's
//! tenant (`principal.tenantId`, `current_user.org_id`) and now reads it
//! from the URL (`@PathVariable tenantId`, `req.params.orgId`,
//! `params[:account_id]`) serves whichever tenant the caller names, unless
//! something checks that the two agree. The lookups still look scoped:
//! what changed is who chooses the scope.

use std::sync::LazyLock;

use regex::Regex;

use super::{ChangeView, Finding, Severity, quote};

/// The caller's own tenant: a field of the principal, the session, the
/// signed-in user or its claims.
static CALLER_SCOPE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(principal|current_?user|currentUser|caller|actor|auth|session|claims|identity|viewer|req\.user|request\.user|ctx\.user|ctx\.state\.user|context\.user|g\.user|user)\??\.(tenant|org|organi[sz]ation|account|workspace|company|team)\w*").unwrap()
});

/// A tenant named by the request: a path variable or route parameter.
static REQUEST_SCOPE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(@PathVariable(?:\([^)]*\))?\s+(?:val\s+|final\s+)?(?:\w+\s+)?(\w*(?:tenant|org|organi[sz]ation|account|workspace|company|team)\w*)|@Param\(\s*['"](\w*(?:tenant|org|account|workspace|company|team)\w*)['"]|\b(?:req|request|ctx|c)\.(?:params|param|query)(?:\.|\(\s*['"]|\[\s*['"])(\w*(?:tenant|org|account|workspace|company|team)\w*)|\bparams\[\s*:(\w*(?:tenant|org|account|workspace|company|team)\w*)\s*\]|\bpath_params\[\s*['"](\w*(?:tenant|org|account|workspace|company|team)\w*)['"])"#).unwrap()
});

/// A comparison or a check: what ties the request's tenant to the caller.
static TIES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(==|!=|\bequals\b|\bis\b|\bassert|\brequire|\bcheck|\bverify|\bensure|\bauthori[sz]e|\bcan\w*\(|\bbelongs|\bmember|#\w+\s*==)").unwrap()
});

/// A change that moves the tenant scope from the caller to the request,
/// with nothing in its new code comparing the two.
pub fn check(change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    let code = || {
        change
            .files
            .iter()
            .filter(|f| f.class.production() && !f.class.docs && !f.class.ci && !f.class.infra)
    };
    let was_callers = code().any(|f| f.removed_code().any(|l| CALLER_SCOPE.is_match(l.text)));
    if !was_callers {
        return;
    }
    for f in code() {
        for l in f.added_code() {
            let Some(c) = REQUEST_SCOPE.captures(l.text) else {
                continue;
            };
            let Some(name) = (2..=6).find_map(|i| c.get(i)).map(|m| m.as_str()) else {
                continue;
            };
            // The same parameter before the change: nothing moved.
            if f.removed_code().any(|r| {
                REQUEST_SCOPE
                    .captures(r.text)
                    .and_then(|c| (2..=6).find_map(|i| c.get(i)))
                    .is_some_and(|m| m.as_str() == name)
            }) {
                continue;
            }
            let tied = code().any(|g| {
                g.new_text().unwrap_or("").lines().any(|t| {
                    // A comment ties nothing (`# tenant_id is checked upstream`).
                    !g.class.is_comment(t)
                        && super::code::has_word(t, name)
                        && (CALLER_SCOPE.is_match(t) || t.contains('#'))
                        && TIES.is_match(t)
                })
            });
            if tied {
                continue;
            }
            out.push(Finding::added(
                "authz-tenant-from-request",
                Severity::High,
                f.path,
                Some(l.no),
                format!(
                    "Takes the tenant from the request (`{}`) where the code used the caller's own, and nothing in the change checks that the two agree: a caller reaches another tenant's records by naming it in the URL.",
                    quote(c.get(0).map_or("", |m| m.as_str()))
                ),
            ));
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::findings_of_change;

    const OLD: &str = "@RestController\n@RequestMapping(\"/admin/users\")\nclass AdminUserController(private val users: UserRepository) {\n    @GetMapping\n    fun list(@AuthenticationPrincipal principal: AdminPrincipal): List<User> =\n        users.findAllByTenantId(principal.tenantId)\n}\n";

    fn rules(new: &str) -> Vec<String> {
        findings_of_change(
            &[(
                "src/main/kotlin/admin/AdminUserController.kt",
                Some(OLD),
                Some(new),
            )],
            Some("Move admin user routes under the tenant"),
        )
        .into_iter()
        .map(|f| f.rule)
        .collect()
    }

    #[test]
    fn a_tenant_read_from_the_path_instead_of_the_principal_is_found() {
        let new = "@RestController\n@RequestMapping(\"/admin/tenants/{tenantId}/users\")\nclass AdminUserController(private val users: UserRepository) {\n    @GetMapping\n    fun list(@PathVariable tenantId: UUID): List<User> =\n        users.findAllByTenantId(tenantId)\n}\n";
        assert!(
            rules(new).contains(&"authz-tenant-from-request".to_string()),
            "{:?}",
            rules(new)
        );
    }

    #[test]
    fn a_comment_saying_the_tenant_is_checked_ties_nothing() {
        let new = "@RestController\n@RequestMapping(\"/admin/tenants/{tenantId}/users\")\nclass AdminUserController(private val users: UserRepository) {\n    // tenantId is checked against principal.tenantId upstream\n    @GetMapping\n    fun list(@PathVariable tenantId: UUID): List<User> =\n        users.findAllByTenantId(tenantId)\n}\n";
        assert!(
            rules(new).contains(&"authz-tenant-from-request".to_string()),
            "{:?}",
            rules(new)
        );
    }

    #[test]
    fn a_path_tenant_checked_against_the_principal_is_not() {
        let new = "@RestController\n@RequestMapping(\"/admin/tenants/{tenantId}/users\")\nclass AdminUserController(private val users: UserRepository) {\n    @GetMapping\n    fun list(@AuthenticationPrincipal principal: AdminPrincipal, @PathVariable tenantId: UUID): List<User> {\n        if (tenantId != principal.tenantId) throw ResponseStatusException(HttpStatus.FORBIDDEN)\n        return users.findAllByTenantId(tenantId)\n    }\n}\n";
        assert!(
            !rules(new).contains(&"authz-tenant-from-request".to_string()),
            "{:?}",
            rules(new)
        );
    }
}
