"""One host's result, and the verdict read from what came back.

The verdict functions are pure: an Outcome (exit code, stdout, stderr, or
the reason a host could not be reached) in, a HostResult out.  Only the
role, the bundle version, the changed paths and the error message are taken
from roleboot's JSON report; nothing else of it (values, keys, comments) is
copied anywhere.
"""

import json
import re
from dataclasses import dataclass, field

# roleboot's exit codes
EXIT_OK, EXIT_PENDING = 0, 1
EXIT_WORDS = {2: "usage", 3: "role/manifest", 4: "fetch", 5: "signature", 6: "bundle",
              7: "render/validator", 8: "install", 9: "services", 10: "locked"}

VERDICTS = {
    "check": ("in-sync", "drifted", "failed", "unreachable"),
    "apply": ("in-sync", "applied", "failed", "unreachable", "skipped"),
    "status": ("applied", "none", "failed", "unreachable"),
    "run": ("ok", "failed", "unreachable"),
}
GOOD = {"check": {"in-sync"}, "apply": {"in-sync", "applied"}, "status": {"applied"},
        "run": {"ok"}}
BAD = {"failed", "unreachable"}


@dataclass
class HostResult:
    host: str
    verdict: str
    role: str = None
    version: object = None
    changed: list = field(default_factory=list)
    duration_s: float = 0.0
    error: str = None
    exit: int = None
    stdout: str = None  # run only: the whole output
    stderr: str = None

    def as_json(self, task):
        d = {"host": self.host, "verdict": self.verdict, "role": self.role,
             "version": self.version, "changed": list(self.changed),
             "duration_s": round(self.duration_s, 3), "error": self.error,
             "exit": self.exit}
        if task == "run":
            d["stdout"] = self.stdout
            d["stderr"] = self.stderr
        return d


def parse_report(stdout):
    """roleboot's JSON report (one object) from stdout, or None."""
    text = (stdout or "").strip()
    if not text:
        return None
    candidates = [text] + [l for l in reversed(text.splitlines()) if l.startswith("{")]
    for c in candidates:
        try:
            obj = json.loads(c)
        except ValueError:
            continue
        if isinstance(obj, dict):
            return obj
    return None


def last_error_line(stderr):
    """The message of stderr's last 'error:' line ('roleboot: error: X' -> 'X')."""
    for line in reversed((stderr or "").splitlines()):
        m = re.search(r"\berror:\s*(.*\S)", line)
        if m:
            return m.group(1)
    return None


def failure_message(code, stderr, report):
    msg = last_error_line(stderr)
    if msg:
        return msg
    err = report.get("error") if isinstance(report, dict) else None
    if isinstance(err, dict) and isinstance(err.get("message"), str) and err["message"]:
        return err["message"]
    return "exit %d" % code


def _role_version(report):
    if not isinstance(report, dict):
        return None, None
    role = report.get("role")
    bundle = report.get("bundle")
    version = bundle.get("version") if isinstance(bundle, dict) else None
    return (role if isinstance(role, str) else None,
            version if isinstance(version, (int, str)) and not isinstance(version, bool)
            else None)


def _changed_paths(report):
    files = report.get("files") if isinstance(report, dict) else None
    if not isinstance(files, list):
        return []
    return [f["path"] for f in files
            if isinstance(f, dict) and isinstance(f.get("path"), str)
            and f.get("change", "changed") != "none"]


def _not_done(host, out):
    """unreachable / timed out / lost: the HostResult, or None when it ran."""
    if out.kind == "done":
        return None
    verdict = "unreachable" if out.kind == "unreachable" else "failed"
    return HostResult(host, verdict, duration_s=out.duration_s, error=out.reason)


def check_verdict(host, out):
    r = _not_done(host, out)
    if r:
        return r
    report = parse_report(out.stdout)
    role, version = _role_version(report)
    r = HostResult(host, "failed", role, version, duration_s=out.duration_s, exit=out.exit)
    if out.exit == EXIT_OK:
        r.verdict = "in-sync"
    elif out.exit == EXIT_PENDING and report is not None:
        r.verdict = "drifted"
        r.changed = _changed_paths(report)
    else:
        # exit 1 without a report is not roleboot's "pending" (sudo -n says 1)
        r.error = failure_message(out.exit, out.stderr, report)
    return r


def apply_verdict(host, out):
    r = _not_done(host, out)
    if r:
        return r
    report = parse_report(out.stdout)
    role, version = _role_version(report)
    r = HostResult(host, "failed", role, version, duration_s=out.duration_s, exit=out.exit)
    if out.exit == EXIT_OK:
        r.changed = _changed_paths(report)
        r.verdict = "applied" if r.changed else "in-sync"
    else:
        r.error = failure_message(out.exit, out.stderr, report)
    return r


def status_verdict(host, out):
    r = _not_done(host, out)
    if r:
        return r
    r = HostResult(host, "failed", duration_s=out.duration_s, exit=out.exit)
    if out.exit != EXIT_OK:
        r.error = failure_message(out.exit, out.stderr, None)
        return r
    st = parse_report(out.stdout)
    if st is None or not isinstance(st.get("applied"), bool):
        r.error = "no status JSON in the output"
        return r
    if not st["applied"]:
        r.verdict = "none"
        return r
    r.verdict = "applied"
    if isinstance(st.get("role"), str):
        r.role = st["role"]
    v = st.get("version")
    if isinstance(v, (int, str)) and not isinstance(v, bool):
        r.version = v
    return r


def run_verdict(host, out):
    r = _not_done(host, out)
    if r:
        r.stdout, r.stderr = out.stdout or None, out.stderr or None
        return r
    r = HostResult(host, "ok" if out.exit == 0 else "failed", duration_s=out.duration_s,
                   exit=out.exit, stdout=out.stdout, stderr=out.stderr)
    if out.exit != 0:
        r.error = "exit %d" % out.exit
    return r


def skipped(host):
    return HostResult(host, "skipped")


def first_line(text):
    for line in (text or "").splitlines():
        if line.strip():
            return line.strip()
    return None
