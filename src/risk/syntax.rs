//! Syntax trees of changed source files: each side of a file is parsed with
//! tree-sitter and boiled down, function by function, to what decides its
//! behaviour — conditions (and the guard clauses among them: an `if` whose body
//! leaves early), calls, raises, error handlers (and whether they still
//! propagate), and literals with the key they are bound to. `behaviour` compares
//! the two sides. Plain data: text in, `Unit`s out; nothing here reads git.
//!
//! One generic walker serves every grammar: the grammars name their nodes
//! alike (`if_statement`, `call_expression`, `catch_clause`, …), and the few
//! differences are in the tables below.

use std::sync::LazyLock;

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use regex::Regex;
use tree_sitter::{Node, Tree};

mod reuse;

/// A grammar this module can parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Grammar {
    Python,
    JavaScript,
    TypeScript,
    Tsx,
    Go,
    Java,
    Rust,
    Ruby,
    Php,
    CSharp,
    Kotlin,
    Bash,
}

impl Grammar {
    /// The grammar for a path, from its extension.
    pub fn of(path: &str) -> Option<Grammar> {
        let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
        let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
        Some(match ext {
            "py" | "pyw" => Grammar::Python,
            "js" | "jsx" | "mjs" | "cjs" => Grammar::JavaScript,
            "ts" | "mts" | "cts" => Grammar::TypeScript,
            "tsx" => Grammar::Tsx,
            "go" => Grammar::Go,
            "java" => Grammar::Java,
            "rs" => Grammar::Rust,
            "rb" | "rake" => Grammar::Ruby,
            "php" => Grammar::Php,
            "cs" => Grammar::CSharp,
            "kt" | "kts" => Grammar::Kotlin,
            "sh" | "bash" => Grammar::Bash,
            _ if matches!(name.as_str(), "gemfile" | "rakefile") => Grammar::Ruby,
            _ => return None,
        })
    }

    fn language(self) -> tree_sitter::Language {
        match self {
            Grammar::Python => tree_sitter_python::LANGUAGE.into(),
            Grammar::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Grammar::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Grammar::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Grammar::Go => tree_sitter_go::LANGUAGE.into(),
            Grammar::Java => tree_sitter_java::LANGUAGE.into(),
            Grammar::Rust => tree_sitter_rust::LANGUAGE.into(),
            Grammar::Ruby => tree_sitter_ruby::LANGUAGE.into(),
            Grammar::Php => tree_sitter_php::LANGUAGE_PHP.into(),
            Grammar::CSharp => tree_sitter_c_sharp::LANGUAGE.into(),
            Grammar::Kotlin => tree_sitter_kotlin_ng::LANGUAGE.into(),
            Grammar::Bash => tree_sitter_bash::LANGUAGE.into(),
        }
    }
}

/// A piece of text at a line (1-based, on its own side).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub text: String,
    pub line: u32,
}

/// An `if` whose body leaves early: a guard clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guard {
    /// The condition, whitespace collapsed.
    pub cond: String,
    /// The statement that leaves (`abort(403)`, `raise Forbidden()`, `return err`).
    pub exit: String,
    pub line: u32,
    /// The exit signals failure (raise, throw, abort, an error or 4xx returned)
    /// rather than a plain early return.
    pub failing: bool,
}

/// An error handler (`except`, `catch`, `rescue`, Go's `if err != nil`, a
/// Rust `Err(_) =>` arm).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handler {
    /// What it catches (empty for everything).
    pub caught: String,
    pub line: u32,
    /// The failure still reaches the caller (re-raised, thrown, returned).
    pub propagates: bool,
    /// It logs.
    pub logs: bool,
    /// What it returns instead, if anything (`None`, `[]`, `nil`, a default).
    pub returns: Option<String>,
}

/// A literal and the name it is bound to (keyword argument, key, assigned
/// variable, or `call()` for a positional argument).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Literal {
    pub key: String,
    pub value: String,
    pub line: u32,
}

/// A call that registers something under a string key with handlers passed by
/// name — `router.post("/refund", requireAdmin, refund)` — and the guard-like
/// names among them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// Callee and first argument: `post "/orders/:id/refund"`.
    pub key: String,
    pub guards: Vec<String>,
    pub line: u32,
}

/// A function (or a file's top level, named `<top>`) boiled down.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unit {
    /// `Class.method`, `function`, or `<top>`.
    pub name: String,
    pub line: u32,
    pub end_line: u32,
    pub guards: Vec<Guard>,
    pub conditions: Vec<Fact>,
    /// Callee names (last segment: `self.require_admin` → `require_admin`),
    /// plus guard-like names passed as arguments (route middleware).
    pub calls: Vec<Fact>,
    pub raises: Vec<Fact>,
    pub handlers: Vec<Handler>,
    pub literals: Vec<Literal>,
    /// Decorators, annotations and attributes.
    pub decorators: Vec<Fact>,
    pub returns: Vec<Fact>,
    /// Registrations with handlers passed by name (routes and their middleware).
    pub routes: Vec<Route>,
    /// What each logging call logs: its arguments, whitespace collapsed, with
    /// the callee (`LogInformation: "…", method, headers`).
    pub logged: Vec<Fact>,
}

/// A parsed side of a file.
#[derive(Debug, Clone, Default)]
pub struct Outline {
    pub units: Vec<Unit>,
}

impl Outline {
    /// The unit named `name`.
    pub fn get(&self, name: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.name == name)
    }
}

/// Words that make a call a check: a call to one of these that disappears is a
/// guard dropped.
pub static GUARD_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(^|_|[a-z])(require|ensure|check([^o]|o[^u]|$)|verify|validate|authori[sz]e|authenticate|permi(t|ssion)|forbid|deny|guard|protect|csrf|xsrf|sanitize|escape|assert|must|enforce|only_admin|admin_only|login_required|rate_?limit|throttle|signature|hmac|can_|abort_unless|policy|scope)").unwrap()
});
static LOG_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(log|logger|logging|console|print|println|eprintln|printf|puts|warn|warning|info|debug|error|exception|trace|capture_exception|capture_message|report|notify|fmt\.print\w*|log\w*|\w*log|sentry\w*|_|gettext|t|i18n|tr|format|sprintf|errorf|wrap|wrapf|new)!?$").unwrap()
});
/// Callees that write to a log or the console (the last segment of the
/// callee: `logger.info` → `info`, `_logger.LogWarning` → `LogWarning`).
pub(crate) static LOGGING_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(log\w*|\w*log|logger|logging|console|print|println!?|eprintln!?|printf|puts|p|pp|warn(ing)?|info|debug|error|trace|fatal|critical|notice|print(f|ln)?)$").unwrap()
});
static FAILING_EXIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\berr\b|\b[a-z]{1,3}err\b|\w+_err\b|\berror|Err\(|exception|\b4\d\d\b|forbidden|unauthori[sz]ed|denied|invalid|abort|raise|throw|panic|false\b|halt|die\b|exit\b|redirect|\bnot_?found\b|\bbad_?request\b|\bforbid\b|\bconflict\b|(?-i:\bErr[A-Z]\w*|[A-Za-z]Error\b))").unwrap()
});
static EXIT_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(abort|exit|die|panic|halt|raise|fail|deny|forbid|http_error|render_forbidden|head|redirect_to|redirect|sys\.exit|os\.Exit|log\.Fatal\w*|process\.exit|throw_unless|abort_if|abort_unless|unreachable!|panic!|bail!)$").unwrap()
});

/// A call that answers a request with an error status: `http.Error(w, …,
/// 400)`, `w.WriteHeader(http.StatusForbidden)`, `res.status(500)`,
/// `c.AbortWithStatus(…)`.
static ERROR_RESPONSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(http\.Error\(|\w+\.WriteHeader\(\s*(http\.Status(BadRequest|Unauthorized|Forbidden|NotFound|Conflict|InternalServerError|UnprocessableEntity|ServiceUnavailable|BadGateway)|[45]\d\d)|\w+\.(status|Status)\(\s*[45]\d\d|\w+\.Abort\w*\(|\w+\.(JSON|String)\(\s*(http\.Status(BadRequest|Unauthorized|Forbidden|NotFound|InternalServerError)|[45]\d\d)|(write|respond|render|send)_?[Ee]rror\w*\(|\w+\.Error\(\s*\w*[Ee]rr\w*\s*\)|handle\w*Err(or)?\w*\(|\w+\.[Rr]edirect\w*\([^)]*[Ee]rror)").unwrap()
});

/// A handler's last expression that stands in for the result it could not
/// get: `true`, `TenantPolicy::default()`, `Decision.approve()`.
static STAND_IN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(true|ok\(true\)|[\w:.]*(default|approve|allow|permit|grant|accept)\w*(\(\))?)$",
    )
    .unwrap()
});

/// A guard clause's body is short: a few statements (a log call over
/// several lines, a response, a return) before it leaves.
const GUARD_BODY_ROWS: usize = 12;
/// Statements a guard clause's body may have, however many rows they take.
const GUARD_BODY_STATEMENTS: usize = 3;

const FUNCTION_KINDS: &[&str] = &[
    "function_definition",
    "function_declaration",
    "generator_function_declaration",
    "method_definition",
    "method_declaration",
    "constructor_declaration",
    "function_item",
    "method",
    "singleton_method",
    "local_function_statement",
    "func_literal",
    "arrow_function",
    "function_expression",
    "function",
];
const CLASS_KINDS: &[&str] = &[
    "class_definition",
    "class_declaration",
    "class",
    "module",
    "impl_item",
    "interface_declaration",
    "struct_declaration",
    "record_declaration",
    "trait_item",
    "object_declaration",
    "companion_object",
];
const IF_KINDS: &[&str] = &[
    "if_statement",
    "if_expression",
    "if",
    "unless",
    "if_modifier",
    "unless_modifier",
    "elif_clause",
    "else_if_clause",
    "conditional_expression",
    "ternary_expression",
    "while_statement",
    "guard",
    "when_entry",
];
const CALL_KINDS: &[&str] = &[
    "call",
    "call_expression",
    "method_invocation",
    "invocation_expression",
    "function_call_expression",
    "member_call_expression",
    "scoped_call_expression",
    "nullsafe_member_call_expression",
    "macro_invocation",
    "command",
    "new_expression",
    "object_creation_expression",
];
const RAISE_KINDS: &[&str] = &["raise_statement", "throw_statement", "throw_expression"];
const RETURN_KINDS: &[&str] = &["return_statement", "return_expression", "return"];
const HANDLER_KINDS: &[&str] = &["except_clause", "catch_clause", "rescue", "catch_block"];
/// Decorators, annotations and attributes (Rust's `attribute_item`, C#'s
/// `attribute_list`; not the `attribute` inside them, which in Python is
/// plain member access such as `g.user.has_role`).
const DECORATOR_KINDS: &[&str] = &[
    "decorator",
    "annotation",
    "marker_annotation",
    "attribute_item",
    "attribute_list",
];

fn is_literal_kind(k: &str) -> bool {
    matches!(
        k,
        "string"
            | "string_literal"
            | "interpreted_string_literal"
            | "raw_string_literal"
            | "template_string"
            | "encapsed_string"
            | "integer"
            | "integer_literal"
            | "number_literal"
            | "int_literal"
            | "float"
            | "float_literal"
            | "real_literal"
            | "number"
            | "decimal_integer_literal"
            | "decimal_floating_point_literal"
            | "true"
            | "false"
            | "boolean"
            | "boolean_literal"
            | "none"
            | "nil"
            | "null"
            | "null_literal"
            | "simple_symbol"
    )
}

/// Parses `text` with `grammar`; `None` when tree-sitter gives up.
pub fn outline(grammar: Grammar, text: &str) -> Option<Outline> {
    let tree = reuse::parse(grammar, text, None)?;
    let (units, _) = walk(grammar, &tree, text, None, false)?;
    Some(finish(units))
}

/// Like [`outline`], for the file at `path`, reusing what this process
/// already parsed of another version of the same file: the new text is
/// parsed incrementally from the old tree, and every subtree tree-sitter
/// reuses contributes the units and facts recorded for it before, its lines
/// shifted. The outline is the same as [`outline`]'s; the time is that of the
/// lines that differ.
pub fn outline_of(grammar: Grammar, path: &str, text: &str) -> Option<Outline> {
    reuse::outline(grammar, path, text, reuse::MIN_BASE_BYTES)
}

/// Walks a parsed tree into units (names not yet made unique), replaying the
/// subtrees that `from` says are unchanged since its base (and the statements
/// it left out of the parse) and, when `record` is set, recording spans for a
/// later walk of another version. `None` when a statement left out could not
/// be put back where it was.
fn walk(
    grammar: Grammar,
    tree: &Tree,
    text: &str,
    from: Option<&reuse::Derived<'_>>,
    record: bool,
) -> Option<(Vec<Unit>, HashMap<SpanKey, Span>)> {
    let root = tree.root_node();
    let mut w = Walker {
        src: text.as_bytes(),
        units: vec![Unit {
            name: "<top>".into(),
            line: 1,
            end_line: root.end_position().row as u32 + 1,
            ..Unit::default()
        }],
        classes: Vec::new(),
        stack: Vec::with_capacity(64),
        spans: record.then(HashMap::new),
        from,
        python: grammar == Grammar::Python,
        next_gap: 0,
        gaps_lost: false,
    };
    w.visit(root, 0);
    let gaps = from.map_or(0, |f| f.gaps.len());
    (!w.gaps_lost && w.next_gap == gaps).then(|| (w.units, w.spans.unwrap_or_default()))
}

/// The type a Go receiver list names: `(f *SetCookieFilter)` →
/// `SetCookieFilter`, `(l List[T])` → `List`.
fn go_receiver_type(list: &str) -> Option<String> {
    let inner = list.trim().strip_prefix('(')?.strip_suffix(')')?;
    let ty = inner.split_whitespace().last()?.trim_start_matches('*');
    let ty = ty.split('[').next().unwrap_or(ty);
    (!ty.is_empty() && ty.chars().all(|c| c.is_alphanumeric() || c == '_')).then(|| ty.to_string())
}

/// Units with names unique within the file: `get#2` for a second `get`.
fn finish(mut units: Vec<Unit>) -> Outline {
    let mut seen: HashMap<String, u32> = HashMap::new();
    for u in &mut units {
        let n = seen.entry(u.name.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            u.name = format!("{}#{}", u.name, n);
        }
    }
    Outline { units }
}

/// Whitespace collapsed, at most 120 characters, laid out one way: no space
/// just inside brackets, no trailing comma before a closing one. A
/// formatter that wraps `fullmatch(origin)` over three lines, or a set
/// literal one member per line, writes the same code.
pub fn squash(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(128));
    for w in s.split_whitespace() {
        let closes = w.starts_with([')', ']', '}']);
        if closes && out.ends_with(',') {
            out.pop();
        }
        if !out.is_empty() && !out.ends_with(['(', '[', '{']) && !closes {
            out.push(' ');
        }
        out.push_str(w);
        if out.len() > 120 {
            break;
        }
    }
    if out.chars().count() > 120 {
        out = out.chars().take(119).collect();
        out.push('…');
    }
    out
}

/// The last segment of a callee: `self.auth.require_admin` → `require_admin`.
pub fn last_segment(callee: &str) -> &str {
    let c = callee.trim();
    let c = c.split(['(', '<']).next().unwrap_or(c);
    c.rsplit(|ch: char| matches!(ch, '.' | ':' | '>' | '\\') || ch.is_whitespace())
        .find(|s| !s.is_empty())
        .unwrap_or(c)
}

/// The method a callee names, through a chain of calls:
/// `fetcher.NewRequestBuilder().\n\tWithTimeout` → `WithTimeout`,
/// `session.query(User).filter` → `filter`. What the chain's earlier calls
/// passed is not the name of this one.
fn chained_segment(callee: &str) -> String {
    if !callee.contains('(') {
        return last_segment(callee).to_string();
    }
    let mut depth = 0usize;
    let outside: String = callee
        .chars()
        .filter(|&ch| match ch {
            '(' => {
                depth += 1;
                false
            }
            ')' => {
                depth = depth.saturating_sub(1);
                false
            }
            _ => depth == 0,
        })
        .collect();
    last_segment(&outside).to_string()
}

/// What the walk of one subtree added, recorded so that the walk of another
/// version of the file can add it again when tree-sitter reuses the subtree.
#[derive(Debug, Clone)]
struct Span {
    /// The unit the subtree's facts went to.
    unit: u32,
    /// The ranges of that unit's fact lists the subtree filled, in
    /// [`Unit::fact_lens`] order.
    facts: [(u32, u32); FACT_LISTS],
    /// The units the subtree created.
    units: (u32, u32),
    /// The subtree's first row.
    row: u32,
    /// What the walk read outside the subtree ([`Walker::context`]).
    context: u64,
    /// Another node has the same key.
    ambiguous: bool,
}

/// A node by where it is and what it is: start and end byte, kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct SpanKey(usize, usize, u16);

impl SpanKey {
    fn of(n: Node<'_>) -> SpanKey {
        SpanKey(n.start_byte(), n.end_byte(), n.kind_id())
    }
}

/// Subtrees smaller than this are walked again rather than replayed.
const SPAN_MIN_BYTES: usize = 96;

const FACT_LISTS: usize = 10;

impl Unit {
    fn fact_lens(&self) -> [u32; FACT_LISTS] {
        [
            self.guards.len() as u32,
            self.conditions.len() as u32,
            self.calls.len() as u32,
            self.raises.len() as u32,
            self.handlers.len() as u32,
            self.literals.len() as u32,
            self.decorators.len() as u32,
            self.returns.len() as u32,
            self.routes.len() as u32,
            self.logged.len() as u32,
        ]
    }

    /// Appends `from`'s facts in the ranges `r`, `shift` rows further down.
    fn extend_shifted(&mut self, from: &Unit, r: &[(u32, u32); FACT_LISTS], shift: i64) {
        let sh = |l: u32| (i64::from(l) + shift) as u32;
        let rg = |i: usize| r[i].0 as usize..r[i].1 as usize;
        let fact = |f: &Fact| Fact {
            text: f.text.clone(),
            line: sh(f.line),
        };
        self.guards.extend(from.guards[rg(0)].iter().map(|g| Guard {
            line: sh(g.line),
            ..g.clone()
        }));
        self.conditions
            .extend(from.conditions[rg(1)].iter().map(fact));
        self.calls.extend(from.calls[rg(2)].iter().map(fact));
        self.raises.extend(from.raises[rg(3)].iter().map(fact));
        self.handlers
            .extend(from.handlers[rg(4)].iter().map(|h| Handler {
                line: sh(h.line),
                ..h.clone()
            }));
        self.literals
            .extend(from.literals[rg(5)].iter().map(|l| Literal {
                line: sh(l.line),
                ..l.clone()
            }));
        self.decorators
            .extend(from.decorators[rg(6)].iter().map(fact));
        self.returns.extend(from.returns[rg(7)].iter().map(fact));
        self.routes.extend(from.routes[rg(8)].iter().map(|x| Route {
            line: sh(x.line),
            ..x.clone()
        }));
        self.logged.extend(from.logged[rg(9)].iter().map(fact));
    }

    /// A copy of the unit `shift` rows further down.
    fn shifted(&self, shift: i64) -> Unit {
        if shift == 0 {
            return self.clone();
        }
        let all = self.fact_lens().map(|n| (0, n));
        let mut u = Unit {
            name: self.name.clone(),
            line: (i64::from(self.line) + shift) as u32,
            end_line: (i64::from(self.end_line) + shift) as u32,
            ..Unit::default()
        };
        u.extend_shifted(self, &all, shift);
        u
    }
}

/// An annotation on a parameter (`@AuthenticationPrincipal User u`, Nest's
/// `@Body() dto`, `[FromBody]`): it injects or describes the argument and
/// decorates nothing the unit does.
fn on_parameter(d: Node<'_>) -> bool {
    const PARAMETER_KINDS: &[&str] = &[
        "formal_parameter",
        "formal_parameters",
        "spread_parameter",
        "required_parameter",
        "optional_parameter",
        "parameter",
        "parameter_list",
        "parameters",
        "function_value_parameters",
    ];
    let mut cur = d.parent();
    for _ in 0..4 {
        let Some(x) = cur else { return false };
        if PARAMETER_KINDS.contains(&x.kind()) {
            return true;
        }
        cur = x.parent();
    }
    false
}

struct Walker<'s, 't> {
    src: &'s [u8],
    units: Vec<Unit>,
    classes: Vec<String>,
    /// The ancestors of the node being visited, nearest last (`Node::parent`
    /// costs a descent from the root each time).
    stack: Vec<Node<'t>>,
    /// Spans recorded, when this walk makes a base.
    spans: Option<HashMap<SpanKey, Span>>,
    /// The base whose spans this walk replays, and how the text differs.
    from: Option<&'s reuse::Derived<'s>>,
    /// Python: a function that is a statement of a module or block is
    /// replayed whole (its decorators are inside a `decorated_definition`,
    /// its name in its own `name` field).
    python: bool,
    /// The next of `from`'s gaps to put back.
    next_gap: usize,
    /// A gap was not where the walk expected it.
    gaps_lost: bool,
}

/// The statements of a block, comments left out; Go's block wraps them in
/// a statement list, which is looked into.
fn statements(body: Node<'_>) -> Vec<Node<'_>> {
    let mut c = body.walk();
    let mut out: Vec<Node<'_>> = body
        .named_children(&mut c)
        .filter(|x| !x.kind().contains("comment"))
        .collect();
    if let [only] = out.as_slice()
        && only.kind() == "statement_list"
    {
        let only = *only;
        let mut c = only.walk();
        out = only
            .named_children(&mut c)
            .filter(|x| !x.kind().contains("comment"))
            .collect();
    }
    out
}

impl<'s, 't> Walker<'s, 't> {
    fn text(&self, n: Node<'_>) -> &'s str {
        std::str::from_utf8(&self.src[n.start_byte()..n.end_byte()]).unwrap_or("")
    }

    fn line(n: Node<'_>) -> u32 {
        n.start_position().row as u32 + 1
    }

    /// The text of `n` with the block body of each function literal in it
    /// put as `{…}` (a one-expression arrow stays: it is the value).
    fn without_bodies(&self, n: Node<'_>) -> String {
        let mut bodies = Vec::new();
        let mut stack = vec![n];
        while let Some(x) = stack.pop() {
            if x != n
                && FUNCTION_KINDS.contains(&x.kind())
                && let Some(b) = x.child_by_field_name("body")
                && (b.kind().contains("block") || b.start_position().row != b.end_position().row)
            {
                bodies.push((b.start_byte(), b.end_byte()));
                continue;
            }
            let mut c = x.walk();
            stack.extend(x.named_children(&mut c));
        }
        if bodies.is_empty() {
            return self.text(n).to_string();
        }
        bodies.sort_unstable();
        let mut out = String::new();
        let mut at = n.start_byte();
        for (from, to) in bodies {
            out.push_str(std::str::from_utf8(&self.src[at..from]).unwrap_or(""));
            out.push_str("{…}");
            at = to;
        }
        out.push_str(std::str::from_utf8(&self.src[at..n.end_byte()]).unwrap_or(""));
        out
    }

    /// The name of a function node, if it is a unit of its own.
    fn unit_name(&self, n: Node<'_>) -> Option<String> {
        if let Some(name) = n.child_by_field_name("name") {
            return Some(self.text(name).to_string());
        }
        // `const handler = (req, res) => …`, `handler: function () {…}`,
        // `exports.x = function`.
        let p = *self.stack.last()?;
        let field = match p.kind() {
            "variable_declarator" => "name",
            "pair" => "key",
            "assignment_expression" | "assignment" => "left",
            _ => return None,
        };
        let name = p
            .child_by_field_name(field)
            .map(|k| last_segment(self.text(k)).to_string())?;
        if p.kind() != "pair" {
            return Some(name);
        }
        // `visible: () => …` inside `export const deleteDocument =
        // createAction({…})`: named by the object it belongs to, so the
        // `visible` of one action is not paired with the next one's.
        let owner = self
            .stack
            .iter()
            .rev()
            .skip(1)
            .find_map(|a| match a.kind() {
                "variable_declarator" => a.child_by_field_name("name"),
                "pair" => a.child_by_field_name("key"),
                _ => None,
            });
        Some(match owner {
            Some(o) => format!("{}.{name}", last_segment(self.text(o))),
            None => name,
        })
    }

    /// What the walk of a subtree reads outside it: the class it is in, and
    /// the kinds (and the keys and callees) of the ancestors a literal's key
    /// is looked up in.
    fn context(&self) -> u64 {
        let mut h = std::hash::DefaultHasher::new();
        self.classes.last().hash(&mut h);
        self.stack.len().min(5).hash(&mut h);
        for a in self.stack.iter().rev().take(4) {
            a.kind_id().hash(&mut h);
            match key_field(a.kind()) {
                Some(field) => a
                    .child_by_field_name(field)
                    .or_else(|| a.named_child(0))
                    .map(|k| self.text(k))
                    .hash(&mut h),
                None if CALL_KINDS.contains(&a.kind()) => self.callee(*a).hash(&mut h),
                None => {}
            }
        }
        h.finish()
    }

    fn visit(&mut self, n: Node<'t>, unit: usize) {
        let kind = n.kind();
        if kind == "comment" || kind == "line_comment" || kind == "block_comment" {
            return;
        }
        // Functions and decorators read their neighbours, which a reused
        // subtree does not include: only other nodes are replayed.
        let span_like = (self.from.is_some() || self.spans.is_some())
            && n.end_byte() - n.start_byte() >= SPAN_MIN_BYTES
            && n.is_named()
            && (!FUNCTION_KINDS.contains(&kind) && !DECORATOR_KINDS.contains(&kind)
                || self.python
                    && kind == "function_definition"
                    && self
                        .stack
                        .last()
                        .is_some_and(|p| matches!(p.kind(), "module" | "block")));
        if !span_like {
            return self.visit_node(n, unit);
        }
        if let Some(from) = self.from {
            if let Some(s) = from.unchanged(n)
                && s.context == self.context()
            {
                self.replay(s, unit, n.start_position().row);
                // The statements left out of the parse inside it come with it.
                while from
                    .gaps
                    .get(self.next_gap)
                    .is_some_and(|g| g.start >= n.start_byte() && g.end <= n.end_byte())
                {
                    self.next_gap += 1;
                }
                return;
            }
            return self.visit_node(n, unit);
        }
        let context = self.context();
        let before = self.units[unit].fact_lens();
        let first = self.units.len() as u32;
        self.visit_node(n, unit);
        let after = self.units[unit].fact_lens();
        let span = Span {
            unit: unit as u32,
            facts: std::array::from_fn(|i| (before[i], after[i])),
            units: (first, self.units.len() as u32),
            row: n.start_position().row as u32,
            context,
            ambiguous: false,
        };
        if let Some(spans) = &mut self.spans {
            // Two nodes of one kind over the same text (a node and its only
            // child): which one a later lookup means is unclear, so neither
            // is replayed.
            spans
                .entry(SpanKey::of(n))
                .and_modify(|s| s.ambiguous = true)
                .or_insert(span);
        }
    }

    /// Adds what the base recorded for a subtree now at `row`.
    fn replay(&mut self, s: &Span, unit: usize, row: usize) {
        let Some(from) = self.from else { return };
        let base = from.base;
        let shift = row as i64 - i64::from(s.row);
        self.units[unit].extend_shifted(&base.units[s.unit as usize], &s.facts, shift);
        for u in &base.units[s.units.0 as usize..s.units.1 as usize] {
            self.units.push(u.shifted(shift));
        }
    }

    /// Puts back the statements left out of the parse that come before
    /// `upto` among the children of `n` (on top of the stack).
    fn fill_gaps(&mut self, n: Node<'t>, upto: usize, unit: usize) {
        let Some(from) = self.from else { return };
        while let Some(g) = from.gaps.get(self.next_gap)
            && g.end <= upto
        {
            self.next_gap += 1;
            let span = from.base.spans.get(&g.key).filter(|s| !s.ambiguous);
            match span {
                Some(s)
                    if g.start >= n.start_byte()
                        && n.kind_id() == g.parent_kind
                        && s.context == self.context() =>
                {
                    self.replay(s, unit, g.row);
                }
                _ => self.gaps_lost = true,
            }
        }
    }

    fn visit_node(&mut self, n: Node<'t>, unit: usize) {
        let kind = n.kind();
        let mut unit = unit;
        let mut pushed_class = false;
        if CLASS_KINDS.contains(&kind) {
            let name = n
                .child_by_field_name("name")
                .or_else(|| n.child_by_field_name("type"))
                .map(|c| self.text(c).to_string());
            if let Some(name) = name {
                self.classes.push(name);
                pushed_class = true;
            }
        } else if FUNCTION_KINDS.contains(&kind)
            && let Some(name) = self.unit_name(n)
        {
            // A Go method is named by its receiver's type: `CaddyModule` of
            // one filter is not `CaddyModule` of the next.
            let receiver = (kind == "method_declaration")
                .then(|| n.child_by_field_name("receiver"))
                .flatten()
                .and_then(|r| go_receiver_type(self.text(r)));
            let qual = match receiver.or_else(|| self.classes.last().cloned()) {
                Some(c) => format!("{c}.{name}"),
                None => name,
            };
            let decorators = self.decorators_of(n);
            self.units.push(Unit {
                name: qual,
                line: Self::line(n),
                end_line: n.end_position().row as u32 + 1,
                decorators,
                ..Unit::default()
            });
            unit = self.units.len() - 1;
        } else {
            self.record(n, unit);
            if is_literal_kind(kind) {
                return; // a literal's parts are not literals of their own
            }
        }
        self.stack.push(n);
        let mut c = n.walk();
        if c.goto_first_child() {
            loop {
                let child = c.node();
                self.fill_gaps(n, child.start_byte(), unit);
                self.visit(child, unit);
                if !c.goto_next_sibling() {
                    break;
                }
            }
        }
        if let Some(from) = self.from
            && from
                .gaps
                .get(self.next_gap)
                .is_some_and(|g| g.start < n.end_byte())
        {
            // A gap inside `n` but after its last child: not where it was.
            self.gaps_lost = true;
        }
        self.stack.pop();
        if pushed_class {
            self.classes.pop();
        }
    }

    /// A Go `if x := expr; cond` read with `expr` in place of `x` when the
    /// condition reads `x` once, so the check compares equal to one written
    /// without the short declaration. Errors and comma-ok pairs keep their
    /// names.
    fn with_initializer(&self, n: Node<'_>, cond: String) -> String {
        let Some(init) = n.child_by_field_name("initializer") else {
            return cond;
        };
        if init.kind() != "short_var_declaration" {
            return cond;
        }
        let (Some(left), Some(right)) = (
            init.child_by_field_name("left"),
            init.child_by_field_name("right"),
        ) else {
            return cond;
        };
        if left.named_child_count() != 1 || right.named_child_count() != 1 {
            return cond;
        }
        let name = self.text(left).trim();
        if matches!(name, "err" | "ok" | "_")
            || !name.chars().all(|c| c.is_alphanumeric() || c == '_')
        {
            return cond;
        }
        let expr = squash(self.text(right));
        // A name the condition reads more than once is there to be reused
        // (`s == nil || s.Role != "admin"`): the condition keeps it.
        let ident = |c: char| c.is_alphanumeric() || c == '_';
        let mut uses = cond.match_indices(name).filter(|(i, _)| {
            !cond[..*i].chars().next_back().is_some_and(ident)
                && !cond[i + name.len()..].chars().next().is_some_and(ident)
        });
        let (Some((at, _)), None) = (uses.next(), uses.next()) else {
            return cond;
        };
        format!("{}{expr}{}", &cond[..at], &cond[at + name.len()..])
    }

    fn record(&mut self, n: Node<'_>, unit: usize) {
        if !n.is_named() {
            return;
        }
        let kind = n.kind();
        let line = Self::line(n);
        if IF_KINDS.contains(&kind) {
            // A `when` branch without a condition is its `else`.
            if kind == "when_entry" && n.child_by_field_name("condition").is_none() {
                return;
            }
            let cond = n
                .child_by_field_name("condition")
                .or_else(|| n.named_child(0))
                .map(|c| squash(strip_parens(self.text(c))))
                .unwrap_or_default();
            if cond.is_empty() {
                return;
            }
            let go_err = cond.ends_with("err != nil") || cond.contains("err != nil");
            let cond = self.with_initializer(n, cond);
            let body = n
                .child_by_field_name("consequence")
                .or_else(|| n.child_by_field_name("body"));
            // Ruby modifiers and bash: the statements that are not the
            // condition, up to an `elif`/`else`.
            let statements: Vec<Node<'_>> = match body {
                Some(b) => vec![b],
                None => {
                    let mut c = n.walk();
                    let condition = n.child_by_field_name("condition");
                    // Kotlin's `if` names no branch: its `else` is a bare
                    // keyword between them.
                    n.children(&mut c)
                        .take_while(|x| x.kind() != "else")
                        .filter(|x| x.is_named())
                        .filter(|x| Some(*x) != condition && x.kind() != "comment")
                        .take_while(|x| !x.kind().contains("elif") && !x.kind().contains("else"))
                        .collect()
                }
            };
            if go_err && let Some(b) = statements.first().copied() {
                let h = self.handler(b, "error".into(), line);
                self.units[unit].handlers.push(h);
            } else if !statements.is_empty()
                && !matches!(kind, "conditional_expression" | "ternary_expression")
                && let Some((exit, failing)) = self.exit_of_any(&statements)
            {
                self.units[unit].guards.push(Guard {
                    cond: cond.clone(),
                    exit,
                    line,
                    failing,
                });
            } else if let Some(exit) = self.returned_arm(n, &statements) {
                // A branch of a `when` the function returns is a guard
                // clause written as an expression: `cond -> Rejected(…)`
                // leaves with that value as `if (cond) return Rejected(…)`.
                let failing = FAILING_EXIT.is_match(&exit);
                self.units[unit].guards.push(Guard {
                    cond: cond.clone(),
                    exit,
                    line,
                    failing,
                });
            }
            self.units[unit].conditions.push(Fact { text: cond, line });
        } else if CALL_KINDS.contains(&kind) {
            if let Some(name) = self.callee(n) {
                if kind == "command" && name.is_empty() {
                    return;
                }
                if matches!(
                    name.as_str(),
                    "raise" | "fail" | "panic" | "panic!" | "bail!"
                ) {
                    let text = squash(self.text(n));
                    self.units[unit].raises.push(Fact { text, line });
                }
                if LOGGING_CALL.is_match(&name)
                    && let Some(args) = n
                        .child_by_field_name("arguments")
                        .or_else(|| n.child_by_field_name("argument"))
                {
                    let args: String = self
                        .text(args)
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                        .chars()
                        .take(1000)
                        .collect();
                    let text = format!("{name}: {args}");
                    self.units[unit].logged.push(Fact { text, line });
                }
                self.units[unit].calls.push(Fact { text: name, line });
            }
            // Route middleware passed by name: `router.get("/x", requireAdmin, h)`.
            if let Some(args) = n.child_by_field_name("arguments") {
                let mut c = args.walk();
                let mut guards = Vec::new();
                let mut route = None;
                for (i, a) in args.named_children(&mut c).enumerate() {
                    if i == 0 && a.kind().contains("string") {
                        route = Some(squash(self.text(a)));
                    }
                    if matches!(
                        a.kind(),
                        "identifier" | "member_expression" | "simple_symbol"
                    ) {
                        let t = self.text(a).trim_start_matches(':');
                        let name = last_segment(t);
                        // A constant (`readCookie(CSRF_COOKIE)`) is a value
                        // handed over, not a middleware that runs.
                        let constant = name.len() > 1
                            && name
                                .chars()
                                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
                        if GUARD_WORDS.is_match(name) && !constant {
                            guards.push(name.to_string());
                            self.units[unit].calls.push(Fact {
                                text: name.to_string(),
                                line,
                            });
                        }
                    }
                }
                if args.named_child_count() >= 2
                    && let (Some(route), Some(callee)) = (route, self.callee(n))
                {
                    self.units[unit].routes.push(Route {
                        key: format!("{callee} {route}"),
                        guards,
                        line,
                    });
                }
            }
        } else if RAISE_KINDS.contains(&kind) {
            let text = squash(self.text(n));
            self.units[unit].raises.push(Fact { text, line });
        } else if RETURN_KINDS.contains(&kind) {
            // A returned closure is code of its own: its statements are
            // compared as statements, not as one changed return value.
            let mut text = squash(&self.without_bodies(n));
            // A component's markup is what it shows, not what it decides:
            // its conditions and calls are read as such.
            // (Markup opens and closes with a tag; `<T as Trait>::f()` and
            // `<Foo>bar` do not.)
            let value = text
                .trim_start_matches("return")
                .trim_start()
                .trim_start_matches('(')
                .trim_start();
            let closes = value.trim_end_matches([';', ')', ' ']).ends_with('>');
            if value.starts_with('<') && closes {
                text = "return <markup>".to_string();
            }
            self.units[unit].returns.push(Fact { text, line });
        } else if HANDLER_KINDS.contains(&kind) {
            let caught = self.caught(n);
            let h = self.handler(n, caught, line);
            self.units[unit].handlers.push(h);
        } else if kind == "let_declaration"
            && let Some(alt) = n.child_by_field_name("alternative")
        {
            // Rust's `let Some(x) = y else { return … };` is a guard clause.
            let cond = format!(
                "let {} = {}",
                n.child_by_field_name("pattern")
                    .map_or("", |p| self.text(p)),
                n.child_by_field_name("value").map_or("", |v| self.text(v))
            );
            let cond = squash(&cond);
            if let Some((exit, failing)) = self.exit_of(alt) {
                self.units[unit].guards.push(Guard {
                    cond: cond.clone(),
                    exit,
                    line,
                    failing,
                });
            }
            self.units[unit].conditions.push(Fact { text: cond, line });
        } else if kind == "match_arm" {
            if let Some(p) = n.child_by_field_name("pattern")
                && self.text(p).trim_start().starts_with("Err")
                && let Some(v) = n.child_by_field_name("value")
            {
                let h = self.handler(v, "Err".into(), line);
                self.units[unit].handlers.push(h);
            }
        } else if DECORATOR_KINDS.contains(&kind) && !self.decorates_function(n) && !on_parameter(n)
        {
            let text = squash(self.text(n));
            self.units[unit].decorators.push(Fact { text, line });
        } else if is_literal_kind(kind)
            && let Some(key) = self.literal_key(n)
        {
            let value = squash(self.text(n));
            self.units[unit].literals.push(Literal { key, value, line });
        }
    }

    /// Decorators written before a function (Python's `decorated_definition`,
    /// Rust attributes and TypeScript decorators as preceding siblings).
    fn decorators_of(&self, f: Node<'_>) -> Vec<Fact> {
        let mut out = Vec::new();
        let mut cur = f.prev_named_sibling();
        while let Some(d) = cur {
            if !DECORATOR_KINDS.contains(&d.kind()) {
                break;
            }
            let text = squash(self.text(d));
            out.push(Fact {
                text,
                line: Self::line(d),
            });
            cur = d.prev_named_sibling();
        }
        out
    }

    /// A decorator that `decorators_of` gives to the function after it.
    fn decorates_function(&self, d: Node<'_>) -> bool {
        let mut cur = d.next_named_sibling();
        while let Some(x) = cur {
            if FUNCTION_KINDS.contains(&x.kind()) {
                return true;
            }
            if !DECORATOR_KINDS.contains(&x.kind()) && x.kind() != "comment" {
                return false;
            }
            cur = x.next_named_sibling();
        }
        false
    }

    /// The callee's last segment.
    fn callee(&self, n: Node<'_>) -> Option<String> {
        let f = n
            .child_by_field_name("function")
            .or_else(|| n.child_by_field_name("method"))
            .or_else(|| n.child_by_field_name("macro"))
            .or_else(|| n.child_by_field_name("constructor"))
            .or_else(|| n.child_by_field_name("type"))
            // Kotlin's `call_expression` names no field: the callee is its
            // first child.
            .or_else(|| {
                (n.kind() == "call_expression")
                    .then(|| n.named_child(0))
                    .flatten()
            });
        if n.kind() == "method_invocation" || n.kind().ends_with("member_call_expression") {
            return n
                .child_by_field_name("name")
                .map(|x| self.text(x).to_string());
        }
        if n.kind() == "command" {
            return n
                .child_by_field_name("name")
                .map(|x| self.text(x).to_string());
        }
        let f = f?;
        let t = chained_segment(self.text(f));
        Some(if n.kind() == "macro_invocation" {
            format!("{t}!")
        } else {
            t
        })
    }

    /// The exception type an `except`/`catch`/`rescue` names ("" for all).
    fn caught(&self, n: Node<'_>) -> String {
        if let Some(v) = n
            .child_by_field_name("value")
            .or_else(|| n.child_by_field_name("exceptions"))
        {
            let t = squash(self.text(v));
            return t.split(" as ").next().unwrap_or(&t).to_string();
        }
        let mut c = n.walk();
        // Kotlin: `catch (e: IOException)`, the type after the name.
        if n.kind() == "catch_block" {
            return n
                .named_children(&mut c)
                .find(|ch| ch.kind() == "type" || ch.kind() == "user_type")
                .map(|t| squash(self.text(t)))
                .unwrap_or_default();
        }
        for ch in n.named_children(&mut c) {
            match ch.kind() {
                "block" | "statement_block" | "comment" | "then" | "body_statement" => continue,
                "catch_formal_parameter" | "catch_declaration" | "formal_parameter" => {
                    if let Some(t) = ch.child_by_field_name("type") {
                        return squash(self.text(t));
                    }
                    // `final IOException | TimeoutException e`: all but the name.
                    let t = squash(self.text(ch));
                    let t = t.trim_start_matches("final ");
                    return t.rsplit_once(' ').map_or(t, |(ty, _)| ty).to_string();
                }
                "exceptions" | "identifier" | "attribute" | "tuple" | "as_pattern"
                | "type_identifier" | "qualified_name" | "catch_type" | "named_type"
                | "type_list" => {
                    let t = self.text(ch);
                    return squash(t.split(" as ").next().unwrap_or(t));
                }
                _ => {}
            }
        }
        String::new()
    }

    /// How a handler's body ends: propagates, logs, returns a stand-in.
    fn handler(&self, body: Node<'_>, caught: String, line: u32) -> Handler {
        let mut h = Handler {
            caught,
            line,
            propagates: false,
            logs: false,
            returns: None,
        };
        self.scan_handler(body, &mut h, true);
        // A handler that re-raises only for one kind of failure (`if
        // errors.Is(err, context.Canceled) { return err }`) and otherwise
        // ends on a plain return answers every other failure with that.
        if h.propagates
            && let Some(last) = statements(body).pop()
            && RETURN_KINDS.contains(&last.kind())
            && !self.propagates_unconditionally(body)
        {
            let value = self.returned(last);
            if !FAILING_EXIT.is_match(value) && !value.contains("err") {
                h.propagates = false;
                h.returns = Some(if value.is_empty() {
                    "nothing".into()
                } else {
                    squash(value)
                });
            }
        }
        if h.returns.is_none() && !h.propagates {
            // Ruby, Rust and Kotlin hand back a handler's last expression:
            // `rescue Vendor::Error => e; log…; []` returns `[]`.
            let mut last = body;
            // Down through blocks and statement wrappers only, never into
            // an expression (`record(e, 0)` does not return `0`).
            let body_id = body.id();
            let container = |id: usize, k: &str| {
                id == body_id
                    || k.contains("block")
                    || k.contains("body")
                    || k.contains("statement")
                    || matches!(k, "then" | "else" | "rescue" | "catch_clause")
            };
            while last.named_child_count() > 0 && container(last.id(), last.kind()) {
                let Some(c) = last.named_child((last.named_child_count() - 1) as u32) else {
                    break;
                };
                if c.kind().contains("comment") {
                    break;
                }
                last = c;
            }
            let t = squash(self.text(last).trim());
            if last.id() != body.id()
                && (matches!(
                    t.as_str(),
                    "[]" | "{}"
                        | "nil"
                        | "None"
                        | "false"
                        | "0"
                        | "Vec::new()"
                        | "emptyList()"
                        | "null"
                ) || STAND_IN.is_match(&t))
            {
                h.returns = Some(t);
            }
        }
        h
    }

    /// Whether a handler's own statements, leaving out the `if`s nested in
    /// it, pass the failure on.
    fn propagates_unconditionally(&self, body: Node<'_>) -> bool {
        statements(body)
            .into_iter()
            .filter(|s| !s.kind().contains("if"))
            .any(|s| {
                let mut h = Handler {
                    caught: String::new(),
                    line: 0,
                    propagates: false,
                    logs: false,
                    returns: None,
                };
                self.scan_handler(s, &mut h, false);
                h.propagates
            })
    }

    /// What a `return` statement hands back, as written (empty for a bare
    /// `return`).
    fn returned(&self, n: Node<'_>) -> &str {
        self.text(n)
            .trim_start_matches("return")
            .trim()
            .trim_end_matches(';')
            .trim()
    }

    fn scan_handler(&self, n: Node<'_>, h: &mut Handler, top: bool) {
        let kind = n.kind();
        if !top && FUNCTION_KINDS.contains(&kind) {
            return;
        }
        if RAISE_KINDS.contains(&kind) || kind == "try_expression" {
            h.propagates = true;
        } else if RETURN_KINDS.contains(&kind) {
            let value = self.returned(n);
            if FAILING_EXIT.is_match(value) && !value.starts_with("nil, nil") {
                h.propagates = true;
            } else if h.returns.is_none() {
                h.returns = Some(if value.is_empty() {
                    "nothing".into()
                } else {
                    squash(value)
                });
            }
        } else if CALL_KINDS.contains(&kind)
            && let Some(name) = self.callee(n)
        {
            if matches!(
                name.as_str(),
                "raise" | "fail" | "panic" | "panic!" | "bail!" | "abort" | "exit" | "die"
            ) || name.starts_with("Fatal")
                || name == "reject"
                || name == "next" && self.text(n).contains("err")
                || ERROR_RESPONSE.is_match(self.text(n))
            {
                // An HTTP handler answers the failure with an error status:
                // its caller (the client) hears of it.
                h.propagates = true;
            } else if LOG_CALL.is_match(&name) || name.to_ascii_lowercase().contains("log") {
                h.logs = true;
            }
        }
        let mut c = n.walk();
        for ch in n.children(&mut c) {
            self.scan_handler(ch, h, false);
        }
    }

    /// Whether a block is a few statements, one of which leaves directly.
    fn few_statements_then_leaves(&self, body: Node<'_>) -> bool {
        let mut c = body.walk();
        let statements: Vec<Node<'_>> = body
            .named_children(&mut c)
            .filter(|x| x.kind() != "comment")
            .collect();
        statements.len() <= GUARD_BODY_STATEMENTS
            && statements
                .iter()
                .any(|s| RETURN_KINDS.contains(&s.kind()) || RAISE_KINDS.contains(&s.kind()))
    }

    /// [`Self::exit_of`] over a body given as a run of statements.
    /// The exit of a Kotlin `when` branch whose value the function returns
    /// (`return when { … }`, `fun f() = when { … }`): `return <value>`.
    fn returned_arm(&self, entry: Node<'_>, statements: &[Node<'_>]) -> Option<String> {
        if entry.kind() != "when_entry" {
            return None;
        }
        let value = statements.last()?;
        if value
            .end_position()
            .row
            .saturating_sub(value.start_position().row)
            > GUARD_BODY_ROWS
        {
            return None;
        }
        let when = entry.parent().filter(|w| w.kind() == "when_expression")?;
        let outer = when.parent()?;
        let returned = match outer.kind() {
            "jump_expression" | "return_expression" => {
                self.text(outer).trim_start().starts_with("return")
            }
            "function_body" => true,
            _ => false,
        };
        returned.then(|| format!("return {}", squash(self.text(*value))))
    }

    fn exit_of_any(&self, statements: &[Node<'_>]) -> Option<(String, bool)> {
        let (first, last) = (statements.first()?, statements.last()?);
        let one_block = statements.len() == 1 && self.few_statements_then_leaves(*first);
        if last
            .end_position()
            .row
            .saturating_sub(first.start_position().row)
            > GUARD_BODY_ROWS
            && !one_block
        {
            return None;
        }
        statements.iter().find_map(|s| self.exit_of(*s))
    }

    /// The statement by which a guard's body leaves, and whether it signals failure.
    fn exit_of(&self, body: Node<'_>) -> Option<(String, bool)> {
        // Only short bodies are guard clauses: few rows, or a few statements
        // of which one leaves (a log call spread over ten rows, then
        // `return`), not a nested block that leaves somewhere inside.
        if body
            .end_position()
            .row
            .saturating_sub(body.start_position().row)
            > GUARD_BODY_ROWS
            && !self.few_statements_then_leaves(body)
        {
            return None;
        }
        let mut stack = vec![body];
        while let Some(n) = stack.pop() {
            let kind = n.kind();
            if FUNCTION_KINDS.contains(&kind) {
                continue;
            }
            if RAISE_KINDS.contains(&kind) {
                return Some((squash(self.text(n)), true));
            }
            if RETURN_KINDS.contains(&kind) {
                let t = squash(self.text(n));
                // A bare `return` after sending a 401, logging an error or
                // setting a failure status fails too.
                let failing = FAILING_EXIT.is_match(&t)
                    || t.trim_end_matches(';') == "return"
                        && FAILING_EXIT.is_match(self.text(body));
                return Some((t, failing));
            }
            if CALL_KINDS.contains(&kind)
                && let Some(name) = self.callee(n)
            {
                if EXIT_CALL.is_match(&name) {
                    return Some((squash(self.text(n)), true));
                }
                // The shell's `return N` is a command: failing unless N is 0.
                if name == "return" && kind == "command" {
                    let t = squash(self.text(n));
                    let code = t.trim_start_matches("return").trim();
                    return Some((t.clone(), !(code.is_empty() || code == "0")));
                }
            }
            let mut c = n.walk();
            let kids: Vec<Node<'_>> = n.children(&mut c).collect();
            stack.extend(kids.into_iter().rev());
        }
        None
    }

    /// The name a literal is bound to, if it is bound to one that matters.
    fn literal_key(&self, n: Node<'_>) -> Option<String> {
        for p in self.stack.iter().rev().take(4) {
            let p = *p;
            let field = match p.kind() {
                "return_statement" | "return_expression" | "return" => {
                    return Some("return".into());
                }
                "expression_statement" | "comment" => return None, // docstrings
                k => key_field(k),
            };
            if let Some(field) = field {
                let k = p
                    .child_by_field_name(field)
                    .or_else(|| p.named_child(0))
                    .map(|k| self.text(k))?;
                if k.contains(self.text(n)) && k.len() == self.text(n).len() {
                    return None; // the literal is the key itself
                }
                let k = k.trim_matches(|c| c == '"' || c == '\'' || c == ':');
                return Some(last_segment(k).to_string());
            }
            if CALL_KINDS.contains(&p.kind()) {
                let name = self.callee(p)?;
                if LOG_CALL.is_match(&name) {
                    return None;
                }
                return Some(format!("{name}()"));
            }
            if p.kind() == "binary_expression" || p.kind() == "comparison_operator" {
                return None; // part of a condition, compared as such
            }
        }
        None
    }
}

/// The field that names what a literal under a node of `kind` is bound to.
fn key_field(kind: &str) -> Option<&'static str> {
    match kind {
        "keyword_argument" => Some("name"),
        "pair" | "element_value_pair" | "keyed_element" | "dictionary_pair" => Some("key"),
        "assignment"
        | "assignment_expression"
        | "assignment_statement"
        | "short_var_declaration"
        | "augmented_assignment" => Some("left"),
        "variable_declarator"
        | "const_item"
        | "static_item"
        | "const_spec"
        | "var_spec"
        | "property_declaration"
        | "constant_declaration" => Some("name"),
        "let_declaration" => Some("pattern"),
        "field_initializer" | "shorthand_field_initializer" => Some("field"),
        _ => None,
    }
}

fn strip_parens(s: &str) -> &str {
    let t = s.trim();
    if t.starts_with('(') && t.ends_with(')') {
        t[1..t.len() - 1].trim()
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_returns_are_one_fact_and_qualified_paths_stay_code() {
        let tsx = "export function Header({ id }) {\n  return (\n    <H3>\n      <b>{id}</b>\n    </H3>\n  );\n}\n";
        let o = outline(Grammar::Tsx, tsx).unwrap();
        let r = &o.get("Header").unwrap().returns;
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].text, "return <markup>");
        let rust = "fn make() -> Config {\n    return <Config as Default>::default();\n}\n";
        let o = outline(Grammar::Rust, rust).unwrap();
        let r = &o.get("make").unwrap().returns;
        assert_eq!(r.len(), 1);
        assert!(r[0].text.contains("Config as Default"), "{:?}", r[0].text);
    }

    #[test]
    fn python_functions_guards_handlers_and_literals() {
        let src = r#"
import requests

@login_required
def payroll(user):
    if user.role != "hr_admin":
        abort(403)
    try:
        charge(user, timeout=5)
    except PaymentError as e:
        log.warning("failed %s", e)
        raise
    return build()
"#;
        let o = outline(Grammar::Python, src).unwrap();
        let u = o.get("payroll").unwrap();
        assert_eq!(u.guards.len(), 1);
        assert_eq!(u.guards[0].cond, "user.role != \"hr_admin\"");
        assert!(u.guards[0].failing);
        assert_eq!(u.handlers.len(), 1);
        assert!(u.handlers[0].propagates && u.handlers[0].logs);
        assert_eq!(u.handlers[0].caught, "PaymentError");
        assert!(u.calls.iter().any(|c| c.text == "charge"));
        assert!(
            u.literals
                .iter()
                .any(|l| l.key == "timeout" && l.value == "5"),
            "{:?}",
            u.literals
        );
        assert!(u.decorators.iter().any(|d| d.text == "@login_required"));
    }

    #[test]
    fn a_guard_whose_log_call_spans_many_rows_is_still_a_guard() {
        let src = "async function authenticate(req, res, next) {\n  try {\n    next();\n  } catch (err) {\n    if (err instanceof TokenError) {\n      logger.warn(\n        {\n          path: req.path,\n          reason: err.reason,\n          requestId: req.id,\n          kid: kidOf(req),\n          at: Date.now(),\n        },\n        \"access token rejected\",\n      );\n      res.status(401).json({ error: \"invalid_token\" });\n      return;\n    }\n    next(err);\n  }\n}\n";
        let o = outline(Grammar::JavaScript, src).unwrap();
        let u = o.get("authenticate").unwrap();
        assert!(
            u.guards
                .iter()
                .any(|g| g.cond == "err instanceof TokenError" && g.exit == "return;"),
            "{:?}",
            u.guards
        );
        // A long block that leaves only inside a nested branch is no guard.
        let nested = "def get(request):\n    if user.is_authenticated:\n        if not user.is_staff:\n            return forbidden()\n        else:\n            if user.mfa:\n                a = 1\n                b = 2\n                c = 3\n                d = 4\n                e = 5\n                f = 6\n                g = 7\n                h = 8\n                i = 9\n                return ok()\n            return forbidden()\n    return login()\n";
        let o = outline(Grammar::Python, nested).unwrap();
        let u = o.get("get").unwrap();
        assert!(
            u.guards.iter().all(|g| g.cond != "user.is_authenticated"),
            "{:?}",
            u.guards
        );
    }

    #[test]
    fn a_branch_of_a_returned_when_is_a_guard() {
        let src = "class R {\n    fun evaluate(o: Order): Decision {\n        return when {\n            o.status == Status.CHARGEBACK ->\n                Decision.Rejected(\"chargeback\")\n            o.amount > limit -> Decision.NeedsApproval(\"limit\")\n            else -> Decision.Approved\n        }\n    }\n    fun label(o: Order): String {\n        val s = when {\n            o.paid -> \"paid\"\n            else -> \"open\"\n        }\n        return s\n    }\n}\n";
        let o = outline(Grammar::Kotlin, src).unwrap();
        let u = o.get("R.evaluate").or_else(|| o.get("evaluate")).unwrap();
        assert!(
            u.guards
                .iter()
                .any(|g| g.cond == "o.status == Status.CHARGEBACK"
                    && g.exit == "return Decision.Rejected(\"chargeback\")"),
            "{:?}",
            u.guards
        );
        assert_eq!(u.guards.len(), 2, "{:?}", u.guards);
        // A `when` assigned to a local decides a value, not an exit.
        let l = o.get("R.label").or_else(|| o.get("label")).unwrap();
        assert!(l.guards.is_empty(), "{:?}", l.guards);
    }

    #[test]
    fn every_grammar_parses_a_guard() {
        let cases: &[(Grammar, &str, &str)] = &[
            (
                Grammar::JavaScript,
                "function del(req, res) {\n  if (!req.user.isAdmin) {\n    return res.status(403).end();\n  }\n  remove(req.params.id);\n}\n",
                "del",
            ),
            (
                Grammar::TypeScript,
                "export const del = (req: Req, res: Res) => {\n  if (!req.user.isAdmin) {\n    throw new Forbidden();\n  }\n};\n",
                "del",
            ),
            (
                Grammar::Go,
                "package x\nfunc Del(u User) error {\n\tif !u.Admin {\n\t\treturn ErrForbidden\n\t}\n\treturn nil\n}\n",
                "Del",
            ),
            (
                Grammar::Java,
                "class A {\n  void del(User u) {\n    if (!u.isAdmin()) {\n      throw new ForbiddenException();\n    }\n  }\n}\n",
                "A.del",
            ),
            (
                Grammar::Rust,
                "fn del(u: &User) -> Result<(), E> {\n    if !u.admin {\n        return Err(E::Forbidden);\n    }\n    Ok(())\n}\n",
                "del",
            ),
            (
                Grammar::Ruby,
                "def del(u)\n  raise Forbidden unless u.admin?\n  remove(u)\nend\n",
                "del",
            ),
            (
                Grammar::Php,
                "<?php\nfunction del($u) {\n  if (!$u->isAdmin()) {\n    abort(403);\n  }\n}\n",
                "del",
            ),
            (
                Grammar::CSharp,
                "class A {\n  void Del(User u) {\n    if (!u.IsAdmin) {\n      throw new UnauthorizedAccessException();\n    }\n  }\n}\n",
                "A.Del",
            ),
            (
                Grammar::Kotlin,
                "class A {\n  fun del(u: User) {\n    if (!u.isAdmin()) {\n      throw ForbiddenException()\n    }\n    repo.delete(u.id)\n  }\n}\n",
                "A.del",
            ),
            (
                Grammar::Bash,
                "deploy() {\n  if [ -z \"$TOKEN\" ]; then\n    exit 1\n  fi\n}\n",
                "deploy",
            ),
        ];
        for (g, src, name) in cases {
            let o = outline(*g, src).unwrap();
            let u = o
                .get(name)
                .unwrap_or_else(|| panic!("{g:?}: no {name} in {:?}", o.units));
            assert_eq!(u.guards.len(), 1, "{g:?}: {u:?}");
            assert!(u.guards[0].failing, "{g:?}: {u:?}");
        }
    }
}
