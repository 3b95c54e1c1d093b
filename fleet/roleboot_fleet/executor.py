"""FleetExecutor: a fleet task runs once, for all the -H hosts.

Fabric 2 turns `fab -H h1,h2 TASK` into one call of TASK per host, one after
the other.  fleet/fabric.yaml (the project config found next to the
fabfile) names this class as tasks.executor_class; for the tasks marked by
fleet_task it leaves -H alone: the host string goes into the holder below
and the task is called once, with a plain Context, to run its own pool of
connections.  Every other task (and `fab -H ... -- CMD`) is expanded as
Fabric always does.
"""

import fabric
from fabric.executor import Executor
from invoke import Call, Task

# What the executor saw on the command line, for the fleet tasks to read.
_holder = {"active": False, "hosts": None}


def fleet_task(*args, **kwargs):
    """fabric.task, marking the task as one that takes all hosts at once."""
    def mark(t):
        t.fleet = True
        return t

    if len(args) == 1 and callable(args[0]) and not kwargs:
        return mark(fabric.task(args[0]))
    return lambda body: mark(fabric.task(*args, **kwargs)(body))


def cli_hosts():
    """(executor in effect, the -H string or None)."""
    return _holder["active"], _holder["hosts"]


class FleetExecutor(Executor):
    def expand_calls(self, calls, apply_hosts=True):
        if not apply_hosts:
            return super().expand_calls(calls, apply_hosts=False)
        _holder["active"] = True
        _holder["hosts"] = self.core[0].args.hosts.value or None
        # the remainder (fab -H h -- CMD) is expanded once, at the end
        remainder, self.core.remainder = self.core.remainder, ""
        ret, plain = [], []
        try:
            for call in calls:
                if isinstance(call, Task):
                    call = Call(task=call)
                if not getattr(call.task, "fleet", False):
                    plain.append(call)
                    continue
                if plain:
                    ret.extend(super().expand_calls(plain))
                    plain = []
                ret.extend(super().expand_calls(call.pre, apply_hosts=False))
                ret.append(call)
                ret.extend(super().expand_calls(call.post, apply_hosts=False))
            if plain:
                ret.extend(super().expand_calls(plain))
        finally:
            self.core.remainder = remainder
        if remainder:
            ret.extend(super().expand_calls([]))
        return ret
