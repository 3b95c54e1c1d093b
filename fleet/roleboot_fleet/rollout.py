"""A bounded pool of workers over the hosts, with the two ways to stop.

work(host) returns a HostResult and must not raise (an exception is turned
into a failed result all the same).  Results come back in the order of the
hosts, whatever order they finished in.

  canary N        the first N hosts go first, in parallel; if one of them
                  fails or is unreachable, no other host is tried
  max_failures K  once K hosts failed or were unreachable, no new host is
                  started; those already running finish
Hosts never tried are "skipped".  stopped is None, "canary" or
"max-failures"; a rollout counts as stopped only when some host was skipped.
"""

import concurrent.futures as cf
import time
from dataclasses import dataclass, field

from .result import BAD, HostResult, skipped


@dataclass
class Rollout:
    results: list
    stopped: str = None
    canary_host: str = None  # the first canary host that failed
    failures: int = 0
    started: float = field(default_factory=time.time)


def _safe(work, host):
    t0 = time.monotonic()
    try:
        return work(host)
    except Exception as e:  # a bug or an odd host must not end the rollout
        return HostResult(host, "failed", duration_s=time.monotonic() - t0,
                          error="%s: %s" % (type(e).__name__, e))


def _run_batch(pool, work, hosts, parallel, budget, on_done):
    """Runs hosts (a list of (index, host)) at most parallel at a time.

    budget: failures still allowed before no new host starts (None: no
    limit).  Returns {index: HostResult} of the hosts that ran.
    """
    done = {}
    todo = list(hosts)
    running = {}
    failures = 0
    while todo or running:
        while todo and len(running) < parallel and (budget is None or failures < budget):
            i, h = todo.pop(0)
            running[pool.submit(_safe, work, h)] = i
        if not running:
            break
        finished, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
        for f in finished:
            i = running.pop(f)
            r = f.result()
            done[i] = r
            if r.verdict in BAD:
                failures += 1
            if on_done:
                on_done(r)
    return done


def run(hosts, work, parallel=20, canary=0, max_failures=None, on_done=None):
    """Runs work over hosts; returns a Rollout."""
    parallel = max(1, int(parallel))
    indexed = list(enumerate(hosts))
    done = {}
    ro = Rollout(results=[])
    with cf.ThreadPoolExecutor(max_workers=min(parallel, max(1, len(hosts)))) as pool:
        rest = indexed
        if canary:
            first, rest = indexed[:canary], indexed[canary:]
            done.update(_run_batch(pool, work, first, parallel, None, on_done))
            bad = [h for i, h in first if done[i].verdict in BAD]
            if bad and rest:
                ro.stopped, ro.canary_host = "canary", bad[0]
                rest = []
        if rest:
            budget = None
            if max_failures is not None:
                budget = max_failures - sum(1 for r in done.values() if r.verdict in BAD)
            done.update(_run_batch(pool, work, rest, parallel, budget, on_done))
            if max_failures is not None and len(done) < len(hosts):
                ro.stopped = "max-failures"
    ro.results = [done[i] if i in done else skipped(h) for i, h in indexed]
    ro.failures = sum(1 for r in ro.results if r.verdict in BAD)
    return ro
