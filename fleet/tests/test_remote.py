import errno
import shlex
import socket
import unittest

from tests import helpers  # noqa: F401
from roleboot_fleet import remote

SOURCE = "[ -r /etc/sysconfig/roleboot ] && . /etc/sysconfig/roleboot; "


def script(cmd):
    words = shlex.split(cmd)
    return words


class Commands(unittest.TestCase):
    def test_check(self):
        self.assertEqual(script(remote.check_command()), [
            "sh", "-c", SOURCE + "exec roleboot apply $ROLEBOOT_OPTS --dry-run --json -q"])
        role = "https://boot/x y;rm -rf /.role"
        words = script(remote.check_command("/opt/rb", role))
        self.assertEqual(words[:2], ["sh", "-c"])
        inner = shlex.split(words[2].split("; ", 1)[1])
        self.assertEqual(inner, ["exec", "/opt/rb", "apply", "$ROLEBOOT_OPTS", "--dry-run",
                                 "--json", "-q", role])

    def test_apply(self):
        words = script(remote.apply_command("roleboot", "r.role", 7, True, sudo=True))
        self.assertEqual(words[:4], ["sudo", "-n", "sh", "-c"])
        self.assertTrue(words[4].endswith(
            "exec roleboot apply $ROLEBOOT_OPTS --json -q --now --expect-version 7 r.role"))
        words = script(remote.apply_command("roleboot", None, None, False))
        self.assertTrue(words[2].endswith("exec roleboot apply $ROLEBOOT_OPTS --json -q"))

    def test_roleboot_with_arguments(self):
        words = script(remote.check_command("valgrind -q '/opt/my rb'"))
        self.assertIn("exec valgrind -q '/opt/my rb' apply", words[2])

    def test_status_and_run(self):
        self.assertTrue(script(remote.status_command())[2].endswith(
            "exec roleboot status $ROLEBOOT_STATUS_OPTS --json"))
        self.assertEqual(remote.run_command("date; adjtimex -p"), "date; adjtimex -p")
        self.assertEqual(script(remote.run_command("date; id", sudo=True)),
                         ["sudo", "-n", "sh", "-c", "date; id"])


class Reasons(unittest.TestCase):
    def test_mapping(self):
        import paramiko
        nvc = paramiko.ssh_exception.NoValidConnectionsError(
            {("10.0.0.1", 22): OSError(errno.ECONNREFUSED, "refused")})
        self.assertEqual(remote.unreachable_reason(nvc), "connection refused")
        self.assertEqual(remote.unreachable_reason(OSError(errno.EHOSTUNREACH, "x")),
                         "no route to host")
        self.assertEqual(remote.unreachable_reason(socket.timeout(), 3),
                         "connect timed out after 3 s")
        self.assertEqual(remote.unreachable_reason(
            paramiko.ssh_exception.AuthenticationException("Authentication failed.")),
            "authentication failed")
        self.assertEqual(remote.unreachable_reason(
            paramiko.ssh_exception.SSHException("Error reading SSH protocol banner"), 3),
            "no SSH banner within 3 s")
        self.assertEqual(remote.unreachable_reason(
            paramiko.ssh_exception.SSHException("No existing session"), 3),
            "no SSH handshake within 3 s")
        self.assertIn("EOF", remote.unreachable_reason(EOFError()))


class Settings(unittest.TestCase):
    def config(self, **over):
        from fabric import Config
        return Config(overrides=over)

    def test_connect_timeout_sources(self):
        self.assertEqual(remote.connect_timeout(self.config()), remote.DEFAULT_CONNECT_TIMEOUT)
        self.assertEqual(remote.connect_timeout(self.config(timeouts={"connect": 4})), 4)
        # fab -t puts it into connect_kwargs.timeout
        self.assertEqual(remote.connect_timeout(self.config(connect_kwargs={"timeout": 5})), 5)
        self.assertIsNone(remote.command_timeout(self.config()))
        self.assertEqual(remote.command_timeout(self.config(timeouts={"command": 9})), 9)

    def test_connection_gets_timeouts_and_identity(self):
        c = remote.connection("admin@h1:2222", self.config(
            connect_kwargs={"timeout": 5, "key_filename": ["/k"]}))
        self.assertEqual((c.user, c.host, c.port, c.connect_timeout), ("admin", "h1", 2222, 5))
        self.assertNotIn("timeout", c.connect_kwargs)
        self.assertEqual(c.connect_kwargs["key_filename"], ["/k"])
        self.assertEqual(c.connect_kwargs["banner_timeout"], 5)


class Timer(unittest.TestCase):
    def test_the_command_timer_ends_with_the_command(self):
        # Fabric 2.6's own Remote leaves invoke's -T timer running after the
        # command: fab would wait for it at exit
        from fabric import Config
        conn = remote.connection("h1", Config(overrides={"timeouts": {"command": 60}}))
        self.assertIs(conn.config.runners.remote, remote.TimedRemote)
        r = conn.config.runners.remote(conn, inline_env=False)
        r.start_timer(60)
        r.stop()
        r._timer.join(2)
        self.assertFalse(r._timer.is_alive())


class FakeConn:
    def __init__(self, open_error=None, run=None):
        self.open_error = open_error
        self._run = run
        self.connect_timeout = 3
        self.closed = False

    def open(self):
        if self.open_error:
            raise self.open_error

    def run(self, command, **kw):
        self.kw = kw
        return self._run(command)

    def close(self):
        self.closed = True


class RunOn(unittest.TestCase):
    def config(self):
        from fabric import Config
        return Config(overrides={"timeouts": {"command": 2}})

    def test_done(self):
        class R:
            exited, stdout, stderr = 1, "{}", "e"
        conn = FakeConn(run=lambda c: R())
        out = remote.run_on("h", self.config(), "x", lambda h, cfg: conn)
        self.assertEqual((out.kind, out.exit, out.stdout, out.stderr), ("done", 1, "{}", "e"))
        self.assertTrue(conn.closed)
        self.assertEqual(conn.kw["timeout"], 2)
        self.assertFalse(conn.kw["in_stream"])

    def test_unreachable(self):
        conn = FakeConn(open_error=ConnectionRefusedError(errno.ECONNREFUSED, "refused"))
        out = remote.run_on("h", self.config(), "x", lambda h, cfg: conn)
        self.assertEqual((out.kind, out.reason), ("unreachable", "connection refused"))

    def test_command_timeout(self):
        from invoke.exceptions import CommandTimedOut

        class R:
            stdout, stderr, command = "", "", "x"

        def hang(c):
            raise CommandTimedOut(R(), 2)
        out = remote.run_on("h", self.config(), "x", lambda h, cfg: FakeConn(run=hang))
        self.assertEqual((out.kind, out.reason), ("timeout", "timed out after 2 s"))


if __name__ == "__main__":
    unittest.main()
