#!/usr/bin/env bash
# Long runs of the hostile-input tests (issue 6, sections 3–5), beyond what
# `cargo test` runs by default:
#   1. every proptest property in tests/hostile/fuzz.rs with $CASES cases each
#      (default 20000; `cargo test` runs 256);
#   2. the script-only cases: a 100 MB note and a repository of $COMMITS
#      commits made with git fast-import (default 100000);
#   3. the rest of tests/hostile once more (screen/tmux, repositories, trust).
# Usage: scripts/fuzz.sh [CASES] [COMMITS]       Exit 0 only if every run passed.
set -euo pipefail
cd "$(dirname "$0")/.."
CASES="${1:-${CASES:-20000}}"
COMMITS="${2:-${COMMITS:-100000}}"
THREADS="${THREADS:-2}"
export PROPTEST_CASES="$CASES"
# Failing inputs are shrunk and printed; don't litter the tree with regressions files.
export PROPTEST_FAILURE_PERSISTENCE=off
cargo build --tests --quiet
log() { printf '%s %s\n' "$(date +%T)" "$*"; }
log "fuzz: $CASES cases per property"
start=$(date +%s)
cargo test --quiet --test hostile fuzz:: -- --test-threads="$THREADS" 2>&1 | tail -n 3
log "fuzz: done in $(( $(date +%s) - start )) s"
start=$(date +%s)
log "script-only: 100 MB note, $COMMITS commits"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
if ! HOSTILE_COMMITS="$COMMITS" cargo test --quiet --test hostile -- --ignored --nocapture \
    --test-threads=1 >"$out" 2>&1; then
    cat "$out"
    exit 1
fi
grep -E 'MB note|commits:|test result' "$out"
log "script-only: done in $(( $(date +%s) - start )) s"
log "hostile: the rest"
PROPTEST_CASES=256 cargo test --quiet --test hostile -- --skip fuzz:: 2>&1 | tail -n 2
log "all passed"
