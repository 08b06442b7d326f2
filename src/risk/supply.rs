//! Supply chain: new dependencies (named, so a reviewer sees what comes in),
//! names one typo away from a popular package (typosquats), versions that are
//! not pinned, install scripts, packages resolved from unusual registries, and
//! lockfiles that change while their manifest does not.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;

use super::lang::file_name;
use super::{ChangeView, FileView, Finding, Severity, quote};

/// Popular package names per ecosystem (those most often typosquatted).
const NPM: &[&str] = &[
    "react",
    "react-dom",
    "preact",
    "vue",
    "angular",
    "svelte",
    "next",
    "nuxt",
    "express",
    "koa",
    "fastify",
    "lodash",
    "underscore",
    "axios",
    "request",
    "chalk",
    "commander",
    "yargs",
    "debug",
    "moment",
    "dayjs",
    "date-fns",
    "uuid",
    "dotenv",
    "webpack",
    "vite",
    "rollup",
    "esbuild",
    "babel-core",
    "typescript",
    "eslint",
    "prettier",
    "jest",
    "mocha",
    "chai",
    "vitest",
    "cypress",
    "playwright",
    "puppeteer",
    "jquery",
    "bootstrap",
    "tailwindcss",
    "socket.io",
    "mongoose",
    "mongodb",
    "mysql",
    "mysql2",
    "pg",
    "redis",
    "ioredis",
    "sequelize",
    "prisma",
    "typeorm",
    "knex",
    "jsonwebtoken",
    "bcrypt",
    "bcryptjs",
    "passport",
    "helmet",
    "cors",
    "body-parser",
    "cookie-parser",
    "multer",
    "nodemailer",
    "winston",
    "pino",
    "morgan",
    "rxjs",
    "zod",
    "joi",
    "yup",
    "graphql",
    "apollo-server",
    "classnames",
    "styled-components",
    "redux",
    "mobx",
    "immer",
    "ramda",
    "bluebird",
    "async",
    "glob",
    "rimraf",
    "mkdirp",
    "semver",
    "minimist",
    "cross-env",
    "nodemon",
    "ws",
    "node-fetch",
    "cheerio",
    "sharp",
    "electron",
    "colors",
    "coffee-script",
    "event-stream",
    "ua-parser-js",
    "crypto-js",
    "serve-static",
    "qs",
];
const PYPI: &[&str] = &[
    "requests",
    "urllib3",
    "numpy",
    "pandas",
    "scipy",
    "matplotlib",
    "django",
    "flask",
    "fastapi",
    "sqlalchemy",
    "psycopg2",
    "psycopg2-binary",
    "pymysql",
    "redis",
    "celery",
    "boto3",
    "botocore",
    "pyyaml",
    "jinja2",
    "click",
    "pytest",
    "setuptools",
    "wheel",
    "pip",
    "six",
    "python-dateutil",
    "pytz",
    "cryptography",
    "pyopenssl",
    "paramiko",
    "pillow",
    "beautifulsoup4",
    "lxml",
    "selenium",
    "scikit-learn",
    "tensorflow",
    "torch",
    "keras",
    "openai",
    "anthropic",
    "pydantic",
    "httpx",
    "aiohttp",
    "uvicorn",
    "gunicorn",
    "marshmallow",
    "attrs",
    "colorama",
    "tqdm",
    "rich",
    "typer",
    "black",
    "flake8",
    "mypy",
    "ruff",
    "pylint",
    "jsonschema",
    "pyjwt",
    "passlib",
    "bcrypt",
    "docker",
    "kubernetes",
    "grpcio",
    "protobuf",
    "alembic",
    "stripe",
    "twilio",
    "sentry-sdk",
    "structlog",
    "tenacity",
    "arrow",
    "pendulum",
    "certifi",
    "idna",
    "chardet",
    "charset-normalizer",
    "simplejson",
    "ujson",
    "orjson",
];
const CRATES: &[&str] = &[
    "serde",
    "serde_json",
    "tokio",
    "rand",
    "regex",
    "clap",
    "anyhow",
    "thiserror",
    "log",
    "env_logger",
    "tracing",
    "reqwest",
    "hyper",
    "axum",
    "actix-web",
    "rocket",
    "warp",
    "chrono",
    "time",
    "uuid",
    "lazy_static",
    "once_cell",
    "itertools",
    "rayon",
    "crossbeam",
    "futures",
    "async-trait",
    "bytes",
    "base64",
    "hex",
    "sha2",
    "ring",
    "rustls",
    "openssl",
    "diesel",
    "sqlx",
    "rusqlite",
    "redis",
    "bincode",
    "toml",
    "url",
    "libc",
    "nix",
    "syn",
    "quote",
    "proc-macro2",
    "criterion",
    "proptest",
    "tempfile",
    "walkdir",
    "glob",
    "num",
    "parking_lot",
];
const GEMS: &[&str] = &[
    "rails",
    "rack",
    "sinatra",
    "puma",
    "devise",
    "nokogiri",
    "rspec",
    "rubocop",
    "sidekiq",
    "redis",
    "pg",
    "mysql2",
    "activerecord",
    "activesupport",
    "bundler",
    "rake",
    "json",
    "faraday",
    "httparty",
    "jwt",
    "bcrypt",
    "aws-sdk",
    "pundit",
    "cancancan",
    "capybara",
];

static REQ_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*((==|>=|<=|~=|!=|>|<|===)\s*[^;#\s]+)?",
    )
    .unwrap()
});
static JSON_DEP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*"(@?[A-Za-z0-9][\w./@-]*)"\s*:\s*"([^"]*)"\s*,?\s*$"#).unwrap()
});
static PEP508: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*"([A-Za-z0-9][\w.-]*)(\[[^\]]*\])?\s*([<>=!~][^"]*)?"\s*,?\s*$"#).unwrap()
});
static TOML_DEP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*([A-Za-z0-9][\w-]*)\s*=\s*("([^"]*)"|\{(.*)\})\s*$"#).unwrap()
});
static GO_REQ: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:require\s+)?([a-z0-9.-]+\.[a-z]{2,}/[\w./-]+)\s+(v[\w.+-]+)").unwrap()
});
static GEM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*gem\s+["']([\w-]+)["'](\s*,\s*["']([^"']+)["'])?"#).unwrap()
});
static GRADLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*(implementation|api|compile|runtimeOnly|compileOnly|testImplementation|kapt|annotationProcessor)\s*\(?\s*["']([\w.-]+):([\w.-]+)(:([^"']+))?["']"#).unwrap()
});
static NUGET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"<PackageReference\s+Include="([\w.-]+)"(\s+Version="([^"]*)")?"#).unwrap()
});
static POM_ARTIFACT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<artifactId>([\w.-]+)</artifactId>").unwrap());
static URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(https?|git\+\w+|git)://([^/\s"'@]+@)?([^/\s"':]+)"#).unwrap());

const CARGO_NON_DEPS: &[&str] = &[
    "name",
    "version",
    "edition",
    "authors",
    "description",
    "license",
    "license-file",
    "repository",
    "readme",
    "homepage",
    "documentation",
    "keywords",
    "categories",
    "rust-version",
    "publish",
    "build",
    "default-run",
    "resolver",
    "members",
    "exclude",
    "include",
    "links",
    "autobins",
    "autoexamples",
    "autotests",
    "autobenches",
    "path",
    "harness",
    "debug",
    "opt-level",
    "lto",
    "codegen-units",
    "panic",
    "strip",
    "incremental",
    "required-features",
    "test",
    "bench",
    "doc",
    "crate-type",
    "proc-macro",
];
const NPM_NON_DEPS: &[&str] = &[
    "name",
    "version",
    "description",
    "main",
    "module",
    "types",
    "typings",
    "license",
    "author",
    "homepage",
    "private",
    "type",
    "browser",
    "packageManager",
    "node",
    "npm",
    "yarn",
    "pnpm",
    "url",
    "email",
    "directory",
    "sideEffects",
    "bin",
    "source",
    "exports",
    "import",
    "require",
    "default",
    "registry",
    "access",
    "tag",
];
const NPM_HOOKS: &[&str] = &[
    "preinstall",
    "install",
    "postinstall",
    "prepare",
    "prepublish",
];

/// The ecosystem a manifest belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ecosystem {
    Npm,
    PyPI,
    Crates,
    Go,
    Gems,
    Maven,
    NuGet,
}

/// The manifest kind of a path, if it is one.
pub fn manifest(path: &str) -> Option<Ecosystem> {
    let n = file_name(path);
    Some(match n.as_str() {
        "package.json" => Ecosystem::Npm,
        "pyproject.toml" | "pipfile" | "setup.py" | "setup.cfg" => Ecosystem::PyPI,
        "cargo.toml" => Ecosystem::Crates,
        "go.mod" => Ecosystem::Go,
        "gemfile" => Ecosystem::Gems,
        "pom.xml" | "build.gradle" | "build.gradle.kts" => Ecosystem::Maven,
        _ if n.ends_with(".csproj")
            || n == "packages.config"
            || n == "directory.packages.props" =>
        {
            Ecosystem::NuGet
        }
        _ if (n.starts_with("requirements") || n.starts_with("constraints"))
            && (n.ends_with(".txt") || n.ends_with(".in")) =>
        {
            Ecosystem::PyPI
        }
        _ => return None,
    })
}

/// True for lockfiles.
pub fn lockfile(path: &str) -> bool {
    matches!(
        file_name(path).as_str(),
        "package-lock.json"
            | "npm-shrinkwrap.json"
            | "yarn.lock"
            | "pnpm-lock.yaml"
            | "bun.lockb"
            | "cargo.lock"
            | "poetry.lock"
            | "pipfile.lock"
            | "uv.lock"
            | "pdm.lock"
            | "gemfile.lock"
            | "go.sum"
            | "composer.lock"
            | "packages.lock.json"
            | "gradle.lockfile"
    )
}

/// The ecosystem whose installs a lockfile pins.
fn lockfile_ecosystem(path: &str) -> Option<Ecosystem> {
    Some(match file_name(path).as_str() {
        "package-lock.json"
        | "npm-shrinkwrap.json"
        | "yarn.lock"
        | "pnpm-lock.yaml"
        | "bun.lockb" => Ecosystem::Npm,
        "cargo.lock" => Ecosystem::Crates,
        "poetry.lock" | "pipfile.lock" | "uv.lock" | "pdm.lock" => Ecosystem::PyPI,
        "gemfile.lock" => Ecosystem::Gems,
        "go.sum" => Ecosystem::Go,
        "packages.lock.json" => Ecosystem::NuGet,
        "gradle.lockfile" => Ecosystem::Maven,
        _ => return None,
    })
}

/// Whether the change also writes a lockfile of `eco` beside the manifest at
/// `path`: the lock, reviewed with it, decides which release is installed.
fn locked_by_the_change(eco: Ecosystem, path: &str, change: &ChangeView<'_>) -> bool {
    let dir = |p: &str| p.rsplit_once('/').map_or("", |(d, _)| d).to_string();
    let here = dir(path);
    change
        .files
        .iter()
        .any(|g| !g.deleted() && lockfile_ecosystem(g.path) == Some(eco) && dir(g.path) == here)
}

/// True when the rules would like the full text of this file.
pub fn wants_contents(path: &str) -> bool {
    manifest(path).is_some()
}

/// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions).
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

fn popular(eco: Ecosystem) -> &'static [&'static str] {
    match eco {
        Ecosystem::Npm => NPM,
        Ecosystem::PyPI => PYPI,
        Ecosystem::Crates => CRATES,
        Ecosystem::Gems => GEMS,
        _ => &[],
    }
}

fn canonical(name: &str) -> String {
    name.to_ascii_lowercase().replace(['_', '.'], "-")
}

/// The popular package `name` imitates, if it looks like a typosquat of one.
pub fn look_alike(eco: Ecosystem, name: &str) -> Option<&'static str> {
    let list = popular(eco);
    let c = canonical(name.trim_start_matches('@'));
    if list.iter().any(|p| canonical(p) == c) {
        return None;
    }
    // Homoglyph-style spellings: rn for m, 0 for o, 1 for l, doubled letters.
    let squashed = c.replace("rn", "m").replace('0', "o").replace('1', "l");
    for p in list {
        let pc = canonical(p);
        if pc.len() < 4 {
            continue;
        }
        let d = distance(&c, &pc);
        let sep_variant = c.replace('-', "") == pc.replace('-', "") && c != pc;
        let scoped = name.starts_with('@') && c.rsplit('/').next() == Some(pc.as_str());
        if ((d == 1 && pc.len() >= 5) || squashed == pc || sep_variant || (pc.len() >= 8 && d == 2))
            && !scoped
        {
            return Some(p);
        }
        // A known name with a suspicious suffix or prefix: "requests2", "lodash-js",
        // "node-axios" are the usual trick.
        let affixed = ["2", "3", "-js", "js", "-node", "-py", "py", "-dev", "-lib"]
            .iter()
            .any(|a| c == format!("{pc}{a}"))
            || c == format!("node-{pc}")
            || c == format!("python-{pc}");
        if affixed {
            return Some(p);
        }
    }
    None
}

/// A dependency declared on an added line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dep {
    pub name: String,
    pub version: String,
    pub line: u32,
}

fn deps_on_lines(eco: Ecosystem, f: &FileView<'_>, lines: &[super::Line<'_>]) -> Vec<Dep> {
    let name = file_name(f.path);
    let mut out = Vec::new();
    for l in lines {
        let t = l.text;
        if f.class.is_comment(t) {
            continue;
        }
        let dep = |n: &str, v: &str| Dep {
            name: n.to_string(),
            version: v.trim().to_string(),
            line: l.no,
        };
        match eco {
            Ecosystem::Npm => {
                if let Some(c) = JSON_DEP.captures(t) {
                    let v = &c[2];
                    let versionish = v.is_empty()
                        || v.starts_with(['^', '~', '<', '>', '=', '*'])
                        || v.starts_with(|c: char| c.is_ascii_digit())
                        || [
                            "latest",
                            "next",
                            "git",
                            "http",
                            "file:",
                            "link:",
                            "workspace:",
                            "npm:",
                            "github:",
                            "x",
                        ]
                        .iter()
                        .any(|p| v.starts_with(p));
                    if versionish && !NPM_NON_DEPS.contains(&&c[1]) && !c[1].contains('/')
                        || versionish && c[1].starts_with('@')
                    {
                        out.push(dep(&c[1], v));
                    }
                }
            }
            Ecosystem::PyPI => {
                if name.ends_with(".txt") || name.ends_with(".in") {
                    let tt = t.trim();
                    if tt.starts_with('-') {
                        // `-e git+https://…@main`; not `-e ../..`, the
                        // project itself installed from its own checkout.
                        if tt.contains("git+") || tt.starts_with("-e") && tt.contains("://") {
                            // Named by its `#egg=` or its repository.
                            let name =
                                tt.split_once("#egg=").map(|(_, e)| e).unwrap_or_else(|| {
                                    let path = tt.split('@').next().unwrap_or(tt);
                                    let last = path.trim_end_matches('/').rsplit('/').next();
                                    last.unwrap_or(tt).trim_end_matches(".git")
                                });
                            out.push(dep(name, tt));
                        }
                        continue;
                    }
                    if let Some(c) = REQ_LINE.captures(t) {
                        out.push(dep(&c[1], c.get(3).map_or("", |m| m.as_str())));
                    }
                } else if name == "pyproject.toml" || name == "pipfile" {
                    if let Some(c) = PEP508.captures(t) {
                        out.push(dep(&c[1], c.get(3).map_or("", |m| m.as_str())));
                    } else if let Some(c) = TOML_DEP.captures(t)
                        && !CARGO_NON_DEPS.contains(&&c[1])
                        && c[1] != *"python"
                        && !["requires-python", "readme", "packages"].contains(&&c[1])
                    {
                        let v = c.get(3).or(c.get(4)).map_or("", |m| m.as_str());
                        if v.starts_with(['^', '~', '<', '>', '=', '*'])
                            || v.starts_with(|c: char| c.is_ascii_digit())
                            || v.contains("version")
                            || v.contains("git")
                        {
                            out.push(dep(&c[1], v));
                        }
                    }
                }
            }
            Ecosystem::Crates => {
                if let Some(c) = TOML_DEP.captures(t)
                    && !CARGO_NON_DEPS.contains(&&c[1])
                {
                    out.push(dep(&c[1], c.get(3).or(c.get(4)).map_or("", |m| m.as_str())));
                }
            }
            Ecosystem::Go => {
                if let Some(c) = GO_REQ.captures(t) {
                    out.push(dep(&c[1], &c[2]));
                }
            }
            Ecosystem::Gems => {
                if let Some(c) = GEM.captures(t) {
                    out.push(dep(&c[1], c.get(3).map_or("", |m| m.as_str())));
                }
            }
            Ecosystem::Maven => {
                if let Some(c) = GRADLE.captures(t) {
                    out.push(dep(
                        &format!("{}:{}", &c[2], &c[3]),
                        c.get(5).map_or("", |m| m.as_str()),
                    ));
                } else if let Some(c) = POM_ARTIFACT.captures(t) {
                    out.push(dep(&c[1], "(see pom)"));
                }
            }
            Ecosystem::NuGet => {
                if let Some(c) = NUGET.captures(t) {
                    out.push(dep(&c[1], c.get(3).map_or("", |m| m.as_str())));
                }
            }
        }
    }
    out
}

fn unpinned(eco: Ecosystem, v: &str) -> bool {
    let v = v.trim().trim_matches('"');
    if v.contains("version") {
        return v.contains("\"*\"");
    }
    match eco {
        Ecosystem::Npm => {
            v.is_empty()
                || v == "*"
                || v == "x"
                || v == "latest"
                || v == "next"
                || v.starts_with(">=") && !v.contains('<')
                || v.starts_with("git")
                || v.starts_with("http")
                || v.starts_with("github:")
        }
        Ecosystem::PyPI => {
            v.is_empty()
                || v == "*"
                || git_branch_source(v)
                || (v.starts_with(">=") && !v.contains('<') && !v.contains(','))
        }
        Ecosystem::Crates => {
            v == "*" || (v.contains("git") && !v.contains("rev") && !v.contains("tag"))
        }
        Ecosystem::Maven => {
            v.is_empty()
                || v.ends_with('+')
                || v == "LATEST"
                || v == "RELEASE"
                || v.contains("SNAPSHOT")
        }
        Ecosystem::NuGet => v.is_empty() || v.contains('*'),
        Ecosystem::Gems => false,
        Ecosystem::Go => false,
    }
}

/// Whether the dependency on `line` sits in a section that replaces one
/// the build already has: Cargo's `[patch.…]`/`[replace]`, npm's
/// `overrides`, Yarn's `resolutions`, Go's `replace`.
fn overrides_existing(f: &FileView<'_>, line: u32) -> bool {
    let text = f.new_text_or_hunks();
    let lines: Vec<&str> = text.lines().take(line as usize).collect();
    lines
        .iter()
        .rev()
        .find_map(|l| {
            let t = l.trim_start();
            if t.starts_with('[') {
                return Some(t.starts_with("[patch") || t.starts_with("[replace"));
            }
            if t.starts_with("\"overrides\"")
                || t.starts_with("\"resolutions\"")
                || t.starts_with("replace ")
            {
                return Some(true);
            }
            None
        })
        .unwrap_or(false)
}

/// A dependency version that names a git repository (a URL, `github:`,
/// `user/repo#branch`) and no commit: it follows whatever the branch holds.
fn git_branch_source(v: &str) -> bool {
    static COMMIT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"[#@/=]\s*[0-9a-f]{40}\b").unwrap());
    let v = v.trim().trim_matches('"');
    let git = v.starts_with("git")
        || v.starts_with("github:")
        || v.starts_with("gitlab:")
        || v.starts_with("bitbucket:")
        || v.contains("github.com")
        || v.contains("gitlab.com")
        || (v.contains("git") && (v.contains("branch") || v.contains("url")));
    git && !COMMIT.is_match(v) && !v.contains("rev") && !v.contains("tag")
}

/// Per-file supply-chain rules.
pub fn check(f: &FileView<'_>, change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    if f.class.vendored || f.deleted() {
        return;
    }
    if lockfile(f.path) {
        lock_sources(f, out);
        return;
    }
    let Some(eco) = manifest(f.path) else {
        if !f.class.test_like() && !f.class.docs {
            pip_sources_in_commands(f, out);
        }
        return;
    };
    if f.class.fixture {
        return;
    }
    let old: HashMap<String, String> = deps_on_lines(eco, f, &f.removed)
        .into_iter()
        .map(|d| (canonical(&d.name), d.version))
        .collect();
    let locked = locked_by_the_change(eco, f.path, change);
    let mut new_count = 0;
    for d in deps_on_lines(eco, f, &f.added) {
        let was = old.get(&canonical(&d.name));
        let is_new = was.is_none();
        // A dependency the manifest already had, its version bumped, is the
        // one the project chose, not a slip.
        if is_new && let Some(p) = look_alike(eco, &d.name) {
            out.push(Finding::added(
                "dep-look-alike",
                Severity::High,
                f.path,
                Some(d.line),
                format!("Adds the dependency '{}', one slip away from the popular '{p}': typosquatted packages run their install scripts on every developer machine and CI runner.", quote(&d.name)),
            ));
            continue;
        }
        if (!is_new || overrides_existing(f, d.line)) && git_branch_source(&d.version) {
            out.push(Finding::added(
                "dep-source-git-branch",
                Severity::High,
                f.path,
                Some(d.line),
                format!("'{}' now comes from a branch of a git repository ({}) instead of the registry: whoever can push to that branch ships code into this build, install scripts included.", quote(&d.name), quote(&d.version)),
            ));
            continue;
        }
        // Unpinned before as well (a list re-sorted, a name's case changed)
        // or held by a lockfile the change writes: the change did not loosen
        // what gets installed.
        let loosened = !locked && !was.is_some_and(|v| unpinned(eco, v));
        if unpinned(eco, &d.version) && loosened {
            out.push(Finding::added(
                "dep-unpinned",
                Severity::Medium,
                f.path,
                Some(d.line),
                format!("'{}' is not pinned ({}): each install may pull a different release than the one reviewed.", quote(&d.name), if d.version.is_empty() { "no version".to_string() } else { quote(&d.version) }),
            ));
        } else if is_new && new_count < 5 {
            new_count += 1;
            out.push(Finding::added(
                "dep-new",
                Severity::Low,
                f.path,
                Some(d.line),
                format!("Adds the dependency '{}' {}: its code and its own dependencies now ship with this one.", quote(&d.name), quote(&d.version)),
            ));
        }
    }
    if eco == Ecosystem::PyPI {
        for l in &f.added {
            let t = l.text.trim();
            let public = URL.captures(t).is_some_and(|c| {
                let h = c[3].to_ascii_lowercase();
                KNOWN_REGISTRIES
                    .iter()
                    .any(|k| h == *k || h.ends_with(&format!(".{k}")))
            });
            if (t.starts_with("--index-url")
                || t.starts_with("--extra-index-url")
                || t.starts_with("-i "))
                && !public
            {
                out.push(Finding::added(
                    "dep-registry",
                    Severity::High,
                    f.path,
                    Some(l.no),
                    format!("Pulls packages from another index ({}): with --extra-index-url, whichever index has the higher version wins (dependency confusion).", quote(t)),
                ));
            }
        }
    }
    if eco == Ecosystem::Npm {
        for l in &f.added {
            if let Some(c) = JSON_DEP.captures(l.text)
                && NPM_HOOKS.contains(&&c[1])
                && &c[1] != "prepare"
            {
                let fetches = [
                    "curl", "wget", "http:", "https:", "node -e", "eval", "| sh", "|sh", "base64",
                ]
                .iter()
                .any(|w| c[2].contains(w));
                out.push(Finding::added(
                        "dep-install-script",
                        if fetches { Severity::High } else { Severity::Medium },
                        f.path,
                        Some(l.no),
                        format!("Adds an install hook ({}): it runs on every `npm install`, on laptops and CI runners alike.", quote(l.text)),
                    ));
            }
        }
    }
    if eco == Ecosystem::Go {
        for l in &f.added {
            if l.text.trim_start().starts_with("replace ")
                || (l.text.contains("=>") && l.text.contains(" v"))
            {
                // A module swapped for one from another owner is a different supplier.
                let owner = |m: &str| {
                    m.trim()
                        .trim_start_matches("replace")
                        .trim()
                        .split('/')
                        .take(2)
                        .collect::<Vec<_>>()
                        .join("/")
                };
                let fork = l.text.split_once("=>").is_some_and(|(a, b)| {
                    let b = b.trim();
                    !b.starts_with('.') && !b.starts_with('/') && owner(a) != owner(b)
                });
                if fork {
                    out.push(Finding::added(
                        "dep-replaced",
                        Severity::High,
                        f.path,
                        Some(l.no),
                        format!("Replaces a module with a fork from another owner ({}): the code that builds is someone else's, under the trusted name.", quote(l.text)),
                    ));
                    continue;
                }
                out.push(Finding::added(
                    "dep-replaced",
                    Severity::Medium,
                    f.path,
                    Some(l.no),
                    format!("Replaces a module with another source ({}): the code that builds is not the code the module path names.", quote(l.text)),
                ));
            }
        }
    }
}

const KNOWN_REGISTRIES: &[&str] = &[
    "registry.npmjs.org",
    "registry.yarnpkg.com",
    "registry.npmjs.com",
    "files.pythonhosted.org",
    "pypi.org",
    "pypi.python.org",
    "crates.io",
    "index.crates.io",
    "static.crates.io",
    "github.com",
    "rubygems.org",
    "proxy.golang.org",
    "repo.maven.apache.org",
    "repo1.maven.org",
    "plugins.gradle.org",
    "api.nuget.org",
    "codeload.github.com",
    "packagist.org",
    "repo.packagist.org",
];

/// pip told, outside a requirements file (a Dockerfile, a script, a CI step,
/// `pip.conf`), to take packages from a second index or to trust a host
/// without TLS.
static PIP_SOURCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(--extra-index-url[=\s]+["']?\S+|PIP_EXTRA_INDEX_URL["']?\s*[=:]\s*["']?\S+|^\s*extra-index-url\s*=\s*\S+|--trusted-host[=\s]+["']?[\w.-]+|PIP_TRUSTED_HOST["']?\s*[=:]\s*["']?[\w.-]+)"#).unwrap()
});

/// The host of the first URL in `text`, read past credentials however they
/// are written (`https://__token__:$(cat /run/secrets/t)@pypi.acme.net/simple`,
/// quoted, holds a space).
fn index_host(text: &str) -> Option<String> {
    let at = text.find("://")?;
    let quoted = text[..at]
        .trim_end_matches(|c: char| c.is_ascii_alphanumeric() || c == '+')
        .chars()
        .last()
        .filter(|c| matches!(c, '"' | '\''));
    let rest = &text[at + 3..];
    let url = match quoted {
        Some(q) => rest.split(q).next().unwrap_or(rest),
        None => rest.split(char::is_whitespace).next().unwrap_or(rest),
    };
    let authority = url.split('/').next().unwrap_or(url);
    let authority = if let Some(i) = url.rfind('@') {
        url[i + 1..].split('/').next().unwrap_or("")
    } else {
        authority
    };
    let host = authority
        .split(':')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

fn pip_sources_in_commands(f: &FileView<'_>, out: &mut Vec<Finding>) {
    for l in f.added_code() {
        let Some(m) = PIP_SOURCE.find(l.text) else {
            continue;
        };
        let public = URL.captures(m.as_str()).is_some_and(|c| {
            let h = c[3].to_ascii_lowercase();
            KNOWN_REGISTRIES
                .iter()
                .any(|k| h == *k || h.ends_with(&format!(".{k}")))
        });
        // The same source was there before (a line re-indented or moved, or
        // the same index with its credentials read another way: a build
        // argument turned into a secret mount).
        let was = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        let now = was(m.as_str());
        let same_index = index_host(&l.text[m.start()..]).is_some_and(|h| {
            f.removed.iter().any(|r| {
                PIP_SOURCE
                    .find(r.text)
                    .is_some_and(|old| index_host(&r.text[old.start()..]).as_ref() == Some(&h))
            })
        });
        if public || same_index || f.removed.iter().any(|r| was(r.text).contains(&now)) {
            continue;
        }
        out.push(Finding::added(
            "dep-registry",
            Severity::High,
            f.path,
            Some(l.no),
            format!("Has pip take packages from another index or trust a host without TLS ({}): whichever index offers the higher version wins (dependency confusion), and over plain HTTP anyone on the path can swap the package.", quote(m.as_str().trim())),
        ));
        return;
    }
}

/// Whether line `no` (1-based) of a lockfile's new text sits under a
/// `funding` key: the sponsor pages npm records beside a package
/// (`"funding": [{ "type": "patreon", "url": … }]`) are links for people, not
/// where anything is installed from.
fn under_funding<'t>(line: impl Fn(u32) -> Option<&'t str>, no: u32) -> bool {
    let indent = |t: &str| t.len() - t.trim_start().len();
    let Some(here) = line(no) else {
        return false;
    };
    if here.contains("\"funding\"") {
        return true;
    }
    let mut depth = indent(here);
    for n in (no.saturating_sub(40)..no).rev() {
        let Some(t) = line(n) else {
            break; // outside what the diff shows
        };
        if t.trim().is_empty() || indent(t) >= depth {
            continue;
        }
        if t.contains("\"funding\"") {
            return true;
        }
        depth = indent(t);
        if depth == 0 {
            break;
        }
    }
    false
}

fn lock_sources(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let mut hosts: Vec<(u32, String)> = Vec::new();
    // The whole file when it was loaded, the lines the diff shows when not
    // (a large lockfile).
    let lines: Vec<&str> = f
        .new_text()
        .map(|t| t.lines().collect())
        .unwrap_or_default();
    let line = |n: u32| {
        if lines.is_empty() {
            f.new_lines.get(&n).copied()
        } else {
            lines.get((n as usize).checked_sub(1)?).copied()
        }
    };
    for l in f.added.iter().filter(|l| !under_funding(line, l.no)) {
        for c in URL.captures_iter(l.text) {
            let host = c[3].to_ascii_lowercase();
            if !KNOWN_REGISTRIES
                .iter()
                .any(|k| host == *k || host.ends_with(&format!(".{k}")))
                && !hosts.iter().any(|(_, h)| *h == host)
            {
                hosts.push((l.no, host));
            }
        }
    }
    for (no, host) in hosts.into_iter().take(3) {
        out.push(Finding::added(
            "dep-registry",
            Severity::High,
            f.path,
            Some(no),
            format!("Resolves packages from {host}, not the usual public registry: check that host is one you trust, or this installs someone else's code."),
        ));
    }
}

/// Change-level supply-chain rules: lockfiles changed without their manifest.
pub fn check_change(change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    let dir = |p: &str| {
        p.rsplit_once('/')
            .map_or(String::new(), |(d, _)| d.to_string())
    };
    let manifest_dirs: HashSet<String> = change
        .files
        .iter()
        .filter(|f| manifest(f.path).is_some())
        .map(|f| dir(f.path))
        .collect();
    for f in &change.files {
        if lockfile(f.path)
            && !f.created()
            && !f.deleted()
            && !f.class.fixture
            && !manifest_dirs.contains(&dir(f.path))
        {
            out.push(Finding::added(
                "dep-lockfile-only",
                Severity::Medium,
                f.path,
                None,
                "Changes the lockfile but not its manifest: dependency versions move without anyone having asked for it in the manifest; check what was resolved and from where.",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typosquats_are_spotted_and_real_names_are_not() {
        assert_eq!(look_alike(Ecosystem::PyPI, "reqeusts"), Some("requests"));
        assert_eq!(look_alike(Ecosystem::PyPI, "requests"), None);
        assert_eq!(look_alike(Ecosystem::Npm, "expresss"), Some("express"));
        assert_eq!(look_alike(Ecosystem::Npm, "lodahs"), Some("lodash"));
        assert_eq!(look_alike(Ecosystem::Npm, "preact"), None);
        assert_eq!(look_alike(Ecosystem::Npm, "left-pad"), None);
        assert_eq!(
            look_alike(Ecosystem::Crates, "serde_jsn"),
            Some("serde_json")
        );
        assert_eq!(look_alike(Ecosystem::PyPI, "python-dateutil"), None);
        assert_eq!(look_alike(Ecosystem::PyPI, "django-environ"), None);
    }

    #[test]
    fn distance_counts_transpositions_once() {
        assert_eq!(distance("lodash", "lodahs"), 1);
        assert_eq!(distance("abc", "abc"), 0);
        assert_eq!(distance("kitten", "sitting"), 3);
    }
}

#[cfg(test)]
mod more_tests {
    use crate::risk::testkit::rules_hit;

    #[test]
    fn a_range_the_manifest_already_had_or_a_lockfile_of_the_change_pins_is_not_unpinned_by_it() {
        use crate::risk::testkit::{findings_of_change, rules_hit_with_contents};
        const RULE: &str = "dep-unpinned";
        let old = "[project]\nname = \"web\"\ndependencies = [\n    \"Werkzeug>=3.1\",\n    \"click>=8.1.3\",\n]\n";
        // The list re-sorted and a name lower-cased: unpinned before too.
        let sorted = "[project]\nname = \"web\"\ndependencies = [\n    \"click>=8.1.3\",\n    \"werkzeug>=3.1.0\",\n]\n";
        let hit = rules_hit_with_contents("pyproject.toml", old, sorted);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
        // A pin loosened is the change's doing.
        let pinned = old.replace("Werkzeug>=3.1", "Werkzeug==3.1.3");
        let hit = rules_hit_with_contents("pyproject.toml", &pinned, sorted);
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
        // A new unpinned dependency, alone and with the lockfile beside it.
        let added = sorted.replace("]\n", "    \"itsdangerous>=2.2\",\n]\n");
        let hit = rules_hit_with_contents("pyproject.toml", old, &added);
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
        let lock = "version = 1\n[[package]]\nname = \"itsdangerous\"\nversion = \"2.2.0\"\n";
        let rules = |lock_path: &str| -> Vec<String> {
            findings_of_change(
                &[
                    ("pyproject.toml", Some(old), Some(&added)),
                    (lock_path, None, Some(lock)),
                ],
                None,
            )
            .into_iter()
            .map(|f| f.rule)
            .collect()
        };
        assert!(!rules("uv.lock").contains(&RULE.to_string()));
        // A lock of another directory or another ecosystem pins nothing here.
        assert!(rules("tools/uv.lock").contains(&RULE.to_string()));
        assert!(rules("Cargo.lock").contains(&RULE.to_string()));
    }

    #[test]
    fn a_dependency_moved_to_a_git_branch_or_patched_with_one_is_found() {
        use crate::risk::testkit::rules_hit_with_contents;
        const RULE: &str = "dep-source-git-branch";
        let old = "[dependencies]\nrustls = \"0.23\"\n";
        let patched = "[dependencies]\nrustls = \"0.23\"\n\n[patch.crates-io]\nrustls = { git = \"https://github.com/someone/rustls\", branch = \"fix\" }\n";
        let hit = rules_hit_with_contents("Cargo.toml", old, patched);
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
        // Pinned to a commit: reviewable, not this.
        let pinned = patched.replace(
            "branch = \"fix\"",
            "rev = \"0123456789abcdef0123456789abcdef01234567\"",
        );
        let hit = rules_hit_with_contents("Cargo.toml", old, &pinned);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
    }

    #[test]
    fn a_requirement_from_a_git_branch_is_found_and_the_local_checkout_is_not() {
        use crate::risk::testkit::rules_hit_with_contents;
        const RULE: &str = "dep-source-git-branch";
        let old = "Django>=3.2,<4.2\n-e ../../../";
        // Only the final newline and a version range changed.
        let local = "Django>=4.2,<=5.1\n-e ../../../\n";
        let hit = rules_hit_with_contents("tests/app/requirements.txt", old, local);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
        let branch =
            "Django>=4.2,<=5.1\n-e git+https://github.com/someone/fork.git@main#egg=fork\n";
        let hit = rules_hit_with_contents("tests/app/requirements.txt", old, branch);
        assert!(hit.contains(&"dep-unpinned".to_string()), "{hit:?}");
        // A released package swapped for the branch of a fork.
        let old = "Django>=4.2,<=5.1\nfork==1.2.0\n";
        let hit = rules_hit_with_contents("tests/app/requirements.txt", old, branch);
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
        let pinned = branch.replace("@main", "@0123456789abcdef0123456789abcdef01234567");
        let hit = rules_hit_with_contents("tests/app/requirements.txt", old, &pinned);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
    }

    #[test]
    fn the_same_index_with_its_credentials_read_another_way_is_not_a_new_source() {
        let before = "FROM python:3.12-slim\nARG TOKEN\nRUN pip install \\\n    --extra-index-url \"https://__token__:${TOKEN}@pypi.internal.acme.net/simple\" \\\n    -r requirements.txt\n";
        let secret = "FROM python:3.12-slim\nRUN --mount=type=secret,id=tok \\\n    pip install \\\n    --extra-index-url \"https://__token__:$(cat /run/secrets/tok)@pypi.internal.acme.net/simple\" \\\n    -r requirements.txt\n";
        let hit = rules_hit("Dockerfile", Some(before), Some(secret));
        assert!(!hit.contains(&"dep-registry".to_string()), "{hit:?}");
        // Another host behind the same credentials: a new source.
        let moved = secret.replace("pypi.internal.acme.net", "pypi.acme-mirror.io");
        let hit = rules_hit("Dockerfile", Some(before), Some(&moved));
        assert!(hit.contains(&"dep-registry".to_string()), "{hit:?}");
        assert_eq!(
            super::index_host("\"https://u:$(cat /x y)@h.io/s\"").as_deref(),
            Some("h.io")
        );
        assert_eq!(
            super::index_host("http://pypi-cache.net:3141/simple/ x").as_deref(),
            Some("pypi-cache.net")
        );
    }

    #[test]
    fn pip_told_to_use_another_index_in_a_command_is_found() {
        let before = "FROM python:3.12-slim\nRUN pip install \\\n    --require-hashes \\\n    -r requirements.lock\n";
        let hit = |new: &str| rules_hit("Dockerfile", Some(before), Some(new));
        let mirror = before.replace(
            "    --require-hashes",
            "    --extra-index-url http://pypi-cache.buildfarm.net:3141/simple/ \\\n    --trusted-host pypi-cache.buildfarm.net",
        );
        assert!(
            hit(&mirror).contains(&"dep-registry".to_string()),
            "{:?}",
            hit(&mirror)
        );
        let env =
            "PIP_EXTRA_INDEX_URL=https://pkgs.acme-internal.dev/simple pip install -r r.txt\n";
        assert!(rules_hit("ci/build.sh", None, Some(env)).contains(&"dep-registry".to_string()));
        // The public index named explicitly: quiet.
        let public = before.replace(
            "    --require-hashes",
            "    --index-url https://pypi.org/simple --extra-index-url https://pypi.org/simple",
        );
        assert!(!hit(&public).contains(&"dep-registry".to_string()));
    }

    #[test]
    fn manifests_lockfiles_and_registries() {
        let pkg = "{\n  \"dependencies\": {\n    \"react\": \"^18.3.1\"\n  }\n}\n";
        let hit = |new: &str| rules_hit("web/package.json", Some(pkg), Some(new));
        assert_eq!(
            hit(&pkg.replace(
                "\"react\": \"^18.3.1\"",
                "\"react\": \"^18.3.1\",\n    \"expresss\": \"^4.19.2\""
            )),
            vec!["dep-look-alike"]
        );
        // A look-alike the manifest already had, its version bumped: the
        // project's own choice, not a slip.
        let had = pkg.replace("\"react\": \"^18.3.1\"", "\"expresss\": \"^4.19.2\"");
        assert!(
            !rules_hit(
                "web/package.json",
                Some(&had),
                Some(&had.replace("^4.19.2", "^4.21.0"))
            )
            .contains(&"dep-look-alike".to_string())
        );
        assert_eq!(
            hit(&pkg.replace(
                "\"react\": \"^18.3.1\"",
                "\"react\": \"^18.3.1\",\n    \"left-pad\": \"*\""
            )),
            vec!["dep-unpinned"]
        );
        assert_eq!(
            hit(&pkg.replace(
                "\"react\": \"^18.3.1\"",
                "\"react\": \"^18.3.1\",\n    \"zod\": \"^3.23.8\""
            )),
            vec!["dep-new"]
        );
        assert_eq!(
            rules_hit(
                "requirements.txt",
                Some("flask==3.0.3\n"),
                Some("--extra-index-url https://pkgs.example.net/simple\nflask==3.0.3\n")
            ),
            vec!["dep-registry"]
        );
        assert!(
            rules_hit(
                "requirements.txt",
                Some("flask==3.0.3\n"),
                Some("--index-url https://pypi.org/simple\nflask==3.0.3\n")
            )
            .is_empty()
        );
        assert_eq!(
            rules_hit("Cargo.lock", Some("a\n"), Some("b\n")),
            vec!["dep-lockfile-only"]
        );
    }

    #[test]
    fn a_sponsor_page_in_a_lockfile_is_no_registry_a_resolved_host_is() {
        use crate::risk::testkit::rules_hit_with_contents;
        const RULE: &str = "dep-registry";
        let old = "{\n  \"name\": \"site\",\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": {\n      \"name\": \"site\"\n    }\n  }\n}\n";
        let package = |resolved: &str| {
            format!(
                "{{\n  \"name\": \"site\",\n  \"lockfileVersion\": 3,\n  \"packages\": {{\n    \"\": {{\n      \"name\": \"site\"\n    }},\n    \"node_modules/buffer\": {{\n      \"version\": \"6.0.3\",\n      \"resolved\": \"{resolved}\",\n      \"funding\": [\n        {{\n          \"type\": \"github\",\n          \"url\": \"https://github.com/sponsors/feross\"\n        }},\n        {{\n          \"type\": \"patreon\",\n          \"url\": \"https://www.patreon.com/feross\"\n        }},\n        {{\n          \"type\": \"consulting\",\n          \"url\": \"https://feross.org/support\"\n        }}\n      ]\n    }}\n  }}\n}}\n"
            )
        };
        let public = package("https://registry.npmjs.org/buffer/-/buffer-6.0.3.tgz");
        let hit = rules_hit_with_contents("package-lock.json", old, &public);
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
        // A lockfile too large to load whole is read from the diff's lines.
        let hit = crate::risk::testkit::rules_hit("package-lock.json", Some(old), Some(&public));
        assert!(!hit.contains(&RULE.to_string()), "{hit:?}");
        let elsewhere = package("https://npm.pkg-mirror.example.net/buffer/-/buffer-6.0.3.tgz");
        let hit = rules_hit_with_contents("package-lock.json", old, &elsewhere);
        assert!(hit.contains(&RULE.to_string()), "{hit:?}");
    }
}
