//! A view that overrides a project-wide default list and leaves out the
//! project's own entry. Django REST framework applies
//! `DEFAULT_FILTER_BACKENDS` to every view unless the view sets
//! `filter_backends`; a project that scopes every query to the caller's
//! organisation with a backend of its own loses that scoping on the one
//! view that adds `filter_backends = [DjangoFilterBackend]` for a search
//! box. Nothing fails: the view lists every tenant's rows.

use std::sync::LazyLock;

use regex::Regex;

use super::lang::Lang;
use super::{ChangeView, FileView, Finding, Severity, quote};

/// A view's own list: `filter_backends = [DjangoFilterBackend, …]`.
static VIEW_LIST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s+filter_backends\s*=\s*[\[(]([^\])]*)").expect("a valid regex")
});

/// The backends the framework and django-filter ship: a project's own
/// backend is what a view may silently drop.
const STOCK: &[&str] = &[
    "DjangoFilterBackend",
    "OrderingFilter",
    "SearchFilter",
    "DjangoObjectPermissionsFilter",
];

/// The project's default filter backends, named by their last segment,
/// from any settings file of the change.
fn project_defaults(change: &ChangeView<'_>) -> Vec<String> {
    static DEFAULTS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"["']DEFAULT_FILTER_BACKENDS["']\s*:\s*\[([^\]]*)"#).expect("a valid regex")
    });
    static ENTRY: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"["']([\w.]+)["']"#).expect("a valid regex"));
    change
        .files
        .iter()
        .filter(|g| g.class.lang == Lang::Python)
        .filter_map(|g| {
            let text = g.new_text_or_hunks();
            DEFAULTS.captures(&text).map(|c| {
                let listed: String = c[1]
                    .lines()
                    .filter(|x| !x.trim_start().starts_with('#'))
                    .collect();
                ENTRY
                    .captures_iter(&listed)
                    .map(|e| e[1].rsplit('.').next().unwrap_or(&e[1]).to_string())
                    .collect::<Vec<_>>()
            })
        })
        .flatten()
        .filter(|n| !STOCK.contains(&n.as_str()))
        .collect()
}

/// Views of the change that set `filter_backends` without the project's
/// own default backends.
pub fn check(f: &FileView<'_>, change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    if f.class.lang != Lang::Python
        || f.class.test_like()
        || !f.added_text.contains("filter_backends")
    {
        return;
    }
    let Some((l, listed)) = f
        .added_code()
        .find_map(|l| VIEW_LIST.captures(l.text).map(|c| (l, c[1].to_string())))
    else {
        return;
    };
    let dropped: Vec<String> = project_defaults(change)
        .into_iter()
        .filter(|d| !listed.contains(d.as_str()) && !listed.contains("DEFAULT_FILTER_BACKENDS"))
        .collect();
    let Some(first) = dropped.first() else {
        return;
    };
    out.push(Finding::added(
        "view-drops-default-filter",
        Severity::High,
        f.path,
        Some(l.no),
        format!(
            "`{}` replaces the project's DEFAULT_FILTER_BACKENDS for this view, and `{}` from them is not in it: the queries this view answers are no longer filtered by it.",
            quote(l.text.trim()),
            quote(first)
        ),
    ));
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_for_change;

    const SETTINGS: &str = "REST_FRAMEWORK = {\n    \"DEFAULT_FILTER_BACKENDS\": [\n        # Scopes every query (set by the tenancy middleware).\n        \"tenancy.filters.OrganizationScopeBackend\",\n    ],\n}\n";
    const VIEW: &str = "class InvoiceViewSet(viewsets.ModelViewSet):\n    queryset = Invoice.objects.all()\n    serializer_class = InvoiceSerializer\n";

    fn hit(line: &str) -> bool {
        rules_for_change(&[
            (
                "config/settings/base.py",
                SETTINGS,
                &format!("{SETTINGS}INSTALLED_APPS += [\"django_filters\"]\n"),
            ),
            ("billing/api/views.py", VIEW, &format!("{VIEW}{line}")),
        ])
        .contains(&"view-drops-default-filter".to_string())
    }

    #[test]
    fn a_view_list_without_the_projects_scoping_backend_is_found() {
        assert!(hit(
            "    filter_backends = [DjangoFilterBackend, OrderingFilter]\n"
        ));
        // Keeping the project's backend, or extending the defaults: quiet.
        assert!(!hit(
            "    filter_backends = [OrganizationScopeBackend, DjangoFilterBackend]\n"
        ));
        assert!(!hit(
            "    filter_backends = [*api_settings.DEFAULT_FILTER_BACKENDS, OrderingFilter]\n"
        ));
    }
}
