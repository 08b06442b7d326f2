//! A step that declares work done, moved ahead of the work. A consumer that
//! acknowledged a message after handling it now acknowledges first; an order
//! marked paid after the charge is now marked before it; Kafka offsets
//! committed before the records are written. Both versions call the same
//! functions, so no line reads as dangerous: what changed is the order, and
//! with it what a failure in between leaves behind (a message nobody will
//! redeliver, an order paid for by nobody).

use std::sync::LazyLock;

use regex::Regex;

use super::behaviour::{HashMap, Parsed};
use super::syntax::{Fact, GUARD_WORDS, LOGGING_CALL, Unit};
use super::{Finding, Severity};

/// Calls that declare something finished or irreversible: the broker forgets
/// the message, the offset moves on, the record says "paid".
static FINALISES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(basic_?)?ack(nowledge)?(_?message)?$|^commit(_?sync|_?async|_?offsets?|_?messages?|_?records?)?$|^(delete|remove)_?messages?(_?batch)?$|^mark_?(as_?)?(paid|done|complete[d]?|processed|sent|shipped|settled|succeeded|delivered|handled|consumed|read)$|^(complete|finish|finali[sz]e|settle)(_?(job|task|message|payment|order))?$|^set_?(status_?)?(paid|done|complete[d]?|processed)$",
    )
    .unwrap()
});

/// Calls that do no work of their own: logging, metrics, getters, conversions.
static INCIDENTAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(get\w*|len|str|int|format|sprintf|printf|println!?|print|to_\w+|as_\w+|into|unwrap\w*|expect|clone|json|parse\w*|decode|encode|loads|dumps|now|time|sleep|increment|inc|observe|timing|gauge|histogram|counter|span|start_span|with_\w+|context|ctx|append|push|extend|add|join|split|strip|trim\w*|keys|values|items|map|filter|lower|upper|is_\w+|has_\w+|instance_of|isinstance|min|max|abs|round|Ok|Err|Some|new|make|require|assert\w*|bind)$",
    )
    .unwrap()
});

/// The first line at which each call name occurs in a unit, when it occurs
/// exactly once (a name called twice has no single place in the order).
fn single_calls(u: &Unit) -> Vec<(String, u32)> {
    let mut count: HashMap<String, (usize, u32)> = HashMap::default();
    for Fact { text, line } in &u.calls {
        let name = text.clone();
        let e = count.entry(name).or_insert((0, *line));
        e.0 += 1;
        e.1 = e.1.min(*line);
    }
    let mut v: Vec<(String, u32)> = count
        .into_iter()
        .filter(|(_, (n, _))| *n == 1)
        .map(|(k, (_, l))| (k, l))
        .collect();
    v.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
    v
}

/// Work that mattered (not logging, not a getter, not a check).
fn is_work(name: &str) -> bool {
    !INCIDENTAL.is_match(name)
        && !LOGGING_CALL.is_match(name)
        && !GUARD_WORDS.is_match(name)
        && !FINALISES.is_match(name)
        && name.len() > 2
}

/// Finalising calls that a function now makes before work it used to finish
/// first.
pub fn check(parsed: &[Parsed<'_>], out: &mut Vec<Finding>) {
    for p in parsed {
        let f = p.file;
        if !f.class.production() || f.class.test_like() || f.deleted() || f.created() {
            continue;
        }
        for new in &p.new.units {
            if !new.calls.iter().any(|c| FINALISES.is_match(&c.text)) {
                continue;
            }
            let Some(old) = p.old.get(&rename_back(&new.name, &p.renames)) else {
                continue;
            };
            // Names as written on both sides: a swap of two calls reads as a
            // rename of each into the other, which would hide the swap.
            let before = single_calls(old);
            let after = single_calls(new);
            let at = |v: &[(String, u32)], n: &str| v.iter().find(|x| x.0 == n).map(|x| x.1);
            for (fin, new_line) in after.iter().filter(|c| FINALISES.is_match(&c.0)) {
                let Some(old_line) = at(&before, fin) else {
                    continue;
                };
                // Work that came before the finalising call and now comes after.
                let overtaken: Vec<&str> = before
                    .iter()
                    .filter(|(w, l)| *l < old_line && is_work(w))
                    .filter(|(w, _)| at(&after, w).is_some_and(|nl| nl > *new_line))
                    .map(|(w, _)| w.as_str())
                    .collect();
                let Some(work) = overtaken.first() else {
                    continue;
                };
                out.push(Finding::added(
                    "logic-finalised-before-work",
                    Severity::High,
                    f.path,
                    Some(*new_line),
                    format!(
                        "`{}` now calls `{fin}` before `{work}`; before, only once `{work}` had returned. If `{work}` fails now, the work is already marked finished and nothing retries it.",
                        new.name
                    ),
                ));
            }
        }
    }
}

/// The old name of a unit the change renamed (`Worker.handle` ← `Worker.process`).
fn rename_back(name: &str, renames: &HashMap<String, String>) -> String {
    let mut out = name.to_string();
    for (old, new) in renames {
        let parts: Vec<&str> = out.split('.').collect();
        if parts.contains(&new.as_str()) {
            out = parts
                .iter()
                .map(|p| if p == new { old.as_str() } else { p })
                .collect::<Vec<_>>()
                .join(".");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::findings_for_change;

    fn fired(path: &str, old: &str, new: &str) -> bool {
        findings_for_change(&[(path, old, new)])
            .iter()
            .any(|f| f.rule == "logic-finalised-before-work")
    }

    #[test]
    fn an_ack_moved_ahead_of_the_handler_loses_messages_on_failure() {
        let old = "def on_message(channel, method, body):\n    order = json.loads(body)\n    fulfil_order(order)\n    channel.basic_ack(delivery_tag=method.delivery_tag)\n    log.info(\"done\")\n";
        let new = "def on_message(channel, method, body):\n    channel.basic_ack(delivery_tag=method.delivery_tag)\n    order = json.loads(body)\n    fulfil_order(order)\n    log.info(\"done\")\n";
        assert!(fired("workers/orders/consumer.py", old, new));
        // The same reordering of two log lines is nothing.
        let tidy = old.replace("    log.info(\"done\")\n", "").replace(
            "    fulfil_order(order)\n",
            "    log.info(\"start\")\n    fulfil_order(order)\n",
        );
        assert!(!fired("workers/orders/consumer.py", old, &tidy));
    }

    #[test]
    fn marked_paid_before_the_charge_in_another_language() {
        let old = "async function checkout(order) {\n  const charge = await gateway.capture(order.total, order.card);\n  await orders.markPaid(order.id, charge.id);\n  return charge;\n}\n";
        let new = "async function checkout(order) {\n  await orders.markPaid(order.id);\n  const charge = await gateway.capture(order.total, order.card);\n  return charge;\n}\n";
        assert!(fired("src/checkout/service.ts", old, new));
        assert!(!fired("src/checkout/service.ts", old, old));
    }

    #[test]
    fn offsets_committed_before_the_records_are_written() {
        let old = "func (c *Consumer) poll(ctx context.Context) error {\n\trecs := c.client.PollFetches(ctx)\n\tif err := c.store.WriteBatch(ctx, recs); err != nil {\n\t\treturn err\n\t}\n\treturn c.client.CommitRecords(ctx, recs)\n}\n";
        let new = "func (c *Consumer) poll(ctx context.Context) error {\n\trecs := c.client.PollFetches(ctx)\n\tif err := c.client.CommitRecords(ctx, recs); err != nil {\n\t\treturn err\n\t}\n\treturn c.store.WriteBatch(ctx, recs)\n}\n";
        assert!(fired("internal/ingest/consumer.go", old, new));
    }

    #[test]
    fn an_ack_moved_after_the_work_is_the_fix_not_the_danger() {
        let old = "def on_message(channel, method, body):\n    channel.basic_ack(delivery_tag=method.delivery_tag)\n    fulfil_order(json.loads(body))\n";
        let new = "def on_message(channel, method, body):\n    fulfil_order(json.loads(body))\n    channel.basic_ack(delivery_tag=method.delivery_tag)\n";
        assert!(!fired("workers/orders/consumer.py", old, new));
    }
}
