"""The baseline of tests/bench/fleet.sh: checking a fleet the seed's way,
one plain Fabric task that the stock fab client runs host after host.

    cd tests/bench/seedfab && fab -i KEY -H h1,h2,... check --role URL
"""
from fabric import task


@task
def check(c, role):
    """roleboot apply --dry-run on the host; its JSON report is kept quiet."""
    c.run("roleboot apply --dry-run --json -q %s" % role, warn=True, hide=True)
