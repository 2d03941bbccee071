#!/usr/bin/env bash
# Runs the test suite of a CODA_SANITIZE build (make test-asan).
# Usage: scripts/test-asan.sh BUILD_DIR all|fast JOBS
# Any ASan or UBSan report fails the test that triggered it: UBSan halts on
# the first error, and leaks are reported except those of the libraries in
# scripts/lsan.supp (allocations they keep until exit, outside coda).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$1 which=${2:-all} jobs=${3:-2}
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0"
# Open MPI's components are dlopen()ed and closed before exit, so their
# exit-time allocations come from an "<unknown module>" that no suppression
# can name: the MPI tests run without leak detection (ASan and UBSan stay on).
mpi='^MpiCli\.'
pattern=$mpi
if [ "$which" = fast ]; then
  pattern="$pattern|$(grep -v '^#' scripts/asan-slow-tests.txt | grep -v '^$' | paste -sd'|')"
fi
ctest --test-dir "$dir" --output-on-failure -j "$jobs" -E "$pattern"
if [ "$which" != fast ]; then
  ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0" ctest --test-dir "$dir" --output-on-failure -R "$mpi"
fi
