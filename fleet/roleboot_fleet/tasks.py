"""The four fleet tasks put together: options, hosts, pool, output, exit.

Each task ends by raising invoke.exceptions.Exit with the fleet exit code
(report.EXIT_*): 0 every host good, 1 (check only) drifted but nothing
failed, 2 some host failed or unreachable, 3 the rollout stopped, 4 usage.
"""

import os
import sys
import time

from invoke.exceptions import Exit

from . import UsageError, hosts, remote, report, result, rollout
from .executor import cli_hosts

DEFAULT_PARALLEL = 20


def _int(value, name, minimum):
    if value is None:
        return None
    try:
        n = int(str(value).strip(), 10)
    except ValueError:
        raise UsageError("%s wants a whole number, got %r" % (name, value))
    if n < minimum:
        raise UsageError("%s must be %d or more, got %d" % (name, minimum, n))
    return n


def _host_list(c, hosts_file, role):
    """The hosts for this call: all of -H (FleetExecutor), or the one host of
    a per-host Connection when the executor setting is not in effect."""
    import fabric

    if isinstance(c, fabric.Connection):
        h = c.original_host or c.host
        if c.port and c.port != 22 and ":" not in h:
            h = "%s:%s" % (h, c.port)
        return [h]
    _, value = cli_hosts()
    return hosts.resolve(value, hosts_file, role)


def _json_path(value, task):
    path = value or "fleet-%s.json" % task
    d = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(d) or not os.access(d, os.W_OK | os.X_OK):
        raise UsageError("cannot write --json %s: %s is not a writable folder" % (path, d))
    if os.path.isdir(path):
        raise UsageError("cannot write --json %s: it is a folder" % path)
    return path


def _usage(e):
    print("fleet: error: %s" % e, file=sys.stderr)
    sys.stderr.flush()
    return Exit(code=report.EXIT_USAGE)


class _Plan:
    """Everything a task needs, checked before any host is contacted."""

    def __init__(self, c, task, role, hosts_file, parallel, json, roleboot="roleboot",
                 canary=None, max_failures=None, version=None):
        self.task = task
        self.config = c.config
        self.parallel = _int(parallel, "--parallel", 1) or DEFAULT_PARALLEL
        self.canary = _int(canary, "--canary", 0)
        self.max_failures = _int(max_failures, "--max-failures", 1)
        self.version = _int(version, "--version", 0)
        if role is not None and not role.strip():
            raise UsageError("--role is empty")
        if role and "{version}" in role:
            if task != "apply":
                raise UsageError("--role %s holds {version}: only apply takes --version" % role)
            if self.version is None:
                raise UsageError("--role %s holds {version}: give --version N" % role)
            role = role.replace("{version}", str(self.version))
        self.role = role
        try:
            remote._words(roleboot)
        except ValueError as e:
            raise UsageError("--roleboot: %s" % e)
        self.roleboot = roleboot
        self.json = _json_path(json, task)
        self.hosts = _host_list(c, hosts_file, role)

    def options(self):
        return {"parallel": self.parallel, "canary": self.canary,
                "max_failures": self.max_failures, "role": self.role,
                "version": self.version}


def _execute(plan, command, verdict, **stop):
    started = time.time()
    t0 = time.monotonic()
    total, n_done = len(plan.hosts), [0]
    tty = sys.stderr.isatty()

    def work(host):
        return verdict(host, remote.run_on(host, plan.config, command))

    def on_done(r):
        n_done[0] += 1
        if tty:
            print(report.progress_line(n_done[0], total, r), file=sys.stderr, flush=True)

    ro = rollout.run(plan.hosts, work, parallel=plan.parallel, on_done=on_done, **stop)
    duration = time.monotonic() - t0
    doc = report.document(plan.task, ro.results, started, duration, plan.options(),
                          ro.stopped)
    n = doc["counts"]
    lines = report.table(plan.task, ro.results)
    if plan.task == "status":
        lines.append(report.tally_line(ro.results))
    lines.append(report.closing_line(plan.task, n))
    stopped = report.stop_line(ro, plan.max_failures)
    if stopped:
        lines.append(stopped)
    code = report.exit_code(plan.task, n, ro.stopped)
    try:
        report.write_json(plan.json, doc)
    except OSError as e:
        print("fleet: error: cannot write %s: %s" % (plan.json, e.strerror or e),
              file=sys.stderr)
        code = report.EXIT_USAGE
    sys.stdout.write("".join(l + "\n" for l in lines))
    sys.stdout.flush()
    raise Exit(code=code)


def check(c, role=None, hosts_file=None, parallel=None, json=None, roleboot="roleboot",
          sudo=False):
    try:
        plan = _Plan(c, "check", role, hosts_file, parallel, json, roleboot)
    except UsageError as e:
        raise _usage(e)
    cmd = remote.check_command(plan.roleboot, plan.role, sudo)
    _execute(plan, cmd, result.check_verdict)


def apply(c, role=None, hosts_file=None, parallel=None, json=None, roleboot="roleboot",
          sudo=False, version=None, canary=None, max_failures=None, now=True):
    try:
        plan = _Plan(c, "apply", role, hosts_file, parallel, json, roleboot,
                     canary=canary, max_failures=max_failures, version=version)
    except UsageError as e:
        raise _usage(e)
    cmd = remote.apply_command(plan.roleboot, plan.role, plan.version, now, sudo)
    _execute(plan, cmd, result.apply_verdict, canary=plan.canary or 0,
             max_failures=plan.max_failures)


def status(c, role=None, hosts_file=None, parallel=None, json=None, roleboot="roleboot",
           sudo=False):
    try:
        plan = _Plan(c, "status", role, hosts_file, parallel, json, roleboot)
    except UsageError as e:
        raise _usage(e)
    _execute(plan, remote.status_command(plan.roleboot, sudo), result.status_verdict)


def run(c, cmd, role=None, hosts_file=None, parallel=None, json=None, sudo=False):
    try:
        if not cmd or not cmd.strip():
            raise UsageError("run: give the command to run, e.g. fab -H h1 run 'uptime'")
        if cmd in ("--help", "-h"):
            raise UsageError("for help on run: fab --help run")
        if "\x00" in cmd:
            raise UsageError("run: the command holds a NUL byte")
        plan = _Plan(c, "run", role, hosts_file, parallel, json)
    except UsageError as e:
        raise _usage(e)
    _execute(plan, remote.run_command(cmd, sudo), result.run_verdict)
