#!/usr/bin/env bash
# Builds brume and runs every test. The steps: unit tests (ctest),
# end-to-end tests with boto3 and the AWS CLI (pytest), end-to-end tests
# with the AWS SDK for JavaScript v3 (node --test), and a quick benchmark
# pass that checks every workload completes without errors. Exits non-zero
# on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test || exit 1
scripts/build.sh || exit 1

logs=build/test-logs
mkdir -p "$logs"
export BRUME_BIN="$PWD/build/src/cli/brume"
failed_steps=()
passed=0 failed=0 skipped=0

count() {  # count NAME PASSED FAILED SKIPPED
  local failures=$3
  # A step that failed before its runner counted anything (npm could not
  # install, say) still counts as one failure.
  if [[ " ${failed_steps[*]} " == *" $1 "* ]] && ((failures == 0)); then failures=1; fi
  echo "== $1: $2 passed, $failures failed, $4 skipped"
  passed=$((passed + $2)) failed=$((failed + failures)) skipped=$((skipped + $4))
}

echo "== unit tests (ctest)"
if ctest --test-dir build --output-on-failure -j"$(nproc)" 2>&1 | tee "$logs/ctest.log"; then :; else failed_steps+=(unit); fi
total=$(grep -oP 'tests passed, \K[0-9]+(?= tests failed out of)' "$logs/ctest.log" | tail -1)
out_of=$(grep -oP 'failed out of \K[0-9]+' "$logs/ctest.log" | tail -1)
unit_skipped=$(grep -c '\*\*\*Skipped' "$logs/ctest.log" || true)
count "unit" $(( ${out_of:-0} - ${total:-0} - unit_skipped )) "${total:-0}" "$unit_skipped"

echo "== end-to-end tests (pytest: boto3, AWS CLI)"
source scripts/python-env.sh
python3 -m pytest tests/e2e -q -rs -p no:cacheprovider 2>&1 | tee "$logs/pytest.log"
[[ ${PIPESTATUS[0]} -eq 0 ]] || failed_steps+=(e2e)
summary=$(grep -E '^(=+ )?[0-9]+ (passed|failed)|^=+ .*(passed|failed|skipped)' "$logs/pytest.log" | tail -1)
count "e2e" "$(grep -oP '[0-9]+(?= passed)' <<<"$summary" || echo 0)" \
  "$(( $(grep -oP '[0-9]+(?= failed)' <<<"$summary" || echo 0) + $(grep -oP '[0-9]+(?= error)' <<<"$summary" || echo 0) ))" \
  "$(( $(grep -oP '[0-9]+(?= skipped)' <<<"$summary" || echo 0) + $(grep -oP '[0-9]+(?= xfailed)' <<<"$summary" || echo 0) ))"

echo "== end-to-end tests (AWS SDK for JavaScript v3)"
(cd tests/js && { [[ -d node_modules ]] || npm ci --no-audit --no-fund; } && npm test) 2>&1 | tee "$logs/node.log"
[[ ${PIPESTATUS[0]} -eq 0 ]] || failed_steps+=(js)
count "js" "$(grep -oP '^# pass \K[0-9]+' "$logs/node.log" | tail -1 || echo 0)" \
  "$(grep -oP '^# fail \K[0-9]+' "$logs/node.log" | tail -1 || echo 0)" \
  "$(grep -oP '^# skipped \K[0-9]+' "$logs/node.log" | tail -1 || echo 0)"

echo "== benchmark, quick pass (no timing assertions)"
if [[ -f bench/run.py ]]; then
  if python3 bench/run.py --quick 2>&1 | tee "$logs/bench.log"; then count "bench" 1 0 0
  else failed_steps+=(bench); count "bench" 0 1 0; fi
fi

echo
if ((${#failed_steps[@]})); then
  echo "FAILED steps: ${failed_steps[*]} (logs in $logs)"
fi
echo "total: $passed passed, $failed failed, $skipped skipped (expected failures count as skipped)"
((${#failed_steps[@]} == 0))
