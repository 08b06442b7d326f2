//! Queue messages acknowledged whether or not their handling succeeded. A
//! consumer deletes (SQS), acks (Pub/Sub, RabbitMQ, NATS), completes (Service
//! Bus) or commits (Kafka) a message to say it is done with it. Done only
//! after the work succeeded, a failure is delivered again and ends in the
//! dead-letter queue. Moved into a `finally`, an `ensure` or a `defer`, or
//! turned into one batch delete of everything received, the acknowledgement
//! covers the messages whose handling failed too: they are dropped, silently.
//! A connector told to tolerate every error with nowhere to put the records
//! it fails on (Kafka Connect's `errors.tolerance=all` without a dead-letter
//! topic, Kafka Streams' `LogAndContinueExceptionHandler`) drops them the
//! same way.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity, quote};

/// A message acknowledged, or the handle that acknowledges it.
static ACK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\bdelete_?message(_?batch)?\b|\bDeleteMessage(Batch)?(Command|Request|Input|RequestEntry)?\b|\breceipt_?handle\b|\bbasic_?ack\b|\.ack\s*\(|\.acknowledge\s*\(|\bcommit_?sync\b|\bcommitAsync\b|consumer\w*\.commit\w*\s*\(|\bcommit_offsets?\b|\bcomplete_?message(_?async)?\s*\()").unwrap()
});
/// A block every path runs: `finally`, Ruby's `ensure`.
static ALWAYS_BLOCK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(\}\s*)?(finally|ensure)\b").unwrap());
/// Go's `defer`: runs however the function returns.
static DEFERRED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*defer\b").unwrap());
/// A batch built from every message received (`Entries: messages.map(…)`,
/// `for m in messages`).
static EVERY_RECEIVED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(messages|msgs|records|events|batch|received|deliveries)\s*\.\s*(map|forEach|stream|iter|collect)\b|\bfor\s*\(?\s*(const|let|var|final)?\s*[\w:<>, ]*\s+(in|of|:)\s+(messages|msgs|records|events|batch|received|deliveries)\b").unwrap()
});
/// Only what succeeded goes in the batch.
static ONLY_SUCCEEDED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(filter|fulfilled|succeeded|success|\bok\b|processed|handled|done)").unwrap()
});
/// A failure handled on its own: sent to a dead-letter queue, negatively
/// acknowledged, made visible again.
static FAILURE_HANDLED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(dead_?letter|\bdlq|\bdlt\b|_dlq|_dlt\b|\bnack\b|\.nack\s*\(|basic_?nack|basic_?reject|requeue|change_?message_?visibility|ChangeMessageVisibility|abandon|\.reject\s*\(|\.term\s*\()").unwrap()
});
/// Lines around a batch acknowledgement its entries are read from.
const BATCH_WINDOW: usize = 8;

/// Where the text acknowledges messages whatever happened to them: (line,
/// what acknowledges, how).
fn acknowledged_regardless(text: &str) -> Option<(u32, String, &'static str)> {
    let lines: Vec<&str> = text.lines().collect();
    let indent = |l: &str| l.len() - l.trim_start().len();
    for (i, l) in lines.iter().enumerate() {
        let Some(m) = ACK.find(l) else { continue };
        let what = m.as_str().trim().to_string();
        if DEFERRED.is_match(l) {
            return Some((i as u32 + 1, what, "deferred"));
        }
        // The block the line sits in: the nearest line above it, indented
        // less, that is not blank.
        let own = indent(l);
        let opener = lines[..i]
            .iter()
            .rev()
            .find(|p| !p.trim().is_empty() && indent(p) < own);
        if opener.is_some_and(|p| ALWAYS_BLOCK.is_match(p)) {
            return Some((i as u32 + 1, what, "in a finally block"));
        }
        if after_failure_carried_on(&lines, i) {
            return Some((i as u32 + 1, what, "right after a failure it only logs"));
        }
        let batch = m.as_str().to_ascii_lowercase().contains("batch");
        if batch {
            let window = &lines[i..(i + BATCH_WINDOW).min(lines.len())];
            if window.iter().any(|w| EVERY_RECEIVED.is_match(w))
                && !window.iter().any(|w| ONLY_SUCCEEDED.is_match(w))
            {
                return Some((i as u32 + 1, what, "for the whole batch received"));
            }
        }
    }
    None
}

/// A branch for a failure (`if err != nil {`, `catch (e) {`, `except X:`).
static FAILURE_BRANCH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(\}\s*)?(if\s*\(?\s*(err|error|e|ex|exc)\b[^{]*(\{|:)\s*$|if\s+err\s*:?=[^{]*;\s*err\s*!=\s*nil\s*\{\s*$|catch\b[^{]*\{\s*$|except\b[^:]*:\s*$|rescue\b)").unwrap()
});
/// A way out of a failure branch: the acknowledgement below is skipped.
static LEAVES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\breturn\b|\bcontinue\b|\bbreak\b|\braise\b|\bthrow\b|\bpanic\(|os\.Exit|log\.Fatal|\bnack\b|\.nack\s*\(|\.reject\s*\(|requeue|dead_?letter|\bdlq)").unwrap()
});

/// Whether the statement at `i` follows, at the same depth, a failure
/// branch that neither leaves nor hands the message back: the failure is
/// logged and the message acknowledged all the same.
fn after_failure_carried_on(lines: &[&str], i: usize) -> bool {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let own = indent(lines[i]);
    let mut j = i;
    // Past blank lines and the branch's closing brace.
    while j > 0 && lines[j - 1].trim().is_empty() {
        j -= 1;
    }
    if j > 0 && lines[j - 1].trim() == "}" && indent(lines[j - 1]) == own {
        j -= 1;
    }
    let body_end = j;
    while j > 0 && (lines[j - 1].trim().is_empty() || indent(lines[j - 1]) > own) {
        j -= 1;
    }
    if j == 0 || j == body_end {
        return false;
    }
    let opener = lines[j - 1];
    indent(opener) == own
        && FAILURE_BRANCH.is_match(opener)
        && !lines[j..body_end].iter().any(|l| LEAVES.is_match(l))
}

/// The work whose outcome an acknowledgement should wait for: the message
/// written, saved, handled.
static WORK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(write\w*|save\w*|insert\w*|upsert\w*|persist\w*|put\w*|store\w*|execute\w*|process\w*|handle\w*|transcode\w*|index\w*)\s*\(").unwrap()
});
/// Lines above an acknowledgement the work is looked for in.
const WORK_WINDOW: usize = 10;

/// The acknowledgements with no work written in the lines above them, as
/// (line, what acknowledges).
fn acknowledged_before_work(text: &str) -> Vec<(u32, String)> {
    let lines: Vec<&str> = text.lines().collect();
    lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            let m = ACK.find(l)?;
            let t = l.trim_start();
            if ["import ", "use ", "from ", "//", "#"]
                .iter()
                .any(|p| t.starts_with(p))
            {
                return None;
            }
            // One statement acknowledges once, however many of its lines
            // name the handle.
            let same_statement = lines[i.saturating_sub(STATEMENT)..i]
                .iter()
                .any(|a| ACK.is_match(a));
            let above = &lines[i.saturating_sub(WORK_WINDOW)..i];
            (!same_statement
                && !above.iter().any(|a| WORK.is_match(a))
                && !WORK.is_match(&l[..m.start()])
                && !filled_only_on_success(&lines, i))
            .then(|| (i as u32 + 1, m.as_str().trim().to_string()))
        })
        .collect()
}

/// Lines of one acknowledging statement (a batch request spread out).
const STATEMENT: usize = 4;

/// Whether the acknowledging statement at `i` hands over a list the code
/// fills only where a handling succeeded (`if (r.status === "fulfilled")
/// toDelete.push(…)`, then `Entries: toDelete`): the work came first,
/// however far above.
fn filled_only_on_success(lines: &[&str], i: usize) -> bool {
    static NAME: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b[A-Za-z_]\w{2,}\b").unwrap());
    let statement = &lines[i..(i + STATEMENT).min(lines.len())];
    statement
        .iter()
        .flat_map(|l| NAME.find_iter(l))
        .map(|m| m.as_str())
        .any(|name| {
            let fills = [
                format!("{name}.push("),
                format!("{name}.append("),
                format!("{name}.add("),
                format!("{name} << "),
                format!("{name} = append({name}"),
            ];
            lines.iter().enumerate().any(|(j, l)| {
                fills.iter().any(|x| l.contains(x.as_str()))
                    && lines[j.saturating_sub(3)..=j]
                        .iter()
                        .any(|a| ONLY_SUCCEEDED.is_match(a))
            })
        })
}

/// Messages acknowledged by the client library on delivery or on a timer
/// (`enable.auto.commit`, `auto_ack`, amqplib's `noAck`), switched on.
static AUTO_ACK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(enable[._-]?auto[._-]?commit|auto[._-]?commit|auto[._-]?ack|no[._-]?ack)["']?\s*[:=]\s*["']?(true|false|1|0|yes|no)\b"#).unwrap()
});

/// A consumer switched from acknowledging what it handled to letting the
/// client acknowledge on its own: a switch turned from off to on, or turned
/// on where the file stops acknowledging by hand. An offset committed on a
/// timer, or a message acked on delivery, is done whether or not the
/// write behind it succeeded: a failure, or a crash mid-batch, skips it.
fn auto_ack_switched_on(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let setting = |t: &str| {
        AUTO_ACK.captures(t).map(|c| {
            let key: String = c[1]
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            let on = matches!(c[2].to_ascii_lowercase().as_str(), "true" | "1" | "yes");
            (key, on)
        })
    };
    let was_off: Vec<String> = f
        .removed_code()
        .filter_map(|l| setting(l.text))
        .filter(|(_, on)| !on)
        .map(|(k, _)| k)
        .collect();
    let manual_ack_removed = f
        .removed_code()
        .any(|l| ACK.is_match(l.text) && setting(l.text).is_none());
    // A database connection's `autocommit` is another switch: the bare
    // name counts only in a file that consumes a log.
    let consumes = || {
        let t = f.new_text_or_hunks().to_ascii_lowercase();
        t.contains("kafka") || t.contains("consumer") || t.contains("offset")
    };
    for l in f.added_code() {
        let Some((key, true)) = setting(l.text) else {
            continue;
        };
        if key == "autocommit" && !consumes() {
            continue;
        }
        if was_off.contains(&key) || manual_ack_removed {
            out.push(setting_finding(
                f,
                l,
                ": the client now acknowledges messages by itself, on delivery or on a timer, whether or not handling them succeeded; a write that fails (or a crash mid-batch) skips them for good.",
            ));
            return;
        }
    }
}

/// The finding on a consumer setting line `l` (quoted), with what it does.
fn setting_finding(f: &FileView<'_>, l: &super::Line<'_>, what: &str) -> Finding {
    Finding::added(
        "queue-ack-regardless",
        Severity::High,
        f.path,
        Some(l.no),
        format!("`{}`{what}", quote(l.text.trim().trim_end_matches(','))),
    )
}

/// A connector or stream processor set to skip the records it fails on.
static SKIPS_FAILURES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)errors\.tolerance["']?\s*[:=]\s*["']?all\b|deserialization\.exception\.handler["']?\s*[:=]\s*["']?[\w.]*LogAndContinueExceptionHandler"#).unwrap()
});
/// Somewhere the skipped records are kept.
static DEAD_LETTER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)dead_?letter|\bdlq\b|\.dlq|dlq\.|_dlq\b").unwrap());

/// A connector that now tolerates every error and keeps the failed records
/// nowhere: each record it cannot write is skipped, and the data is gone.
fn failures_skipped(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let Some(l) = f.added_code().find(|l| SKIPS_FAILURES.is_match(l.text)) else {
        return;
    };
    if DEAD_LETTER.is_match(&f.new_text_or_hunks()) {
        return;
    }
    out.push(setting_finding(
        f,
        l,
        " with no dead-letter topic: every record that fails is skipped and the consumer moves on, so those records never arrive and nothing keeps them.",
    ));
}

/// A consumer that acknowledged messages only after handling them now
/// acknowledges them whatever happened (in a `finally`, a `defer`, or one
/// batch delete of everything received), with nothing else taking care of
/// the failures; or a client set to acknowledge or skip on its own.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || f.class.vendored {
        return;
    }
    failures_skipped(f, out);
    auto_ack_switched_on(f, out);
    let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
        return;
    };
    // Failures taken care of by the change itself (a dead-letter send it
    // adds); one that was there already handles other failures (malformed
    // messages), not these.
    let handled =
        || FAILURE_HANDLED.find_iter(new).count() > FAILURE_HANDLED.find_iter(old).count();
    if !ACK.is_match(old) || acknowledged_regardless(old).is_some() || handled() {
        return;
    }
    let Some((line, what, how)) = acknowledged_regardless(new).or_else(|| {
        // Acknowledged before the work now, where it came after it (the
        // message buffered, acked, and written later in a batch).
        // More of them than before (an acknowledgement of malformed
        // messages, with nothing to wait for, was there already).
        let (before, now) = (acknowledged_before_work(old), acknowledged_before_work(new));
        if now.len() <= before.len() {
            return None;
        }
        now.into_iter()
            .last()
            .map(|(l, w)| (l, w, "before the work it stands for"))
    }) else {
        return;
    };
    out.push(Finding::added(
        "queue-ack-regardless",
        Severity::High,
        f.path,
        Some(line),
        format!(
            "Acknowledges messages ({}) {how}, whether or not handling them succeeded; before, only after it did: a message that fails is dropped instead of delivered again or dead-lettered.",
            quote(&what)
        ),
    ));
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents;

    const RULE: &str = "queue-ack-regardless";

    #[test]
    fn a_connector_that_skips_failures_with_no_dead_letter_topic_is_found() {
        let rule = "queue-ack-regardless".to_string();
        let old = "{\n  \"config\": {\n    \"errors.tolerance\": \"none\",\n    \"tasks.max\": \"2\"\n  }\n}\n";
        let new = old.replace("\"none\"", "\"all\"");
        let hit =
            crate::risk::testkit::rules_hit_with_contents("connect/ledger-sink.json", old, &new);
        assert!(hit.contains(&rule), "{hit:?}");
        let kept = new.replace(
            "\"tasks.max\"",
            "\"errors.deadletterqueue.topic.name\": \"dlq.ledger-sink\",\n    \"tasks.max\"",
        );
        let hit =
            crate::risk::testkit::rules_hit_with_contents("connect/ledger-sink.json", old, &kept);
        assert!(!hit.contains(&rule), "{hit:?}");
    }

    #[test]
    fn an_acknowledgement_moved_where_failures_reach_it_is_found() {
        let old = "def poll(sqs, url):\n    for m in sqs.receive_message(QueueUrl=url)[\"Messages\"]:\n        try:\n            handle(m)\n            sqs.delete_message(QueueUrl=url, ReceiptHandle=m[\"ReceiptHandle\"])\n        except Exception:\n            log.warning(\"failed, leaving for redelivery\")\n";
        let finally = "def poll(sqs, url):\n    for m in sqs.receive_message(QueueUrl=url)[\"Messages\"]:\n        try:\n            handle(m)\n        except Exception:\n            log.warning(\"failed\")\n        finally:\n            sqs.delete_message(QueueUrl=url, ReceiptHandle=m[\"ReceiptHandle\"])\n";
        let hit = rules_hit_with_contents("workers/poll.py", old, finally);
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
        // Go: the ack deferred.
        let go_old = "func (c *C) handle(m *pubsub.Message) {\n\tif err := c.process(m); err != nil {\n\t\tlog.Print(err)\n\t\treturn\n\t}\n\tm.Ack()\n}\n";
        let go_new = "func (c *C) handle(m *pubsub.Message) {\n\tdefer m.Ack()\n\tif err := c.process(m); err != nil {\n\t\tlog.Print(err)\n\t\treturn\n\t}\n}\n";
        let hit = rules_hit_with_contents("internal/consumer/handle.go", go_old, go_new);
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
        // TypeScript: one batch delete of every message received.
        let ts_old = "for (const msg of messages) {\n  try {\n    await work(msg);\n    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: msg.ReceiptHandle }));\n  } catch (err) {\n    log.error(err);\n  }\n}\n";
        let ts_new = "await Promise.allSettled(messages.map((m) => work(m)));\nawait sqs.send(\n  new DeleteMessageBatchCommand({\n    QueueUrl,\n    Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),\n  }),\n);\n";
        let hit = rules_hit_with_contents("src/dispatcher.ts", ts_old, ts_new);
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
    }

    #[test]
    fn an_acknowledgement_reached_after_a_logged_failure_is_found() {
        let old = "func (c *C) loop(d amqp.Delivery) {\n\tif err := c.handler.Handle(d); err != nil {\n\t\tc.log.Error(\"handler failed\", \"err\", err)\n\t\t_ = d.Nack(false, true)\n\t\treturn\n\t}\n\t_ = d.Ack(false)\n}\n";
        let new = "func (c *C) loop(d amqp.Delivery) {\n\tif err := c.handler.Handle(d); err != nil {\n\t\tc.log.Error(\"handler failed\", \"err\", err)\n\t\tc.metrics.Errors.Inc()\n\t}\n\n\t_ = d.Ack(false)\n}\n";
        let hit = rules_hit_with_contents("internal/events/consumer.go", old, new);
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
        // Leaving the branch keeps the acknowledgement for successes.
        let returns = new.replace(
            "\t\tc.metrics.Errors.Inc()\n",
            "\t\tc.metrics.Errors.Inc()\n\t\treturn\n",
        );
        let hit = rules_hit_with_contents("internal/events/consumer.go", old, &returns);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
        // Python: the except block only logs, the delete follows.
        let py_old = "def on(m):\n    try:\n        handle(m)\n    except Exception:\n        log.exception(\"failed\")\n        return\n    sqs.delete_message(QueueUrl=URL, ReceiptHandle=m.handle)\n";
        let py_new = py_old.replace("        return\n", "");
        let hit = rules_hit_with_contents("workers/on.py", py_old, &py_new);
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
    }

    #[test]
    fn an_acknowledgement_moved_ahead_of_the_write_is_found() {
        let old = "void onMessage(Publish publish, Point point) {\n    writer.write(point).whenComplete((ok, err) -> {\n        if (err != null) {\n            log.error(\"write failed\", err);\n            return;\n        }\n        publish.acknowledge();\n    });\n}\n";
        let buffered = "void onMessage(Publish publish, Point point) {\n    synchronized (lock) {\n        buffer.add(point);\n    }\n    publish.acknowledge();\n}\n\nvoid flush() {\n    writer.writeBatch(drain());\n}\n";
        let hit = rules_hit_with_contents("src/main/java/io/acme/Ingest.java", old, buffered);
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
        // Still after the write, reworded: quiet.
        let kept = old.replace(
            "log.error(\"write failed\", err);",
            "metrics.failed();\n            log.error(\"influx write failed\", err);",
        );
        let hit = rules_hit_with_contents("src/main/java/io/acme/Ingest.java", old, &kept);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
    }

    #[test]
    fn an_acknowledgement_after_success_or_with_failures_dead_lettered_is_not() {
        let old = "def poll(sqs, url):\n    for m in sqs.receive_message(QueueUrl=url)[\"Messages\"]:\n        try:\n            handle(m)\n            sqs.delete_message(QueueUrl=url, ReceiptHandle=m[\"ReceiptHandle\"])\n        except Exception:\n            log.warning(\"failed, leaving for redelivery\")\n";
        // Reworded, the delete still after the work.
        let kept = old.replace("handle(m)", "process(m, timeout=30)");
        let hit = rules_hit_with_contents("workers/poll.py", old, &kept);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
        // In a finally, but a failure goes to the dead-letter queue first.
        let dlq = "def poll(sqs, url):\n    for m in sqs.receive_message(QueueUrl=url)[\"Messages\"]:\n        try:\n            handle(m)\n        except Exception:\n            sqs.send_message(QueueUrl=DLQ_URL, MessageBody=m[\"Body\"])\n        finally:\n            sqs.delete_message(QueueUrl=url, ReceiptHandle=m[\"ReceiptHandle\"])\n";
        let hit = rules_hit_with_contents("workers/poll.py", old, dlq);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
        // A batch of the ones that succeeded.
        let ts_old = "for (const msg of messages) {\n  await work(msg);\n  await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: msg.ReceiptHandle }));\n}\n";
        let ts_new = "const results = await Promise.allSettled(messages.map((m) => work(m)));\nconst done = messages.filter((_, i) => results[i].status === \"fulfilled\");\nawait sqs.send(\n  new DeleteMessageBatchCommand({\n    QueueUrl,\n    Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),\n  }),\n);\n";
        let hit = rules_hit_with_contents("src/dispatcher.ts", ts_old, ts_new);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
        // A database transaction committed in a finally is not a queue.
        let db_old = "def save(conn, row):\n    cur = conn.cursor()\n    cur.execute(SQL, row)\n    conn.commit()\n";
        let db_new = "def save(conn, row):\n    try:\n        cur = conn.cursor()\n        cur.execute(SQL, row)\n    finally:\n        conn.commit()\n";
        let hit = rules_hit_with_contents("app/store.py", db_old, db_new);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
    }
}
