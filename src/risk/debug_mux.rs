//! Go's process-wide mux handed to the application's listener. Importing
//! `net/http/pprof` or `expvar` registers `/debug/pprof/*` and `/debug/vars`
//! on `http.DefaultServeMux`; that is harmless while only a loopback admin
//! listener serves that mux. A change that puts the application itself on
//! the default mux (`http.Handle("/", app)`), returns the default mux for the
//! main server, or serves it with `ListenAndServe(addr, nil)` on a public
//! address publishes the profiler with the API: heap dumps, CPU profiles and
//! the command line answer whoever reaches the service.

use std::sync::LazyLock;

use regex::Regex;

use super::lang::Lang;
use super::{ChangeView, FileView, Finding, Severity, quote};

/// Packages whose import registers handlers on the default mux.
static DEBUG_IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^\s*(_\s+)?"(net/http/pprof|expvar)"\s*(//.*)?$"#).expect("a valid regex")
});

/// The default mux made the one the application is served from.
static SERVED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(\breturn\s+http\.DefaultServeMux\b|^\s*http\.Handle(Func)?\(\s*"/"\s*,|\bListenAndServe(TLS)?\((?P<addr>[^,()]*),(\s*"[^"]*"\s*,\s*"[^"]*"\s*,)?\s*nil\s*\))"#,
    )
    .expect("a valid regex")
});

/// An address or a name that says the listener is the operators' own.
static PRIVATE_ADDR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(127\.0\.0\.1|localhost|\[::1\]|admin|debug|pprof|internal|ops)")
        .expect("a valid regex")
});

/// Looks for a Go file that makes the default mux the application's.
pub fn check(f: &FileView<'_>, change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    if f.class.lang != Lang::Go || f.class.test_like() || f.added.is_empty() {
        return;
    }
    let Some(line) = f.added.iter().find(|l| {
        SERVED.captures(l.text).is_some_and(|c| {
            !c.name("addr")
                .is_some_and(|a| PRIVATE_ADDR.is_match(a.as_str()))
                && !f.removed.iter().any(|r| r.text.trim() == l.text.trim())
        })
    }) else {
        return;
    };
    let Some(import) = change
        .files
        .iter()
        .filter(|g| g.class.lang == Lang::Go && !g.class.test_like())
        .find_map(|g| {
            let text = g.new_text_or_hunks();
            DEBUG_IMPORT.captures(&text).map(|c| c[2].to_string())
        })
    else {
        return;
    };
    out.push(Finding::added(
        "profiler-on-app-listener",
        Severity::High,
        f.path,
        Some(line.no),
        format!(
            "Serves Go's default mux as the application ({}), and the imported `{}` registers its debug handlers there: profiles, heap dumps and the command line now answer whoever reaches the service, outside its auth middleware.",
            quote(line.text.trim()),
            import
        ),
    ));
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::findings_of_change;

    const ADMIN: &str = "package admin\n\nimport (\n\t\"net/http\"\n\t_ \"net/http/pprof\" // registers /debug/pprof/*\n)\n\nfunc New(addr string) *http.Server {\n\treturn &http.Server{Addr: addr, Handler: http.DefaultServeMux}\n}\n";

    fn found(files: &[(&str, Option<&str>, Option<&str>)]) -> bool {
        findings_of_change(files, None)
            .iter()
            .any(|f| f.rule == "profiler-on-app-listener")
    }

    #[test]
    fn the_app_on_the_default_mux_with_pprof_imported_is_found() {
        let mounted = ADMIN.replace(
            "func New(addr string) *http.Server {\n\treturn &http.Server{Addr: addr, Handler: http.DefaultServeMux}\n}",
            "func Mount(app http.Handler) http.Handler {\n\thttp.Handle(\"/\", app)\n\treturn http.DefaultServeMux\n}",
        );
        assert!(found(&[(
            "internal/admin/admin.go",
            Some(ADMIN),
            Some(&mounted)
        )]));
        // Served with a nil handler on the public address, pprof imported by
        // another file of the change.
        let main_old = "package main\n\nfunc main() {\n\tgo admin.New(\"127.0.0.1:6060\")\n\thttp.ListenAndServe(cfg.Addr, router)\n}\n";
        let main_new = main_old.replace("cfg.Addr, router", "cfg.Addr, nil");
        let admin_new = format!("{ADMIN}\n// Version is the build.\nvar Version = \"dev\"\n");
        assert!(found(&[
            ("cmd/api/main.go", Some(main_old), Some(&main_new)),
            ("internal/admin/admin.go", Some(ADMIN), Some(&admin_new)),
        ]));
    }

    #[test]
    fn the_default_mux_on_a_loopback_listener_or_without_a_profiler_is_not() {
        let loopback =
            "package main\n\nfunc main() {\n\tgo http.ListenAndServe(\"localhost:6060\", nil)\n}\n";
        let with_import = format!("{loopback}\nimport _ \"net/http/pprof\"\n");
        assert!(!found(&[(
            "cmd/api/main.go",
            Some("package main\n"),
            Some(&with_import)
        )]));
        // No debug package anywhere in the change.
        let plain = "package main\n\nfunc main() {\n\thttp.Handle(\"/\", router)\n\thttp.ListenAndServe(cfg.Addr, nil)\n}\n";
        assert!(!found(&[(
            "cmd/api/main.go",
            Some("package main\n"),
            Some(plain)
        )]));
        // Already served that way before: not this change.
        let before = format!("{plain}\nimport _ \"net/http/pprof\"\n");
        let after = before.replace(
            "package main",
            "// Package main runs the API.\npackage main",
        );
        assert!(!found(&[("cmd/api/main.go", Some(&before), Some(&after))]));
    }
}
