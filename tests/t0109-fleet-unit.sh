#!/usr/bin/env bash
# The fleet tool's unit tests (fleet/tests/test_*.py): hosts files and the
# role file's inventory, verdicts from exit code, JSON report and stderr,
# the canary and --max-failures stops, the closing lines, the JSON file and
# the exit codes, and the tasks through the stock fab client with the SSH
# side faked (no host is contacted).  One TAP line per Python test.
. "$(dirname "$0")/lib.sh"

PY=${FLEET_PYTHON:-/usr/bin/python3}
FLEET_DIR=$(cd "$TESTS_DIR/.." && pwd)/fleet
[ -x "$PY" ] || skip_rest "no $PY"
"$PY" -c 'import fabric, invoke, paramiko' 2>/dev/null ||
	skip_rest "$PY has no fabric (Debian python3-fabric)"
[ -f "$FLEET_DIR/tests/tap.py" ] || skip_rest "no fleet/tests/tap.py"
# the Python tests write their own temp files under TMPDIR
TMPDIR=$T PYTHONDONTWRITEBYTECODE=1 "$PY" "$FLEET_DIR/tests/tap.py"
