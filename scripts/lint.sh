#!/usr/bin/env bash
# `make lint`: clang-format (.clang-format) and clang-tidy (.clang-tidy) on engine/ and agents/,
# flake8 (.flake8) on the Python package. Runs all three and fails if any of them finds something.
# clang-tidy reads BUILD/compile_commands.json (default build/release, configured by `make lint`).
#   JOBS=N   clang-tidy processes in parallel (default: the number of cores)
set -uo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build/release}
JOBS=${JOBS:-$(nproc)}
failed=()

step() {  # step NAME COMMAND...: runs it, prints how long it took and whether it passed
  local name=$1 start=$SECONDS
  shift
  echo "lint: $name"
  if "$@"; then
    echo "lint: $name passed ($((SECONDS - start)) s)"
  else
    echo "lint: $name FAILED ($((SECONDS - start)) s)"
    failed+=("$name")
  fi
}

format_check() {
  clang-format --dry-run -Werror engine/*.cpp engine/*.hpp agents/*.cpp agents/*.hpp
}

tidy_check() {
  if [[ ! -f $BUILD/compile_commands.json ]]; then
    echo "no $BUILD/compile_commands.json: configure first (cmake --preset release)" >&2
    return 1
  fi
  # -Wno-unknown-warning-option: the compile commands are GCC's (-Wno-restrict is unknown to clang).
  # clang-tidy's "N warnings generated" lines count what the header filter hides: dropped.
  printf '%s\n' engine/*.cpp agents/*.cpp |
    xargs -P "$JOBS" -n 1 clang-tidy --quiet -p "$BUILD" --extra-arg=-Wno-unknown-warning-option 2>&1 |
    grep -v -E '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$'
  local status=("${PIPESTATUS[@]}")
  [[ ${status[1]} -eq 0 ]]
}

python_check() {
  flake8 bindings/caremarket
}

step "clang-format (engine/, agents/)" format_check
step "clang-tidy (engine/*.cpp, agents/*.cpp)" tidy_check
step "flake8 (bindings/caremarket)" python_check

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "lint: failed: ${failed[*]}"
  exit 1
fi
echo "lint: all checks passed"
