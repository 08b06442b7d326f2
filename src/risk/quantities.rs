//! Money arithmetic a change alters. A helper that turns amounts into cents,
//! rounds VAT or divides a rate by its basis points is imported everywhere:
//! when it rounds another way, truncates instead of rounding, computes in
//! binary floating point, forgets the currency's own exponent or scales by
//! another factor, every caller gets other numbers and none of their tests
//! fails. Read from the changed lines of every production file of the change
//! at once, since such helpers move between files as often as they change.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;

use super::lang::Lang;
use super::{ChangeView, FileView, Finding, Line, Severity, quote};
use crate::show::grouped;

/// Words of code that handles money.
static MONEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(amount|cents|minor_?units?|MinorUnits|price|fee|tax|vat|subtotal|total|balance|refund|charge|payout|currency|money|discount|invoice|billing|ledger|bps|basis_?points|wallet|debit|credit|payment|tariff|premium|commission)").unwrap()
});
/// A rounding mode named: `RoundingMode.HALF_EVEN`, `ROUND_HALF_UP`,
/// `MidpointRounding.ToEven`, Ruby's `half: :even`/`:banker`.
static MODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:RoundingMode\.|BigDecimal\.|\bROUND_|MidpointRounding\.|\bhalf:\s*:)([A-Za-z_]+)",
    )
    .unwrap()
});
/// Code that rounds, whatever the mode.
static ROUNDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\bquantize\(|\bround\(|\.round\b|Math\.[Rr]ound\(|\bsetScale\(|\.toFixed\(|\.rounded\(|\bROUND_|RoundingMode\.|MidpointRounding\.|\bRound\()").unwrap()
});
/// Code that truncates a number to an integer.
static TRUNCATES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\bint\(|\(int\)|\(long\)|\.toInt\(\)|\.toLong\(\)|Math\.(floor|trunc)\(|math\.(floor|trunc)\(|\.to_i\b|\bas [iu](32|64)\b|\b[iu]nt(32|64)\(|parseInt\(|\|\s*0\b|\.intValue\(\)|\.longValue\(\)|Convert\.ToInt(32|64)\(|\bfloor\(|\btrunc\()").unwrap()
});
/// Binary floating point: `float(x)`, `parseFloat`, `toDouble()`.
static FLOAT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\bfloat\(|parseFloat\(|\.toDouble\(\)|\(double\)|Double\.parseDouble\(|\bas f(32|64)\b|\.to_f\b|\bNumber\(|\bfloat64\(|Convert\.ToDouble\(|\.doubleValue\(\))").unwrap()
});
/// Exact decimal arithmetic.
static EXACT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\bDecimal\b|\bBigDecimal\b|\bdecimal\b|\bquantize\(|\bMoney\b|\bBigInt\b|\bRational\b|\bdinero\b|\bbig\.(Rat|Int)\b)").unwrap()
});
/// The currency's own number of decimals.
static EXPONENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(exponent|fraction_?digits|minor_?unit_?digits|decimal_?places|decimal_?digits|\bscaleb\b|currency_?digits|currency\.digits|\bdecimals\b|subunits?_?to_?units?)").unwrap()
});
/// A fixed scale of two decimals.
static TWO_DECIMALS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([*/]\s*100(\.0+)?\b|\b100(\.0+)?\s*\*|\b0\.01\b|movePoint(Right|Left)\(\s*2\s*\)|setScale\(\s*2\b|10\s*\*\*\s*2\b|\bpow\(\s*10(\.0)?\s*,\s*2\s*\))").unwrap()
});
/// A multiplication or division, where scale factors are found.
static SCALING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)([*/]|divisor|factor|multiplier|scale|_per_|per_unit|basis)").unwrap()
});
/// Numbers, with Rust/Kotlin/Java separators and suffixes.
static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d[\d_]*)(?:\.0+)?[LlMmDdFf]?\b").unwrap());
/// Products of literals written out (`24 * 60 * 60`).
static PRODUCT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b\d[\d_]*(?:\s*\*\s*\d[\d_]*)+\b").unwrap());

/// Anything any of the facts below looks at: arithmetic, rounding,
/// conversions, decimal types, exponents.
static ARITHMETIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)([*/]|round|half|quantize|scale|tofixed|\bint|toint|uint|\(long\)|tolong|floor|trunc|to_[if]\b|\bas [iuf](32|64)\b|parse(int|float|double)|\|\s*0\b|intvalue|longvalue|doublevalue|convert\.to|float|double|\bnumber\(|decimal|\bmoney\b|bigint|rational|dinero|big\.(rat|int)|exponent|fraction_?digits|digits|decimal_?places|subunit|movepoint|0\.01|divisor|factor|multiplier|_per_|per_?unit|basis|bps|percent|permille|pow\()").unwrap()
});

/// Factors that convert between scales of money (cents, basis points,
/// per mille) rather than count things.
const FACTORS: &[u64] = &[100, 1_000, 10_000, 100_000, 1_000_000];

/// A changed line of production code, with where it is.
struct At<'a> {
    path: &'a str,
    line: Line<'a>,
}

/// Money arithmetic the change alters: its rounding mode, rounding turned
/// into truncation, decimals turned into floats, a currency's exponent
/// turned into a fixed two decimals, a scale factor replaced.
pub fn check_change(change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    let files: Vec<&FileView<'_>> = change
        .files
        .iter()
        .filter(|f| {
            !(f.class.test_like() || f.class.docs || f.class.vendored || f.class.ci)
                && is_code(f.class.lang)
        })
        .filter(|f| money_file(f))
        .collect();
    if files.is_empty() {
        return;
    }
    // Only lines with something numeric to say take part: one pass of one
    // regex instead of every fact's own over every changed line.
    let relevant = |l: &Line<'_>| ARITHMETIC.is_match(l.text);
    let removed: Vec<At<'_>> = files
        .iter()
        .flat_map(|f| {
            f.removed_code().filter(|l| relevant(l)).map(|l| At {
                path: f.path,
                line: *l,
            })
        })
        .collect();
    let added: Vec<At<'_>> = files
        .iter()
        .flat_map(|f| {
            f.added_code().filter(|l| relevant(l)).map(|l| At {
                path: f.path,
                line: *l,
            })
        })
        .collect();
    if removed.is_empty() || added.is_empty() {
        return;
    }
    let push = |out: &mut Vec<Finding>, at: &At<'_>, message: String| {
        out.push(Finding::added(
            "logic-contract-changed",
            Severity::High,
            at.path,
            Some(at.line.no),
            message,
        ));
    };
    // A rounding mode replaced by another.
    let (old_modes, new_modes) = (modes(&removed), modes(&added));
    let gone: Vec<&String> = old_modes.difference(&new_modes).collect();
    let came: Vec<&String> = new_modes.difference(&old_modes).collect();
    if !gone.is_empty()
        && !came.is_empty()
        && let Some(at) = added
            .iter()
            .find(|a| modes_of(a.line.text).iter().any(|m| came.contains(&m)))
    {
        push(
            out,
            at,
            format!(
                "Money is now rounded {} where it was rounded {} (`{}`): every amount rounded here can move by a minor unit, for every caller.",
                join(&came),
                join(&gone),
                quote(at.line.text)
            ),
        );
        return;
    }
    let any = |side: &[At<'_>], re: &Regex| side.iter().any(|a| re.is_match(a.line.text));
    let arithmetic = |t: &str| t.contains('*') || t.contains('/') || MONEY.is_match(t);
    // Rounding turned into truncation.
    if any(&removed, &ROUNDS)
        && !any(&added, &ROUNDS)
        && let Some(at) = added
            .iter()
            .find(|a| TRUNCATES.is_match(a.line.text) && arithmetic(a.line.text))
    {
        let was = removed
            .iter()
            .find(|a| ROUNDS.is_match(a.line.text))
            .map_or(String::new(), |a| quote(a.line.text));
        push(
            out,
            at,
            format!(
                "The amount is now truncated (`{}`) where it was rounded (`{was}`): values just under a minor unit lose it, on every amount that passes here.",
                quote(at.line.text)
            ),
        );
        return;
    }
    // Decimals turned into binary floating point.
    if any(&removed, &EXACT)
        && let Some(at) = added.iter().find(|a| {
            FLOAT.is_match(a.line.text)
                && MONEY.is_match(a.line.text)
                && (a.line.text.contains('*')
                    || a.line.text.contains('/')
                    || a.line.text.contains(" + ")
                    || a.line.text.contains(" - ")
                    || a.line.text.trim_start().starts_with("return"))
        })
    {
        push(
            out,
            at,
            format!(
                "Money is now computed in binary floating point (`{}`) where it used exact decimals: amounts such as 19.99 are not representable and come out a cent off.",
                quote(at.line.text)
            ),
        );
        return;
    }
    // The currency's exponent turned into a fixed two decimals.
    if !any(&added, &EXPONENT)
        && let Some(was) = removed.iter().find(|a| EXPONENT.is_match(a.line.text))
        && let Some(at) = added
            .iter()
            .find(|a| TWO_DECIMALS.is_match(a.line.text) && !a.line.text.contains('%'))
    {
        push(
            out,
            at,
            format!(
                "Amounts are now converted with a fixed two decimals (`{}`) where the currency's own exponent was used (`{}`): yen or won amounts come out 100× too large, dinar amounts 10× too small.",
                quote(at.line.text),
                quote(was.line.text)
            ),
        );
        return;
    }
    // A scale factor replaced by another.
    let (old_f, new_f) = (factors(&removed), factors(&added));
    let gone: Vec<u64> = old_f.difference(&new_f).copied().collect();
    let came: Vec<u64> = new_f.difference(&old_f).copied().collect();
    if let (Some(&g), Some(&c)) = (gone.first(), came.first())
        && let Some(at) = added
            .iter()
            .find(|a| line_factors(a.line.text).contains(&c))
    {
        push(
            out,
            at,
            format!(
                "Amounts are now scaled by {} where they were scaled by {} (`{}`): whatever still supplies or reads the old scale is off by {}×.",
                grouped(c),
                grouped(g),
                quote(at.line.text),
                grouped(g.max(c) / g.min(c).max(1))
            ),
        );
    }
}

/// Source code, where arithmetic is written (not configuration or prose).
fn is_code(lang: Lang) -> bool {
    use Lang::*;
    matches!(
        lang,
        Rust | Python | JavaScript | Go | Jvm | Ruby | CSharp | Php | C | Swift | Sql
    )
}

/// Whether a file handles money: by its path or the lines the change touches.
fn money_file(f: &FileView<'_>) -> bool {
    MONEY.is_match(f.path)
        || f.added
            .iter()
            .chain(&f.removed)
            .any(|l| MONEY.is_match(l.text))
}

/// Rounding modes named on a line, normalised (`HALF_EVEN`, `DOWN`).
fn modes_of(text: &str) -> Vec<String> {
    MODE.captures_iter(text)
        .filter_map(|c| {
            let m = c[1].trim_start_matches("ROUND_").to_ascii_uppercase();
            let m = match m.as_str() {
                "TOEVEN" | "EVEN" | "BANKER" | "BANKERS" => "HALF_EVEN",
                "AWAYFROMZERO" => "HALF_UP",
                "TOZERO" | "TRUNCATE" => "DOWN",
                "TONEGATIVEINFINITY" => "FLOOR",
                "TOPOSITIVEINFINITY" => "CEILING",
                "HALF_EVEN" | "HALF_UP" | "HALF_DOWN" | "UP" | "DOWN" | "FLOOR" | "CEILING"
                | "05UP" | "UNNECESSARY" => m.as_str(),
                _ => return None,
            };
            Some(m.to_string())
        })
        .collect()
}

fn modes(side: &[At<'_>]) -> BTreeSet<String> {
    side.iter().flat_map(|a| modes_of(a.line.text)).collect()
}

/// Scale factors on a line that multiplies or divides: literal products
/// are worked out first (`24 * 60 * 60` is one number).
fn line_factors(text: &str) -> BTreeSet<u64> {
    if !SCALING.is_match(text) || !MONEY.is_match(text) && !SCALE_NAME.is_match(text) {
        return BTreeSet::new();
    }
    let text = PRODUCT.replace_all(text, |c: &regex::Captures<'_>| {
        c[0].split('*')
            .map(|n| n.trim().replace('_', "").parse::<u64>().unwrap_or(1))
            .fold(1u64, |a, b| a.saturating_mul(b))
            .to_string()
    });
    NUMBER
        .captures_iter(&text)
        .filter_map(|c| c[1].replace('_', "").parse::<u64>().ok())
        .filter(|n| FACTORS.contains(n))
        .collect()
}

/// A name that says it holds a scale: `BPS_DIVISOR`, `CENTS_PER_UNIT`.
static SCALE_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(divisor|multiplier|_per_|per_?unit|basis|bps|percent|permille)").unwrap()
});

fn factors(side: &[At<'_>]) -> BTreeSet<u64> {
    side.iter()
        .flat_map(|a| line_factors(a.line.text))
        .collect()
}

fn join(v: &[&String]) -> String {
    v.iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" or ")
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::findings_for_change;

    fn rules(files: &[(&str, &str, &str)]) -> Vec<(String, String)> {
        findings_for_change(files)
            .into_iter()
            .filter(|f| f.rule == "logic-contract-changed")
            .map(|f| (f.path, f.message))
            .collect()
    }

    #[test]
    fn a_rounding_mode_replaced_in_money_code_is_named() {
        let hit = rules(&[(
            "src/billing/Money.kt",
            "fun vat(amount: BigDecimal) = amount.multiply(RATE).setScale(2, RoundingMode.HALF_EVEN)\n",
            "fun vat(amount: BigDecimal) = amount.multiply(RATE).setScale(2, RoundingMode.DOWN)\n",
        )]);
        assert_eq!(hit.len(), 1, "{hit:?}");
        assert!(
            hit[0]
                .1
                .contains("rounded DOWN where it was rounded HALF_EVEN")
        );
    }

    #[test]
    fn rounding_turned_into_truncation_is_named() {
        let hit = rules(&[(
            "core/money.py",
            "def to_cents(amount):\n    value = Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)\n    return int(value * 100)\n",
            "def to_cents(amount):\n    return int(float(amount) * 100)\n",
        )]);
        assert_eq!(hit.len(), 1, "{hit:?}");
        assert!(hit[0].1.contains("truncated"), "{hit:?}");
    }

    #[test]
    fn a_fixed_two_decimals_where_the_exponent_was_used_is_named_across_files() {
        let hit = rules(&[
            (
                "payments/refunds.py",
                "def refund(amount, currency):\n    exponent = CURRENCY_EXPONENT[currency]\n    minor = int(amount.scaleb(exponent))\n    return psp.refund(minor)\n",
                "def refund(amount, currency):\n    minor = to_minor_units(amount)\n    return psp.refund(minor)\n",
            ),
            (
                "payments/money.py",
                "",
                "def to_minor_units(amount):\n    return int(amount * 100)\n",
            ),
        ]);
        assert_eq!(hit.len(), 1, "{hit:?}");
        assert!(hit[0].1.contains("fixed two decimals"), "{hit:?}");
    }

    #[test]
    fn a_divisor_replaced_is_named_and_a_product_written_out_is_not() {
        let hit = rules(&[(
            "fees/FeeCalculator.kt",
            "private val BPS_DIVISOR = BigDecimal(10_000)\n",
            "private val PERCENT_DIVISOR = BigDecimal(100)\n",
        )]);
        assert_eq!(hit.len(), 1, "{hit:?}");
        assert!(
            hit[0]
                .1
                .contains("scaled by 100 where they were scaled by 10,000")
        );
        // The same factor spelled another way, or a named constant.
        assert!(
            rules(&[(
                "billing/fees.py",
                "fee = amount * rate_bps / 10000\n",
                "fee = amount * rate_bps / (100 * 100)\n",
            )])
            .is_empty()
        );
    }

    #[test]
    fn exact_money_kept_exact_or_made_exact_is_quiet() {
        // Floats replaced by decimals, rounding added: a fix, not a finding.
        assert!(
            rules(&[(
                "core/money.py",
                "def to_cents(amount):\n    return int(float(amount) * 100)\n",
                "def to_cents(amount):\n    return int(Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP) * 100)\n",
            )])
            .is_empty()
        );
        // A float only for a metric.
        assert!(
            rules(&[(
                "billing/report.py",
                "total = Decimal(sum(x.amount for x in items))\n",
                "total = Decimal(sum(i.amount for i in items))\nmetrics.gauge('invoice_total', float(total))\n",
            )])
            .is_empty()
        );
    }
}
