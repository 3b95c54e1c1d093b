import os
import tempfile
import unittest

from tests import helpers  # noqa: F401  (sys.path)
from roleboot_fleet import UsageError, hosts

ROLE = """\
[role]
name   = demo
bundle = https://boot.example.net/demo-2.tar.gz   ; comment
[vars]
forwarders = 10.0.0.2, 10.0.0.3
[zone "corp.example.com"]
primaries = 10.0.1.10, 10.0.1.11
[fleet]
hosts = dns1.example.net, dns2.example.net ; the first rack
        admin@dns3.example.net:2222,
   # a comment line inside the list
        dns4.example.net  # the last one
        dns1.example.net
"""


class HostsFile(unittest.TestCase):
    def test_comments_blank_lines_ports_users(self):
        text = "# the fleet\n\nh1\n  h2   # rack 2\nroot@h3:2222\n\t\n   # end\n"
        self.assertEqual(hosts.parse_hosts_text(text, "f"), ["h1", "h2", "root@h3:2222"])

    def test_two_hosts_on_a_line_refused_with_line_number(self):
        with self.assertRaisesRegex(UsageError, r"^f:2: one host a line"):
            hosts.parse_hosts_text("h1\nh2 h3\n", "f")

    def test_bad_port_refused(self):
        for bad in ("h1:0", "h1:65536", "h1:x", "u@", "@h", "h1:22:33"):
            with self.assertRaises(UsageError, msg=bad):
                hosts.parse_hosts_text(bad + "\n", "f")

    def test_unreadable_file(self):
        with self.assertRaisesRegex(UsageError, "cannot read hosts file /nonexistent/x"):
            hosts.read_hosts_file("/nonexistent/x")

    def test_cli_list(self):
        self.assertEqual(hosts.parse_cli_hosts("a, b,,c:2200"), ["a", "b", "c:2200"])
        self.assertEqual(hosts.parse_cli_hosts(None), [])

    def test_dedupe_keeps_first_place(self):
        self.assertEqual(hosts.dedupe(["b", "a", "b", "c", "a"]), ["b", "a", "c"])


class Inventory(unittest.TestCase):
    def test_fleet_hosts_with_continuations_and_comments(self):
        self.assertEqual(hosts.parse_inventory(ROLE, "demo.role"),
                         ["dns1.example.net", "dns2.example.net",
                          "admin@dns3.example.net:2222", "dns4.example.net",
                          "dns1.example.net"])

    def test_no_fleet_section(self):
        self.assertEqual(hosts.parse_inventory("[role]\nname = demo\n", "r"), [])

    def test_duplicate_keys_and_sections_tolerated(self):
        text = "[role]\nname = a\nname = b\n[fleet]\nhosts = x\n[fleet]\nhosts = y\n"
        self.assertEqual(hosts.parse_inventory(text, "r"), ["y"])

    def test_percent_is_not_interpolation(self):
        self.assertEqual(hosts.parse_inventory("[vars]\nv = 50%\n[fleet]\nhosts = h\n", "r"),
                         ["h"])

    def test_not_ini(self):
        with self.assertRaisesRegex(UsageError, "cannot parse role file r"):
            hosts.parse_inventory("hosts = a\n", "r")


class Resolve(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def write(self, name, text):
        p = os.path.join(self.dir.name, name)
        with open(p, "w") as f:
            f.write(text)
        return p

    def test_cli_then_file_deduped(self):
        f = self.write("hosts", "b\nc\na\n")
        self.assertEqual(hosts.resolve("a,b", f, None), ["a", "b", "c"])

    def test_inventory_only_without_cli_and_file(self):
        role = self.write("demo.role", ROLE)
        got = hosts.resolve(None, None, role)
        self.assertEqual(got[0], "dns1.example.net")
        self.assertEqual(len(got), 4)  # dns1 twice: once
        self.assertEqual(hosts.resolve("x", None, role), ["x"])

    def test_role_url(self):
        role = self.write("demo.role", ROLE)
        self.assertEqual(len(hosts.resolve(None, None, "file://" + role)), 4)

    def test_no_hosts(self):
        with self.assertRaisesRegex(UsageError, "^no hosts"):
            hosts.resolve(None, None, None)
        role = self.write("plain.role", "[role]\nname = demo\n")
        with self.assertRaisesRegex(UsageError, "no \\[fleet\\] hosts"):
            hosts.resolve(None, None, role)
        empty = self.write("empty", "# nobody\n\n")
        with self.assertRaisesRegex(UsageError, "^no hosts"):
            hosts.resolve(None, empty, None)

    def test_unreadable_role(self):
        with self.assertRaisesRegex(UsageError, "cannot read role file"):
            hosts.resolve(None, None, os.path.join(self.dir.name, "missing.role"))


if __name__ == "__main__":
    unittest.main()
