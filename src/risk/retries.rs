//! Retries of calls that are not safe to repeat. A retry loop added around
//! the send of an HTTP client repeats whatever goes through it: a POST that
//! charged a card and timed out on the answer charges it again. A loop that
//! looks at the method, or sends an idempotency key, knows which requests it
//! may repeat; one that does not, repeats them all.

use std::sync::LazyLock;

use regex::Regex;

use super::{ChangeView, FileView, Finding, Severity, quote};

/// Words of a retry loop.
static RETRY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(max_?retries|max_?attempts|retries|retry_?count|attempts?|backoff)\b")
        .unwrap()
});
/// A loop statement.
static LOOP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(for|while|loop|until|do)\b|\.times\b|\bretry\s*[({]").unwrap()
});
/// A request sent by an HTTP client.
static SEND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\.Do\(|\.RoundTrip\(|\.send\(|\.request\(|\bfetch\(|\baxios\(|\.execute\(|urlopen\(|\.urlopen\(|\bsession\.(request|send)\(|HttpClient|\.SendAsync\(|\.exchange\()").unwrap()
});
/// Whether a line sends an HTTP request: a send whose receiver is a
/// message producer, a queue or a socket (`dlqProducer.send(record)`)
/// publishes a message, not a request.
fn sends_request(line: &str) -> bool {
    static MESSAGING: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(producer|publisher|channel|queue|topic|dlq|kafka|sqs|sns|socket|\bws|emitter|\bbus|mailer|smtp)\w*\s*\.?\s*$").unwrap()
    });
    SEND.find_iter(line)
        .any(|m| !m.as_str().starts_with('.') || !MESSAGING.is_match(&line[..m.start()]))
}

/// Whether the request sent is a read by how it is written: `fetch(url)`
/// or `fetch(url, { headers })` with no `method` anywhere in the function
/// (fetch's default is GET).
fn only_gets(send: &str, function: &str) -> bool {
    send.contains("fetch(") && !function.contains("method")
}

/// What tells a safe retry from an unsafe one: the method, an idempotency key.
static KNOWS_METHOD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(idempot|safe_?to_?(repeat|retry|replay)|(retry|replay)_?safe|\.method\b|\bmethod\s*(==|===|!=|in\b)|"GET"|'GET'|MethodGet|HttpMethod\.Get|safe_methods|allowed_methods|retry_methods|retryable_methods|:get\b)"#).unwrap()
});

/// A called name: `c.once(`, `send_request(`.
static CALL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"([A-Za-z_]\w*)\s*\(").unwrap());

/// Lines a loop's body and its function's head are looked for in.
const NEAR: u32 = 12;
/// Lines of a helper's body searched for the send it makes.
const HELPER_BODY: usize = 40;

/// A retry loop the change adds around an HTTP send (made in the loop, or in
/// a helper of the same file the loop calls), in a function that never looks
/// at the method or an idempotency key.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if f.class.test_like() || f.class.docs || f.class.vendored || f.class.ci || f.class.infra {
        return;
    }
    filter_dropped(f, out);
    methods_widened(f, out);
    retried_failure_caught(f, out);
    fresh_key_per_attempt(f, out);
    job_retries_turned_on(f, out);
    let added: Vec<_> = f.added_code().collect();
    let whole = f
        .new_text()
        .map(str::to_string)
        .unwrap_or_else(|| added.iter().map(|l| l.text).collect::<Vec<_>>().join("\n"));
    let lines: Vec<&str> = whole.lines().collect();
    // A helper of this file that sends a request: `func (c *Client) once(`.
    let sends_inside = |name: &str| -> bool {
        lines.iter().enumerate().any(|(i, l)| {
            super::code::function_name(l) == Some(name)
                && lines[i..(i + HELPER_BODY).min(lines.len())]
                    .iter()
                    .any(|b| sends_request(b))
        })
    };
    let near = |no: u32| {
        added
            .iter()
            .filter(move |l| l.no + NEAR >= no && l.no <= no + NEAR)
    };
    for lp in added.iter().filter(|l| LOOP.is_match(l.text)) {
        if !near(lp.no).any(|l| RETRY.is_match(l.text)) {
            continue;
        }
        // The method or a key looked at in the loop's function, not in
        // another function of the file that happens to send a GET.
        let at = (lp.no as usize).saturating_sub(1).min(lines.len());
        let head = lines[..at]
            .iter()
            .rposition(|l| super::code::starts_function(l))
            .unwrap_or(0);
        let tail = lines[at..]
            .iter()
            .skip(1)
            .position(|l| super::code::starts_function(l))
            .map_or(lines.len(), |i| at + 1 + i);
        let window = if lines.is_empty() {
            whole.clone()
        } else {
            lines[head..tail].join("\n")
        };
        // Lines of the loop's own function (1-based numbers).
        let inside = |no: u32| lines.is_empty() || (no as usize > head && no as usize <= tail);
        let body = || {
            added
                .iter()
                .filter(|l| l.no >= lp.no && l.no <= lp.no + NEAR && inside(l.no))
        };
        // A client call that moves money (`bank.create_transfer(…)`) is a
        // request too, whatever library sends it.
        static MOVES_MONEY: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"(?i)\.\w*(charge|payout|refund|capture|debit|withdraw|disburse|transfer|create_?payment)\w*\s*\(").unwrap()
        });
        let send = near(lp.no)
            .filter(|l| inside(l.no))
            .find(|l| sends_request(l.text) || MOVES_MONEY.is_match(l.text))
            .or_else(|| {
                body().find(|l| {
                    CALL.captures_iter(l.text)
                        .any(|c| !LOOP.is_match(&c[1]) && sends_inside(&c[1]))
                })
            });
        let Some(send) = send else { continue };
        if KNOWS_METHOD.is_match(&window) || only_gets(send.text, &window) {
            continue;
        }
        out.push(Finding::added(
            "retry-not-idempotent",
            Severity::High,
            f.path,
            Some(send.no),
            if sends_request(send.text) {
                format!(
                    "Retries every request sent here ({}), whatever its method: a POST that succeeded but timed out on the answer runs again (a second charge, a second transfer). Retry only idempotent methods or send an idempotency key.",
                    quote(send.text.trim())
                )
            } else {
                format!(
                    "Retries a call that moves money ({}) with no idempotency key: an attempt that succeeded but failed on the answer runs again, and the money moves twice.",
                    quote(send.text.trim())
                )
            },
        ));
        return;
    }
}

/// A fresh random value (`uuid4()`, `UUID.randomUUID()`, `Guid.NewGuid()`).
static RANDOM_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(uuid4\s*\(|Uuid::uuid4\s*\(|randomUUID\s*\(|Uuid::new_v4\s*\(|uuid\.New(String)?\s*\(|Guid\.NewGuid\s*\(|SecureRandom\.(uuid|hex)|\buuidv4\s*\(|\bnanoid\s*\(|\bulid\s*\(|\bv4\s*\(\s*\)|secrets\.token_(hex|urlsafe)\s*\(|random_bytes\s*\(|\bcuid\s*\()").unwrap()
});
/// The name of what tells the receiver a request is a repeat.
static REPEAT_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(idempot\w*|dedup\w*|client_?token|client_?request_?id|request_?reference)")
        .unwrap()
});

/// What a fresh key per attempt costs, said the same way by both checks.
const FRESH_KEY_HARM: &str = ": a retry after a timeout carries another key, so the other side does the operation again (a second charge, booking or payout).";

/// An idempotency key drawn fresh where a retry runs it again: set from a
/// random value on the request itself, inside a retried call or loop, or
/// where the change replaced a key derived from the operation. A retry after
/// a timeout then carries another key, and the provider does it twice.
fn fresh_key_per_attempt(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let Some(new) = f.new_text() else { return };
    let lines: Vec<&str> = new.lines().collect();
    let old = f.old_text().unwrap_or("");
    // Before, the key was derived from the operation (`bk-{shipment}-{leg}`).
    let derived_before = old
        .lines()
        .any(|l| REPEAT_KEY.is_match(l) && !RANDOM_ID.is_match(l))
        && !RANDOM_ID.is_match(old);
    // The attempt's number written into the key (`f"{prefix}:{attempt}"`):
    // each attempt sends another key, as surely as a random one.
    static ATTEMPT_NO: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(attempt\w*|retry_?(count|no|number|index)|retries|tries|try_?(count|no|number))\b").unwrap()
    });
    // The key given a value on the line: a header, an argument, a field.
    static GIVEN: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"^[\w-]*["']?\s*[:=,]"#).unwrap());
    let counts_attempts = |t: &str| {
        REPEAT_KEY.find(t).is_some_and(|m| {
            let rest = &t[m.end()..];
            GIVEN
                .find(rest)
                .is_some_and(|g| ATTEMPT_NO.is_match(&rest[g.end()..]))
        })
    };
    // The key's value as the line gives it (`attempt.idempotencyKey`), when
    // the old text gave a key that same value: the key is kept, not drawn.
    let value_of = |t: &str| -> Option<String> {
        let m = REPEAT_KEY.find(t)?;
        let rest = &t[m.end()..];
        let g = GIVEN.find(rest)?;
        let v = rest[g.end()..]
            .trim()
            .trim_end_matches([',', ';', ')'])
            .trim();
        (v.len() >= 3).then(|| v.to_string())
    };
    let given_before = |t: &str| {
        value_of(t).is_some_and(|v| {
            old.lines()
                .any(|o| REPEAT_KEY.is_match(o) && o.contains(v.as_str()))
        })
    };
    // The number of a record the function stored before the retry
    // (`attempt = PaymentAttempt.objects.create(…)`, then
    // `f"renewal-{attempt.attempt_no}"`): one number for every try of the
    // call, a new one only for a new business attempt.
    let of_stored_record = |t: &str| {
        ATTEMPT_NO.find(t).is_some_and(|m| {
            let name = m.as_str();
            t[m.end()..].trim_start().starts_with(['.', '[']) && {
                let stored = Regex::new(&format!(
                    r"\b{}\s*(?::\s*[\w.]+\s*)?=\s*(?:await\s+)?(?:new\s+)?[\w.:]*\b(?:create\w*|insert\w*|new|build|save\w*|record\w*)\b",
                    regex::escape(name)
                ));
                stored.is_ok_and(|re| re.is_match(new))
            }
        })
    };
    for l in f.added_code() {
        let numbered =
            counts_attempts(l.text) && !given_before(l.text) && !of_stored_record(l.text);
        if !(REPEAT_KEY.is_match(l.text) && (RANDOM_ID.is_match(l.text) || numbered)) {
            continue;
        }
        // A helper that draws a key (`fun newIdempotencyKey() = UUID…`) is
        // judged where it is called, not where it is written.
        if super::code::function_name(l.text).is_some() {
            continue;
        }
        let at = (l.no as usize).saturating_sub(1).min(lines.len());
        let retried = lines[at.saturating_sub(NEAR as usize)..at]
            .iter()
            .any(|t| RETRY.is_match(t) || RETRY_CALL.is_match(t));
        // Drawn into a variable outside any retry (`key = uuid4()` before the
        // loop): every attempt sends that one.
        static ASSIGNED: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"^\s*(?:(?:let|const|var|val|final|\$)?\s*)[\w.$\[\]'\x22]+\s*(?::\s*\w+\s*)?:?=\s*").unwrap()
        });
        if !numbered && !retried && (!derived_before || ASSIGNED.is_match(l.text)) {
            continue;
        }
        out.push(Finding::added(
            "idempotency-key-per-attempt",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "Draws a new idempotency key for each attempt (`{}`){}{FRESH_KEY_HARM}",
                quote(l.text.trim()),
                if retried {
                    " inside what is retried"
                } else {
                    " where it was derived from the operation"
                }
            ),
        ));
        return;
    }
}

/// A key derived from the operation replaced by a call to a helper the
/// change writes, and the helper draws a random value into it
/// (`IdempotencyKey.for(:charge, invoice)` → `"charge:#{id}:#{SecureRandom.uuid}"`):
/// each attempt of a retried job sends another key, as if drawn in place.
fn key_drawn_in_new_helper(change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    static CALLED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b([A-Za-z_][\w:.]*)\s*\(").unwrap());
    const BODY_LINES: usize = 12;
    let code = |f: &&FileView<'_>| !(f.class.test_like() || f.class.docs || f.class.vendored);
    // Functions the change writes whose first lines draw a random value.
    let mut drawing: Vec<String> = Vec::new();
    for f in change.files.iter().filter(code) {
        let Some(new) = f.new_text() else { continue };
        if !RANDOM_ID.is_match(new) {
            continue;
        }
        let lines: Vec<&str> = new.lines().collect();
        for l in f.added_code() {
            let Some(name) = super::code::function_name(l.text) else {
                continue;
            };
            let at = (l.no as usize).min(lines.len());
            let body = &lines[at..(at + BODY_LINES).min(lines.len())];
            if body.iter().any(|t| RANDOM_ID.is_match(t)) {
                drawing.push(name.to_string());
            }
        }
    }
    if drawing.is_empty() {
        return;
    }
    for f in change.files.iter().filter(code) {
        let old = f.old_text().unwrap_or("");
        let derived_before =
            !RANDOM_ID.is_match(old) && old.lines().any(|l| REPEAT_KEY.is_match(l));
        if !derived_before {
            continue;
        }
        for l in f.added_code() {
            let Some(m) = REPEAT_KEY.find(l.text) else {
                continue;
            };
            let Some(name) = CALLED
                .captures_iter(&l.text[m.end()..])
                .map(|c| c.get(1).map_or("", |x| x.as_str()))
                .find(|n| drawing.iter().any(|d| d == super::syntax::last_segment(n)))
            else {
                continue;
            };
            out.push(Finding::added(
                "idempotency-key-per-attempt",
                Severity::High,
                f.path,
                Some(l.no),
                format!(
                    "The idempotency key, derived from the operation before, now comes from `{}`, which draws a random value into it{FRESH_KEY_HARM}",
                    quote(name)
                ),
            ));
            return;
        }
    }
}

/// The failures a job is set to be retried on: ActiveJob's `retry_on X`,
/// Celery's `autoretry_for=(X,)`, Spring's `@Retryable(X.class)`,
/// tenacity's `retry_if_exception_type(X)`.
static RETRIED_ON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\bretry_on\s+([\w:]+(?:\s*,\s*[\w:]+)*)|\bautoretry_for\s*=\s*[(\[]([^)\]]*)|@Retryable\s*\((?:[^)]*?(?:value|include|retryFor)\s*=\s*)?\{?\s*([\w.]+)\.class|retry_if_exception_type\s*\(\s*\(?([\w., ]+))").unwrap()
});
/// A failure caught: `rescue X => e`, `except X:`, `catch (X e)`.
static CAUGHT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(^\s*rescue\s+([\w:]+(?:\s*,\s*[\w:]+)*)|^\s*except\s+\(?([\w., ]+?)\)?\s*(?:as\s+\w+)?\s*:|\bcatch\s*\(\s*(?:final\s+)?([\w.|\s]+?)\s+\w+\s*\))").unwrap()
});

/// A failure the job is retried on, now caught inside it and not raised
/// again: the retry never happens, and the failure is handled as final
/// (a transient outage marks every renewal failed).
fn retried_failure_caught(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let last = |n: &str| n.trim().rsplit([':', '.']).next().unwrap_or("").to_string();
    // The failure classes a match names, as written (`Stripe::RateLimitError`).
    let full = |c: &regex::Captures<'_>| -> Vec<String> {
        c.iter()
            .skip(2)
            .flatten()
            .flat_map(|m| {
                m.as_str()
                    .split([',', '|'])
                    .map(|n| n.trim().to_string())
                    .collect::<Vec<_>>()
            })
            .filter(|n| !n.is_empty())
            .collect()
    };
    // The same by their last segment (`RateLimitError`).
    let names = |c: &regex::Captures<'_>| -> Vec<String> {
        full(c)
            .iter()
            .map(|n| last(n))
            .filter(|n| !n.is_empty())
            .collect()
    };
    let text = f.new_text_or_hunks();
    let retried_full: Vec<String> = RETRIED_ON
        .captures_iter(&text)
        .flat_map(|c| full(&c))
        .collect();
    let retried: Vec<String> = retried_full
        .iter()
        .map(|n| last(n))
        .filter(|n| !n.is_empty())
        .collect();
    if retried.is_empty() {
        return;
    }
    let lines: Vec<&str> = text.lines().collect();
    for l in f.added_code() {
        let Some(c) = CAUGHT.captures(l.text) else {
            continue;
        };
        // A catch-all catches the retried failure too.
        let caught = names(&c);
        let broad = caught.iter().any(|n| {
            matches!(
                n.as_str(),
                "Exception" | "StandardError" | "Throwable" | "BaseException" | "RuntimeException"
            )
        });
        // The root error of the retried failures' library catches them all
        // (`rescue Stripe::StripeError` under `retry_on Stripe::RateLimitError`).
        let root = full(&c)
            .iter()
            .find_map(|x| retried_full.iter().find(|r| library_root_of(x, r)).cloned())
            .map(|r| last(&r));
        let Some(hit) = caught
            .into_iter()
            .find(|n| retried.contains(n))
            .or(root)
            .or_else(|| broad.then(|| retried[0].clone()))
        else {
            continue;
        };
        // Raised again just after: the retry still sees it.
        let at = (l.no as usize).min(lines.len());
        let again = lines[at..(at + 6).min(lines.len())]
            .iter()
            .take_while(|x| !CAUGHT.is_match(x) && x.trim() != "end")
            .any(|x| x.contains("raise") || x.contains("throw") || x.contains("retry_job"));
        if again {
            continue;
        }
        out.push(Finding::added(
            "retry-defeated",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "Catches `{}` inside the job, which is set to be retried on it: the retry never happens, and a passing outage is handled as a final failure (`{}`).",
                quote(&hit),
                quote(l.text.trim())
            ),
        ));
        return;
    }
}

/// Whether `caught` is the root error class of `retried`'s library: the same
/// namespace, and a name that says it is the library's base error
/// (`Stripe::StripeError`, `Faraday::Error`, `Aws::Errors::ServiceError`).
fn library_root_of(caught: &str, retried: &str) -> bool {
    let split = |n: &str| -> (String, String) {
        let n = n.trim().replace("::", ".");
        match n.rsplit_once('.') {
            Some((ns, last)) => (ns.to_string(), last.to_string()),
            None => (String::new(), n),
        }
    };
    let ((ns, last), (rns, rlast)) = (split(caught), split(retried));
    if ns.is_empty() || last == rlast || !(rns == ns || rns.starts_with(&format!("{ns}."))) {
        return false;
    }
    let lib = ns.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    let l = last.to_ascii_lowercase();
    matches!(
        l.as_str(),
        "error" | "baseerror" | "exception" | "serviceerror" | "clienterror" | "apierror"
    ) || l == format!("{lib}error")
        || l == format!("{lib}exception")
}

/// A job's own retry setting: Sidekiq's `retry: 5`, Celery's `max_retries=5`,
/// Laravel's `$tries = 5`, BullMQ's `attempts: 5`, asynq's `MaxRetry(5)`,
/// Hangfire's `AutomaticRetry(Attempts = 5)`.
static JOB_RETRY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(\bretry|\bmax_?retries|\bretry_?limit|\$tries|\btries|\battempts|\bMaxRetry)["']?\s*(=>|:|=|\()\s*(\w+)"#).unwrap()
});
/// A job retried on a failure class (ActiveJob's `retry_on`, Celery's
/// `autoretry_for`): retries on, whatever the count.
static RETRY_ON: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(^\s*retry_on\s+\w|\bautoretry_for\s*=)").unwrap());
/// A call that moves money or sends something to a person: done twice when
/// the job runs twice.
static SIDE_EFFECT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\w*(charge|payout|refund|capture|debit|withdraw|disburse|transfer|send_?(e?mail|sms|text|push|invoice|notification|payment))\w*|PaymentIntent|\w*create_?(charge|payment|transfer|payout|order|invoice)\w*)\s*[.(]").unwrap()
});
/// A job that checks for work already done before it acts again.
static ALREADY_DONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(idempot|dedup|already|\bpaid\?|processed\?|\.exists\?|\bexists\(|\bwas_?(charged|sent|paid)|\bis_?(charged|sent|paid)\b|\b(charged|sent|paid)_at\b)").unwrap()
});

/// Whether a retry setting's value means "retry": a count above one, `true`.
fn retries_on(value: &str) -> bool {
    value.eq_ignore_ascii_case("true") || value.parse::<u32>().is_ok_and(|n| n > 1)
}

/// Retries turned on for a job that charges, pays out or sends: the job was
/// set to run once (`retry: false`, no retry at all), now it runs again after
/// a failure, and a failure after the provider took the charge (a database
/// timeout while saving it) charges the customer a second time. A job that
/// sends an idempotency key or checks for work already done may repeat.
fn job_retries_turned_on(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let Some(new) = f.new_text() else { return };
    let old = f.old_text().unwrap_or("");
    let Some(l) = f
        .added_code()
        .filter(|l| !l.text.contains("Adapter"))
        .find(|l| {
            RETRY_ON.is_match(l.text)
                || JOB_RETRY
                    .captures(l.text)
                    .is_some_and(|c| retries_on(&c[3]))
        })
    else {
        return;
    };
    // Retried before: a count changed is a limit, not a new behaviour.
    let retried_before = old
        .lines()
        .any(|x| RETRY_ON.is_match(x) || JOB_RETRY.captures(x).is_some_and(|c| retries_on(&c[3])));
    // A check for work already done is a test (`return if sub.paid?`), not
    // the write that records it (`payout.sent_at = now()`), which comes too
    // late when the failure falls between the call and the write.
    static TESTS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(\b(if|unless|when|guard|elif)\b|&&|\|\|)").unwrap());
    let checks_done = new.lines().any(|x| {
        ALREADY_DONE.is_match(x)
            && (TESTS.is_match(x) || x.to_ascii_lowercase().contains("idempot"))
    });
    if retried_before || checks_done || knows_idempotency(new) {
        return;
    }
    let Some(effect) = new.lines().find(|x| SIDE_EFFECT.is_match(x)) else {
        return;
    };
    out.push(Finding::added(
        "retry-not-idempotent",
        Severity::High,
        f.path,
        Some(l.no),
        format!(
            "Turns retries on for a job that ran once (`{}`), and it makes a call that is not safe to repeat (`{}`) with no idempotency key or check for work already done: a failure after that call succeeded runs it again (a second charge, a second message).",
            quote(l.text.trim()),
            quote(effect.trim())
        ),
    ));
}

/// A call that retries what it is given: `withRetries(fn …)`, `retry(…)`.
static RETRY_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(with_?retr\w*|retry\w*|retrying|backoff\w*|with_?backoff|Policy\.Handle|RetryTemplate|resilience4j)\s*[(<{]").unwrap()
});

/// Retry code that stopped telling safe requests from unsafe ones: the
/// change removes the line that looked at the method or the idempotency
/// key (`if !retryable(err) || !idempotent(req)` → `if !retryable(err)`)
/// and the retry code left never looks again.
fn filter_dropped(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let Some(new) = f.new_text() else {
        return;
    };
    if !RETRY.is_match(new) {
        return;
    }
    // A filter function no longer called (its definition may remain).
    static FILTER_CALL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(\w*idempot\w*|is_?safe\w*|\w*safe_?method\w*)\s*\(").unwrap()
    });
    let still_called = |name: &str| {
        new.lines()
            .any(|x| x.contains(&format!("{name}(")) && super::code::function_name(x) != Some(name))
    };
    // A filter written anew (another form of the same test) still filters.
    if f.added_code().any(|l| KNOWS_METHOD.is_match(l.text)) {
        return;
    }
    // What still tests the method: a comparison or a list of retryable
    // methods, not a bare `http.MethodGet` passed to a call.
    let still_tests = new.lines().any(|x| {
        KNOWS_METHOD.is_match(x) && (COMPARES_METHOD.is_match(x) || METHOD_LIST.is_match(x))
    });
    // The test sat in retry code: retrying is named within a few lines of
    // it (a handler refusing other methods with a 405 is no retry filter),
    // by a count, a backoff or the name of the function deciding it.
    static NEAR_RETRY: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)(retr(y|ies|ied|ying)|attempt|backoff)").unwrap());
    let old_lines: Vec<&str> = f
        .old_text()
        .map(|t| t.lines().collect())
        .unwrap_or_default();
    let near_retry = |no: u32| {
        let hi = old_lines.len().min(no as usize + 12);
        old_lines.is_empty()
            || old_lines[(no as usize).saturating_sub(13).min(hi)..hi]
                .iter()
                .any(|x| NEAR_RETRY.is_match(x) && !f.class.is_comment(x))
    };
    // A guard written more than once (one per failure kind) that lost a
    // copy: the path it left repeats every request.
    let copies = |lines: &mut dyn Iterator<Item = &str>, text: &str| {
        lines.filter(|x| x.trim() == text.trim()).count()
    };
    let copy_dropped = |text: &str| {
        text.trim_start().starts_with("if")
            && copies(&mut old_lines.iter().copied(), text) > copies(&mut new.lines(), text)
    };
    let Some(l) = f.removed_code().find(|l| {
        KNOWS_METHOD.is_match(l.text)
            && near_retry(l.no)
            && (!still_tests
                || copy_dropped(l.text)
                || FILTER_CALL
                    .captures_iter(l.text)
                    .any(|c| !still_called(&c[1])))
    }) else {
        return;
    };
    out.push(Finding::removed(
        "retry-not-idempotent",
        Severity::High,
        f.path,
        Some(l.no),
        format!(
            "The retry code no longer looks at which requests are safe to repeat (`{}` is gone): a POST that timed out after it charged or created something is sent again.",
            quote(l.text.trim())
        ),
    ));
}

/// A line that compares a request's method or looks at its idempotency.
static COMPARES_METHOD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(\bmethod\s*(==|===|!=|!==|\bin\b|\bnot in\b)|(==|===|!=|!==)\s*["']?(http\.)?Method\w*|(==|===|!=|!==)\s*["'](GET|HEAD|POST)["']|switch\s*\(?\s*[\w.]*method|case\s+(http\.)?Method|idempot)"#).unwrap()
});
/// The methods a retry policy may repeat (urllib3's `allowed_methods`,
/// `method_whitelist`, a `retryMethods` list).
static METHOD_LIST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(allowed_methods|method_whitelist|retry_?methods|retryable_?methods|retry_on_methods|methods)\b["']?\s*[:=]\s*(.*)"#).unwrap()
});
/// Methods that are not safe to repeat, or "every method".
static UNSAFE_METHODS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(["':]\s*(POST|PATCH)\b|\bMethod(Post|Patch)\b|HttpMethod\.(Post|Patch)\b|^\s*(None|False|nil|null|\*|["']\*["']|ALL)\s*[,)]?\s*$)"#).unwrap()
});

/// A retry policy's list of methods widened to ones that are not safe to
/// repeat: `allowed_methods=frozenset({"GET", "HEAD"})` → `… "POST"})`, or
/// `allowed_methods=None` (every method, in urllib3).
fn methods_widened(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let old_lists: Vec<(String, String)> = f
        .removed_code()
        .filter_map(|l| METHOD_LIST.captures(l.text))
        .map(|c| (c[1].to_ascii_lowercase(), c[2].to_string()))
        .collect();
    for l in f.added_code() {
        let Some(c) = METHOD_LIST.captures(l.text) else {
            continue;
        };
        let (key, now) = (c[1].to_ascii_lowercase(), &c[2]);
        // A policy the change writes from scratch: "before" it repeated nothing,
        // unless the requests carry an idempotency key.
        let was = match old_lists.iter().find(|(k, _)| *k == key) {
            Some((_, was)) => was.as_str(),
            None if key != "methods"
                && !f
                    .new_text_or_hunks()
                    .to_ascii_lowercase()
                    .contains("idempot") =>
            {
                "nothing"
            }
            None => continue,
        };
        if UNSAFE_METHODS.is_match(now) && !UNSAFE_METHODS.is_match(was) {
            out.push(Finding::added(
                "retry-not-idempotent",
                Severity::High,
                f.path,
                Some(l.no),
                format!(
                    "The retry policy now repeats requests that are not safe to repeat (`{}`, before `{}`): a POST that charged or created something and timed out on the answer is sent again.",
                    quote(l.text.trim()),
                    quote(was.trim())
                ),
            ));
            return;
        }
    }
}

/// A retry wrapper around a block: `retry.withRetry {`, `retry {`,
/// `Retry.decorateSupplier(`, `@Retryable`, tenacity's `@retry`.
static WRAPPER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\bwith_?retr(y|ies)\w*\s*[({]|\bretry(ing)?\s*\{|Retry\.decorate\w*\s*\(|\.retry(When)?\s*\(|@Retryable\b|@retry\b|backoff\.on_exception|\bretriable\s*\{|\bretry\w*\.(execute|call|run|get)\w*\s*\()").unwrap()
});
/// A retry policy attached to an HTTP client (Polly, .NET resilience).
static POLICY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(AddPolicyHandler|AddTransientHttpErrorPolicy|AddResilienceHandler|AddStandardResilienceHandler|\.AddRetry\s*\(|WaitAndRetry\w*\s*\()").unwrap()
});
/// A gRPC service config's retry policy.
static GRPC_RETRY_POLICY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"["']retryPolicy["']\s*:"#).unwrap());
/// A gRPC call that creates or moves something.
static GRPC_MUTATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\.(Post|Create|Transfer|Charge|Capture|Refund|Pay|Payout|Debit|Credit|Withdraw|Send|Submit)[A-Z]\w*\s*\(\s*ctx\b").unwrap()
});
/// A request that creates something: a POST.
static POST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(\.post\s*\(|\bpost\s*\(\s*["'`]/|\bPost(AsJson)?Async\s*\(|HttpMethod\.Post\b|MethodPost\b|method\s*[:=]\s*["']POST|requests\.post\b|restTemplate\.postFor|axios\.post\b)"#).unwrap()
});
/// Where the change says which requests may be repeated.
static IDEMPOTENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(idempot|safe_?methods|retry_?methods|retryable_?methods|HttpMethod\.Get\b|MethodGet\b|\.Method\s*==)").unwrap()
});

/// Whether a text limits retries to safe methods or sends an idempotency key;
/// a key passed as `null` or `None` is no key.
fn knows_idempotency(text: &str) -> bool {
    text.lines()
        .any(|l| IDEMPOTENT.is_match(l) && !NO_KEY.is_match(l))
}

/// An idempotency key passed as nothing: `idempotencyKey = null`.
static NO_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)idempot\w*\s*[:=]\s*(null|none|nil|""|''|false|undefined)\b"#).unwrap()
});

/// Retries that reach a POST without an idempotency key, across the change:
/// a retry wrapper put around a block that posts, or a retry policy attached
/// to an HTTP client that the change's code posts through.
pub fn check_change(change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    key_drawn_in_new_helper(change, out);
    let code = || {
        change.files.iter().filter(|f| {
            !(f.class.test_like()
                || f.class.docs
                || f.class.vendored
                || f.class.ci
                || f.class.infra)
        })
    };
    let text_of = |f: &FileView<'_>| {
        f.new_text().map(str::to_string).unwrap_or_else(|| {
            f.added
                .iter()
                .map(|l| l.text)
                .collect::<Vec<_>>()
                .join("\n")
        })
    };
    // Most changes add no retry at all: look no further.
    let candidates = code().any(|f| {
        f.added.iter().any(|l| {
            WRAPPER.is_match(l.text)
                || POLICY.is_match(l.text)
                || GRPC_RETRY_POLICY.is_match(l.text)
        })
    });
    if !candidates {
        return;
    }
    // A retried block that passes its key as nothing says so itself,
    // whatever other calls of its files do.
    let keyless = code().any(|f| {
        f.added.iter().any(|l| WRAPPER.is_match(l.text))
            && f.new_lines.values().any(|t| NO_KEY.is_match(t))
    });
    // Whether the change knows about idempotency anywhere: enough to trust a
    // client-wide policy; a wrapped block must know it itself (a key sent
    // by another method of the same client does not cover this one).
    let known_anywhere = !keyless && code().any(|f| knows_idempotency(&text_of(f)));
    let push = |out: &mut Vec<Finding>, f: &FileView<'_>, no: u32, what: &str| {
        out.push(Finding::added(
            "retry-not-idempotent",
            Severity::High,
            f.path,
            Some(no),
            format!(
                "Retries {what} ({}), and nothing in the change limits retries to safe methods or sends an idempotency key: a POST that succeeded but timed out on the answer runs again (a second charge, a second transfer).",
                quote(f.added.iter().find(|l| l.no == no).map_or("", |l| l.text.trim()))
            ),
        ));
    };
    for f in code() {
        let added: Vec<_> = f.added_code().collect();
        let lines: Vec<&str> = f
            .new_text()
            .map(|t| t.lines().collect())
            .unwrap_or_default();
        for (i, l) in added.iter().enumerate() {
            // A decorator (`@retry(…)`, `@Retryable`) wraps the whole function
            // below it, however long its arguments and body.
            if l.text.trim_start().starts_with('@') && WRAPPER.is_match(l.text) && !lines.is_empty()
            {
                let Some(function) = super::code::decorated_function(&lines, l.no as usize) else {
                    continue;
                };
                let body = lines[function].join("\n");
                if POST.is_match(&body) && !knows_idempotency(&body) {
                    push(out, f, l.no, "a function that posts");
                    return;
                }
                continue;
            }
            // The wrapped block as it reads now: its lines may be unchanged.
            let block_posts = (l.no..=l.no + NEAR)
                .filter_map(|n| f.new_lines.get(&n))
                .any(|t| POST.is_match(t))
                || added[i..]
                    .iter()
                    .take_while(|b| b.no <= l.no + NEAR)
                    .any(|b| POST.is_match(b.text));
            let block_knows = || {
                // The wrapped block: from the wrapper to the next function.
                let block: Vec<&str> = (l.no..=l.no + NEAR)
                    .filter_map(|n| f.new_lines.get(&n).copied())
                    .enumerate()
                    .take_while(|(i, t)| *i == 0 || !super::code::starts_function(t))
                    .map(|(_, t)| t)
                    .collect();
                knows_idempotency(&block.join("\n"))
            };
            if WRAPPER.is_match(l.text) && block_posts && !block_knows() {
                push(out, f, l.no, "a block that posts");
                return;
            }
        }
        // A gRPC service config that retries the calls of a service whose
        // methods create or move things (`PostTransfer`, `CreateCharge`):
        // UNAVAILABLE also comes back after the server committed.
        if let Some(l) = added.iter().find(|l| GRPC_RETRY_POLICY.is_match(l.text))
            && !known_anywhere
            && code().any(|g| GRPC_MUTATION.is_match(&text_of(g)))
        {
            push(
                out,
                f,
                l.no,
                "every call of a gRPC service whose methods create or move things",
            );
            return;
        }
        if let Some(l) = added.iter().find(|l| POLICY.is_match(l.text))
            && !known_anywhere
            && code().any(|g| POST.is_match(&text_of(g)))
        {
            push(
                out,
                f,
                l.no,
                "every request of an HTTP client the change posts through",
            );
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_retried_fetch_is_a_get_unless_it_names_a_method() {
        use crate::risk::testkit::rules_hit_with_contents as rules;
        let old = "export async function getRate(url: string) {\n  const res = await fetch(url, { headers: { accept: \"application/json\" } });\n  return res.json();\n}\n";
        let new = "export async function getRate(url: string) {\n  for (let attempt = 1; attempt <= 3; attempt++) {\n    try {\n      const res = await fetch(url, { headers: { accept: \"application/json\" } });\n      return res.json();\n    } catch (e) {\n      if (attempt === 3) throw e; // retry\n    }\n  }\n}\n";
        assert!(!rules("src/fx/rates.ts", old, new).contains(&"retry-not-idempotent".to_string()));
        let post = new.replace("{ headers:", "{ method: \"POST\", headers:");
        assert!(rules("src/fx/rates.ts", old, &post).contains(&"retry-not-idempotent".to_string()));
    }

    #[test]
    fn a_key_numbered_by_a_stored_attempt_is_one_key_a_loop_counter_is_not() {
        use crate::risk::testkit::rules_hit_with_contents as rules;
        let old = "def charge(invoice):\n    attempt = PaymentAttempt.objects.create(invoice=invoice, attempt_no=invoice.attempts.count() + 1)\n    return stripe.PaymentIntent.create(amount=invoice.cents)\n";
        let new = "def charge(invoice):\n    attempt = PaymentAttempt.objects.create(invoice=invoice, attempt_no=invoice.attempts.count() + 1)\n    idempotency_key = f\"renewal-{invoice.pk}-{attempt.attempt_no}\"\n\n    def create():\n        return stripe.PaymentIntent.create(amount=invoice.cents, idempotency_key=idempotency_key)\n\n    return with_backoff(create, retry_on=RETRYABLE)\n";
        let hit = rules("billing/renewals.py", old, new);
        assert!(
            !hit.contains(&"idempotency-key-per-attempt".to_string()),
            "{hit:?}"
        );
        let counted = "def charge(invoice):\n    attempt = PaymentAttempt.objects.create(invoice=invoice, attempt_no=invoice.attempts.count() + 1)\n    for attempt in range(4):\n        try:\n            return stripe.PaymentIntent.create(amount=invoice.cents, idempotency_key=f\"renewal-{invoice.pk}-{attempt}\")\n        except stripe.error.APIConnectionError:\n            time.sleep(2 ** attempt)\n";
        let hit = rules("billing/renewals.py", old, counted);
        assert!(
            hit.contains(&"idempotency-key-per-attempt".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn a_key_drawn_at_random_in_a_helper_the_change_writes_is_found() {
        use crate::risk::testkit::findings_of_change;
        let job = "class ChargeJob < ApplicationJob\n  retry_on Stripe::APIConnectionError, attempts: 5\n\n  def perform(id)\n    invoice = Invoice.find(id)\n    Stripe::PaymentIntent.create(\n      { amount: invoice.cents },\n      { idempotency_key: \"invoice-charge-#{invoice.id}\" }\n    )\n  end\nend\n";
        let new_job = job.replace(
            "\"invoice-charge-#{invoice.id}\"",
            "Payments::IdempotencyKey.for(:invoice_charge, invoice)",
        );
        let helper = |suffix: &str| {
            format!(
                "module Payments\n  class IdempotencyKey\n    def self.for(operation, record)\n      \"#{{operation}}:#{{record.id}}{suffix}\"\n    end\n  end\nend\n"
            )
        };
        let found = |helper: &str| {
            findings_of_change(
                &[
                    ("app/jobs/charge_job.rb", Some(job), Some(&new_job)),
                    (
                        "app/services/payments/idempotency_key.rb",
                        None,
                        Some(helper),
                    ),
                ],
                Some("Build Stripe idempotency keys in one place"),
            )
            .iter()
            .any(|f| f.rule == "idempotency-key-per-attempt")
        };
        assert!(found(&helper(":#{SecureRandom.uuid}")));
        // The helper derives the key from the operation: the same key each time.
        assert!(!found(&helper(":v1")));
    }

    #[test]
    fn a_retry_decorator_over_a_long_function_that_posts_is_found() {
        use crate::risk::testkit::rules_hit_with_contents as rules;
        let rule = "retry-not-idempotent".to_string();
        let body = "        payload = {\n            \"account\": account,\n            \"amount\": str(amount),\n            \"currency\": currency,\n            \"reference\": reference,\n            \"narrative\": narrative,\n        }\n        log.info(\"payout %s\", reference)\n        started = time.monotonic()\n        try:\n            resp = self._http.post(\"/v1/payouts\", json=payload)\n        except httpx.TimeoutException as exc:\n            raise Transient(str(exc)) from exc\n        metrics.observe(time.monotonic() - started)\n        return resp.json()\n";
        let old = format!(
            "class Payouts:\n    def send(self, account, amount, currency, reference, narrative):\n{body}"
        );
        let deco = "    @retry(\n        retry=retry_if_exception_type(Transient),\n        stop=stop_after_attempt(4),\n        wait=wait_exponential(min=1, max=8),\n        reraise=True,\n    )\n";
        let new = format!(
            "class Payouts:\n{deco}    def send(self, account, amount, currency, reference, narrative):\n{body}"
        );
        assert!(rules("app/payouts/client.py", &old, &new).contains(&rule));
        // The same function sending an idempotency key.
        let keyed = new.replace(
            "json=payload)",
            "json=payload, headers={\"Idempotency-Key\": reference})",
        );
        assert!(!rules("app/payouts/client.py", &old, &keyed).contains(&rule));
    }

    #[test]
    fn a_grpc_retry_policy_over_a_service_that_moves_money_is_found() {
        use crate::risk::testkit::rules_hit_with_contents as rules;
        let rule = "retry-not-idempotent".to_string();
        let old = "package wallet\n\nfunc Dial(addr string) (*Client, error) {\n\tconn, err := grpc.NewClient(addr, grpc.WithDefaultServiceConfig(`{\"loadBalancingConfig\":[{\"round_robin\":{}}]}`))\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\treturn &Client{raw: walletv1.NewWalletClient(conn)}, nil\n}\n\nfunc (c *Client) Debit(ctx context.Context, id string, cents int64) error {\n\t_, err := c.raw.DebitAccount(ctx, &walletv1.DebitRequest{Id: id, Cents: cents})\n\treturn err\n}\n";
        let cfg = "const retrying = `{\n  \"methodConfig\": [{\n    \"name\": [{\"service\": \"wallet.v1.Wallet\"}],\n    \"retryPolicy\": {\n      \"maxAttempts\": 4,\n      \"retryableStatusCodes\": [\"UNAVAILABLE\"]\n    }\n  }]\n}`\n\n";
        let new = old
            .replace("func Dial", &format!("{cfg}func Dial"))
            .replace(
                "grpc.WithDefaultServiceConfig(`{\"loadBalancingConfig\":[{\"round_robin\":{}}]}`)",
                "grpc.WithDefaultServiceConfig(retrying)",
            );
        assert!(rules("internal/wallet/client.go", old, &new).contains(&rule));
        // A read-only service retried is no repeated debit.
        let reads = |t: &str| t.replace("DebitAccount(ctx", "GetBalance(ctx");
        assert!(!rules("internal/wallet/client.go", &reads(old), &reads(&new)).contains(&rule));
    }

    #[test]
    fn a_message_published_after_the_last_attempt_is_not_a_retried_request() {
        use crate::risk::testkit::rules_hit_with_contents as rules;
        let old = "class Consumer {\n    fun run() {\n        for (record in records) {\n            handler.handle(record)\n        }\n    }\n}\n";
        let new = "class Consumer {\n    fun run() {\n        for (record in records) {\n            processWithRetry(record)\n        }\n    }\n\n    private fun processWithRetry(record: Record) {\n        var attempt = 1\n        while (true) {\n            try {\n                handler.handle(record)\n                return\n            } catch (e: Exception) {\n                if (attempt >= maxAttempts) {\n                    dlqProducer.send(ProducerRecord(dlqTopic, record.value())).get()\n                    return\n                }\n                attempt++\n            }\n        }\n    }\n}\n";
        let hit = rules("src/main/kotlin/Consumer.kt", old, new);
        assert!(
            !hit.contains(&"retry-not-idempotent".to_string()),
            "{hit:?}"
        );
        // The same loop around an HTTP client's send is a retried request.
        let http = new.replace(
            "dlqProducer.send(ProducerRecord(dlqTopic, record.value())).get()",
            "client.send(request, BodyHandlers.ofString())",
        );
        let http = http.replace("                handler.handle(record)\n                return\n", "                client.send(request, BodyHandlers.ofString())\n                return\n");
        let hit = rules("src/main/kotlin/Consumer.kt", old, &http);
        assert!(hit.contains(&"retry-not-idempotent".to_string()), "{hit:?}");
    }

    #[test]
    fn a_failure_the_job_retries_on_caught_inside_it_is_found() {
        use crate::risk::testkit::rules_hit_with_contents;
        let rule = "retry-defeated".to_string();
        let old = "class RenewalJob < ApplicationJob\n  retry_on Payments::ProviderUnavailable, attempts: 8\n\n  def perform(id)\n    result = Charger.new.charge(id)\n    mark_paid(result)\n  end\nend\n";
        let new = "class RenewalJob < ApplicationJob\n  retry_on Payments::ProviderUnavailable, attempts: 8\n\n  def perform(id)\n    result = Charger.new.charge(id)\n    mark_paid(result)\n  rescue Payments::CardError, Payments::ProviderUnavailable => e\n    mark_past_due(id, e)\n  end\nend\n";
        let p = "app/jobs/renewal_job.rb";
        assert!(rules_hit_with_contents(p, old, new).contains(&rule));
        // Raised again after noting it: the retry still happens.
        let reraised = new.replace("    mark_past_due(id, e)\n", "    note(e)\n    raise\n");
        assert!(!rules_hit_with_contents(p, old, &reraised).contains(&rule));
        // Another failure caught: not the one retried.
        let other = new.replace(", Payments::ProviderUnavailable => e", " => e");
        assert!(!rules_hit_with_contents(p, old, &other).contains(&rule));
        // Every failure caught: the retried one with them.
        let all = new.replace(
            "Payments::CardError, Payments::ProviderUnavailable => e",
            "StandardError => e",
        );
        assert!(rules_hit_with_contents(p, old, &all).contains(&rule));
        // The library's root error: every one of its failures, the retried
        // one included. A sibling class of the same library is not.
        let root = new.replace(
            "Payments::CardError, Payments::ProviderUnavailable => e",
            "Payments::PaymentsError => e",
        );
        assert!(rules_hit_with_contents(p, old, &root).contains(&rule));
        let sibling = new.replace(
            "Payments::CardError, Payments::ProviderUnavailable => e",
            "Payments::CardDeclined => e",
        );
        assert!(!rules_hit_with_contents(p, old, &sibling).contains(&rule));
        // Python: Celery's autoretry_for.
        let py_old = "@app.task(autoretry_for=(ProviderDown,), max_retries=5)\ndef renew(sub_id):\n    charge(sub_id)\n";
        let py_new = "@app.task(autoretry_for=(ProviderDown,), max_retries=5)\ndef renew(sub_id):\n    try:\n        charge(sub_id)\n    except ProviderDown:\n        mark_failed(sub_id)\n";
        assert!(rules_hit_with_contents("billing/tasks.py", py_old, py_new).contains(&rule));
    }

    #[test]
    fn an_idempotency_key_drawn_again_for_each_attempt_is_found() {
        use crate::risk::testkit::rules_hit_with_contents;
        const RULE: &str = "idempotency-key-per-attempt";
        let old = "def book(self, req):\n    key = f\"bk-{req.shipment_id}-{req.leg}\"\n    for attempt in range(3):\n        try:\n            return self.http.post(\"/bookings\", json=req.dict(), headers={\"Idempotency-Key\": key})\n        except Timeout:\n            continue\n";
        let inside = "def book(self, req):\n    return self.with_retries(\n        lambda: self.http.post(\n            \"/bookings\",\n            json=req.dict(),\n            headers={\"Idempotency-Key\": str(uuid.uuid4())},\n        )\n    )\n";
        let hit = rules_hit_with_contents("app/carriers/client.py", old, inside);
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
        // Drawn once, before the retries: every attempt carries the same key.
        let once = "def book(self, req):\n    key = str(uuid.uuid4())\n    for attempt in range(3):\n        try:\n            return self.http.post(\"/bookings\", json=req.dict(), headers={\"Idempotency-Key\": key})\n        except Timeout:\n            continue\n";
        let hit = rules_hit_with_contents("app/carriers/client.py", old, once);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
        let named = once
            .replace(
                "    key = str(uuid.uuid4())\n",
                "    idempotency_key = str(uuid.uuid4())\n",
            )
            .replace("\": key}", "\": idempotency_key}");
        let hit = rules_hit_with_contents("app/carriers/client.py", old, &named);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
        // A new request id per call, with no retry and no key before: a trace id.
        let trace_old = "def ping(self):\n    return self.http.get(\"/ping\")\n";
        let trace = "def ping(self):\n    return self.http.get(\"/ping\", headers={\"X-Trace\": str(uuid.uuid4())})\n";
        let hit = rules_hit_with_contents("app/carriers/client.py", trace_old, trace);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
        // The attempt's number written into the key: another key each time.
        let numbered = old.replace("\": key}", "\": f\"{key}:{attempt}\"}");
        let hit = rules_hit_with_contents("app/carriers/client.py", old, &numbered);
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
        // The attempt's number logged beside the same key: one key.
        let logged = old.replace(
            "        except Timeout:\n",
            "        except Timeout:\n            log.warning(\"idempotency key %s failed on attempt %d\", key, attempt)\n",
        );
        let hit = rules_hit_with_contents("app/carriers/client.py", old, &logged);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
    }

    #[test]
    fn a_retry_loop_that_stops_looking_at_the_method_is_found() {
        let old = "func (c *Client) Do(req *http.Request) (*http.Response, error) {\n\tfor attempt := 0; attempt <= c.maxRetries; attempt++ {\n\t\tresp, err := c.hc.Do(req)\n\t\tif !retryable(err, resp) || !idempotent(req) {\n\t\t\treturn resp, err\n\t\t}\n\t}\n\treturn nil, errExhausted\n}\n";
        let new = old.replace(" || !idempotent(req)", "");
        let hit = |new: &str| {
            crate::risk::testkit::findings_with_contents("internal/httpx/client.go", old, new)
                .into_iter()
                .any(|f| f.rule == "retry-not-idempotent")
        };
        assert!(hit(&new));
        // The same filter written another way is still a filter.
        let kept = old.replace("!idempotent(req)", "req.Method != \"GET\"");
        assert!(!hit(&kept));
    }

    use crate::risk::testkit::rules_hit;

    #[test]
    fn a_retry_policy_widened_to_post_is_found() {
        let old = "retry = Retry(\n    total=3,\n    allowed_methods=frozenset({\"GET\", \"HEAD\"}),\n)\n";
        let hit = |new: &str| {
            rules_hit("services/billing/gateway_client.py", Some(old), Some(new))
                .contains(&"retry-not-idempotent".to_string())
        };
        assert!(hit(&old.replace("\"HEAD\"}", "\"HEAD\", \"POST\"}")));
        assert!(hit(&old.replace("frozenset({\"GET\", \"HEAD\"})", "None")));
        assert!(!hit(&old.replace("\"HEAD\"}", "\"HEAD\", \"OPTIONS\"}")));
        // A policy written from scratch that repeats POSTs; and one whose
        // requests carry idempotency keys.
        let scratch = "session.mount(\"https://\", HTTPAdapter(max_retries=Retry(total=3, allowed_methods=frozenset({\"GET\", \"POST\"}))))\n";
        let new_hit = |path: &str, new: &str| {
            rules_hit(path, Some("\n"), Some(&format!("\n{new}")))
                .contains(&"retry-not-idempotent".to_string())
        };
        assert!(new_hit("services/billing/gateway_client.py", scratch));
        assert!(!new_hit(
            "services/billing/gateway_client.py",
            &format!("{scratch}headers[\"Idempotency-Key\"] = key\n")
        ));
    }

    #[test]
    fn a_safe_to_repeat_guard_dropped_from_one_failure_path_is_found() {
        let old = "function retryReason(opts, error, status, attempt) {\n  const safeToRepeat = SAFE.has(opts.method) || opts.idempotencyKey !== undefined;\n  if (attempt >= maxAttempts) return undefined;\n  if (error !== undefined) {\n    if (!safeToRepeat) return undefined;\n    return isNetwork(error) ? 'network' : undefined;\n  }\n  if (!safeToRepeat) return undefined;\n  return status >= 500 ? 'status' : undefined;\n}\n";
        let hit = |new: &str| {
            crate::risk::testkit::rules_hit_with_contents("src/http/client.ts", old, new)
                .contains(&"retry-not-idempotent".to_string())
        };
        // Network failures now repeat every request, POSTs included.
        assert!(hit(&old.replacen(
            "    if (!safeToRepeat) return undefined;\n",
            "",
            1
        )));
        // Both paths folded into one guard before them: still guarded.
        let folded = old
            .replace("    if (!safeToRepeat) return undefined;\n", "")
            .replace(
                "  if (!safeToRepeat) return undefined;\n  return status",
                "  return status",
            )
            .replace(
                "  if (error !== undefined) {",
                "  if (!safeToRepeat) return undefined;\n  if (error !== undefined) {",
            );
        assert!(!hit(&folded));
    }

    #[test]
    fn a_method_test_dropped_while_method_constants_remain_elsewhere_is_found() {
        let old = "func (c *Client) do(ctx context.Context, method, path string) error {\n\tattempts := 1\n\tif method == http.MethodGet {\n\t\tattempts = 3\n\t}\n\tfor i := 0; i < attempts; i++ {\n\t\tresp, err := c.hc.Do(req)\n\t}\n}\n\nfunc (c *Client) Get(ctx context.Context, path string) error {\n\treturn c.do(ctx, http.MethodGet, path)\n}\n";
        let new = old.replace(
            "\tattempts := 1\n\tif method == http.MethodGet {\n\t\tattempts = 3\n\t}\n",
            "\tconst attempts = 3\n",
        );
        let hit =
            crate::risk::testkit::rules_hit_with_contents("internal/gateway/client.go", old, &new);
        assert!(hit.contains(&"retry-not-idempotent".to_string()), "{hit:?}");
    }

    #[test]
    fn a_retry_wrapper_around_a_post_is_found() {
        let rule = "retry-not-idempotent".to_string();
        let old = "class PspClient(private val http: OkHttpClient) {\n    fun createCharge(req: ChargeRequest): Charge {\n        val request = Request.Builder().url(url).post(body).build()\n        return call(request)\n    }\n}\n";
        let new = "class PspClient(private val http: OkHttpClient, private val retry: RetryPolicy) {\n    fun createCharge(req: ChargeRequest): Charge = retry.withRetry {\n        val request = Request.Builder().url(url).post(body).build()\n        call(request)\n    }\n}\n";
        let hit = crate::risk::testkit::rules_hit_with_contents("psp/PspClient.kt", old, new);
        assert!(hit.contains(&rule), "{hit:?}");
        // With an idempotency key: quiet.
        let keyed = new.replace(
            ".post(body)",
            ".header(\"Idempotency-Key\", req.key).post(body)",
        );
        let hit = crate::risk::testkit::rules_hit_with_contents("psp/PspClient.kt", old, &keyed);
        assert!(!hit.contains(&rule), "{hit:?}");
        // A key passed as null is no key.
        let null_key = new.replace(".post(body)", ".post(body, idempotencyKey = null)");
        let hit = crate::risk::testkit::rules_hit_with_contents("psp/PspClient.kt", old, &null_key);
        assert!(hit.contains(&rule), "{hit:?}");
        // Around a GET only: quiet.
        let get = new.replace(".post(body)", ".get()");
        let hit = crate::risk::testkit::rules_hit_with_contents("psp/PspClient.kt", old, &get);
        assert!(!hit.contains(&rule), "{hit:?}");
    }

    const BEFORE: &str = "package httpx\n\nfunc (c *Client) Do(req *http.Request) (*http.Response, error) {\n\treturn c.inner.Do(req)\n}\n";

    #[test]
    fn a_retry_loop_around_every_request_is_found() {
        let after = "package httpx\n\nconst maxRetries = 3\n\nfunc (c *Client) Do(req *http.Request) (*http.Response, error) {\n\tvar resp *http.Response\n\tvar err error\n\tfor attempt := 0; attempt <= maxRetries; attempt++ {\n\t\tresp, err = c.inner.Do(req)\n\t\tif err == nil {\n\t\t\treturn resp, nil\n\t\t}\n\t}\n\treturn resp, err\n}\n";
        let hit = rules_hit("pkg/httpx/client.go", Some(BEFORE), Some(after));
        assert!(hit.contains(&"retry-not-idempotent".to_string()), "{hit:?}");
        let py_before = "def send(session, req):\n    return session.send(req)\n";
        let py_after = "def send(session, req, retries=3):\n    for attempt in range(retries):\n        try:\n            return session.send(req)\n        except ConnectionError:\n            time.sleep(2 ** attempt)\n    raise Unavailable()\n";
        let hit = rules_hit("lib/http/client.py", Some(py_before), Some(py_after));
        assert!(hit.contains(&"retry-not-idempotent".to_string()), "{hit:?}");
        // Restricted to safe methods: quiet.
        let safe = py_after.replace(
            "    for attempt",
            "    if req.method not in ('GET', 'HEAD'):\n        return session.send(req)\n    for attempt",
        );
        let hit = rules_hit("lib/http/client.py", Some(py_before), Some(&safe));
        assert!(
            !hit.contains(&"retry-not-idempotent".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn a_retry_loop_around_a_helper_that_sends_is_found() {
        let before = "package psp\n\nfunc (c *Client) do(ctx context.Context, method, path string) error {\n\treq, _ := http.NewRequestWithContext(ctx, method, c.base+path, nil)\n\t_, err := c.http.Do(req)\n\treturn err\n}\n\nfunc (c *Client) Balance(ctx context.Context) error {\n\treturn c.do(ctx, http.MethodGet, \"/balance\")\n}\n";
        let after = "package psp\n\nconst maxAttempts = 3\n\nfunc (c *Client) do(ctx context.Context, method, path string) error {\n\tvar err error\n\tfor attempt := 0; attempt < maxAttempts; attempt++ {\n\t\terr = c.once(ctx, method, path)\n\t\tif err == nil {\n\t\t\treturn nil\n\t\t}\n\t}\n\treturn err\n}\n\nfunc (c *Client) once(ctx context.Context, method, path string) error {\n\treq, _ := http.NewRequestWithContext(ctx, method, c.base+path, nil)\n\t_, err := c.http.Do(req)\n\treturn err\n}\n\nfunc (c *Client) Balance(ctx context.Context) error {\n\treturn c.do(ctx, http.MethodGet, \"/balance\")\n}\n";
        let hit =
            crate::risk::testkit::rules_hit_with_contents("internal/psp/client.go", before, after);
        assert!(hit.contains(&"retry-not-idempotent".to_string()), "{hit:?}");
        // The loop's own function asks for GET only: quiet.
        let safe = after.replace(
            "\tvar err error\n\tfor",
            "\tif method != http.MethodGet {\n\t\treturn c.once(ctx, method, path)\n\t}\n\tvar err error\n\tfor",
        );
        let hit =
            crate::risk::testkit::rules_hit_with_contents("internal/psp/client.go", before, &safe);
        assert!(
            !hit.contains(&"retry-not-idempotent".to_string()),
            "{hit:?}"
        );
        // A retry loop around a database call in the same file: quiet.
        let db = after.replace(
            "err = c.once(ctx, method, path)",
            "err = c.store.Save(ctx, path)",
        );
        let hit =
            crate::risk::testkit::rules_hit_with_contents("internal/psp/client.go", before, &db);
        assert!(
            !hit.contains(&"retry-not-idempotent".to_string()),
            "{hit:?}"
        );
    }

    #[test]
    fn retries_turned_on_for_a_job_that_charges_are_found() {
        use crate::risk::testkit::rules_hit_with_contents as rules;
        let rule = "retry-not-idempotent".to_string();
        let p = "app/jobs/billing/renew_subscription_job.rb";
        let old = "class RenewSubscriptionJob\n  include Sidekiq::Job\n  sidekiq_options queue: :billing, retry: false\n\n  def perform(id)\n    sub = Subscription.find(id)\n    charge = Stripe::Charge.create(amount: sub.price_cents, customer: sub.customer_ref)\n    sub.update!(last_charge_id: charge.id)\n  end\nend\n";
        let new = old.replace("retry: false", "retry: 5");
        assert!(rules(p, old, &new).contains(&rule));
        // A count raised on a job that already retried: a limit, not this.
        let was = old.replace("retry: false", "retry: 3");
        assert!(!rules(p, &was, &new).contains(&rule));
        // A job that checks for work already done may repeat.
        let checked = new.replace(
            "    sub = Subscription.find(id)\n",
            "    sub = Subscription.find(id)\n    return if sub.paid?\n",
        );
        let checked_old = old.replace(
            "    sub = Subscription.find(id)\n",
            "    sub = Subscription.find(id)\n    return if sub.paid?\n",
        );
        assert!(!rules(p, &checked_old, &checked).contains(&rule));
        // A job that only reads and syncs has nothing to do twice.
        let sync_old = "class SyncStockJob\n  include Sidekiq::Job\n  sidekiq_options retry: false\n\n  def perform(id)\n    Stock.refresh(Warehouse.fetch(id))\n  end\nend\n";
        let sync_new = sync_old.replace("retry: false", "retry: 5");
        assert!(!rules("app/jobs/sync_stock_job.rb", sync_old, &sync_new).contains(&rule));
        // Celery: a task that sends mail, now retried on failure.
        let py_old = "@shared_task\ndef send_receipt(order_id):\n    order = Order.objects.get(pk=order_id)\n    send_email(order.customer.email, render_receipt(order))\n";
        let py_new = py_old.replace(
            "@shared_task\n",
            "@shared_task(autoretry_for=(SMTPException,), max_retries=5)\n",
        );
        assert!(rules("shop/tasks.py", py_old, &py_new).contains(&rule));
        // The same task with an idempotency key on the send.
        let keyed_old = py_old.replace(
            "render_receipt(order))",
            "render_receipt(order), idempotency_key=f\"receipt-{order.pk}\")",
        );
        let keyed_new = py_new.replace(
            "render_receipt(order))",
            "render_receipt(order), idempotency_key=f\"receipt-{order.pk}\")",
        );
        assert!(!rules("shop/tasks.py", &keyed_old, &keyed_new).contains(&rule));
        // A status written after the transfer is no check for work done: a
        // failure between the two repeats the transfer.
        let pay_old = "@shared_task\ndef send_payout(payout_id):\n    payout = Payout.objects.get(pk=payout_id)\n    transfer = stripe.Transfer.create(amount=payout.amount, destination=payout.account)\n    payout.sent_at = timezone.now()\n    payout.save()\n";
        let pay_new = pay_old.replace(
            "@shared_task\n",
            "@shared_task(autoretry_for=(Exception,), max_retries=5)\n",
        );
        assert!(rules("payouts/tasks.py", pay_old, &pay_new).contains(&rule));
        // Tested before the transfer: may repeat.
        let tested = |t: &str| {
            t.replace(
                "    transfer =",
                "    if payout.sent_at:\n        return\n    transfer =",
            )
        };
        assert!(!rules("payouts/tasks.py", &tested(pay_old), &tested(&pay_new)).contains(&rule));
    }
}
