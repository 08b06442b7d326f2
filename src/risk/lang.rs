//! What kind of file a path is: its language (for comment syntax and
//! language-aware rules) and its role (test, fixture, docs, CI, migration,
//! infrastructure). Decided from the path alone, so it is cheap and predictable.

/// A file's language, as far as the rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Rust,
    Python,
    /// JavaScript and TypeScript (and JSX/TSX, Vue, Svelte).
    JavaScript,
    Go,
    /// Java, Kotlin, Scala, Groovy.
    Jvm,
    Ruby,
    CSharp,
    Php,
    /// C, C++, Objective-C.
    C,
    Swift,
    Shell,
    Sql,
    /// Terraform and HCL.
    Hcl,
    Yaml,
    Json,
    Toml,
    Dockerfile,
    Make,
    Markdown,
    Other,
}

/// A file's language and role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileClass {
    pub lang: Lang,
    /// A test (unit, integration, spec, e2e).
    pub test: bool,
    /// Test data: fixtures, testdata, snapshots, seeds for tests.
    pub fixture: bool,
    /// Prose: docs, runbooks, READMEs, changelogs, ADRs.
    pub docs: bool,
    /// A CI/CD pipeline definition.
    pub ci: bool,
    /// A database migration (SQL or ORM).
    pub migration: bool,
    /// Infrastructure as code (Terraform, Kubernetes, Helm, CloudFormation, …).
    pub infra: bool,
    /// Vendored or generated code nobody reviews line by line.
    pub vendored: bool,
}

fn ext_lang(name: &str) -> Lang {
    let lower = name.to_ascii_lowercase();
    if lower == "dockerfile" || lower.starts_with("dockerfile.") || lower.ends_with(".dockerfile") {
        return Lang::Dockerfile;
    }
    if lower == "makefile" || lower == "gnumakefile" || lower.ends_with(".mk") {
        return Lang::Make;
    }
    if lower == "jenkinsfile" {
        return Lang::Jvm;
    }
    if matches!(
        lower.as_str(),
        "gemfile" | "rakefile" | "podfile" | "fastfile"
    ) {
        return Lang::Ruby;
    }
    if (lower.starts_with("requirements") || lower.starts_with("constraints"))
        && (lower.ends_with(".txt") || lower.ends_with(".in"))
        || lower == "cmakelists.txt"
    {
        return Lang::Other;
    }
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    match ext {
        "rs" => Lang::Rust,
        "py" | "pyi" | "pyw" => Lang::Python,
        "js" | "jsx" | "mjs" | "cjs" | "ts" | "tsx" | "mts" | "cts" | "vue" | "svelte" => {
            Lang::JavaScript
        }
        "go" => Lang::Go,
        "java" | "kt" | "kts" | "scala" | "groovy" | "gradle" => Lang::Jvm,
        "rb" | "erb" | "rake" | "gemspec" => Lang::Ruby,
        "cs" | "fs" | "vb" => Lang::CSharp,
        "php" => Lang::Php,
        "c" | "h" | "cc" | "cpp" | "cxx" | "hpp" | "hh" | "m" | "mm" => Lang::C,
        "swift" => Lang::Swift,
        "sh" | "bash" | "zsh" | "ksh" | "fish" | "ps1" | "bats" => Lang::Shell,
        "sql" | "psql" | "ddl" => Lang::Sql,
        "tf" | "hcl" | "tfvars" | "nomad" => Lang::Hcl,
        "yml" | "yaml" => Lang::Yaml,
        "json" | "jsonc" | "json5" => Lang::Json,
        "toml" | "lock" if lower == "cargo.lock" || ext == "toml" => Lang::Toml,
        "md" | "markdown" | "rst" | "adoc" | "txt" | "org" => Lang::Markdown,
        _ => Lang::Other,
    }
}

/// A file of translated strings: `config/locales/en.yml`, `locales/de.json`,
/// `i18n/fr.json`, `lang/en/messages.php`, gettext catalogues.
pub fn translation_file(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    const DIRS: &[&str] = &[
        "locales/",
        "locale/",
        "i18n/",
        "translations/",
        "lang/",
        "l10n/",
    ];
    const KINDS: &[&str] = &[
        ".yml",
        ".yaml",
        ".json",
        ".php",
        ".properties",
        ".xlf",
        ".arb",
    ];
    let in_dir = DIRS
        .iter()
        .any(|d| p.starts_with(d) || p.contains(&format!("/{d}")));
    p.ends_with(".po") || p.ends_with(".pot") || in_dir && KINDS.iter().any(|e| p.ends_with(e))
}

/// A stylesheet (CSS, Sass, Less): rules, not code that runs queries.
pub fn stylesheet(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [".css", ".scss", ".sass", ".less"]
        .iter()
        .any(|e| lower.ends_with(e))
}

fn has_segment(segs: &[&str], names: &[&str]) -> bool {
    segs.iter()
        .any(|s| names.iter().any(|n| s.eq_ignore_ascii_case(n)))
}

impl FileClass {
    /// Classifies a repository-relative path.
    pub fn of(path: &str) -> FileClass {
        let segs: Vec<&str> = path.split('/').collect();
        let name = segs.last().copied().unwrap_or("");
        let lower = name.to_ascii_lowercase();
        let dirs = &segs[..segs.len().saturating_sub(1)];
        let lang = ext_lang(name);

        let fixture = has_segment(
            dirs,
            &[
                "fixtures",
                "fixture",
                "__fixtures__",
                "testdata",
                "test-data",
                "test_data",
                "__snapshots__",
                "snapshots",
                "golden",
                "mocks",
                "__mocks__",
                "seeds",
                "seed",
                "sample-data",
                "sample_data",
                "examples",
                "example",
                "demo",
                "stubs",
            ],
        ) || lower.ends_with(".snap");
        let test = fixture
            || has_segment(
                dirs,
                &[
                    "test",
                    "tests",
                    "__tests__",
                    "spec",
                    "specs",
                    "e2e",
                    "testing",
                    "it",
                    "benches",
                    "bench",
                    "benchmarks",
                    // Gradle and Android source sets of tests.
                    "androidTest",
                    "integrationTest",
                    "testFixtures",
                ],
            )
            || lower.starts_with("test_")
            || lower.ends_with("_test.go")
            || lower.ends_with("_test.py")
            || lower.ends_with("_spec.rb")
            || lower.ends_with("_test.rb")
            || lower == "conftest.py"
            || [".test.", ".spec.", "_test.", ".tests."]
                .iter()
                .any(|m| lower.contains(m))
            || ((name.ends_with("Test.java")
                || name.ends_with("Tests.java")
                || name.ends_with("Test.kt")
                || name.ends_with("Tests.cs")
                || name.ends_with("Test.cs")
                || name.ends_with("Tests.swift")
                || name.ends_with("Tests.kt")
                || name.ends_with("Spec.kt")
                || name.ends_with("Test.scala")
                || name.ends_with("Spec.scala")
                || name.ends_with("Test.php"))
                && !name.starts_with("Test"));
        // A `docs` directory holds prose, but a `docs` package of code
        // (`com/acme/docs/DocumentService.java`) is code.
        let docs = lang == Lang::Markdown
            || has_segment(
                dirs,
                &["docs", "doc", "runbooks", "runbook", "adr", "adrs", "rfcs"],
            ) && matches!(
                lang,
                Lang::Other | Lang::Json | Lang::Yaml | Lang::Toml | Lang::Markdown
            )
            || lower.starts_with("readme")
            || lower.starts_with("changelog")
            || lower == "license"
            || lower == "notice";
        let ci = path.starts_with(".github/workflows/")
            || path.starts_with(".github/actions/")
            || path.starts_with(".circleci/")
            || path.starts_with(".buildkite/")
            || path.starts_with(".gitlab/ci/")
            // These only take effect at the repository root.
            || (dirs.is_empty()
                && matches!(
                    lower.as_str(),
                    ".gitlab-ci.yml" | "bitbucket-pipelines.yml" | ".travis.yml" | ".drone.yml"
                ))
            || lower == "jenkinsfile"
            || lower == "azure-pipelines.yml"
            || lower == "cloudbuild.yaml"
            || lower == "cloudbuild.yml"
            || path.starts_with(".tekton/")
            || lower == "buildspec.yml";
        let migration = !fixture
            && (has_segment(
                dirs,
                &[
                    "migrations",
                    "migration",
                    "migrate",
                    "db_migrations",
                    "flyway",
                    "liquibase",
                    "changesets",
                    "alembic",
                    "versions",
                ],
            ) && (matches!(
                lang,
                Lang::Sql
                    | Lang::Python
                    | Lang::Ruby
                    | Lang::JavaScript
                    | Lang::Go
                    | Lang::Jvm
                    | Lang::CSharp
                    | Lang::Php
                    | Lang::Yaml
                    | Lang::Other
            )) || (lang == Lang::Sql && !docs && !schema_dump(&path.to_ascii_lowercase())));
        let infra = lang == Lang::Hcl
            || has_segment(
                dirs,
                &[
                    "k8s",
                    "kubernetes",
                    "helm",
                    "charts",
                    "manifests",
                    "deploy",
                    "deployment",
                    "deployments",
                    "infra",
                    "infrastructure",
                    "terraform",
                    "cloudformation",
                    "cfn",
                    "kustomize",
                    "overlays",
                    "argocd",
                    "ansible",
                    "pulumi",
                ],
            ) && matches!(lang, Lang::Yaml | Lang::Json | Lang::Other)
            || lower.contains("cloudformation")
            || lower == "serverless.yml"
            || lower == "docker-compose.yml"
            || lower == "compose.yaml"
            || lower == "docker-compose.yaml";
        let vendored = has_segment(
            dirs,
            &["vendor", "node_modules", "third_party", "third-party"],
        ) || lower.ends_with(".min.js")
            || lower.ends_with(".min.css")
            || lower.ends_with(".js.map")
            || lower.ends_with(".css.map")
            || has_segment(dirs, &["dist"])
                && (lower.ends_with(".js") || lower.ends_with(".css") || lower.ends_with(".mjs"))
            || lower.ends_with(".pb.go")
            || lower.ends_with("_pb2.py")
            || lower.ends_with(".generated.ts");
        FileClass {
            lang,
            test,
            fixture,
            docs,
            ci,
            migration,
            infra,
            vendored,
        }
    }

    /// Test code or test data.
    pub fn test_like(&self) -> bool {
        self.test || self.fixture
    }

    /// Code that runs somewhere that matters: not tests, fixtures, docs or vendored code.
    pub fn production(&self) -> bool {
        !self.test && !self.fixture && !self.docs && !self.vendored
    }

    /// True when `line` is a comment (or blank) in this file's language. Block
    /// comments are recognised by their usual line prefixes (`/*`, `*`).
    pub fn is_comment(&self, line: &str) -> bool {
        let t = line.trim_start();
        if t.is_empty() {
            return true;
        }
        match self.lang {
            Lang::Python
            | Lang::Shell
            | Lang::Yaml
            | Lang::Toml
            | Lang::Make
            | Lang::Dockerfile => t.starts_with('#'),
            Lang::Ruby => t.starts_with('#') || t.starts_with("=begin"),
            Lang::Hcl => {
                t.starts_with('#')
                    || t.starts_with("//")
                    || t.starts_with("/*")
                    || t.starts_with("* ")
            }
            Lang::Sql => {
                t.starts_with("--") || t.starts_with("/*") || t.starts_with("* ") || t == "*/"
            }
            Lang::Php => {
                t.starts_with("//")
                    || t.starts_with('#')
                    || t.starts_with("/*")
                    || t.starts_with("* ")
                    || t == "*/"
            }
            Lang::Rust
            | Lang::JavaScript
            | Lang::Go
            | Lang::Jvm
            | Lang::CSharp
            | Lang::C
            | Lang::Swift => {
                t.starts_with("//")
                    || t.starts_with("/*")
                    || t.starts_with("* ")
                    || t == "*"
                    || t == "*/"
            }
            Lang::Markdown => true,
            Lang::Json | Lang::Other => false,
        }
    }
}

/// Lowercased file name of a path.
pub fn file_name(path: &str) -> String {
    path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase()
}

/// A schema dump the framework rewrites after each migration (Rails'
/// `db/structure.sql`): it records what the migrations did, and runs nowhere.
fn schema_dump(lower_path: &str) -> bool {
    lower_path.ends_with("structure.sql") || lower_path.ends_with("db/schema.sql")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translation_files_are_told_from_config() {
        use super::translation_file;
        assert!(translation_file("config/locales/en.yml"));
        assert!(translation_file("web/src/i18n/de.json"));
        assert!(translation_file("resources/lang/fr/messages.php"));
        assert!(translation_file("po/nl.po"));
        assert!(!translation_file("config/settings.yml"));
        assert!(!translation_file("src/i18n/loader.ts"));
    }

    #[test]
    fn roles_come_from_the_path() {
        let c = FileClass::of("services/billing/tests/fixtures/schema.sql");
        assert!(c.fixture && c.test && !c.migration);
        let c = FileClass::of("db/migrations/20240102_drop_orders.sql");
        assert!(c.migration && c.production());
        let c = FileClass::of("docs/runbooks/teardown.md");
        assert!(c.docs && !c.production());
        assert!(FileClass::of(".github/workflows/deploy.yml").ci);
        assert!(FileClass::of(".travis.yml").ci);
        assert!(
            !FileClass::of("vendor/lib/.travis.yml").ci,
            "only the root one runs"
        );
        assert!(FileClass::of("infra/prod/main.tf").infra);
        assert!(FileClass::of("deploy/k8s/api.yaml").infra);
        assert!(FileClass::of("pkg/auth/token_test.go").test);
        assert!(FileClass::of("app/src/androidTest/java/com/acme/TrustAllTls.kt").test);
        assert!(FileClass::of("tests/Feature/RefundTest.php").test);
        assert!(!FileClass::of("app/src/main/java/com/acme/TestimonialService.kt").test);
        assert!(FileClass::of("src/components/Cart.test.tsx").test);
        assert!(!FileClass::of("src/attestation/verify.rs").test);
        assert!(FileClass::of("app/src/test/java/com/acme/OrderServiceTest.java").test);
    }

    #[test]
    fn comments_follow_the_language() {
        let py = FileClass::of("app/x.py");
        assert!(py.is_comment("   # eval(x)"));
        assert!(!py.is_comment("eval(x)  # why"));
        let rs = FileClass::of("src/x.rs");
        assert!(rs.is_comment("/// docs"));
        assert!(!rs.is_comment("let _ = x;"));
        assert!(FileClass::of("db/x.sql").is_comment("-- DROP TABLE x;"));
    }
}
