"""What a task prints and writes: the table, the closing lines, the JSON file,
the exit code.  All pure except write_json."""

import json
import os
import tempfile
import time
from collections import Counter

from .result import BAD, GOOD, VERDICTS, first_line

# exit codes of the fleet tool
EXIT_GOOD, EXIT_DRIFTED, EXIT_BAD, EXIT_STOPPED, EXIT_USAGE = 0, 1, 2, 3, 4

_CLOSING_WORDS = {
    "check": [("in-sync", "in sync"), ("drifted", "drifted"), ("failed", "failed"),
              ("unreachable", "unreachable")],
    "apply": [("in-sync", "in sync"), ("applied", "applied"), ("failed", "failed"),
              ("unreachable", "unreachable"), ("skipped", "skipped")],
    "status": [("applied", "applied"), ("none", "none"), ("failed", "failed"),
               ("unreachable", "unreachable")],
    "run": [("ok", "ok"), ("failed", "failed"), ("unreachable", "unreachable")],
}
PATHS_SHOWN = 2


def counts(task, results):
    c = Counter(r.verdict for r in results)
    out = {v: c.get(v, 0) for v in VERDICTS[task]}
    out["total"] = len(results)
    return out


def closing_line(task, n):
    parts = ["%d %s" % (n[v], word) for v, word in _CLOSING_WORDS[task]]
    return "fleet: %s of %d" % (", ".join(parts), n["total"])


def stop_line(rollout, max_failures=None):
    if rollout.stopped == "canary":
        return "rollout stopped: canary host %s failed" % rollout.canary_host
    if rollout.stopped == "max-failures":
        return "rollout stopped: %d failures (--max-failures %d)" % (rollout.failures,
                                                                      max_failures)
    return None


def tally_line(results):
    """versions: demo 2: 18, demo 1: 3 (status, applied hosts only)."""
    c = Counter((r.role or "?", str(r.version) if r.version is not None else "?")
                for r in results if r.verdict == "applied")
    if not c:
        return "versions: none applied"
    items = sorted(c.items(), key=lambda kv: (-kv[1], kv[0][0], _vkey(kv[0][1])))
    return "versions: " + ", ".join("%s %s: %d" % (role, v, n) for (role, v), n in items)


def _vkey(v):
    return (0, -int(v), "") if v.isdigit() else (1, 0, v)


def exit_code(task, n, stopped=None):
    if stopped:
        return EXIT_STOPPED
    if n["total"] == sum(n.get(v, 0) for v in GOOD[task]):
        return EXIT_GOOD
    if any(n.get(v, 0) for v in BAD):
        return EXIT_BAD
    if task == "check":
        return EXIT_DRIFTED
    return EXIT_BAD  # status "none": not every host is good


def _secs(r):
    return "%.1fs" % r.duration_s if r.verdict != "skipped" else "-"


def _dash(v):
    return "-" if v is None or v == "" else str(v)


def _changed(r):
    if r.verdict in ("failed", "unreachable", "skipped"):
        return "-"
    n = len(r.changed)
    if r.verdict != "applied" or not n:
        return str(n)
    shown = ",".join(os.path.basename(p.rstrip("/")) or p for p in r.changed[:PATHS_SHOWN])
    more = " +%d" % (n - PATHS_SHOWN) if n > PATHS_SHOWN else ""
    return "%d %s%s" % (n, shown, more)


def _row(task, r):
    if task in ("check", "apply"):
        return [r.host, r.verdict, _dash(r.role), _dash(r.version), _changed(r), _secs(r),
                r.error or ""]
    if task == "status":
        return [r.host, r.verdict, _dash(r.role), _dash(r.version), _secs(r), r.error or ""]
    text = first_line(r.stdout) or first_line(r.stderr) or ""
    if r.verdict == "ok":
        msg = text
    elif r.error and text:
        msg = "%s: %s" % (r.error, text)
    else:
        msg = r.error or text
    return [r.host, r.verdict, _secs(r), msg]


def table(task, results):
    """One aligned line per host, in the order given."""
    rows = [_row(task, r) for r in results]
    if not rows:
        return []
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        cells = [c.ljust(w) for c, w in zip(row, widths)] + [row[-1]]
        lines.append("  ".join(cells).rstrip())
    return lines


def progress_line(done, total, r):
    return "[%d/%d] %s %s%s" % (done, total, r.host, r.verdict,
                                " (%s)" % r.error if r.error else "")


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def document(task, results, started, duration_s, options, stopped=None):
    return {
        "task": task,
        "started": iso(started),
        "duration_s": round(duration_s, 3),
        "options": options,
        "hosts": [r.as_json(task) for r in results],
        "counts": counts(task, results),
        "stopped": stopped,
    }


def write_json(path, doc):
    """Writes doc to path atomically: a temp file beside it, fsync, rename."""
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), dir=d)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
