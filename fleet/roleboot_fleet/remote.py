"""What runs on each host, and how one host is reached.

The command lines are built here (quoted with shlex), the SSH connection is
made from Fabric's own settings (-t/--connect-timeout, -T/--command-timeout,
-i/--identity, -S/--ssh-config all end up in the context's config), and
every way a host can fail to answer is turned into one short reason.
Unknown host keys are accepted and remembered, as Fabric does by default.
"""

import errno
import logging
import shlex
import socket
import threading
import time
from dataclasses import dataclass

import fabric
import fabric.runners
import paramiko
from invoke.exceptions import CommandTimedOut

SYSCONFIG = "/etc/sysconfig/roleboot"
# paramiko logs a failed handshake from its own thread; the reason is in
# the host's result, so nothing of it goes to stderr
logging.getLogger("paramiko").addHandler(logging.NullHandler())
DEFAULT_CONNECT_TIMEOUT = 10


def _words(cmd):
    """--roleboot CMD as quoted shell words (CMD may hold arguments)."""
    words = shlex.split(cmd)
    if not words:
        raise ValueError("empty --roleboot command")
    return " ".join(shlex.quote(w) for w in words)


def _wrap(script, sudo):
    """sh -c SCRIPT, with the host's sysconfig read first, maybe under sudo -n."""
    line = "[ -r %s ] && . %s; %s" % (SYSCONFIG, SYSCONFIG, script)
    cmd = "sh -c " + shlex.quote(line)
    return "sudo -n " + cmd if sudo else cmd


def check_command(roleboot="roleboot", role=None, sudo=False):
    script = "exec %s apply $ROLEBOOT_OPTS --dry-run --json -q" % _words(roleboot)
    if role:
        script += " " + shlex.quote(role)
    return _wrap(script, sudo)


def apply_command(roleboot="roleboot", role=None, version=None, now=True, sudo=False):
    script = "exec %s apply $ROLEBOOT_OPTS --json -q" % _words(roleboot)
    if now:
        script += " --now"
    if version is not None:
        script += " --expect-version %d" % version
    if role:
        script += " " + shlex.quote(role)
    return _wrap(script, sudo)


def status_command(roleboot="roleboot", sudo=False):
    # ROLEBOOT_OPTS holds apply's options (--pubkey, ...), which status
    # refuses; ROLEBOOT_STATUS_OPTS (--root, --lock-wait) is its own.
    script = "exec %s status $ROLEBOOT_STATUS_OPTS --json" % _words(roleboot)
    return _wrap(script, sudo)


def run_command(cmd, sudo=False):
    if not sudo:
        return cmd
    return "sudo -n sh -c " + shlex.quote(cmd)


@dataclass
class Outcome:
    """What came back from one host.

    kind: "done" (the command ran; exit, stdout, stderr are set),
    "unreachable" (no session: reason), "timeout" (-T fired: reason),
    "lost" (the session broke while the command ran: reason).
    """

    kind: str
    exit: int = None
    stdout: str = ""
    stderr: str = ""
    reason: str = None
    duration_s: float = 0.0


def connect_timeout(config):
    """-t (Fabric puts it in connect_kwargs.timeout), else timeouts.connect."""
    kw = config.get("connect_kwargs") or {}
    t = kw.get("timeout")
    if t is None:
        t = (config.get("timeouts") or {}).get("connect")
    return int(t) if t else DEFAULT_CONNECT_TIMEOUT


def command_timeout(config):
    """-T/--command-timeout: timeouts.command, or None for no limit."""
    t = (config.get("timeouts") or {}).get("command")
    return int(t) if t else None


class TimedRemote(fabric.runners.Remote):
    """Fabric 2.6's Remote.stop() leaves invoke's -T timer running: a
    finished command would keep fab alive until the timer fired.  This one
    cancels it."""

    def stop(self):
        super().stop()
        if self._timer:
            self._timer.cancel()


# Connection keeps and edits the Config it is given (key_filename merged
# in, the runner class set): shared by the pool's threads, one connection's
# edits were seen to drop another's key.  Each gets its own copy, made one
# at a time.
_CLONE_LOCK = threading.Lock()


def connection(host, config):
    """A fabric.Connection to host built from its own copy of the context's
    config."""
    with _CLONE_LOCK:
        config = config.clone()
    ct = connect_timeout(config)
    # connect_kwargs.timeout (-t) and connect_timeout= may not both be set;
    # key_filename (-i) is merged back in by Connection itself.
    kw = {k: v for k, v in dict(config.get("connect_kwargs") or {}).items()
          if k not in ("timeout", "key_filename")}
    kw.setdefault("banner_timeout", ct)
    kw.setdefault("auth_timeout", ct)
    conn = fabric.Connection(host, config=config, connect_timeout=ct, connect_kwargs=kw)
    conn.config.runners.remote = TimedRemote
    return conn


def unreachable_reason(exc, timeout=None):
    """A short reason for an exception raised while connecting."""
    if isinstance(exc, paramiko.ssh_exception.NoValidConnectionsError):
        codes = {getattr(e, "errno", None) for e in exc.errors.values()}
        if len(codes) == 1:
            return _errno_reason(codes.pop(), exc)
        return str(exc)
    if isinstance(exc, paramiko.ssh_exception.AuthenticationException):
        why = str(exc).strip().rstrip(".")
        if not why or why.lower() == "authentication failed":
            return "authentication failed"
        return "authentication failed: %s" % why
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "connect timed out after %s s" % timeout if timeout else "connect timed out"
    if isinstance(exc, socket.gaierror):
        return "unknown host: %s" % exc.strerror
    if isinstance(exc, paramiko.ssh_exception.SSHException):
        if str(exc) == "No existing session":  # the handshake ran out of time
            return "no SSH handshake within %s s" % timeout if timeout else "no SSH handshake"
        if str(exc).startswith("Error reading SSH protocol banner"):
            return "no SSH banner within %s s" % timeout if timeout else "no SSH banner"
        return "ssh: %s" % (str(exc) or type(exc).__name__)
    if isinstance(exc, EOFError):
        return "connection closed (EOF) before the SSH banner"
    if isinstance(exc, OSError):
        return _errno_reason(exc.errno, exc)
    return "%s: %s" % (type(exc).__name__, exc)


def _errno_reason(code, exc):
    names = {
        errno.ECONNREFUSED: "connection refused",
        errno.EHOSTUNREACH: "no route to host",
        errno.ENETUNREACH: "network unreachable",
        errno.ETIMEDOUT: "connect timed out",
        errno.ECONNRESET: "connection reset",
    }
    if code in names:
        return names[code]
    return getattr(exc, "strerror", None) or str(exc)


CONNECT_ERRORS = (OSError, EOFError)  # paramiko's SSHException is added at call time


def run_on(host, config, command, conn_factory=connection):
    """Runs command on host; returns an Outcome, never raises for a bad host."""
    t0 = time.monotonic()
    out = None
    conn = None
    try:
        conn = conn_factory(host, config)
        try:
            conn.open()
        except (paramiko.ssh_exception.SSHException,) + CONNECT_ERRORS as e:
            out = Outcome("unreachable", reason=unreachable_reason(e, conn.connect_timeout))
            return out
        try:
            r = conn.run(command, hide=True, warn=True, in_stream=False, pty=False,
                         timeout=command_timeout(config))
            out = Outcome("done", exit=r.exited, stdout=r.stdout, stderr=r.stderr)
        except CommandTimedOut as e:
            out = Outcome("timeout", stdout=e.result.stdout, stderr=e.result.stderr,
                          reason="timed out after %s s" % e.timeout)
        except (paramiko.ssh_exception.SSHException,) + CONNECT_ERRORS as e:
            out = Outcome("lost", reason="connection lost: %s" % (str(e) or type(e).__name__))
        except Exception as e:  # invoke's ThreadException and the like
            lines = str(e).strip().splitlines()
            out = Outcome("lost", reason="%s: %s" % (type(e).__name__, lines[-1] if lines else ""))
        return out
    finally:
        if conn is not None:
            try:
                conn.close()
            except Exception:
                pass
        if out is not None:
            out.duration_s = time.monotonic() - t0
