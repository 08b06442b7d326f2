//! Guards a textual comparison reads as changed or gone that still stop in
//! exactly the cases they stopped in before: a list of comparisons turned
//! into a membership test of a named set (`s != PAID && s != SHIPPED` → `s
//! !in REFUNDABLE`); a nested guard flattened into one branch of a
//! `when`/`match` (`if (late) { if (support) return A; return B }` → `late
//! && support -> A; late -> B`); a null check gone because the lookup now
//! raises when the record is missing (`findOrFail`); and a guard moved into
//! a callee, read with the arguments the caller passes it; a failure check
//! turned into a catch around the call that throws the same error with the
//! same message.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;

use super::boolean::{conjuncts, disjuncts, without_outer_parens};
use super::syntax::{Guard, Unit, squash};

/// A value as a set member: `OrderStatus.PAID`, `"paid"` and `:paid` are
/// compared by their last name, without quotes.
fn member(v: &str) -> String {
    let v = v.trim().trim_end_matches(',').trim();
    let v = v.trim_matches(['"', '\'', '`']).trim_start_matches(':');
    v.rsplit(['.', ':']).next().unwrap_or(v).to_string()
}

/// `x != A && x != B` → (true, `x`, {A, B}); `x == A || x == B` → (false, …).
fn spelled_out(cond: &str) -> Option<(bool, String, BTreeSet<String>)> {
    static CMP: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^(.+?)\s*(!==|!=|===|==)\s*(.+)$").expect("a valid regex"));
    let cond = without_outer_parens(cond);
    let (negated, parts) = match (conjuncts(cond), disjuncts(cond)) {
        (c, _) if c.len() >= 2 => (true, c),
        (_, d) if d.len() >= 2 => (false, d),
        _ => return None,
    };
    let mut subject: Option<String> = None;
    let mut values = BTreeSet::new();
    for part in parts {
        let m = CMP.captures(without_outer_parens(part))?;
        if m[2].starts_with('!') != negated {
            return None;
        }
        let s = squash(&m[1]);
        if subject.as_ref().is_some_and(|x| *x != s) {
            return None;
        }
        subject = Some(s);
        values.insert(member(&m[3]));
    }
    Some((negated, subject?, values))
}

/// A membership test: whether it is negated, its subject and the set it
/// names or spells out (`x !in SET`, `x not in (A, B)`, `!SET.contains(x)`,
/// `!slices.Contains(SET, x)`, `!in_array($x, SET)`, `SET.include?(x)`).
fn membership(cond: &str) -> Option<(bool, String, String)> {
    static INFIX: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^(.+?)\s+(!in|not\s+in|in)\s+(.+)$").expect("a valid regex"));
    static METHOD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(!\s*|not\s+)?([\w.:]+)\.(?:contains|includes|has|Contains|include\?|member\?)\((.+)\)$")
            .expect("a valid regex")
    });
    static FUNCTION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(!\s*)?(?:slices\.Contains|in_array|lo\.Contains)\(\s*([^,]+?)\s*,\s*(.+)\)$")
            .expect("a valid regex")
    });
    let cond = without_outer_parens(cond);
    if let Some(m) = INFIX.captures(cond) {
        return Some((m[2] != *"in", squash(&m[1]), m[3].trim().to_string()));
    }
    if let Some(m) = METHOD.captures(cond) {
        return Some((m.get(1).is_some(), squash(&m[3]), m[2].to_string()));
    }
    if let Some(m) = FUNCTION.captures(cond) {
        // `in_array($needle, $haystack)`, `slices.Contains(haystack, needle)`.
        let (set, subject) = if cond.contains("in_array") {
            (&m[3], &m[2])
        } else {
            (&m[2], &m[3])
        };
        return Some((m.get(1).is_some(), squash(subject), set.trim().to_string()));
    }
    None
}

/// The members of a set written inline (`setOf(A, B)`, `(A, B)`, `[A, B]`,
/// `new Set([A, B])`) or named by a constant the text defines.
fn members(set: &str, text: &str) -> Option<BTreeSet<String>> {
    let set = set.trim();
    let inline = |s: &str| -> Option<BTreeSet<String>> {
        let open = s.find(['(', '[', '{'])?;
        let close = super::code::closing_bracket(s.as_bytes(), open)?;
        let inner = s[open + 1..close].trim();
        // `new Set([A, B])`, `frozenset({A, B})`: the literal inside.
        if inner.starts_with(['[', '{', '('])
            && super::code::closing_bracket(inner.as_bytes(), 0) == Some(inner.len() - 1)
        {
            return inner_members(&inner[1..inner.len() - 1]);
        }
        inner_members(inner)
    };
    if set.starts_with(|c: char| c.is_ascii_lowercase()) && set.contains('(')
        || set.starts_with(['(', '[', '{'])
    {
        return inline(set);
    }
    let name = set.rsplit(['.', ':']).next().unwrap_or(set);
    if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    let define = Regex::new(&format!(r"\b{}\b\s*(?::[^=\n]*)?=\s*", regex::escape(name))).ok()?;
    let at = define.find(text)?.end();
    let rest = &text[at..];
    let line_end = rest.find('\n').unwrap_or(rest.len());
    // The literal starts on the defining line.
    rest[..line_end].find(['(', '[', '{'])?;
    inline(rest)
}

fn inner_members(inner: &str) -> Option<BTreeSet<String>> {
    let out: BTreeSet<String> = super::code::top_level_args(inner)
        .iter()
        .map(|a| member(a))
        .filter(|a| !a.is_empty())
        .collect();
    (!out.is_empty()).then_some(out)
}

/// True when `new` tests membership of the very values `old` compared one by
/// one, with the same polarity: `s != A && s != B` → `s !in SET` where SET
/// holds exactly A and B.
pub(crate) fn membership_restated(old: &str, new: &str, new_text: &str) -> bool {
    let Some((negated, subject, values)) = spelled_out(old) else {
        return false;
    };
    let Some((negated2, subject2, set)) = membership(new) else {
        return false;
    };
    negated == negated2
        && subject == subject2
        && members(&set, new_text).is_some_and(|m| m == values)
}

/// True when a guard nested in another (`if (late) { if (support) return A;
/// … }`) is now one branch whose condition joins both (`late && support ->
/// A`), and the outer condition still stops on its own below it.
pub(crate) fn nesting_flattened(o: &Unit, g: &Guard, n: &Unit, c: &Guard) -> bool {
    let parts = |t: &str| -> BTreeSet<String> {
        conjuncts(without_outer_parens(t))
            .into_iter()
            .map(|p| squash(without_outer_parens(p)))
            .collect()
    };
    let new = parts(&c.cond);
    // The old guard nested in another, which a parser reads as leaving by
    // the inner one's exit (its body's first). Either of the pair may be
    // the one compared with the new branch.
    let pairs = o.guards.iter().flat_map(|outer| {
        o.guards
            .iter()
            .filter(move |inner| {
                outer.line < inner.line && outer.exit == inner.exit && outer.cond != inner.cond
            })
            .map(move |inner| (outer, inner))
    });
    pairs
        .filter(|(outer, inner)| std::ptr::eq(*outer, g) || std::ptr::eq(*inner, g))
        .any(|(_, inner)| {
            let old = parts(&inner.cond);
            if !old.is_subset(&new) || old.len() == new.len() {
                return false;
            }
            let extra: BTreeSet<&String> = new.difference(&old).collect();
            // The outer condition still stops on its own below the branch.
            n.guards.iter().any(|x| {
                x.line > c.line && {
                    let p = parts(&x.cond);
                    p.len() == extra.len() && p.iter().all(|e| extra.contains(e))
                }
            })
        })
}

/// True when a guard that left on a missing record (`if ($c === null)
/// return;`, `if not order: return`) is gone because the lookup itself now
/// refuses to come back empty: `findOrFail`, `get_object_or_404`,
/// `orElseThrow()`, `.Single()`, `.expect(…)`. Nothing passes the missing
/// record on; it stops sooner, by raising.
pub(crate) fn absence_now_raises(cond: &str, new_text: &str) -> bool {
    static ABSENT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:\$?(\w+)\s*(?:===?|\bis)\s*(?:null|None|nil)|(?:!\s*|not\s+)\$?(\w+)|\$?(\w+)\.nil\?|is_null\(\s*\$(\w+)\s*\))$")
            .expect("a valid regex")
    });
    static RAISES_WHEN_MISSING: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(OrFail\s*\(|_or_404\s*\(|orElseThrow\s*\(|OrThrow\w*\s*\(|\.sole\s*\(|\.one\s*\(\s*\)|\bSingle(Async)?\s*\(|\bFirst(Async)?\s*\(|\.expect\s*\(|\.unwrap\s*\(\s*\)|\.find_by!\s*\(|\bget_or_raise\s*\()")
            .expect("a valid regex")
    });
    let Some(m) = ABSENT.captures(without_outer_parens(cond).trim()) else {
        return false;
    };
    let Some(var) = (1..=4).find_map(|i| m.get(i)).map(|v| v.as_str()) else {
        return false;
    };
    let Ok(assigned) = Regex::new(&format!(
        r"(?:^|[^\w$.])\$?{}\s*(?::[^=]*)?=[^=]",
        regex::escape(var)
    )) else {
        return false;
    };
    let lines: Vec<&str> = new_text.lines().collect();
    lines.iter().enumerate().any(|(i, l)| {
        if !assigned.is_match(l) {
            return false;
        }
        // The assigned expression, up to its end (a `;`, or a few rows).
        let mut expr = String::new();
        for t in lines.iter().skip(i).take(6) {
            expr.push_str(t);
            if t.trim_end().ends_with(';') {
                break;
            }
        }
        RAISES_WHEN_MISSING.is_match(&expr)
    })
}

/// `text` with each whole-word `word` (a `$name` too) replaced by `with`.
fn replace_word(text: &str, word: &str, with: &str) -> String {
    if word.is_empty() {
        return text.to_string();
    }
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(word) {
        let before = rest[..i].chars().next_back();
        let after = rest[i + word.len()..].chars().next();
        let whole = !before.is_some_and(ident)
            && !after.is_some_and(ident)
            && !before.is_some_and(|c| c == '.' || c == '>');
        out.push_str(&rest[..i]);
        out.push_str(if whole { with } else { word });
        rest = &rest[i + word.len()..];
    }
    out.push_str(rest);
    out
}

/// The names a parameter may go by: `int $amountCents` → `$amountCents`,
/// `amount_cents: int` → `amount_cents`, `int amountCents` / `amountCents
/// int` → either word.
fn parameter_names(param: &str) -> Vec<String> {
    let p = param.split('=').next().unwrap_or(param).trim();
    if let Some(d) = p.split_whitespace().find(|w| w.starts_with('$')) {
        return vec![d.trim_start_matches(['&', '.']).to_string()];
    }
    if let Some((name, _)) = p.split_once(':') {
        let name = name.split_whitespace().last().unwrap_or("");
        return vec![name.trim_start_matches(['&', '*']).to_string()];
    }
    let words: Vec<&str> = p.split_whitespace().collect();
    let mut out: Vec<String> = Vec::new();
    for w in [words.first(), words.last()].into_iter().flatten() {
        let w = w.trim_start_matches(['&', '*']).to_string();
        if !out.contains(&w) {
            out.push(w);
        }
    }
    out
}

/// True when a guard of `callee` (a function the change adds or moves code
/// into) is `old_cond` once its parameters are read as the arguments a call
/// in the added code passes: `$already + $amountCents > $locked->amount`
/// called with `$data['amount_cents']` is `$already + $data['amount_cents'] >
/// $locked->amount`.
pub(crate) fn guard_via_arguments(old_cond: &str, callee: &Unit, added: &str) -> bool {
    let name = callee
        .name
        .rsplit(['.', ':'])
        .next()
        .unwrap_or(&callee.name);
    if name.len() < 3 || callee.guards.is_empty() {
        return false;
    }
    let Ok(call) = Regex::new(&format!(r"\b{}\s*\(", regex::escape(name))) else {
        return false;
    };
    static DEFINES: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(function|def|fn|func|fun|public|private|protected|internal|static|async)\b")
            .expect("a valid regex")
    });
    let bytes = added.as_bytes();
    let mut definitions = Vec::new();
    let mut calls = Vec::new();
    for m in call.find_iter(added) {
        let open = m.end() - 1;
        let Some(close) = super::code::closing_bracket(bytes, open) else {
            continue;
        };
        let inner = &added[open + 1..close];
        let line_start = added[..m.start()].rfind('\n').map_or(0, |i| i + 1);
        let head = &added[line_start..m.start()];
        let args: Vec<String> = super::code::top_level_args(inner)
            .into_iter()
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
            .collect();
        if DEFINES.is_match(head) {
            definitions.push(args);
        } else {
            calls.push(args);
        }
    }
    let old = squash(old_cond);
    definitions.iter().any(|params| {
        calls
            .iter()
            .filter(|args| !args.is_empty() && args.len() <= params.len())
            .any(|args| {
                (0..2).any(|pick| {
                    callee.guards.iter().any(|g| {
                        let mut cond = g.cond.clone();
                        for (param, arg) in params.iter().zip(args.iter()) {
                            let names = parameter_names(param);
                            let Some(n) = names.get(pick).or_else(|| names.first()) else {
                                continue;
                            };
                            // A named argument (`note: x`) passes its value.
                            let arg = arg.rsplit_once(": ").map_or(arg.as_str(), |(_, v)| v);
                            cond = replace_word(&cond, n, arg);
                        }
                        // A guard that names no parameter is the callee's
                        // own check, whatever it is called with: the same
                        // check only when it fails the call (raises,
                        // panics), not when it hands back an empty value.
                        (cond != g.cond || g.failing) && squash(&cond) == old
                    })
                })
            })
    })
}

/// The exit of a failing guard up to the end of its first string literal
/// (`throw new RuntimeException('Unable to …'`), when that literal says
/// something (ten characters or more).
fn exit_with_message(exit: &str) -> Option<String> {
    let exit = squash(exit);
    let open = exit.find(['\'', '"'])?;
    let quote = exit[open..].chars().next()?;
    let close = open + 1 + exit[open + 1..].find(quote)?;
    (close - open > 10).then(|| exit[..=close].to_string())
}

/// A failing guard on a call's result (`if ($raw === false) throw new
/// RuntimeException('Unable to …')`) gone because the call now raises and
/// the new code catches that and throws the same error with the same
/// message: the failure still stops the caller.
pub(crate) fn rethrown_from_catch(g: &Guard, n: &Unit) -> bool {
    let Some(exit) = exit_with_message(&g.exit) else {
        return false;
    };
    n.raises.iter().any(|r| {
        squash(&r.text).starts_with(&exit)
            && n.handlers
                .iter()
                .any(|h| h.propagates && h.line <= r.line && r.line - h.line <= 3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_and_a_named_set_of_the_same_values_are_one_test() {
        let text = "val REFUNDABLE = setOf(\n    OrderStatus.PAID,\n    OrderStatus.SHIPPED,\n)\n";
        let old = "order.status != OrderStatus.PAID && order.status != OrderStatus.SHIPPED";
        assert!(membership_restated(
            old,
            "order.status !in REFUNDABLE",
            text
        ));
        assert!(membership_restated(
            old,
            "!REFUNDABLE.contains(order.status)",
            text
        ));
        // A value left out of the set lets that status through.
        let short = "val REFUNDABLE = setOf(OrderStatus.PAID)\n";
        assert!(!membership_restated(
            old,
            "order.status !in REFUNDABLE",
            short
        ));
        // The opposite polarity is another test.
        assert!(!membership_restated(
            old,
            "order.status in REFUNDABLE",
            text
        ));
        // Python's tuple spelled inline, and an `or` of equalities.
        assert!(membership_restated(
            "role == 'owner' or role == 'admin'",
            "role in ('admin', 'owner')",
            ""
        ));
        assert!(!membership_restated(
            "role == 'owner' or role == 'admin'",
            "role in ('admin', 'owner', 'member')",
            ""
        ));
        // Another subject is another check.
        assert!(!membership_restated(
            old,
            "request.status !in REFUNDABLE",
            text
        ));
    }

    #[test]
    fn a_lookup_that_now_raises_on_absence_replaces_the_null_check() {
        let find_or_fail = "        $customer = Customer::withTrashed()\n            ->lockForUpdate()\n            ->findOrFail($customerId);\n";
        assert!(absence_now_raises("$customer === null", find_or_fail));
        assert!(absence_now_raises(
            "not order",
            "    order = get_object_or_404(Order, pk=pk)\n"
        ));
        // The lookup still comes back empty: the guard was the only stop.
        assert!(!absence_now_raises(
            "$customer === null",
            "        $customer = Customer::find($customerId);\n"
        ));
        // Another variable raises; this one does not.
        assert!(!absence_now_raises(
            "not order",
            "    user = get_object_or_404(User, pk=pk)\n    order = Order.objects.filter(pk=pk).first()\n"
        ));
    }

    #[test]
    fn a_guard_moved_into_a_callee_reads_the_arguments_it_is_passed() {
        let callee = Unit {
            name: "RefundService.refund".into(),
            guards: vec![guard(
                "$already + $amountCents > $locked->amount_cents",
                "return null;",
                5,
            )],
            ..Unit::default()
        };
        let added = "    public function refund(Payment $payment, int $amountCents): Refund\n    {\n        if ($already + $amountCents > $locked->amount_cents) {\n            return null;\n        }\n    }\n        $refund = $this->refunds->refund(\n            $payment,\n            $data['amount_cents'],\n        );\n";
        assert!(guard_via_arguments(
            "$already + $data['amount_cents'] > $locked->amount_cents",
            &callee,
            added
        ));
        // A callee's guard on its own state is not the caller's check.
        let own = Unit {
            guards: vec![guard("res.rowCount === 0", "return null;", 5)],
            ..callee.clone()
        };
        assert!(!guard_via_arguments("res.rowCount === 0", &own, added));
        // One that fails the call stops it in the same cases.
        let raising = Unit {
            guards: vec![Guard {
                failing: true,
                ..guard("!ok", "panic(\"no user\")", 5)
            }],
            ..callee.clone()
        };
        assert!(guard_via_arguments("!ok", &raising, added));
        // Called with another value: another check.
        let other = added.replace("$data['amount_cents']", "$data['fee_cents']");
        assert!(!guard_via_arguments(
            "$already + $data['amount_cents'] > $locked->amount_cents",
            &callee,
            &other
        ));
    }

    #[test]
    fn a_parameter_without_a_name_substitutes_nothing_and_ends() {
        // `fn f(&)`, `...` or a lone `*` leave no name; replacing an empty
        // word must return the text as it was, not loop on it.
        assert_eq!(parameter_names("&"), vec![String::new()]);
        assert_eq!(replace_word("a + b", "", "x"), "a + b");
        assert_eq!(replace_word("$a + ab", "$a", "x"), "x + ab");
    }

    fn guard(cond: &str, exit: &str, line: u32) -> Guard {
        Guard {
            cond: cond.into(),
            exit: exit.into(),
            line,
            failing: false,
        }
    }

    #[test]
    fn a_nested_guard_flattened_into_a_branch_stops_in_the_same_cases() {
        let o = Unit {
            guards: vec![
                guard("late", "return A", 10),
                guard("support && small", "return A", 11),
            ],
            ..Unit::default()
        };
        let n = Unit {
            guards: vec![
                guard("late && support && small", "return A", 20),
                guard("late", "return B", 22),
            ],
            ..Unit::default()
        };
        assert!(nesting_flattened(&o, &o.guards[1], &n, &n.guards[0]));
        // The outer guard, read as leaving by the inner one's exit.
        assert!(nesting_flattened(&o, &o.guards[0], &n, &n.guards[0]));
        // Not nested before: the new condition narrows a guard that stood alone.
        let alone = Unit {
            guards: vec![guard("support && small", "return A", 11)],
            ..Unit::default()
        };
        assert!(!nesting_flattened(
            &alone,
            &alone.guards[0],
            &n,
            &n.guards[0]
        ));
        // The outer condition no longer stops on its own below.
        let n2 = Unit {
            guards: vec![guard("late && support && small", "return A", 20)],
            ..Unit::default()
        };
        assert!(!nesting_flattened(&o, &o.guards[1], &n2, &n2.guards[0]));
    }
}
