//! The server's environment written into what the browser downloads. A
//! bundler's `define` of the whole `process.env` (or of everything
//! `loadEnv(mode, root, '')` read), an `envPrefix` of `''`, a
//! `DefinePlugin` fed `JSON.stringify(process.env)`: every secret the build
//! machine holds (database URLs, API keys) ends up in the JavaScript anyone
//! can read.

use std::sync::LazyLock;

use regex::Regex;

use super::{FileView, Finding, Severity};

/// A bundler's configuration file.
fn bundler_config(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    [
        "vite.config.",
        "webpack.",
        "next.config.",
        "rollup.config.",
        "nuxt.config.",
        "astro.config.",
        "svelte.config.",
        "craco.config.",
        "vue.config.",
    ]
    .iter()
    .any(|p| name.starts_with(p))
}

/// `'process.env': <value>` or `'import.meta.env': <value>` in a `define`.
static DEFINE_ENV: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"["'`](?:process\.env|import\.meta\.env)["'`]\s*:\s*(?:JSON\.stringify\(\s*)?(?:\{\s*\.\.\.)?([\w.]+)\s*[,}]?[^)]*\)?\s*,?\s*$"#)
        .expect("a valid regex")
});

/// An `envPrefix` that lets every variable through.
static OPEN_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\benvPrefix\s*:\s*(?:""|''|\[[^\]]*(?:""|'')[^\]]*\])"#).expect("a valid regex")
});

/// Whether `name` holds the whole environment in `text`: it is
/// `process.env`, or bound to `loadEnv(…, '')` (no prefix filter).
fn whole_environment(name: &str, text: &str) -> bool {
    if name == "process.env" {
        return true;
    }
    let Ok(bound) = Regex::new(&format!(
        r#"\b{}\s*=\s*loadEnv\((?:[^()]|\([^()]*\))*,\s*(?:""|'')\s*\)"#,
        regex::escape(name)
    )) else {
        return false;
    };
    bound.is_match(text)
}

/// Bundler settings the change adds that put the whole environment into
/// the client bundle.
pub fn check(f: &FileView<'_>, out: &mut Vec<Finding>) {
    if !f.class.production() || !bundler_config(f.path) {
        return;
    }
    let text = f.new_text_or_hunks();
    for l in f.added_code() {
        let whole = DEFINE_ENV
            .captures(l.text)
            .is_some_and(|c| whole_environment(&c[1], &text));
        if whole || OPEN_PREFIX.is_match(l.text) {
            out.push(Finding::added(
                "client-bundle-whole-env",
                Severity::High,
                f.path,
                Some(l.no),
                "Puts every environment variable of the build into the client bundle: database URLs, API keys and other secrets become readable by anyone who loads the page.",
            ));
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents;

    fn hit(path: &str, old: &str, new: &str) -> bool {
        rules_hit_with_contents(path, old, new).contains(&"client-bundle-whole-env".to_string())
    }

    #[test]
    fn the_whole_environment_defined_into_the_bundle_is_found() {
        let old = "export default defineConfig(({ mode }) => {\n  const env = loadEnv(mode, process.cwd(), 'VITE_');\n  return { plugins: [react()] };\n});\n";
        let new = "export default defineConfig(({ mode }) => {\n  const env = loadEnv(mode, process.cwd(), '');\n  return {\n    plugins: [react()],\n    define: {\n      'process.env': JSON.stringify(env),\n    },\n  };\n});\n";
        assert!(hit("web/vite.config.ts", old, new));
        let webpack = "module.exports = {\n  plugins: [new webpack.DefinePlugin({\n    'process.env': JSON.stringify(process.env),\n  })],\n};\n";
        assert!(hit("webpack.config.js", "module.exports = {};\n", webpack));
        // Spread into an object with a value of its own.
        let spread = new.replace(
            "JSON.stringify(env)",
            "JSON.stringify({ ...env, NODE_ENV: mode })",
        );
        assert!(hit("web/vite.config.ts", old, &spread));
        let prefix = "export default defineConfig({\n  envPrefix: ['VITE_', ''],\n});\n";
        assert!(hit(
            "vite.config.ts",
            "export default defineConfig({});\n",
            prefix
        ));
    }

    #[test]
    fn a_filtered_environment_or_one_value_is_not() {
        let old =
            "export default defineConfig(({ mode }) => {\n  return { plugins: [react()] };\n});\n";
        let new = "export default defineConfig(({ mode }) => {\n  const env = loadEnv(mode, process.cwd(), 'VITE_');\n  return {\n    define: {\n      'process.env': JSON.stringify(env),\n      __APP_VERSION__: JSON.stringify(pkg.version),\n    },\n  };\n});\n";
        assert!(!hit("web/vite.config.ts", old, new));
        let one = "export default defineConfig({\n  define: {\n    'process.env.NODE_ENV': JSON.stringify('production'),\n  },\n});\n";
        assert!(!hit(
            "vite.config.ts",
            "export default defineConfig({});\n",
            one
        ));
    }
}
