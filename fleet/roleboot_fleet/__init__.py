"""roleboot across a fleet: the logic behind fleet/fabfile.py.

Modules, one concern each:

  hosts     the host list: -H, --hosts-file, the role file's [fleet] inventory
  remote    remote command lines, one SSH connection per host, errors named
  result    one host's result and the verdict read from exit code, JSON, stderr
  rollout   a bounded thread pool over the hosts, canary and --max-failures
  report    the table, the closing lines, the JSON file, the exit code
  tasks     the four tasks (check, apply, status, run) put together
  executor  FleetExecutor: one call of a fleet task for all -H hosts
"""


class UsageError(Exception):
    """A bad option, no hosts, an unreadable hosts or role file: exit 4."""
