#!/usr/bin/env bash
# Full-size reliability runs (issue 6, parts 1 and 2): many reviewers at once
# and SIGKILLed writes. The same tests run short in `cargo test`; here they run
# at full size, one at a time, and print their figures.
#
#   scripts/reliability.sh                 # new random seed, printed
#   CS_REL_SEED=123 scripts/reliability.sh # replay a run
#
# Sizes (override any): processes x changes in one repository, clones x rounds
# x decisions per round through a bare remote, approve kills, sync kills.
set -euo pipefail
cd "$(dirname "$0")/.."
export CS_REL_PROCS="${CS_REL_PROCS:-8}"
export CS_REL_CHANGES="${CS_REL_CHANGES:-200}"
export CS_REL_CLONES="${CS_REL_CLONES:-3}"
export CS_REL_SYNC_CHANGES="${CS_REL_SYNC_CHANGES:-200}"
export CS_REL_ROUNDS="${CS_REL_ROUNDS:-20}"
export CS_REL_PER_ROUND="${CS_REL_PER_ROUND:-10}"
export CS_REL_KILLS="${CS_REL_KILLS:-200}"
export CS_REL_SYNC_KILLS="${CS_REL_SYNC_KILLS:-200}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
cargo test --test reliability -- --nocapture --test-threads=1 >"$log" 2>&1 || status=$?
grep -E '^(many_processes|clones_sync|approve_killed|sync_killed|test |test result)|panicked|^stderr|^stdout' "$log" || true
if [ "$status" -ne 0 ]; then
    echo "FAILED (exit $status); full log follows" >&2
    cat "$log" >&2
fi
exit "$status"
