//! Container images read as build stages (Dockerfile, Containerfile): which
//! user the final image runs as, and whether the whole build context ends up
//! in it. Compared before and after, so a rewrite (single stage to
//! multi-stage, say) that loses `USER` is found even though no line says
//! `USER root`.

use std::sync::LazyLock;

use regex::Regex;

use super::lang::Lang;
use super::{ChangeView, FileView, Finding, Severity, quote};

/// True for files this module reads in full.
pub fn wants_contents(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name.starts_with("dockerfile")
        || name.starts_with("containerfile")
        || name.ends_with(".dockerfile")
        || name.ends_with(".containerfile")
}

/// One instruction: its line (1-based, where it starts), keyword and
/// arguments, continuation lines joined.
#[derive(Debug, Clone)]
struct Instruction {
    line: u32,
    keyword: String,
    args: String,
}

fn instructions(text: &str) -> Vec<Instruction> {
    let mut out: Vec<Instruction> = Vec::new();
    let mut pending: Option<Instruction> = None;
    for (i, raw) in text.lines().enumerate() {
        let t = raw.trim();
        if pending.is_none() && (t.is_empty() || t.starts_with('#')) {
            continue;
        }
        let (body, continued) = match t.strip_suffix('\\') {
            Some(b) => (b.trim_end(), true),
            None => (t, false),
        };
        match pending.as_mut() {
            Some(p) => {
                if !body.starts_with('#') {
                    p.args.push(' ');
                    p.args.push_str(body);
                }
            }
            None => {
                let (k, a) = body.split_once(char::is_whitespace).unwrap_or((body, ""));
                pending = Some(Instruction {
                    line: i as u32 + 1,
                    keyword: k.to_ascii_uppercase(),
                    args: a.trim().to_string(),
                });
            }
        }
        if !continued && let Some(p) = pending.take() {
            out.push(p);
        }
    }
    out.extend(pending);
    out
}

/// A build stage: its `FROM` image, its name, and its instructions.
#[derive(Debug, Clone)]
struct Stage {
    from: String,
    name: Option<String>,
    from_line: u32,
    body: Vec<Instruction>,
}

fn stages(text: &str) -> Vec<Stage> {
    let mut out: Vec<Stage> = Vec::new();
    for ins in instructions(text) {
        if ins.keyword == "FROM" {
            let words: Vec<&str> = ins
                .args
                .split_whitespace()
                .filter(|w| !w.starts_with("--"))
                .collect();
            let name = match words.as_slice() {
                [_, as_, n] if as_.eq_ignore_ascii_case("as") => Some(n.to_ascii_lowercase()),
                _ => None,
            };
            out.push(Stage {
                from: words.first().map_or(String::new(), |w| w.to_string()),
                name,
                from_line: ins.line,
                body: Vec::new(),
            });
        } else if let Some(s) = out.last_mut() {
            s.body.push(ins);
        }
    }
    out
}

/// Who a user spec names: root (`root`, `0`, `0:0`, `root:staff`) or not.
fn is_root(user: &str) -> bool {
    let u = user.split(':').next().unwrap_or(user).trim();
    u.eq_ignore_ascii_case("root") || u == "0"
}

/// Base images that run as a non-root user unless told otherwise.
static NON_ROOT_BASE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(nonroot|non-root|rootless|distroless/.*:nonroot|^cgr\.dev/|chainguard/)")
        .unwrap()
});

/// The user the final stage runs as, with the line that decides it (`None`
/// for the line when it is inherited from a base image).
fn final_user(all: &[Stage]) -> Option<(String, Option<u32>)> {
    let mut i = all.len().checked_sub(1)?;
    for _ in 0..all.len() {
        let s = &all[i];
        if let Some(u) = s.body.iter().rev().find(|x| x.keyword == "USER") {
            return Some((u.args.clone(), Some(u.line)));
        }
        // `FROM build`: the stage inherits what the named stage ran as.
        let parent = all[..i]
            .iter()
            .rposition(|p| p.name.as_deref() == Some(&s.from.to_ascii_lowercase()));
        match parent {
            Some(p) => i = p,
            None => {
                let base_user = if NON_ROOT_BASE.is_match(&s.from) {
                    "nonroot"
                } else {
                    "root"
                };
                return Some((base_user.to_string(), None));
            }
        }
    }
    None
}

/// True when the stage copies the whole build context (`COPY . .`,
/// `ADD . /app`), or copies from a stage that did into the same place.
fn copies_context(all: &[Stage], i: usize, depth: u8) -> Option<u32> {
    let s = all.get(i)?;
    for ins in s
        .body
        .iter()
        .filter(|x| x.keyword == "COPY" || x.keyword == "ADD")
    {
        let words: Vec<&str> = ins.args.split_whitespace().collect();
        let from = words
            .iter()
            .find_map(|w| w.strip_prefix("--from="))
            .map(str::to_ascii_lowercase);
        let paths: Vec<&str> = words
            .iter()
            .copied()
            .filter(|w| !w.starts_with("--"))
            .collect();
        let sources = &paths[..paths.len().saturating_sub(1)];
        match from {
            None => {
                if sources
                    .iter()
                    .any(|p| matches!(*p, "." | "./" | "*" | "./*"))
                {
                    return Some(ins.line);
                }
            }
            Some(stage) if depth < 4 => {
                let j = all[..i]
                    .iter()
                    .rposition(|p| p.name.as_deref() == Some(stage.as_str()))?;
                // Copying the stage's work directory (or its root) brings
                // along whatever that stage copied in whole.
                let workdir = all[j]
                    .body
                    .iter()
                    .rev()
                    .find(|x| x.keyword == "WORKDIR")
                    .map(|x| x.args.trim_end_matches('/').to_string());
                let whole = sources.iter().any(|p| {
                    let p = p.trim_end_matches('/');
                    p.is_empty() || workdir.as_deref().is_some_and(|w| w == p)
                });
                if whole && copies_context(all, j, depth + 1).is_some() {
                    return Some(ins.line);
                }
            }
            Some(_) => {}
        }
    }
    None
}

/// Bundler's per-host credentials (`BUNDLE_GEMS__CONTRIBSYS__COM` holds
/// `user:password` for gems.contribsys.com): a secret by convention, whatever
/// the name says.
static BUNDLER_CREDENTIALS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^BUNDLE_[A-Z0-9_]+__[A-Z0-9]+$").unwrap());

/// Whether a line the change adds anywhere hands `name` a secret: a
/// workflow's `NAME=${{ secrets.X }}`, a script's `--build-arg
/// NAME="${DEPLOY_TOKEN}"`. What the build is fed decides what the argument
/// holds, not its name.
fn fed_a_secret(change: &ChangeView<'_>, name: &str) -> bool {
    static SECRET_VALUE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^\s*[\x22']?\$\{?\{?\s*(secrets\.|\w*(TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?|API_?KEY|PRIVATE_?KEY)\b)").unwrap()
    });
    let set = format!("{name}=");
    change.files.iter().flat_map(|g| &g.added).any(|l| {
        l.text.match_indices(&set).any(|(i, _)| {
            let before = l.text[..i].chars().next_back();
            !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
                && SECRET_VALUE.is_match(&l.text[i + set.len()..])
        })
    })
}

/// Container image rules for one file.
/// A secret handed to the final stage of an image as a build argument or an
/// environment variable (`ARG NPM_TOKEN`, `ENV STRIPE_SECRET_KEY=…`): it is
/// kept in the image's history (and, for `ENV`, its configuration), where
/// anyone who can pull the image reads it. A builder stage's arguments stay
/// behind in the builder.
fn secret_in_final_stage(
    f: &FileView<'_>,
    change: &ChangeView<'_>,
    new: &str,
    out: &mut Vec<Finding>,
) {
    static SECRET_NAME: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^\w*(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIALS?)\w*$").unwrap()
    });
    static PUBLIC_PART: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(_NAME|_PATH|_FILE|_ID|_URL|_HEADER|_LENGTH|_TTL)$").unwrap()
    });
    let Some(last) = stages(new).pop() else {
        return;
    };
    let declared = |ins: &Instruction| {
        (ins.keyword == "ARG" || ins.keyword == "ENV").then(|| {
            ins.args
                .split(['=', ' '])
                .next()
                .unwrap_or("")
                .trim()
                .to_string()
        })
    };
    // What the final stage already carried: a stage collapsed into the
    // final one (multi-stage made single) brings its arguments along even
    // when their lines are unchanged.
    let before: Vec<String> = f
        .old_text()
        .and_then(|old| stages(old).pop())
        .map(|s| s.body.iter().filter_map(declared).collect())
        .unwrap_or_default();
    for ins in &last.body {
        let Some(name) = declared(ins) else { continue };
        let name = name.as_str();
        let new_here = f.added.iter().any(|l| l.no == ins.line)
            || f.old_text().is_some() && !before.iter().any(|b| b == name);
        let secret = SECRET_NAME.is_match(name) && !PUBLIC_PART.is_match(name)
            || BUNDLER_CREDENTIALS.is_match(name)
            || fed_a_secret(change, name);
        if !secret || !new_here {
            continue;
        }
        out.push(Finding::added(
            "docker-secret-in-image",
            Severity::High,
            f.path,
            Some(ins.line),
            format!(
                "Passes `{}` into the final image as {}: it stays in the image's history, readable by anyone who can pull the image. Use a build secret (`RUN --mount=type=secret`) or a builder stage.",
                quote(name),
                if ins.keyword == "ARG" { "a build argument" } else { "an environment variable" }
            ),
        ));
        return;
    }
}

pub fn check(f: &FileView<'_>, change: &ChangeView<'_>, out: &mut Vec<Finding>) {
    if f.class.lang != Lang::Dockerfile && !wants_contents(f.path)
        || f.class.test_like()
        || f.class.docs
    {
        return;
    }
    if f.class.lang == Lang::Dockerfile
        && let Some(new) = f.new_text()
    {
        secret_in_final_stage(f, change, new, out);
    }
    let (Some(old), Some(new)) = (f.old_text(), f.new_text()) else {
        return;
    };
    let (a, b) = (stages(old), stages(new));
    if let (Some((was, _)), Some((now, line))) = (final_user(&a), final_user(&b))
        && !is_root(&was)
        && is_root(&now)
    {
        let at = line.or_else(|| b.last().map(|s| s.from_line));
        out.push(Finding::added(
            "container-runs-as-root",
            Severity::High,
            f.path,
            at,
            match line {
                Some(_) => format!(
                    "The image now runs as root (`USER {}`; before, as {}): a compromise of the process owns the whole container.",
                    quote(&now),
                    quote(&was)
                ),
                None => format!(
                    "The final stage has no `USER` any more, so the image runs as root (before, as {}): a compromise of the process owns the whole container.",
                    quote(&was)
                ),
            },
        ));
    }
    if let Some(l) = b
        .len()
        .checked_sub(1)
        .and_then(|i| copies_context(&b, i, 0))
        && a.len()
            .checked_sub(1)
            .and_then(|i| copies_context(&a, i, 0))
            .is_none()
    {
        out.push(Finding::added(
            "container-copies-context",
            Severity::Medium,
            f.path,
            Some(l),
            "The final image now gets the whole build context: whatever .dockerignore does not exclude (.env files, keys, .git) ships inside it.",
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::risk::testkit::rules_hit_with_contents as hit;

    const SINGLE: &str = "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY app ./app\nRUN useradd -r app\nUSER app\nCMD [\"gunicorn\", \"app:app\"]\n";

    #[test]
    fn a_secret_build_argument_in_the_final_stage_is_found_in_a_builder_it_is_not() {
        use crate::risk::testkit::rules_hit_with_contents;
        let rule = "docker-secret-in-image".to_string();
        let old = "FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\n";
        let single = "FROM node:20-slim\nWORKDIR /app\nARG NPM_TOKEN\nCOPY . .\nRUN echo \"//npm.pkg.github.com/:_authToken=${NPM_TOKEN}\" > .npmrc && npm ci\n";
        assert!(rules_hit_with_contents("docker/cli.Dockerfile", old, single).contains(&rule));
        let builder = "FROM node:20-slim AS build\nARG NPM_TOKEN\nCOPY . .\nRUN npm ci\n\nFROM node:20-slim\nCOPY --from=build /app /app\n";
        assert!(!rules_hit_with_contents("docker/cli.Dockerfile", old, builder).contains(&rule));
        let file_ref = "FROM node:20-slim\nENV DB_PASSWORD_FILE=/run/secrets/db\nCOPY . .\n";
        assert!(!rules_hit_with_contents("Dockerfile", old, file_ref).contains(&rule));
        // A builder collapsed into the final stage: the ARG line is unchanged
        // but now lands in the shipped image.
        let collapsed = "FROM node:20-slim\nARG NPM_TOKEN\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"dist/main.js\"]\n";
        assert!(
            rules_hit_with_contents("docker/cli.Dockerfile", builder, collapsed).contains(&rule)
        );
        // Already in the final stage before: nothing new.
        let edited = collapsed.replace("RUN npm ci", "RUN npm ci --omit=dev");
        assert!(
            !rules_hit_with_contents("docker/cli.Dockerfile", collapsed, &edited).contains(&rule)
        );
    }

    #[test]
    fn a_build_argument_the_change_feeds_a_secret_is_a_secret_whatever_its_name() {
        use crate::risk::testkit::findings_of_change;
        let rule = |files: &[(&str, Option<&str>, Option<&str>)]| {
            findings_of_change(files, None)
                .iter()
                .any(|f| f.rule == "docker-secret-in-image")
        };
        let old =
            "FROM ruby:3.3-slim\nWORKDIR /app\nCOPY Gemfile Gemfile.lock ./\nRUN bundle install\n";
        let with = |arg: &str| old.replace("RUN bundle", &format!("ARG {arg}\nRUN bundle"));
        // Bundler's per-host credentials, by convention.
        let bundler = with("BUNDLE_GEMS__CONTRIBSYS__COM");
        assert!(rule(&[("Dockerfile", Some(old), Some(&bundler))]));
        // A neutral name, fed from the CI's secrets or a script's token.
        let neutral = with("GEM_SOURCE_AUTH");
        let ci_old =
            "      - uses: docker/build-push-action@v6\n        with:\n          push: true\n";
        let ci = |value: &str| {
            format!("{ci_old}          build-args: |\n            GEM_SOURCE_AUTH={value}\n")
        };
        let fed = ci("${{ secrets.GEMS_AUTH }}");
        assert!(rule(&[
            ("Dockerfile", Some(old), Some(&neutral)),
            (".github/workflows/image.yml", Some(ci_old), Some(&fed)),
        ]));
        let script = "docker build --build-arg GEM_SOURCE_AUTH=\"${DEPLOY_TOKEN}\" .\n";
        assert!(rule(&[
            ("Dockerfile", Some(old), Some(&neutral)),
            ("script/build.sh", Some("docker build .\n"), Some(script)),
        ]));
        // Fed a version, or not fed at all: not a secret.
        let version = ci("${{ github.sha }}");
        assert!(!rule(&[
            ("Dockerfile", Some(old), Some(&neutral)),
            (".github/workflows/image.yml", Some(ci_old), Some(&version)),
        ]));
        assert!(!rule(&[("Dockerfile", Some(old), Some(&neutral))]));
        // A longer name that ends in it is another argument.
        let other =
            ci("${{ secrets.GEMS_AUTH }}").replace("GEM_SOURCE_AUTH=", "X_GEM_SOURCE_AUTH=");
        assert!(!rule(&[
            ("Dockerfile", Some(old), Some(&neutral)),
            (".github/workflows/image.yml", Some(ci_old), Some(&other)),
        ]));
    }

    #[test]
    fn an_image_that_stops_dropping_root_is_found() {
        let root = "container-runs-as-root".to_string();
        // USER removed from a single stage.
        assert!(hit("Dockerfile", SINGLE, &SINGLE.replace("USER app\n", "")).contains(&root));
        // USER left behind in the build stage of a multi-stage rewrite.
        let multi = "FROM python:3.12 AS build\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip wheel -r requirements.txt -w /wheels\nUSER app\nFROM python:3.12-slim\nCOPY --from=build /wheels /wheels\nRUN pip install /wheels/*\nCMD [\"gunicorn\", \"app:app\"]\n";
        assert!(hit("services/api/Containerfile", SINGLE, multi).contains(&root));
        // Switching to root at the end, numeric form.
        let zero = SINGLE.replace("CMD", "USER 0\nCMD");
        assert!(hit("Dockerfile.prod", SINGLE, &zero).contains(&root));
        // Root for one RUN and back, a numeric user, a stage that inherits
        // the user of the stage it builds on, and a nonroot base: not root.
        let back = SINGLE.replace("USER app\n", "USER root\nRUN apt-get update\nUSER app\n");
        assert!(!hit("Dockerfile", SINGLE, &back).contains(&root));
        assert!(
            !hit(
                "Dockerfile",
                SINGLE,
                &SINGLE.replace("USER app", "USER 10001")
            )
            .contains(&root)
        );
        let inherit = format!("{SINGLE}FROM base AS final\n")
            .replace("FROM python:3.12-slim\n", "FROM python:3.12-slim AS base\n");
        assert!(!hit("Dockerfile", SINGLE, &inherit).contains(&root));
        let distroless = "FROM python:3.12 AS build\nRUN make\nFROM gcr.io/distroless/python3-debian12:nonroot\nCOPY --from=build /app /app\n";
        assert!(!hit("Dockerfile", SINGLE, distroless).contains(&root));
    }

    #[test]
    fn the_whole_build_context_in_the_final_image_is_found() {
        let ctx = "container-copies-context".to_string();
        let multi = "FROM node:20 AS build\nWORKDIR /build\nCOPY . .\nRUN npm ci && npm run build\nFROM node:20-slim\nWORKDIR /srv\nCOPY --from=build /build/ ./\nUSER node\n";
        assert!(hit("Dockerfile", SINGLE, multi).contains(&ctx));
        // Only the build output copied over: fine.
        let dist = multi.replace(
            "COPY --from=build /build/ ./",
            "COPY --from=build /build/dist ./dist",
        );
        assert!(!hit("Dockerfile", SINGLE, &dist).contains(&ctx));
        // Already copied whole before the change: not what this change did.
        let whole = SINGLE.replace("COPY app ./app", "COPY . .");
        assert!(!hit("Dockerfile", &whole, &format!("{whole}LABEL x=y\n")).contains(&ctx));
    }
}

/// Drops `k8s-privileged` findings on a capability listed under `drop:`:
/// `capabilities: {drop: [ALL]}` takes every privilege away, the opposite of
/// `add: [ALL]`, and the pattern sees only the list item.
pub fn capabilities_dropped(f: &FileView<'_>, out: &mut Vec<Finding>) {
    let text = f.new_text();
    let line_at = |n: u32| -> Option<&str> {
        text.and_then(|t| t.lines().nth((n as usize).checked_sub(1)?))
            .or_else(|| f.new_lines.get(&n).copied())
    };
    let indent = |l: &str| l.len() - l.trim_start().len();
    out.retain(|x| {
        if x.rule != "k8s-privileged" || x.side != super::Side::New {
            return true;
        }
        let Some(no) = x.line else { return true };
        let Some(item) = line_at(no) else { return true };
        if !item.trim_start().starts_with('-') {
            return true;
        }
        // The key the list belongs to: the nearest line above, less indented
        // (or as indented: YAML lets a list sit at its key's indentation).
        let key = (1..no).rev().take(8).filter_map(line_at).find(|l| {
            !l.trim_start().starts_with('-') && !l.trim().is_empty() && indent(l) <= indent(item)
        });
        !key.is_some_and(|k| k.trim().trim_matches('"').starts_with("drop"))
    });
}

#[cfg(test)]
mod capability_tests {
    use crate::risk::testkit::rules_hit_with_contents;

    #[test]
    fn every_capability_dropped_is_not_a_privilege() {
        let rule = "k8s-privileged".to_string();
        let p = "deploy/k8s/api.yaml";
        let old = "spec:\n  containers:\n    - name: api\n      image: api:1\n";
        let dropped = "spec:\n  containers:\n    - name: api\n      image: api:1\n      securityContext:\n        capabilities:\n          drop:\n            - ALL\n";
        assert!(!rules_hit_with_contents(p, old, dropped).contains(&rule));
        let added = dropped.replace("drop:", "add:");
        assert!(rules_hit_with_contents(p, old, &added).contains(&rule));
        // A list at its key's own indentation.
        let flush = "spec:\n  containers:\n    - name: api\n      image: api:1\n      securityContext:\n        capabilities:\n          add:\n          - NET_ADMIN\n          drop:\n          - ALL\n";
        let hits = crate::risk::testkit::findings_with_contents(p, old, flush);
        let lines: Vec<_> = hits
            .iter()
            .filter(|x| x.rule == rule)
            .filter_map(|x| x.line)
            .collect();
        assert_eq!(lines, vec![8], "{hits:?}");
    }
}
