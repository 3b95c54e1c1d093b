"""Where the host list comes from.

-H (Fabric's own flag, comma separated) and --hosts-file (one host a line)
add up, in that order; with neither, the role file's inventory is used:

    [fleet]
    hosts = dns1.example.net, dns2.example.net,
            admin@dns3.example.net:2222   ; continuation lines go on

Every host is [user@]host[:port]; duplicates are dropped, the first one
keeps its place.
"""

import configparser
import re
import urllib.error
import urllib.request

from . import UsageError

_HOST_RE = re.compile(r"^(?:[^@\s]+@)?(?:\[[0-9A-Fa-f:.]+\]|[^@:\s\[\]/]+)(?::(\d+))?$")
ROLE_FETCH_TIMEOUT = 30


def check_host(text, where):
    """Returns text when it is [user@]host[:port], else raises UsageError."""
    m = _HOST_RE.match(text)
    if not m or (m.group(1) is not None and not 0 < int(m.group(1)) < 65536):
        raise UsageError("%s: bad host %r (want [user@]host[:port])" % (where, text))
    return text


def dedupe(hosts):
    seen = set()
    out = []
    for h in hosts:
        if h not in seen:
            seen.add(h)
            out.append(h)
    return out


def parse_cli_hosts(value):
    """The -H value: comma separated hosts, blanks ignored."""
    if not value:
        return []
    return [check_host(h.strip(), "-H") for h in value.split(",") if h.strip()]


def parse_hosts_text(text, name):
    """A hosts file's text: one host a line, '#' comments, blank lines."""
    hosts = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if len(line.split()) != 1:
            raise UsageError("%s:%d: one host a line, got %r" % (name, n, line))
        hosts.append(check_host(line, "%s:%d" % (name, n)))
    return hosts


def read_hosts_file(path):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError("cannot read hosts file %s: %s" % (path, _why(e)))
    return parse_hosts_text(text, path)


def parse_inventory(text, name):
    """The [fleet] hosts of a role file's text; [] when it has none."""
    cp = configparser.ConfigParser(
        interpolation=None, strict=False, inline_comment_prefixes=(";", "#")
    )
    try:
        cp.read_string(text, source=name)
    except configparser.Error as e:
        raise UsageError("cannot parse role file %s: %s" % (name, str(e).splitlines()[0]))
    if not cp.has_option("fleet", "hosts"):
        return []
    value = cp.get("fleet", "hosts")
    where = "%s [fleet] hosts" % name
    return [check_host(h, where) for h in re.split(r"[,\s]+", value) if h]


def read_role(role):
    """The text of a role file: a local path or an http(s)/file URL."""
    try:
        if re.match(r"^(https?|file)://", role):
            with urllib.request.urlopen(role, timeout=ROLE_FETCH_TIMEOUT) as r:
                data = r.read()
        else:
            with open(role, "rb") as f:
                data = f.read()
        return data.decode("utf-8")
    except (OSError, ValueError, urllib.error.URLError) as e:
        raise UsageError("cannot read role file %s: %s" % (role, _why(e)))


def resolve(cli_value, hosts_file, role):
    """The final host list; raises UsageError when there is none."""
    hosts = parse_cli_hosts(cli_value)
    if hosts_file:
        hosts += read_hosts_file(hosts_file)
    if not cli_value and not hosts_file:
        if not role:
            raise UsageError("no hosts: give -H HOST,..., --hosts-file FILE, or --role "
                             "ROLE with a [fleet] hosts = ... inventory")
        hosts = parse_inventory(read_role(role), role)
        if not hosts:
            raise UsageError("no hosts: role file %s has no [fleet] hosts" % role)
    hosts = dedupe(hosts)
    if not hosts:
        raise UsageError("no hosts: the host list is empty")
    return hosts


def _why(e):
    if isinstance(e, urllib.error.HTTPError):
        return "HTTP %d %s" % (e.code, e.reason)
    if isinstance(e, urllib.error.URLError):
        return str(e.reason)
    if isinstance(e, OSError) and e.strerror:
        return e.strerror
    return str(e)
