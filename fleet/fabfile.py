"""roleboot across a fleet: fab -H h1,h2 check | apply | status | run CMD.

The work is done in roleboot_fleet/ (see its __init__.py); fabric.yaml
makes each task run once over all hosts.  README.md has the details.
"""

from roleboot_fleet import tasks
from roleboot_fleet.executor import fleet_task

COMMON = {
    "role": "role file: path or http(s) URL; with no -H and no --hosts-file, "
            "its [fleet] hosts = ... inventory gives the hosts",
    "hosts-file": "file of hosts, one [user@]host[:port] a line, # comments",
    "parallel": "hosts worked on at once (default 20)",
    "json": "where to write the JSON results (default fleet-TASK.json)",
    "roleboot": "the roleboot command on the hosts (default roleboot)",
    "sudo": "run the remote command under sudo -n",
}


def _help(without=(), **extra):
    h = {k: v for k, v in COMMON.items() if k not in without}
    h.update({k.replace("_", "-"): v for k, v in extra.items()})
    return h


@fleet_task(help=_help(role="role to check (default: the one each host applied last); "
                            + COMMON["role"]), auto_shortflags=False)
def check(c, role=None, hosts_file=None, parallel=None, json=None, roleboot="roleboot",
          sudo=False):
    """Dry-run roleboot on every host: in-sync, drifted, failed, unreachable."""
    tasks.check(c, role, hosts_file, parallel, json, roleboot, sudo)


@fleet_task(help=_help(version="bundle version every host must get (--expect-version); "
                               "replaces {version} in --role",
                       canary="do the first N hosts first; stop if one of them fails",
                       max_failures="start no new host once K hosts failed (K >= 1)",
                       now="start/restart services now (--no-now: leave them)"),
            auto_shortflags=False)
def apply(c, role=None, hosts_file=None, parallel=None, json=None, roleboot="roleboot",
          sudo=False, version=None, canary=None, max_failures=None, now=True):
    """Apply the role on every host, with an optional canary and failure limit."""
    tasks.apply(c, role, hosts_file, parallel, json, roleboot, sudo, version, canary,
                max_failures, now)


@fleet_task(help=_help(), auto_shortflags=False)
def status(c, role=None, hosts_file=None, parallel=None, json=None, roleboot="roleboot",
           sudo=False):
    """What every host has applied: role, version; a tally of versions."""
    tasks.status(c, role, hosts_file, parallel, json, roleboot, sudo)


@fleet_task(help=_help(("roleboot",), cmd="shell command to run on every host"),
            auto_shortflags=False)
def run(c, cmd, role=None, hosts_file=None, parallel=None, json=None, sudo=False):
    """Run a shell command on every host: ok, failed (exit N), unreachable."""
    tasks.run(c, cmd, role, hosts_file, parallel, json, sudo)
