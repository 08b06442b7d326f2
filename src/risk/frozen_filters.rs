//! Global query filters frozen at model build. EF Core builds a
//! `DbContext`'s model once per process and caches it; a filter registered
//! in `OnModelCreating` (`HasQueryFilter(c => c.TenantId == tenantId)`) is
//! evaluated per query only for what it reads from the context instance
//! (`_tenant.TenantId`, a property). A local copied before the filter
//! (`var tenantId = _tenant.TenantId;`) is captured once: every request,
//! for every tenant, is filtered by the first request's tenant.

use std::sync::LazyLock;

use regex::Regex;

use super::lang::Lang;
use super::{FileView, Finding, Severity, quote};

/// A query filter comparing with a bare name: (the name).
static FILTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"HasQueryFilter\s*\(\s*\(?\s*\w+\s*\)?\s*=>[^;]*?[=!]=\s*([a-z]\w*)\s*[)&|]")
        .expect("a valid regex")
});

/// Frozen-filter rules for one file.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.lang != Lang::CSharp || f.class.test_like() {
        return;
    }
    if !f.added_text.contains("HasQueryFilter") {
        return;
    }
    let text = f.new_text_or_hunks();
    for l in &f.added {
        let Some(c) = FILTER.captures(l.text) else {
            continue;
        };
        let name = &c[1];
        if matches!(name, "null" | "true" | "false" | "default") {
            continue;
        }
        // A local declared in the method: `var tenantId = …`, `Guid tenantId = …`.
        let local = Regex::new(&format!(
            r"\b(var|[A-Z]\w*\??)\s+{}\s*=",
            regex::escape(name)
        ))
        .is_ok_and(|r| r.is_match(&text));
        if !local {
            continue;
        }
        out.push(Finding::added(
            "query-filter-frozen",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "The query filter compares with `{}`, a local copied when the model is built: EF Core builds the model once and caches it, so every later query, for every user or tenant, is filtered by the first one's value. Read it from a property or field of the context instead.",
                quote(name)
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents;

    #[test]
    fn a_query_filter_on_a_local_copied_at_model_build_is_found() {
        let rule = "query-filter-frozen".to_string();
        let p = "src/Billing.Infrastructure/BillingDbContext.cs";
        let old = "public class BillingDbContext : DbContext\n{\n    private readonly ITenantContext _tenant;\n\n    protected override void OnModelCreating(ModelBuilder modelBuilder)\n    {\n        modelBuilder.Entity<Customer>(b =>\n        {\n            b.HasIndex(c => c.ExternalRef);\n        });\n    }\n}\n";
        let frozen = old.replace(
            "    {\n        modelBuilder",
            "    {\n        var tenantId = _tenant.TenantId;\n        modelBuilder",
        )
        .replace(
            "            b.HasIndex(c => c.ExternalRef);\n",
            "            b.HasIndex(c => c.ExternalRef);\n            b.HasQueryFilter(c => c.TenantId == tenantId);\n",
        );
        assert!(rules_hit_with_contents(p, old, &frozen).contains(&rule));
        // Read from the context on every query.
        let live = old.replace(
            "            b.HasIndex(c => c.ExternalRef);\n",
            "            b.HasIndex(c => c.ExternalRef);\n            b.HasQueryFilter(c => c.TenantId == _tenant.TenantId);\n",
        );
        assert!(!rules_hit_with_contents(p, old, &live).contains(&rule));
        let property = old.replace(
            "            b.HasIndex(c => c.ExternalRef);\n",
            "            b.HasQueryFilter(c => !c.IsDeleted && c.TenantId == CurrentTenantId);\n",
        );
        assert!(!rules_hit_with_contents(p, old, &property).contains(&rule));
    }
}
