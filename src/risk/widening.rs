//! A product widened after it is computed. `u64::from(days * MS_PER_DAY)`,
//! `int64(count * size)`, `(long) (a * b)` multiply in the narrow type first
//! and widen the result: past the narrow type's range the product wraps (in
//! a release build, without a word) before the conversion sees it, so a
//! retention window of fifty days becomes a few hours and the purge deletes
//! nearly everything. Widening one operand first (`u64::from(days) *
//! MS_PER_DAY`) is the fix, which is why a product inside the conversion is
//! worth a reviewer's eye.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// A widening conversion whose whole argument is a product, by language:
/// Rust's `u64::from(a * b)` and `(a * b) as u64`, Go's `int64(a * b)`, a
/// C-family cast `(long)(a * b)`, Kotlin's `(a * b).toLong()`.
static WIDENED_PRODUCT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\b(?:u64|i64|u128|i128|f64)::from\(\s*([^()]+)\)",
        r"|\(([^()]+)\)\s+as\s+(?:u64|i64|u128|i128|usize|f64)\b",
        r"|\b(?:int64|uint64|float64)\(([^()]+)\)",
        r"|\(\s*(?:long|int64_t|uint64_t|size_t|Int64|UInt64|ulong|double)\s*\)\s*\(([^()]+)\)",
        r"|\(([^()]+)\)\.to(?:Long|Double)\(\)",
    ))
    .unwrap()
});
/// Two operands multiplied (not a pointer dereference).
static PRODUCT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[\w\])]\s*\*\s*[\w(]").unwrap());

/// Flags a product widened only after it is computed, on a line the change adds.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !f.class.production() {
        return;
    }
    for l in f.added_code() {
        let t = l.text.trim_start();
        if t.starts_with("//") || t.starts_with('#') || t.starts_with('*') {
            continue;
        }
        let Some(product) = WIDENED_PRODUCT.captures_iter(l.text).find_map(|c| {
            let inner = (1..=5).find_map(|i| c.get(i))?.as_str();
            // Only a product: a sum or a call inside is another expression.
            (PRODUCT.is_match(inner) && !inner.contains(['+', '-', '/', '"', '\'']))
                .then(|| inner.trim().to_string())
        }) else {
            continue;
        };
        out.push(Finding::added(
            "int-widened-after-multiply",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "Multiplies `{}` in the narrow type and widens only the result (`{}`): past that type's range the product wraps before the conversion sees it (silently in a release build). Widen an operand first.",
                quote(&product),
                quote(l.text.trim())
            ),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit;

    const RULE: &str = "int-widened-after-multiply";

    #[test]
    fn a_product_widened_after_it_is_computed_is_flagged_in_each_language() {
        for (path, line) in [
            (
                "src/purge.rs",
                "    now_ms.saturating_sub(u64::from(policy.retention_days * MS_PER_DAY))\n",
            ),
            (
                "src/purge.rs",
                "    let bytes = (blocks * BLOCK_SIZE) as u64;\n",
            ),
            (
                "internal/quota/quota.go",
                "\tlimit := int64(cfg.Seats * perSeatBytes)\n",
            ),
            (
                "src/main/java/Quota.java",
                "        long total = (long) (seats * bytesPerSeat);\n",
            ),
            (
                "src/main/kotlin/Quota.kt",
                "        val total = (seats * bytesPerSeat).toLong()\n",
            ),
        ] {
            let hit = rules_hit(path, Some("// quota\n"), Some(&format!("// quota\n{line}")));
            assert!(hit.contains(&RULE.to_string()), "{path}: {hit:?}");
        }
    }

    #[test]
    fn an_operand_widened_first_or_a_sum_is_not() {
        for line in [
            "    now_ms.saturating_sub(u64::from(policy.retention_days) * MS_PER_DAY)\n",
            "    let total = u64::from(a + b);\n",
            "    let n = u64::from(count);\n",
        ] {
            let hit = rules_hit(
                "src/purge.rs",
                Some("// quota\n"),
                Some(&format!("// quota\n{line}")),
            );
            assert!(!hit.contains(&RULE.to_string()), "{line}: {hit:?}");
        }
    }
}
