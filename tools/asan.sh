#!/usr/bin/env bash
# Run the kinetics, network and fit tests against a build of the C extension with
# AddressSanitizer and UndefinedBehaviorSanitizer. Not part of the test command: run it by
# hand after changing src/intercluster/kinetics/_bdf.c.
#
#   tools/asan.sh                      # uses `python` on PATH (the project's environment)
#   PYTHON=.venv/bin/python tools/asan.sh -x -k boundary    # extra arguments go to pytest
#
# The extension is built in a scratch copy of the repository (tracked and untracked,
# non-ignored files), so the in-tree build is left alone. Python itself is not built with
# ASan, so libasan is preloaded and leak detection is off (CPython keeps its arenas).
# Exit status: pytest's; any sanitizer report aborts the process and fails the run.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-python}
CC=${CC:-gcc}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

cd "$ROOT"
git ls-files -z -co --exclude-standard | xargs -0 cp --parents -t "$TMP"
cd "$TMP"
INC=$($PY -c "import sysconfig; print(sysconfig.get_paths()['include'])")
NPINC=$($PY -c "import numpy; print(numpy.get_include())")
EXT=$($PY -c "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))")
$CC -shared -fPIC -O1 -g -std=c99 -fno-omit-frame-pointer \
    -fsanitize=address,undefined -fno-sanitize-recover=undefined \
    -I"$INC" -I"$NPINC" src/intercluster/kinetics/_bdf.c \
    -o "src/intercluster/kinetics/_bdf$EXT" -lm
echo "built src/intercluster/kinetics/_bdf$EXT with -fsanitize=address,undefined" >&2

export LD_PRELOAD="$($CC -print-file-name=libasan.so) $($CC -print-file-name=libubsan.so)"
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export PYTHONMALLOC=malloc   # let ASan see Python's allocations too
export PYTHONPATH="$TMP/src"
$PY -c "import intercluster.kinetics._bdf as m; print('sanitized module:', m.__file__)" >&2
$PY -m pytest -q -n 0 -p no:cacheprovider tests/kinetics tests/network tests/fit "$@"
