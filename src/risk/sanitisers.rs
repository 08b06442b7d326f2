//! Cleaners a change takes away from untrusted input: the sanitiser between
//! user text and the page (`DOMPurify.sanitize`, `bleach.clean`), between an
//! uploaded file's name and the disk (`secure_filename`, `filepath.Base`),
//! between a value and a shell (`shlex.quote`, `escapeshellarg`) or SQL text
//! (`quote_ident`, `sql.Identifier`), and the parser settings that keep XML
//! from fetching external entities. A refactor drops them as plumbing
//! ("render comments as markdown", "simplify the upload path") and every line
//! it writes looks ordinary: what is missing is the call that was there. The
//! same goes for a library swapped for its unescaped twin (`html/template` for
//! `text/template`, `defusedxml` for the standard XML parser).

use std::sync::LazyLock;

use regex::Regex;

use super::{ChangeView, FileView, Finding, Severity, quote};

/// One kind of cleaning: the calls that do it, what the file must still do
/// for the cleaning to matter, and what its loss lets through.
struct Family {
    /// Calls (or settings) that clean; group 1 names the one found.
    cleans: &'static LazyLock<Regex>,
    /// Something the new file still does with the value (runs a shell,
    /// builds a path, parses XML); `None` when output alone is enough.
    still_used_for: Option<&'static LazyLock<Regex>>,
    /// What now reaches its destination uncleaned, after "`name` is no
    /// longer called, and nothing in the change cleans instead:".
    lost: &'static str,
}

/// Calls that make untrusted text safe to put into HTML.
static HTML: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(DOMPurify\.sanitize|purify\.sanitize|sanitize_?html|sanitizeHtml|sanitize|bleach\.clean|bleach\.linkify|html\.escape|escape_?html|escapeHtml|htmlspecialchars|htmlentities|strip_tags|CGI\.escapeHTML|ERB::Util\.h|Rails::Html::\w*Sanitizer|HtmlSanitizer|Sanitizer|xss|filterXSS|HtmlEncoder\.\w+\.Encode|HttpUtility\.HtmlEncode|Encode\.forHtml|StringEscapeUtils\.escapeHtml\d?|template\.HTMLEscapeString|markupsafe\.escape)\s*\(").unwrap()
});

/// Calls that reduce a client-supplied file name to a bare, safe name.
static FILE_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(secure_filename|sanitize_?filename|sanitizeFilename|SanitizeFilename|filepath\.Base|os\.path\.basename|path\.basename|Path\.GetFileName|File\.basename|FilenameUtils\.getName|safe_join|SafeJoin)\s*\(").unwrap()
});
/// Building a path from a name, or opening and saving one.
static BUILDS_PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(os\.path\.join|filepath\.Join|path\.(join|resolve)|Path\.Combine|Paths\.get|File\.join|\bopen\s*\(|\.save\s*\(|os\.Create|\bnew File\(|\bPath\(|\bmove_uploaded_file|\bwriteFile)").unwrap()
});

/// Calls that quote a value for a shell.
static SHELL_QUOTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(shlex\.quote|pipes\.quote|escapeshellarg|escapeshellcmd|Shellwords\.escape|Shellwords\.shellescape|shellescape|ShellEscape|shell_?quote|shellQuote)\s*\(").unwrap()
});
/// Running a command through a shell.
static RUNS_SHELL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(subprocess\.|os\.system|os\.popen|shell\s*=\s*True|\bexecSync\(|\bexec\(|shell_exec|\bsystem\s*\(|passthru|\bpopen|sh\s+-c|bash\s+-c|Process\.Start|Runtime\.getRuntime|%x\(|\bspawn\()").unwrap()
});

/// Calls that quote a name or value for SQL text.
static SQL_QUOTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(quote_ident|quote_literal|quote_identifier|sql\.Identifier|sql\.Literal|QuoteIdentifier|QuoteLiteral|real_escape_string|escape_string|sanitize_sql\w*|quote_table_name|quote_column_name|quoteIdentifier|escapeId|escapeIdentifier|escapeLiteral)\s*\(").unwrap()
});
/// SQL text.
static WRITES_SQL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(select\s+.+\s+from|insert\s+into|update\s+\w+\s+set|delete\s+from|order\s+by|\bwhere\s+\w)").unwrap()
});

/// Parser settings that keep XML from reading external entities and DTDs.
static XML_GUARD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(disallow-doctype-decl|external-general-entities|external-parameter-entities|load-external-dtd|FEATURE_SECURE_PROCESSING|ACCESS_EXTERNAL_(?:DTD|SCHEMA|STYLESHEET)|setExpandEntityReferences|DtdProcessing\.Prohibit|XmlResolver\s*=\s*null|resolve_entities\s*=\s*False|LIBXML_NONET|libxml_disable_entity_loader)").unwrap()
});
/// Parsing XML.
static PARSES_XML: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(DocumentBuilder|SAXParser|XMLInputFactory|XmlReader|XmlDocument|TransformerFactory|SchemaFactory|etree|XMLParser|parseString|simplexml|DOMDocument|Unmarshaller|xml2js|DOMParser)").unwrap()
});

static FAMILIES: &[Family] = &[
    Family {
        cleans: &HTML,
        still_used_for: None,
        lost: "text that went through it now reaches the page raw",
    },
    Family {
        cleans: &FILE_NAME,
        still_used_for: Some(&BUILDS_PATH),
        lost: "the client's file name reaches the path as sent, so a name like `../../etc/cron.d/job` writes outside the folder",
    },
    Family {
        cleans: &SHELL_QUOTE,
        still_used_for: Some(&RUNS_SHELL),
        lost: "the value reaches the shell as written, so a `;`, quote or `$(…)` in it runs as a command",
    },
    Family {
        cleans: &SQL_QUOTE,
        still_used_for: Some(&WRITES_SQL),
        lost: "the value goes into the SQL text as written: SQL injection",
    },
    Family {
        cleans: &XML_GUARD,
        still_used_for: Some(&PARSES_XML),
        lost: "whoever sends the XML can make the parser read local files and reach internal hosts through external entities (XXE)",
    },
];

/// A library and its twin that does the same without the protection.
struct Twin {
    /// The protected library, as the file names it.
    safe: &'static LazyLock<Regex>,
    /// Its unprotected twin.
    unsafe_twin: &'static LazyLock<Regex>,
    /// What the swap loses.
    lost: &'static str,
}

static GO_HTML_TEMPLATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#""html/template""#).unwrap());
static GO_TEXT_TEMPLATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#""text/template""#).unwrap());
static DEFUSED_XML: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\bdefusedxml\b").unwrap());
static PLAIN_XML: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(from|import)\s+(xml\.(etree|dom|sax|parsers)|lxml)\b").unwrap()
});

static TWINS: &[Twin] = &[
    Twin {
        safe: &GO_HTML_TEMPLATE,
        unsafe_twin: &GO_TEXT_TEMPLATE,
        lost: "it renders with text/template where html/template was used: nothing in the page is HTML-escaped any more, so every value in it is cross-site scripting",
    },
    Twin {
        safe: &DEFUSED_XML,
        unsafe_twin: &PLAIN_XML,
        lost: "it parses XML with the standard parser where defusedxml was used: external entities and entity expansion (\"billion laughs\") work again for whoever sends the XML",
    },
];

/// Cleaners the change removes and does not call again anywhere, and
/// protected libraries swapped for their unprotected twins.
pub fn check(f: &FileView<'_>, change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    if !f.class.production() || f.class.ci || f.class.infra || f.class.migration {
        return;
    }
    for family in FAMILIES {
        cleaner_removed(f, change, family, out);
    }
    for twin in TWINS {
        twin_swapped(f, twin, out);
    }
    sort_allow_list_dropped(f, change, out);
    cleaned_before_rendering(f, out);
}

/// Markdown cleaned before it is rendered, its HTML not after: a
/// sanitiser passes markdown syntax through untouched, so a link written
/// in markdown (`[x](javascript:…)`) or a raw block becomes live markup
/// once rendered. The cleaning has to come last, on the HTML.
fn cleaned_before_rendering(f: &FileView<'_>, out: &mut Vec<Finding>) {
    static CLEANED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(?:const|let|var|val)?\s*(\w+)\s*:?[\w<>\[\]]*\s*=\s*(?:await\s+)?(DOMPurify\.sanitize|purify\.sanitize|sanitize_?html|sanitizeHtml|sanitize|bleach\.clean|strip_tags|filterXSS)\s*\(").unwrap()
    });
    static RENDER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(?:const|let|var|val)?\s*(\w+)\s*:?[\w<>\[\]]*\s*=\s*(?:await\s+)?((?:marked(?:\.parse)?|\w*md\w*\.render|markdown_?it\(\)\.render|markdown\.markdown|markdown\.render|\w*\.makeHtml|mistune\.html|commonmark\w*|micromark|snarkdown)\s*\(\s*(\w+))").unwrap()
    });
    if !f.class.production() || !f.added_text.contains('(') {
        return;
    }
    let cleaned: Vec<&str> = f
        .added_code()
        .filter_map(|l| {
            CLEANED
                .captures(l.text)
                .map(|c| c.get(1).map_or("", |m| m.as_str()))
        })
        .collect();
    if cleaned.is_empty() {
        return;
    }
    for l in f.added_code() {
        let Some(c) = RENDER.captures(l.text) else {
            continue;
        };
        let (output, call, input) = (&c[1], &c[2], &c[3]);
        if !cleaned.contains(&input) {
            continue;
        }
        // The rendered HTML cleaned again further on: fine.
        let again = Regex::new(&format!(r"\b(DOMPurify\.sanitize|sanitize\w*|bleach\.clean|purify\w*|filterXSS)\s*\(\s*{output}\b")).unwrap();
        if f.added
            .iter()
            .any(|x| x.no > l.no && again.is_match(x.text))
        {
            continue;
        }
        out.push(Finding::added(
            "sanitised-before-render",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "`{}` is cleaned before `{}` turns it into HTML, and the HTML (`{}`) is not cleaned after: markdown the cleaner leaves alone (`[x](javascript:…)`, a raw HTML block) comes out as live markup.",
                quote(input),
                quote(call.split('(').next().unwrap_or(call)),
                quote(output)
            ),
        ));
        return;
    }
}

/// A clause of SQL that names a column rather than taking a value: no
/// placeholder can stand in it, so only a closed list keeps it safe.
static IDENTIFIER_CLAUSE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(order\s+by|group\s+by)\b").unwrap());
static CALLED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b([A-Za-z_]\w*)\s*\(").unwrap());
static QUOTED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#""[^"\n]*"|'[^'\n]*'"#).unwrap());

/// Whether `text` defines `name` as a function and, in the lines after,
/// maps to at least two quoted column names (a `switch` or table of
/// columns; a pattern or a replacement is no name).
fn defines_column_table(text: &str, name: &str) -> bool {
    let def = Regex::new(&format!(
        r"(?m)^\s*(?:(?:private|public|protected|static|final|def|func|fn|function|async|pub)\s+)*(?:[\w<>\[\].?]+\s+)?{}\s*\(",
        regex::escape(name)
    ));
    let Ok(def) = def else {
        return false;
    };
    let Some(m) = def.find(text) else {
        return false;
    };
    let body: String = text[m.end()..]
        .lines()
        .take(15)
        .collect::<Vec<_>>()
        .join("\n");
    QUOTED
        .find_iter(&body)
        .filter(|q| {
            let name = &q.as_str()[1..q.as_str().len() - 1];
            !name.is_empty()
                && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        })
        .count()
        >= 2
}

/// The column of an `ORDER BY` that came from a function mapping the
/// caller's choice to a fixed list of columns, the function deleted by the
/// change and something else written into the clause in its place (`.append(
/// columnFor(sort.field()))` → `.append(sort.column())`): whoever picks the
/// sort now writes SQL.
fn sort_allow_list_dropped(f: &FileView<'_>, change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    let mapped: Vec<String> = f
        .removed_code()
        .filter(|l| IDENTIFIER_CLAUSE.is_match(l.text))
        .flat_map(|l| {
            CALLED
                .captures_iter(l.text)
                .map(|c| c[1].to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    if mapped.is_empty() {
        return;
    }
    let old_texts = || change.files.iter().filter_map(|x| x.old_text());
    let new_texts = || change.files.iter().filter_map(|x| x.new_text());
    let Some(table) = mapped.iter().find(|name| {
        old_texts().any(|t| defines_column_table(t, name))
            && !new_texts().any(|t| t.contains(&format!("{name}(")))
    }) else {
        return;
    };
    // A clause that still goes through such a table, renamed or another.
    let mapped_now = |line: &str| {
        CALLED
            .captures_iter(line)
            .any(|c| new_texts().any(|t| defines_column_table(t, &c[1])))
    };
    let Some(l) = f
        .added_code()
        .find(|l| IDENTIFIER_CLAUSE.is_match(l.text) && !mapped_now(l.text))
    else {
        return;
    };
    out.push(Finding::added(
        "sql-identifier-unchecked",
        Severity::High,
        f.path,
        Some(l.no),
        format!(
            "The column of this clause came from `{}`, which mapped the caller's choice to a fixed list of columns; the change deletes it and writes `{}` instead: whoever picks the sort now writes SQL.",
            quote(table),
            quote(l.text.trim())
        ),
    ));
}

fn cleaner_removed(
    f: &FileView<'_>,
    change: &ChangeView<'_>,
    family: &Family,
    out: &mut Vec<Finding>,
) {
    let Some((l, name)) = f.removed_code().find_map(|l| {
        let c = family.cleans.captures(l.text)?;
        Some((l, c[1].to_string()))
    }) else {
        return;
    };
    // The file no longer does what needed the cleaning.
    if let Some(used) = family.still_used_for
        && !used.is_match(&f.new_text_or_hunks())
    {
        return;
    }
    // Still cleaned: this or another cleaner of the family is called on the
    // new side of any file of the change (moved into a helper), or the new
    // code goes through something named safe (`renderSafeMarkdown(…)`).
    // A cleaner the change writes itself out of regular expressions over
    // tags does not count: regexes miss what HTML parsers read
    // (`<img src=x onerror=…>` unquoted, `<svg onload>`, entities).
    let hand_rolled = if std::ptr::eq(family.cleans, &HTML) {
        regex_html_cleaners(change)
    } else {
        Vec::new()
    };
    let real_cleaner = |t: &str| {
        family
            .cleans
            .captures_iter(t)
            .any(|c| !hand_rolled.iter().any(|h| h == &c[1]))
    };
    let kept = change
        .files
        .iter()
        .filter(|g| g.class.production())
        .any(|g| {
            g.added_code()
                .any(|a| real_cleaner(a.text) || calls_something_safe(a.text))
                || g.new_text().is_some_and(|t| t.contains(name.as_str()))
        });
    if kept {
        return;
    }
    if let Some(own) = hand_rolled.first() {
        out.push(Finding::removed(
            "sec-sanitiser-removed",
            Severity::High,
            f.path,
            Some(l.no),
            format!(
                "`{}` is replaced by `{}`, a cleaner the change writes out of regular expressions: they miss what a browser still runs (an unquoted `onerror=`, `<svg onload>`, entity-encoded `javascript:`), so {}.",
                quote(&name),
                quote(own),
                family.lost
            ),
        ));
        return;
    }
    out.push(Finding::removed(
        "sec-sanitiser-removed",
        Severity::High,
        f.path,
        Some(l.no),
        format!(
            "`{}` is no longer called, and nothing in the change cleans instead: {} (`{}` was the line).",
            quote(&name),
            family.lost,
            quote(l.text.trim())
        ),
    ));
}

/// Functions the change defines whose file strips HTML with regular
/// expressions over tags (`/<script\b…/gi`, `re.sub(r"<…`).
fn regex_html_cleaners(change: &ChangeView<'_>) -> Vec<String> {
    static TAG_REGEX: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(=\s*/<\w|\(\s*/<\w|/\\s\+on\[|/\\s\*on\w|\bre\.(sub|compile)\(\s*r?["']<|\bgsub\(\s*/<|\bRegex\(\s*@?"<)"#).unwrap()
    });
    static DEFINES: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*(?:export\s+)?(?:default\s+)?(?:async\s+)?(?:function\s+|def\s+|fn\s+|(?:const|let|var)\s+)([A-Za-z_$][\w$]*)").unwrap()
    });
    let mut out = Vec::new();
    for g in change.files.iter().filter(|g| g.class.production()) {
        if !g.added_code().any(|a| TAG_REGEX.is_match(a.text)) {
            continue;
        }
        for a in g.added_code() {
            if let Some(c) = DEFINES.captures(a.text)
                && HTML.is_match(&format!("{}(", &c[1]))
            {
                out.push(c[1].to_string());
            }
        }
    }
    out
}

/// A call to something whose name says it is safe (not `unsafe…`).
fn calls_something_safe(line: &str) -> bool {
    static SAFE_CALL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)\b(\w*safe\w*)\s*\(").unwrap());
    SAFE_CALL
        .captures_iter(line)
        .any(|c| !c[1].to_ascii_lowercase().contains("unsafe"))
}

fn twin_swapped(f: &FileView<'_>, twin: &Twin, out: &mut Vec<Finding>) {
    if !f.removed_code().any(|l| twin.safe.is_match(l.text)) {
        return;
    }
    let Some(added) = f.added_code().find(|l| twin.unsafe_twin.is_match(l.text)) else {
        return;
    };
    if f.added_code().any(|l| twin.safe.is_match(l.text))
        || f.new_text().is_some_and(|t| twin.safe.is_match(t))
    {
        return;
    }
    out.push(Finding::added(
        "sec-safe-library-swapped",
        Severity::High,
        f.path,
        Some(added.no),
        format!(
            "In `{}`, {} (`{}` is the new line).",
            quote(f.path),
            twin.lost,
            quote(added.text.trim())
        ),
    ));
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_for_change as rules;

    const REMOVED: &str = "sec-sanitiser-removed";
    const SWAPPED: &str = "sec-safe-library-swapped";

    #[test]
    fn markdown_cleaned_before_rendering_and_not_after_is_found() {
        let old = "export function renderMarkdown(source: string): string {\n  return DOMPurify.sanitize(marked.parse(source) as string);\n}\n";
        let new = "export function renderMarkdown(source: string): string {\n  const clean = DOMPurify.sanitize(source, CONFIG) as string;\n  const html = marked.parse(clean, { async: false }) as string;\n  return html;\n}\n";
        let hit = |new: &str| rules(&[("src/composables/useMarkdown.ts", old, new)]);
        assert!(
            hit(new).contains(&"sanitised-before-render".to_string()),
            "{:?}",
            hit(new)
        );
        // Cleaned again once rendered: fine.
        let twice = new.replace(
            "  return html;",
            "  return DOMPurify.sanitize(html, CONFIG) as string;",
        );
        assert!(!hit(&twice).contains(&"sanitised-before-render".to_string()));
    }

    #[test]
    fn a_sanitiser_dropped_from_rendered_comments_is_found() {
        let old = "const bodyHtml = computed(() =>\n  DOMPurify.sanitize(linkify(props.comment.body)),\n);\n";
        let new = "const bodyHtml = computed(() => renderMarkdown(props.comment.body));\n";
        let helper = "export function renderMarkdown(s) {\n  return marked.parse(s);\n}\n";
        let hit = rules(&[
            ("src/components/Comment.vue", old, new),
            ("src/utils/markdown.ts", "", helper),
        ]);
        assert!(hit.contains(&REMOVED.to_string()), "{hit:?}");
        // The helper sanitises what it renders: moved, not dropped.
        let safe = helper.replace("marked.parse(s)", "DOMPurify.sanitize(marked.parse(s))");
        let hit = rules(&[
            ("src/components/Comment.vue", old, new),
            ("src/utils/markdown.ts", "", &safe),
        ]);
        assert!(!hit.contains(&REMOVED.to_string()), "{hit:?}");
    }

    #[test]
    fn a_sanitiser_library_swapped_for_a_regex_cleaner_is_found() {
        let old = "import DOMPurify from 'dompurify';\nconst html = computed(() => DOMPurify.sanitize(marked.parse(props.body)));\n";
        let new = "import { sanitizeHtml } from '@/utils/sanitizeHtml';\nconst html = computed(() => sanitizeHtml(marked.parse(props.body)));\n";
        let by_regex = "const SCRIPT_TAG = /<script\\b[^<]*(?:(?!<\\/script>)<[^<]*)*<\\/script>/gi;\nconst HANDLER = /\\s+on[a-z]+\\s*=\\s*\"[^\"]*\"/gi;\n\nexport function sanitizeHtml(html: string): string {\n  return html.replace(SCRIPT_TAG, '').replace(HANDLER, '');\n}\n";
        let hit = rules(&[
            ("src/components/CommentBody.vue", old, new),
            ("src/utils/sanitizeHtml.ts", "", by_regex),
        ]);
        assert!(hit.contains(&REMOVED.to_string()), "{hit:?}");
        // The same name, from the sanitize-html library: still a parser.
        let library = "import sanitize from 'sanitize-html';\n\nexport function sanitizeHtml(html: string): string {\n  return sanitize(html, { allowedTags: ['b', 'i', 'a', 'p'] });\n}\n";
        let hit = rules(&[
            ("src/components/CommentBody.vue", old, new),
            ("src/utils/sanitizeHtml.ts", "", library),
        ]);
        assert!(!hit.contains(&REMOVED.to_string()), "{hit:?}");
        // Python: bleach swapped for re.sub over tags.
        let old = "def render(body):\n    return Markup(bleach.clean(markdown(body)))\n";
        let new = "TAGS = re.compile(r\"<(script|style)[^>]*>.*?</\\1>\", re.S)\n\ndef strip_html(s):\n    return TAGS.sub('', s)\n\ndef render(body):\n    return Markup(strip_html(markdown(body)))\n";
        let hit = rules(&[("app/comments/render.py", old, new)]);
        assert!(hit.contains(&REMOVED.to_string()), "{hit:?}");
    }

    #[test]
    fn the_same_in_python_with_bleach() {
        let old = "def render(comment):\n    return Markup(bleach.clean(markdown(comment.body)))\n";
        let new = "def render(comment):\n    return Markup(markdown(comment.body))\n";
        let hit = rules(&[("app/comments/render.py", old, new)]);
        assert!(hit.contains(&REMOVED.to_string()), "{hit:?}");
    }

    #[test]
    fn an_upload_name_no_longer_cleaned_before_it_is_joined_is_found() {
        let old = "def store(upload):\n    name = secure_filename(upload.filename)\n    path = os.path.join(UPLOAD_DIR, name)\n    upload.save(path)\n    return path\n";
        let new = "def store(upload):\n    name = upload.filename.strip()\n    path = os.path.join(UPLOAD_DIR, name)\n    upload.save(path)\n    return path\n";
        let hit = rules(&[("app/documents/uploads.py", old, new)]);
        assert!(hit.contains(&REMOVED.to_string()), "{hit:?}");
        // Replaced by werkzeug's safe_join: still cleaned.
        let joined = "def store(upload):\n    path = safe_join(UPLOAD_DIR, upload.filename)\n    upload.save(path)\n    return path\n";
        let hit = rules(&[("app/documents/uploads.py", old, joined)]);
        assert!(!hit.contains(&REMOVED.to_string()), "{hit:?}");
        // Go: the name is no longer reduced to its base.
        let old = "func save(h *multipart.FileHeader) (string, error) {\n\tname := filepath.Base(h.Filename)\n\tdst := filepath.Join(root, name)\n\treturn dst, copyTo(h, dst)\n}\n";
        let new = old.replace("filepath.Base(h.Filename)", "strings.TrimSpace(h.Filename)");
        let hit = rules(&[("internal/upload/store.go", old, &new)]);
        assert!(hit.contains(&REMOVED.to_string()), "{hit:?}");
        // A basename dropped from a log line of a file that builds no path.
        let old = "def report(p):\n    log.info(\"done %s\", os.path.basename(p))\n";
        let new = "def report(p):\n    log.info(\"done %s\", p)\n";
        let hit = rules(&[("app/jobs/report.py", old, new)]);
        assert!(!hit.contains(&REMOVED.to_string()), "{hit:?}");
    }

    #[test]
    fn a_value_no_longer_quoted_for_the_shell_is_found() {
        let old = "def thumbnail(src, dst):\n    cmd = f\"convert {shlex.quote(src)} -resize 200x200 {shlex.quote(dst)}\"\n    subprocess.run(cmd, shell=True, check=True)\n";
        let new = "def thumbnail(src, dst):\n    cmd = f\"convert {src} -resize 200x200 {dst}\"\n    subprocess.run(cmd, shell=True, check=True)\n";
        let hit = rules(&[("media/thumbs.py", old, new)]);
        assert!(hit.contains(&REMOVED.to_string()), "{hit:?}");
        // The shell is gone too: an argument list needs no quoting.
        let list = "def thumbnail(src, dst):\n    argv = [\"convert\", src, \"-resize\", \"200x200\", dst]\n    run_tool(argv)\n";
        let hit = rules(&[("media/thumbs.py", old, list)]);
        assert!(!hit.contains(&REMOVED.to_string()), "{hit:?}");
    }

    #[test]
    fn an_identifier_no_longer_quoted_for_sql_is_found() {
        let old = "def page(cur, column):\n    q = sql.SQL(\"SELECT id FROM orders ORDER BY {}\").format(sql.Identifier(column))\n    cur.execute(q)\n";
        let new = "def page(cur, column):\n    q = f\"SELECT id FROM orders ORDER BY {column}\"\n    cur.execute(q)\n";
        let hit = rules(&[("app/reports/orders.py", old, new)]);
        assert!(hit.contains(&REMOVED.to_string()), "{hit:?}");
    }

    #[test]
    fn xml_entity_protection_dropped_is_found() {
        let old = "DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();\nf.setFeature(\"http://apache.org/xml/features/disallow-doctype-decl\", true);\nDocument d = f.newDocumentBuilder().parse(in);\n";
        let new = "DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();\nf.setNamespaceAware(true);\nDocument d = f.newDocumentBuilder().parse(in);\n";
        let hit = rules(&[("src/main/java/com/acme/invoices/XmlImport.java", old, new)]);
        assert!(hit.contains(&REMOVED.to_string()), "{hit:?}");
        // Only moved into a shared factory the change adds.
        let shared = "static DocumentBuilderFactory safe() {\n  DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();\n  f.setFeature(\"http://apache.org/xml/features/disallow-doctype-decl\", true);\n  return f;\n}\n";
        let hit = rules(&[
            ("src/main/java/com/acme/invoices/XmlImport.java", old, new),
            ("src/main/java/com/acme/xml/Factories.java", "", shared),
        ]);
        assert!(!hit.contains(&REMOVED.to_string()), "{hit:?}");
    }

    #[test]
    fn a_protected_library_swapped_for_its_twin_is_found() {
        let old = "package mail\n\nimport (\n\t\"bytes\"\n\t\"html/template\"\n)\n\nvar page = template.Must(template.New(\"p\").Parse(src))\n";
        let new = old.replace("\"html/template\"", "\"text/template\"");
        let hit = rules(&[("internal/mail/render.go", old, &new)]);
        assert!(hit.contains(&SWAPPED.to_string()), "{hit:?}");
        // Both kept: text/template for plain-text mail beside html/template.
        let both = old.replace(
            "\"html/template\"",
            "\"html/template\"\n\ttexttpl \"text/template\"",
        );
        let hit = rules(&[("internal/mail/render.go", old, &both)]);
        assert!(!hit.contains(&SWAPPED.to_string()), "{hit:?}");
        let old = "from defusedxml import ElementTree as ET\n\ndef parse(body):\n    return ET.fromstring(body)\n";
        let new = "from xml.etree import ElementTree as ET\n\ndef parse(body):\n    return ET.fromstring(body)\n";
        let hit = rules(&[("app/feeds/parse.py", old, new)]);
        assert!(hit.contains(&SWAPPED.to_string()), "{hit:?}");
    }
}
