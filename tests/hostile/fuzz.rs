//! Property tests: every parser of untrusted text and the diff renderer take
//! arbitrary input without panicking or hanging, and fail with a message.
//! Cases: 256 by default (`PROPTEST_CASES` raises it; see scripts/fuzz.sh).

use countersign::config::RepoConfig;
use countersign::decision::policy::Policy;
use countersign::decision::record::{self, parse_line};
use countersign::decision::signers::{self, AllowedSigners};
use countersign::diff::{DiffLine, FileDiff, FileStatus, Hunk, LineKind, MinusPlus};
use countersign::highlight::Highlighter;
use countersign::risk::rules::RuleSet;
use countersign::sanitize;
use countersign::show::{RenderOptions, render_files};
use countersign::theme::Theme;

use crate::hazards;
use proptest::prelude::*;

/// Text biased towards what breaks terminals and parsers.
fn hostile_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        any::<String>(),
        "[\\x00-\\x1f\\x7f-\\u{9f}]{0,4}",
        Just("\x1b[2J".to_string()),
        Just("\x1b]52;c;ZXZpbA==\x07".to_string()),
        Just("\x1b]8;;http://x\x1b\\".to_string()),
        Just("\u{202e}\u{2066}\u{2069}\u{200b}\u{feff}".to_string()),
        Just("e\u{301}\u{301}\u{301}".to_string()),
        Just("\t".to_string()),
        Just("\r\n".to_string()),
        Just("🦀宽".to_string()),
        "[a-z =\\[\\]\\\"{}:,*?!#0-9]{0,20}",
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

/// A note line: JSON that looks like a record, mutated.
fn record_like() -> impl Strategy<Value = String> {
    let field = prop_oneof![
        Just("\"v\":1".to_string()),
        Just("\"v\":\"1\"".to_string()),
        Just("\"repo\":\"r\"".to_string()),
        Just("\"decision\":\"approve\"".to_string()),
        Just("\"decision\":\"maybe\"".to_string()),
        Just("\"at\":\"2026-01-02T03:04:05Z\"".to_string()),
        Just("\"at\":\"yesterday\"".to_string()),
        Just("\"risk\":{\"level\":\"low\",\"score\":3}".to_string()),
        Just("\"risk\":[]".to_string()),
        Just(
            "\"sig\":\"-----BEGIN SSH SIGNATURE-----\\nAAAA\\n-----END SSH SIGNATURE-----\""
                .to_string()
        ),
        Just("\"sig\":7".to_string()),
        Just("\"patch_id\":null".to_string()),
        hostile_text().prop_map(|s| format!("{:?}:{:?}", s.clone(), s)),
        "\"[a-z_]{1,8}\":(null|true|1e999|-0|\\[\\]|\\{\\}|\"x\")",
    ];
    (
        prop_oneof![Just(Vec::new()), record_fields()],
        prop::collection::vec(field, 0..16),
        hostile_text(),
    )
        .prop_map(|(base, f, tail)| {
            // A full record's fields first (serde keeps the last of a
            // duplicated key), then the mutations.
            let mut all = base;
            all.extend(f);
            let mut s = format!("{{{}}}", all.join(","));
            if tail.len() % 3 == 0 {
                s.push_str(&tail);
            }
            s
        })
}

/// Every field a record needs, with hostile text in the free-form ones.
fn record_fields() -> impl Strategy<Value = Vec<String>> {
    let text = || hostile_text().prop_map(|s| serde_json::to_string(&s).unwrap());
    (
        text(),
        text(),
        text(),
        prop_oneof![Just("\"approve\""), Just("\"reject\"")],
        prop_oneof![Just("null".to_string()), text()],
        text(),
        0u8..=255,
        prop_oneof![
            Just("2026-01-02T03:04:05Z"),
            Just("1970-01-01T00:00:00+14:00"),
            Just("2099-12-31T23:59:59.999999999Z")
        ],
        text(),
    )
        .prop_map(
            |(change, reviewer, comment, decision, patch, level, score, at, sig)| {
                vec![
                    "\"v\":1".to_string(),
                    format!("\"repo\":{change}"),
                    format!("\"change\":{change}"),
                    format!("\"base\":{reviewer}"),
                    format!("\"head\":{comment}"),
                    "\"tree\":\"t\"".to_string(),
                    format!("\"patch_id\":{patch}"),
                    format!("\"decision\":{decision}"),
                    format!("\"reviewer\":{reviewer}"),
                    "\"key\":\"SHA256:x\"".to_string(),
                    format!("\"at\":\"{at}\""),
                    format!("\"risk\":{{\"level\":{level},\"score\":{score}}}"),
                    format!("\"comment\":{comment}"),
                    format!("\"sig\":{sig}"),
                ]
            },
        )
}

/// A record line with every field in place (in any order).
fn record_full() -> impl Strategy<Value = String> {
    record_fields()
        .prop_shuffle()
        .prop_map(|f| format!("{{{}}}", f.join(",")))
}

/// The reference glob: `*` any run of bytes, `?` one byte, the rest literal,
/// by plain recursion (slow, obviously right).
fn reference_glob(s: &[u8], p: &[u8]) -> bool {
    match p.split_first() {
        None => s.is_empty(),
        Some((b'*', rest)) => (0..=s.len()).any(|i| reference_glob(&s[i..], rest)),
        Some((b'?', rest)) => !s.is_empty() && reference_glob(&s[1..], rest),
        Some((c, rest)) => s.first() == Some(c) && reference_glob(&s[1..], rest),
    }
}

fn signers_like() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        hostile_text(),
        Just("alice@example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl".to_string()),
        Just("*@x,!bob namespaces=\"countersign\",valid-before=20300101Z ssh-ed25519 AAAA".to_string()),
        Just("a cert-authority ssh-rsa AAAAB3".to_string()),
        Just("a valid-after=\"2019 ssh-ed25519 AAAAC3Nz".to_string()),
        Just("a valid-before=99999999999999Z,valid-after=00000000Z ssh-ed25519 AAAAC3Nz".to_string()),
        "[a-z@.*?!,]{0,12} [a-z=\",0-9Z-]{0,40} (ssh-ed25519|ecdsa-sha2-nistp256|ssh-rsa|x) [A-Za-z0-9+/=]{0,90}",
    ];
    prop::collection::vec(line, 0..8).prop_map(|v| v.join("\n"))
}

fn toml_like() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        hostile_text(),
        Just("[approvals]".to_string()),
        Just("low = 0".to_string()),
        Just("critical = 4294967296".to_string()),
        Just("high = -1".to_string()),
        Just("self_approval = \"yes\"".to_string()),
        Just("repository = \"\"".to_string()),
        Just("[[rule]]".to_string()),
        Just("id = \"x\"".to_string()),
        Just("pattern = \"(a+)+$\"".to_string()),
        Just("pattern = \"[\"".to_string()),
        Just("paths = [\"**/*.rs\", \"[\"]".to_string()),
        Just("severity = \"critical\"".to_string()),
        Just("critical = [\"src/**\"]".to_string()),
        Just("[[silence]]".to_string()),
        Just("[sources]".to_string()),
        Just("[ai]".to_string()),
        Just("trailers = [1, 2]".to_string()),
        "[a-z_]{1,10} = (\"[a-z*]{0,8}\"|[0-9]{1,12}|true|\\[\\]|\\{\\})",
    ];
    prop::collection::vec(line, 0..14).prop_map(|v| v.join("\n"))
}

fn diff_line() -> impl Strategy<Value = DiffLine> {
    (
        0u8..3,
        hostile_text(),
        any::<bool>(),
        any::<bool>(),
        0usize..3,
    )
        .prop_map(|(k, text, no_newline, invalid_utf8, long)| {
            let kind = match k {
                0 => LineKind::Context,
                1 => LineKind::Added,
                _ => LineKind::Removed,
            };
            let content = if long == 2 {
                text.repeat(20_000 / (text.len() + 1) + 1)
            } else {
                text
            };
            DiffLine {
                kind,
                old_no: (kind != LineKind::Added).then_some(1),
                new_no: (kind != LineKind::Removed).then_some(1),
                content,
                no_newline,
                invalid_utf8,
            }
        })
}

fn file_diff() -> impl Strategy<Value = FileDiff> {
    let hunk = (
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
        hostile_text(),
        prop::collection::vec(diff_line(), 0..10),
    )
        .prop_map(|(os, ol, ns, nl, section, lines)| Hunk {
            old_start: os,
            old_lines: ol,
            new_start: ns,
            new_lines: nl,
            section,
            lines,
        });
    (
        prop::option::of(hostile_text()),
        prop::option::of(prop_oneof![
            hostile_text(),
            Just("a.rs".to_string()),
            Just("x.py".to_string()),
            Just("Makefile".to_string()),
        ]),
        0u8..6,
        any::<bool>(),
        prop::option::of(0u32..200),
        prop::collection::vec(hunk, 0..4),
    )
        .prop_map(|(minus, plus, st, binary, similarity, hunks)| FileDiff {
            path: MinusPlus::new(minus, plus),
            status: [
                FileStatus::Added,
                FileStatus::Deleted,
                FileStatus::Modified,
                FileStatus::Renamed,
                FileStatus::Copied,
                FileStatus::TypeChange,
            ][st as usize],
            mode: MinusPlus::new(Some(0o100644), Some(0o100755)),
            blob: MinusPlus::new("0".repeat(40), "f".repeat(40)),
            similarity,
            binary,
            size: MinusPlus::new(0, u64::MAX),
            additions: u32::MAX,
            deletions: 0,
            hunks,
        })
}

/// No character of the independent hazard list (tests/hostile/hazards.rs)
/// reaches the output, except the newline and the renderer's own SGR colours.
fn assert_terminal_safe(out: &str) {
    let no_sgr = regex::Regex::new("\x1b\\[[0-9;]*m")
        .unwrap()
        .replace_all(out, "")
        .into_owned();
    for c in no_sgr.chars() {
        assert!(
            c == '\n' || (hazards::kind(c).is_none() && !c.is_control()),
            "{c:?} reached the output"
        );
    }
}

proptest! {
    #[test]
    fn note_lines_parse_or_say_why(line in prop_oneof![record_like(), hostile_text()]) {
        match parse_line(&line) {
            Ok(p) => {
                // A parsed record round-trips to a line that parses the same.
                prop_assert!(!p.payload.contains('\n'));
                let again = parse_line(&p.record.to_line()).unwrap();
                prop_assert_eq!(again.record, p.record);
            }
            Err(why) => prop_assert!(!why.is_empty()),
        }
    }

    #[test]
    fn note_time_fields_never_panic(s in hostile_text()) {
        let _ = record::parse_time(&s);
        let _ = signers::parse_ssh_time(&s);
    }

    #[test]
    fn allowed_signers_parse_without_panic(text in signers_like()) {
        let a = AllowedSigners::parse(&text, "allowed_signers");
        for e in &a.errors {
            prop_assert!(e.starts_with("allowed_signers:"), "{}", e);
        }
    }

    #[test]
    fn signer_patterns_never_hang(
        s in "[a*?@.]{0,200}",
        p in "[a*?@.!]{0,60}",
    ) {
        // Long inputs: the answer still agrees with the reference matcher
        // when the pattern has few stars (the reference is exponential).
        let m = signers::match_pattern(s.as_bytes(), p.as_bytes());
        if p.matches('*').count() <= 2 {
            prop_assert_eq!(m, reference_glob(s.as_bytes(), p.as_bytes()));
        }
        let neg = format!("!{p}");
        prop_assert!(!signers::match_list(&s, &[p.clone(), neg]));
    }

    #[test]
    fn policies_parse_or_name_the_file(text in toml_like()) {
        if let Err(e) = Policy::parse(&text, ".countersign/policy.toml") {
            prop_assert!(format!("{e:#}").contains("policy.toml"), "{:#}", e);
        }
    }

    #[test]
    fn rules_parse_or_name_the_line(text in toml_like()) {
        if let Err(e) = RuleSet::load(Some((&text, ".countersign/rules.toml"))) {
            prop_assert!(!e.message.is_empty());
            prop_assert_eq!(e.origin, ".countersign/rules.toml");
        }
    }

    #[test]
    fn repo_config_parses_or_names_the_file(text in toml_like()) {
        if let Err(e) = RepoConfig::parse(&text, ".countersign/config.toml") {
            prop_assert!(format!("{e:#}").contains("config.toml"), "{:#}", e);
        }
    }

    #[test]
    fn the_sanitizer_lets_no_hazard_through(text in hostile_text()) {
        let out = sanitize::escape_line(&text);
        assert_terminal_safe(&out);
        prop_assert!(!out.contains('\n'));
        prop_assert_eq!(sanitize::has_hidden_text(&text),
            text.chars().any(|c| matches!(hazards::kind(c),
                Some(hazards::Kind::Bidi | hazards::Kind::Invisible))));
        // The output is exactly the input with each hazard in its visible form
        // and tabs as spaces to the next stop.
        // (Tab stops count display columns of each run of plain text.)
        let (mut want, mut run, mut col) = (String::new(), String::new(), 0usize);
        for c in text.chars() {
            if c != '\t' && hazards::kind(c).is_none() {
                run.push(c);
                continue;
            }
            col += unicode_width::UnicodeWidthStr::width(run.as_str());
            want.push_str(&std::mem::take(&mut run));
            let shown = if c == '\t' {
                " ".repeat(4 - col % 4)
            } else {
                hazards::shown_as(c)
            };
            col += shown.len();
            want.push_str(&shown);
        }
        want.push_str(&run);
        prop_assert_eq!(out, want);
    }

    /// A record with every required field parses, and round-trips.
    #[test]
    fn well_formed_records_parse_and_round_trip(line in record_full()) {
        let p = parse_line(&line);
        prop_assert!(p.is_ok(), "{:?}: {:?}", line, p.err());
        let p = p.unwrap();
        prop_assert!(!p.payload.contains('\n'));
        let again = parse_line(&p.record.to_line()).unwrap();
        prop_assert_eq!(&again.record, &p.record);
        prop_assert_eq!(again.payload, p.payload);
    }

    /// `p` and `!p` never both match; a list agrees with the reference matcher.
    #[test]
    fn signer_patterns_agree_with_a_reference_matcher(
        s in "[ab*?@.]{0,12}",
        p in "[ab*?@.]{0,8}",
    ) {
        let want = reference_glob(s.as_bytes(), p.as_bytes());
        prop_assert_eq!(signers::match_pattern(s.as_bytes(), p.as_bytes()), want, "{} ~ {}", s, p);
        prop_assert_eq!(signers::match_list(&s, std::slice::from_ref(&p)), want);
        let neg = format!("!{p}");
        prop_assert!(!signers::match_list(&s, &[p.clone(), neg.clone()]));
        prop_assert!(!signers::match_list(&s, &[neg.clone(), p.clone()]));
        prop_assert!(!signers::match_list(&s, std::slice::from_ref(&neg)), "a negation alone admits nobody");
        prop_assert_eq!(signers::match_list(&s, &["*".to_string(), neg]), !want);
    }

    #[test]
    fn the_renderer_prints_any_diff_safely(files in prop::collection::vec(file_diff(), 0..4), color in any::<bool>()) {
        let theme = Theme::load(None).unwrap();
        let highlighter = highlighter(&theme);
        let opts = RenderOptions { color, theme: &theme, highlighter: Some(highlighter), marks: &[] };
        let out = render_files(&files, &opts);
        assert_terminal_safe(&out);
    }
}

fn highlighter(theme: &Theme) -> &'static Highlighter {
    static H: std::sync::OnceLock<Highlighter> = std::sync::OnceLock::new();
    H.get_or_init(|| Highlighter::new(theme))
}

#[test]
fn every_listed_hazard_is_shown_in_its_visible_form() {
    for c in hazards::all() {
        assert_eq!(
            sanitize::escape_line(&format!("a{c}b")),
            format!("a{}b", hazards::shown_as(c)),
            "{c:?}"
        );
    }
}
