#!/usr/bin/env bash
# make bench, part 2: render a named.conf with 10,000 zone stanzas (two
# primaries and a TSIG key name each) with `roleboot render`, and the same
# output with Jinja2 (Debian's python3-jinja2, interpreter start included,
# reading the same role file with configparser).  Prints medians, the ratio,
# the spread of the runs, whether the goal is met (every run under 40 ms,
# ratio at most 0.10), roleboot's peak RSS and the binary's own start-up
# (roleboot --version, timed in the same loop); both outputs must be
# byte-identical.
set -eu
: "${ROLEBOOT:?set ROLEBOOT to the roleboot binary}"
runs=${BENCH_RUNS:-15}
zones=${BENCH_ZONES:-10000}
py=/usr/bin/python3
"$py" -c 'import jinja2' 2>/dev/null || { echo "bench: install python3-jinja2 (apt-get install python3-jinja2)" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/roleboot-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT

mkdir -p "$T/b"
cat >"$T/b/manifest.ini" <<'EOF2'
[bundle]
role    = dns-internal
version = 1
[var zone]
type     = section
key-type = hostname
[var zone.primaries]
type = ip
list = yes
[var zone.key]
type = hostname
[file /etc/named.conf.zones]
template = zones.mustache
EOF2
cat >"$T/b/zones.mustache" <<'EOF2'
{{#zone}}
zone "{{name}}" {
	type secondary;
	primaries { {{#primaries}}{{.}} key {{key}}; {{/primaries}}};
	file "secondary/{{name}}.db";
};
{{/zone}}
EOF2
cat >"$T/zones.j2" <<'EOF2'
{% for z in zone %}
zone "{{ z.name }}" {
	type secondary;
	primaries { {% for p in z.primaries %}{{ p }} key {{ z.key }}; {% endfor %}};
	file "secondary/{{ z.name }}.db";
};
{% endfor %}
EOF2
cat >"$T/render.py" <<'EOF2'
import configparser, sys, jinja2
cp = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=(";",))
cp.read(sys.argv[1])
zones = []
for s in cp.sections():
    if s.startswith('zone "'):
        z = cp[s]
        zones.append({"name": s[6:-1], "key": z["key"],
                      "primaries": [p.strip() for p in z["primaries"].split(",") if p.strip()]})
env = jinja2.Environment(loader=jinja2.FileSystemLoader(sys.argv[2]), keep_trailing_newline=True,
                         trim_blocks=True, autoescape=False)
sys.stdout.write(env.get_template("zones.j2").render(zone=zones))
EOF2
{
	printf '[role]\nname = dns-internal\nbundle = unused.tar.gz\n'
	for i in $(seq 1 "$zones"); do
		printf '[zone "z%05d.corp.example.com"]\nprimaries = 10.0.%d.10, 10.0.%d.11\nkey = xfer-%d\n' \
			"$i" $((i % 250)) $((i % 250)) $((i % 7))
	done
} >"$T/zones.role"

rb() { "$ROLEBOOT" render --role "$T/zones.role" --bundle "$T/b" zones.mustache >"$T/rb.out"; }
up() { "$ROLEBOOT" --version >/dev/null; }
j2() { "$py" "$T/render.py" "$T/zones.role" "$T" >"$T/j2.out"; }
rb; j2
cmp -s "$T/rb.out" "$T/j2.out" || { echo "bench: roleboot and Jinja2 outputs differ" >&2; diff "$T/rb.out" "$T/j2.out" | head >&2; exit 1; }

. "$(dirname "${BASH_SOURCE[0]}")/timing.sh"
: >"$T/rb.ms"; : >"$T/j2.ms"; : >"$T/up.ms"
for _ in $(seq 1 "$runs"); do
	ms rb >>"$T/rb.ms"
	ms j2 >>"$T/j2.ms"
	ms up >>"$T/up.ms"
done
r=$(median <"$T/rb.ms"); j=$(median <"$T/j2.ms")
rmin=$(sort -n "$T/rb.ms" | head -1); rmax=$(sort -n "$T/rb.ms" | tail -1)
jmin=$(sort -n "$T/j2.ms" | head -1); jmax=$(sort -n "$T/j2.ms" | tail -1)
ratio=$(echo "scale=4; $r / $j" | bc)
rss=$(/usr/bin/time -f %M "$ROLEBOOT" render --role "$T/zones.role" --bundle "$T/b" zones.mustache 2>&1 >/dev/null | tail -1)
case "$(file -b "$ROLEBOOT" 2>/dev/null)" in
*"statically linked"*) kind=static ;;
*) kind=dynamic ;;
esac
echo "binary: $ROLEBOOT ($kind)"
printf 'render %d zone stanzas (%d bytes): roleboot %.1f ms   Jinja2 %.1f ms   ratio %.3f (roleboot/Jinja2, median of %d)\n' \
	"$zones" "$(wc -c <"$T/rb.out")" "$r" "$j" "$ratio" "$runs"
printf 'spread of the %d runs: roleboot %.1f-%.1f ms   Jinja2 %.1f-%.1f ms   (runs interleaved; a busy machine widens it)\n' \
	"$runs" "$rmin" "$rmax" "$jmin" "$jmax"
# the goal: every run under 40 ms and the median at most 0.10 of Jinja2's
met() { [ "$(echo "$1" | bc)" = 1 ] && echo met || echo missed; }
printf 'goal, slowest of %d runs under 40 ms: %s (%.1f ms); ratio at most 0.10: %s (%.3f)\n' \
	"$runs" "$(met "$rmax < 40")" "$rmax" "$(met "$ratio <= 0.10")" "$ratio"
printf 'roleboot render peak RSS: %.1f MiB\n' "$(echo "scale=1; $rss / 1024" | bc)"
# what every run of this binary pays before it reads a byte: loading and
# relocating its shared libraries (none for the static binary)
printf 'start-up of the binary alone (roleboot --version, median of %d): %.1f ms, %d shared libraries\n' \
	"$runs" "$(median <"$T/up.ms")" "$(ldd "$ROLEBOOT" 2>/dev/null | grep -c '=> /')"
