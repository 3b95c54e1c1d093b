"""The tasks through the stock fab client: FleetExecutor, options, output,
JSON file and exit codes, with the SSH side replaced by a fake (no host is
ever contacted)."""

import json
import os
import subprocess
import tempfile
import textwrap
import unittest

from tests import helpers

FAB = os.environ.get("FAB", "/usr/bin/fab")

FAKE = textwrap.dedent('''\
    import json
    import fabric
    from roleboot_fleet import remote, tasks
    from roleboot_fleet.executor import fleet_task
    from roleboot_fleet.remote import Outcome

    def report(code, files):
        return json.dumps({"result": "x", "exit": code, "role": "demo",
                           "bundle": {"version": 2, "trusted_comment": "SECRET"},
                           "files": [{"path": p, "change": "changed"} for p in files],
                           "vars": {"transfer_secret": "SECRET"}})

    def fake_run_on(host, config, command):
        name = host.split("@")[-1].split(":")[0]
        if name.startswith("sync"):
            return Outcome("done", exit=0, stdout=report(0, []), duration_s=0.1)
        if name.startswith("drift"):
            return Outcome("done", exit=1, stdout=report(1, ["/etc/a"]), duration_s=0.1)
        if name.startswith("new"):
            return Outcome("done", exit=0, stdout=report(0, ["/etc/a", "/etc/b"]), duration_s=0.1)
        if name.startswith("fail"):
            return Outcome("done", exit=5, stdout=report(5, []), duration_s=0.1,
                           stderr="roleboot: error: not signed by a trusted key\\n")
        if name.startswith("probe"):
            ct, cmdt = remote.connect_timeout(config), remote.command_timeout(config)
            key = list(config.connect_kwargs.get("key_filename") or [])
            return Outcome("done", exit=2, duration_s=0.1,
                           stderr="error: ct=%s cmdt=%s key=%s cmd=%s\\n" % (ct, cmdt, key, command))
        return Outcome("unreachable", reason="connection refused", duration_s=0.1)

    remote.run_on = fake_run_on

    @fleet_task(auto_shortflags=False)
    def check(c, role=None, hosts_file=None, parallel=None, json=None, roleboot="roleboot",
              sudo=False):
        tasks.check(c, role, hosts_file, parallel, json, roleboot, sudo)

    @fleet_task(auto_shortflags=False)
    def apply(c, role=None, hosts_file=None, parallel=None, json=None, roleboot="roleboot",
              sudo=False, version=None, canary=None, max_failures=None, now=True):
        tasks.apply(c, role, hosts_file, parallel, json, roleboot, sudo, version, canary,
                    max_failures, now)

    @fleet_task
    def seen(c):
        print("seen", type(c).__name__, ",".join(tasks._host_list(c, None, None)))

    @fabric.task
    def each(c):
        print("each", c.host)
    ''')


def have_fab():
    return os.path.exists(FAB)


@unittest.skipUnless(have_fab(), "no fab client at %s" % FAB)
class Fab(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.dir = self.tmp.name
        with open(os.path.join(self.dir, "fabfile.py"), "w") as f:
            f.write(FAKE)
        with open(os.path.join(helpers.FLEET_DIR, "fabric.yaml")) as src, \
                open(os.path.join(self.dir, "fabric.yaml"), "w") as dst:
            dst.write(src.read())

    def fab(self, *args):
        env = dict(os.environ, PYTHONPATH=helpers.FLEET_DIR, HOME=self.dir)
        p = subprocess.run([FAB] + list(args), cwd=self.dir, env=env, capture_output=True,
                           text=True, timeout=60, stdin=subprocess.DEVNULL)
        return p.returncode, p.stdout, p.stderr

    def json(self, task):
        with open(os.path.join(self.dir, "fleet-%s.json" % task)) as f:
            return json.load(f)

    def test_one_call_for_all_hosts(self):
        rc, out, err = self.fab("-H", "a,b,a,c", "seen", "each")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.splitlines(), ["seen Context a,b,c", "each a", "each b",
                                            "each a", "each c"])

    def test_without_the_executor_each_host_alone(self):
        os.unlink(os.path.join(self.dir, "fabric.yaml"))
        rc, out, err = self.fab("-H", "a,b", "seen")
        self.assertEqual(out.splitlines(), ["seen Connection a", "seen Connection b"])

    def test_check_lines_json_exit(self):
        rc, out, err = self.fab("-H", "sync1,drift1,sync2", "check")
        self.assertEqual(rc, 1, err)
        lines = out.splitlines()
        self.assertEqual([l.split()[:2] for l in lines[:3]],
                         [["sync1", "in-sync"], ["drift1", "drifted"], ["sync2", "in-sync"]])
        self.assertEqual(lines[-1], "fleet: 2 in sync, 1 drifted, 0 failed, 0 unreachable of 3")
        doc = self.json("check")
        self.assertEqual(doc["hosts"][1]["changed"], ["/etc/a"])
        self.assertEqual(doc["counts"]["drifted"], 1)
        self.assertNotIn("SECRET", out + err + json.dumps(doc))

    def test_check_failed_and_unreachable_exit_2(self):
        rc, out, err = self.fab("-H", "sync1,fail1,down1", "check", "--json", "r.json")
        self.assertEqual(rc, 2)
        self.assertIn("not signed by a trusted key", out.splitlines()[1])
        self.assertTrue(out.splitlines()[2].endswith("connection refused"))
        with open(os.path.join(self.dir, "r.json")) as f:
            self.assertEqual(json.load(f)["hosts"][1]["exit"], 5)

    def test_fabric_flags_reach_the_connection_settings(self):
        rc, out, err = self.fab("-t", "7", "-T", "30", "-i", "/k1", "-H", "probe", "check",
                                "--role", "x{v}.role", "--sudo")
        self.assertIn("ct=7 cmdt=30 key=['/k1'] cmd=sudo -n sh -c", out)

    def test_apply_canary_stop(self):
        hosts = "new1,fail1,new2,new3,new4"
        rc, out, err = self.fab("-H", hosts, "apply", "--canary", "2", "--role",
                                "https://b/demo-{version}.role", "--version", "2")
        self.assertEqual(rc, 3, err)
        lines = out.splitlines()
        self.assertEqual(lines[-2], "fleet: 0 in sync, 1 applied, 1 failed, 0 unreachable, "
                                    "3 skipped of 5")
        self.assertEqual(lines[-1], "rollout stopped: canary host fail1 failed")
        doc = self.json("apply")
        self.assertEqual(doc["stopped"], "canary")
        self.assertEqual(doc["options"], {"parallel": 20, "canary": 2, "max_failures": None,
                                          "role": "https://b/demo-2.role", "version": 2})

    def test_apply_max_failures(self):
        rc, out, err = self.fab("-H", "fail1,down1,new1", "apply", "--max-failures", "2",
                                "--parallel", "1")
        self.assertEqual(rc, 3, err)
        self.assertEqual(out.splitlines()[-1], "rollout stopped: 2 failures (--max-failures 2)")

    def test_usage_errors_exit_4(self):
        for args, msg in [(["check"], "no hosts"),
                          (["-H", "a", "check", "--parallel", "0"], "--parallel"),
                          (["-H", "a", "apply", "--max-failures", "0"], "--max-failures"),
                          (["-H", "a", "apply", "--role", "r-{version}"], "--version"),
                          (["check", "--hosts-file", "/nonexistent"], "cannot read hosts file"),
                          (["-H", "a b", "check"], "bad host")]:
            rc, out, err = self.fab(*args)
            self.assertEqual(rc, 4, args)
            self.assertEqual(out, "")
            self.assertIn(msg, err)
            self.assertEqual(len(err.strip().splitlines()), 1, err)

    def test_inventory_from_the_role_file(self):
        with open(os.path.join(self.dir, "r.role"), "w") as f:
            f.write("[role]\nname = demo\n[fleet]\nhosts = sync1, sync2 ; two\n   sync3\n")
        rc, out, err = self.fab("check", "--role", "r.role")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.splitlines()[-1],
                         "fleet: 3 in sync, 0 drifted, 0 failed, 0 unreachable of 3")


if __name__ == "__main__":
    unittest.main()
