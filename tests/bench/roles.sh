#!/usr/bin/env bash
# roles.sh — benchmark of the full `roleboot apply` of the dns-internal role
# (templates/dns-internal, with its named-checkconf validator and the rndc
# key it generates) against the same work done by an Ansible playbook run
# locally (Debian's ansible-core: get_url, a minisign check, unarchive,
# template with validate, tsig-keygen with creates:, systemctl --root enable),
# in the same run, into fresh Debian-layout target roots.
#
#   ROLEBOOT=/abs/path/roleboot TESTS_DIR=$PWD/tests tests/bench/roles.sh
#
# Environment: BENCH_RUNS (runs per side, default 5), BENCH_VERBOSE=1 (print
# every sample and keep Ansible's output), TMPDIR (where the bundle, the
# roots and Ansible's temp files are made).  Installs ansible-core with
# apt-get when /usr/bin/ansible-playbook is missing.  Runs as root: the
# bundle's files belong to root:bind and its folders to bind:bind.
# See tests/bench/README.md for how to read the output.
set -u -o pipefail
export LC_ALL=C

: "${ROLEBOOT:?set ROLEBOOT to the roleboot binary}"
RUNS=${BENCH_RUNS:-5}
ANSIBLE_PLAYBOOK=/usr/bin/ansible-playbook # not a pyenv one from PATH
PY=/usr/bin/python3

die() { echo "bench: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' is not installed ($2)"; }

case $RUNS in '' | *[!0-9]* | 0*) die "BENCH_RUNS must be a positive integer, not '$RUNS'" ;; esac
[ -n "${EPOCHREALTIME:-}" ] || die "needs bash 5 or newer (EPOCHREALTIME)"
case $ROLEBOOT in /*) ;; *) ROLEBOOT=$PWD/$ROLEBOOT ;; esac
[ -x "$ROLEBOOT" ] || die "$ROLEBOOT is not an executable (build it with make)"
[ "$(id -u)" -eq 0 ] || die "run as root: both sides chown files to the target root's bind user"
export PATH=$PATH:/usr/sbin:/sbin # tsig-keygen, for roleboot's generate = and Ansible alike
need minisign "Debian: apt-get install minisign"
need systemctl "Debian: apt-get install systemd"
need named-checkconf "Debian: apt-get install bind9-utils"
need tsig-keygen "Debian: apt-get install bind9-utils"
for tool in tar gzip cmp diff sort awk find stat; do
	need "$tool" "coreutils, tar, gzip, findutils, diffutils, gawk or mawk"
done
[ -x "$PY" ] || die "$PY is missing (Debian: apt-get install python3)"

if [ ! -x "$ANSIBLE_PLAYBOOK" ]; then
	echo "bench: installing ansible-core (Debian package) for $ANSIBLE_PLAYBOOK" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q --no-install-recommends ansible-core >/dev/null ||
		{ apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends ansible-core >/dev/null; } ||
		die "apt-get install ansible-core failed"
	[ -x "$ANSIBLE_PLAYBOOK" ] || die "ansible-core is installed but $ANSIBLE_PLAYBOOK is not there"
fi

TESTS_DIR=${TESTS_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
export TESTS_DIR
[ -d "$TESTS_DIR/../templates/dns-internal" ] || die "no templates/dns-internal next to $TESTS_DIR"
WHERE=${TMPDIR:-/tmp}
# lib.sh: $T (a temp folder removed at exit), make_root, pack_sign (stock
# minisign, tests/keys/test.key); https.sh: start_faultserver, free_port,
# and the exit cleanup that stops the server before $T is removed.
# shellcheck source=tests/lib.sh
. "$TESTS_DIR/lib.sh"
# shellcheck source=tests/https.sh
. "$TESTS_DIR/https.sh"
trap 'exit 130' INT
trap 'exit 143' TERM
export TMPDIR=$T # roleboot's download and staging folder, Ansible's tempfile: removed with $T
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
PUBFILE=$KEYS/test.pub

# ------------------------------------------------- the bundle and its server
mkdir -p "$T/srv/b"
BUNDLE=$T/srv/b/dns-internal.tar.gz
pack_sign "$TESTS_DIR/../templates/dns-internal" "$BUNDLE" || die "roleboot pack or minisign -S failed"
start_faultserver "$T/srv" || die "tests/faultserver.py did not start"
URL=http://127.0.0.1:$FAULT_PORT/ok/b/dns-internal.tar.gz

# ---------------------------------------------------------------- the values
# As tests/t0300-roles.sh writes its dns-internal role: addresses on the
# loopback and test networks, ports nobody listens on, a fresh TSIG secret.
# One set of values feeds the role file and the playbook's vars.
TSIG=$(tsig-keygen -a hmac-sha256 transfer | sed -n 's/.*secret "\(.*\)";.*/\1/p')
[ -n "$TSIG" ] || die "tsig-keygen gave no secret"
PORT_S=$(free_port) PORT_I=$(free_port) CTL_I=$(free_port)
if [ -z "$PORT_S" ] || [ -z "$PORT_I" ] || [ -z "$CTL_I" ]; then die "no free port"; fi
LISTEN_ON=(127.0.0.1)
PRIMARIES=(127.0.0.1)
INTERNAL_NETWORKS=(127.0.0.0/8 192.0.2.0/24)
ALLOW_QUERY=(198.51.100.0/24)
FORWARDERS=(192.0.2.53 192.0.2.54)
FORWARD_ONLY=yes DNSSEC_VALIDATION=no
ZONES=(corp.example.com lab.example.com)
BIND_UID=1104 BIND_GID=1106 # not the host's: owners must come from the target root

ini_list() { local IFS=,; printf %s "$*" | sed 's/,/, /g'; }           # a, b
yaml_list() { local x out=; for x in "$@"; do out+="${out:+, }\"$x\""; done; printf '[%s]' "$out"; }
yaml_bool() { if [ "$1" = yes ]; then echo true; else echo false; fi; }

ROLEFILE=$T/dns-internal.role
{
	cat <<EOF
; Generated by tests/bench/roles.sh, as tests/t0300-roles.sh writes it.
[role]
name   = dns-internal
bundle = $URL
[vars]
listen_on         = $(ini_list "${LISTEN_ON[@]}")
listen_port       = $PORT_I
control_port      = $CTL_I
primaries         = $(ini_list "${PRIMARIES[@]}")
primary_port      = $PORT_S
transfer_secret   = $TSIG
internal_networks = $(ini_list "${INTERNAL_NETWORKS[@]}")
allow_query       = $(ini_list "${ALLOW_QUERY[@]}")
forwarders        = $(ini_list "${FORWARDERS[@]}")
forward_only      = $FORWARD_ONLY
dnssec_validation = $DNSSEC_VALIDATION
EOF
	for z in "${ZONES[@]}"; do printf '[zone "%s"]\n' "$z"; done
} >"$ROLEFILE"

# ------------------------------------------------------------- the playbook
# Jinja2 twins of templates/dns-internal/*.mustache, line for line; Ansible's
# template module renders with trim_blocks, so a {% %} tag alone on its line
# disappears with its newline, as a standalone Mustache section tag does.
A=$T/ansible
mkdir -p "$A/templates" "$A/tmp" "$A/remote-tmp" "$A/home"
: >"$A/ansible.cfg" # no /etc/ansible/ansible.cfg, ~/.ansible.cfg or ./ansible.cfg
cat >"$A/templates/named.conf.j2" <<'EOF'
// named.conf of a dns-internal node: the internal zones as secondaries of
// the dns-sync primaries, recursion for the internal networks.  Managed by
// roleboot (role {{ role_name }}): local changes are overwritten by the next apply.
{# host.bind.* picks the distribution's paths; see manifest.ini #}
include "{{ bind_confdir }}/rndc.key";
include "{{ bind_confdir }}/named.transfer.key";

controls {
	inet 127.0.0.1 port {{ control_port }} allow { 127.0.0.1; } keys { "rndc-key"; };
};

acl "internal" {
	localhost;
{% for n in internal_networks %}
	{{ n }};
{% endfor %}
};

options {
	directory "{{ bind_datadir }}";
	managed-keys-directory "{{ bind_datadir }}/dynamic";
	listen-on port {{ listen_port }} { {% for a in listen_on %}{{ a }}; {% else %}any; {% endfor %}};
	listen-on-v6 port {{ listen_port }} { {% for a in listen_on_v6 %}{{ a }}; {% else %}none; {% endfor %}};

	allow-query { internal; {% for n in allow_query %}{{ n }}; {% endfor %}};
	recursion yes;
	allow-recursion { internal; };
	allow-query-cache { internal; };
	allow-transfer { none; };
	notify no;

	forwarders { {% for f in forwarders %}{{ f }}; {% endfor %}};
	forward {% if forward_only %}only{% else %}first{% endif %};
	dnssec-validation {% if dnssec_validation %}auto{% else %}no{% endif %};
	version none;
};
{% for z in zone %}

zone "{{ z.name }}" {
	type secondary;
	primaries { {% for p in primaries %}{{ p }} port {{ primary_port }} key transfer; {% endfor %}};
	file "{{ bind_datadir }}/slaves/{{ z.name }}.db";
};
{% endfor %}
EOF
cat >"$A/templates/rndc.conf.j2" <<'EOF'
// rndc.conf: rndc talks to the local named on its control port with the
// node's own key.  Managed by roleboot (role {{ role_name }}).
include "{{ bind_confdir }}/rndc.key";

options {
	default-server 127.0.0.1;
	default-port {{ control_port }};
	default-key "rndc-key";
};
EOF
cat >"$A/templates/transfer.key.j2" <<'EOF'
// TSIG key for zone transfers and NOTIFY between the dns-sync primaries
// and the dns-internal servers.  Managed by roleboot: secret, never logged.
key "transfer" {
	algorithm hmac-sha256;
	secret "{{ transfer_secret }}";
};
EOF

# The validator: Ansible runs `validate` on the rendered temp file (%s, in its
# remote temp folder) before moving it into place, one file at a time.
# roleboot runs `named-checkconf -t STAGE /etc/bind/named.conf` over a stage
# that mirrors the target, so the includes (/etc/bind/rndc.key,
# /etc/bind/named.transfer.key) and folders resolve.  To check the same
# thing before install, with the same file content, the playbook's validate
# copies %s into the target root (whose keys and folders earlier tasks
# installed) and runs `named-checkconf -t ROOT` on that copy.
# shellcheck disable=SC2016
VALIDATE='sh -c '\''cp "$1" "$2/etc/bind/.named.conf.validate" && named-checkconf -t "$2" /etc/bind/.named.conf.validate; s=$?; rm -f "$2/etc/bind/.named.conf.validate"; exit $s'\'' validate %s {{ root }}'

cat >"$A/site.yml" <<EOF
# Generated by tests/bench/roles.sh: what \`roleboot apply\` does for the
# dns-internal role on a Debian root, as an Ansible playbook.  Run with
#   ansible-playbook -i localhost, -c local -e root=ROOT site.yml
- name: dns-internal
  hosts: localhost
  # roleboot gathers its own facts (os-release, ids from ROOT/etc/passwd),
  # cheaply; the playbook is given the Debian paths and reads the ids
  # itself, so the setup module's cost is left out
  gather_facts: false
  vars:
    root: ""
    bundle_url: "$URL"
    pubkey: "$PUBFILE"
    role_name: dns-internal
    bind_confdir: /etc/bind
    bind_datadir: /var/cache/bind
    listen_on: $(yaml_list "${LISTEN_ON[@]}")
    listen_on_v6: []
    listen_port: $PORT_I
    control_port: $CTL_I
    internal_networks: $(yaml_list "${INTERNAL_NETWORKS[@]}")
    allow_query: $(yaml_list "${ALLOW_QUERY[@]}")
    forwarders: $(yaml_list "${FORWARDERS[@]}")
    forward_only: $(yaml_bool "$FORWARD_ONLY")
    dnssec_validation: $(yaml_bool "$DNSSEC_VALIDATION")
    primaries: $(yaml_list "${PRIMARIES[@]}")
    primary_port: $PORT_S
    transfer_secret: "$TSIG"
    zone:
$(for z in "${ZONES[@]}"; do printf '      - name: %s\n' "$z"; done)
  tasks:
    - name: owners, from the target root's passwd and group as roleboot reads them
      ansible.builtin.set_fact:
        bind_uid: "{{ (lookup('file', root ~ '/etc/passwd') | regex_search('(?m)^bind:[^:]*:[0-9]+')).split(':')[2] }}"
        bind_gid: "{{ (lookup('file', root ~ '/etc/group') | regex_search('(?m)^bind:[^:]*:[0-9]+')).split(':')[2] }}"

    - name: work folder
      ansible.builtin.tempfile:
        state: directory
        suffix: .dns-internal
      register: work

    - name: download the bundle and its signature
      ansible.builtin.get_url:
        url: "{{ bundle_url }}{{ item }}"
        dest: "{{ work.path }}/dns-internal.tar.gz{{ item }}"
        mode: "0600"
      loop: ["", ".minisig"]

    - name: verify the signature with minisign
      ansible.builtin.command:
        argv: [minisign, -Vq, -p, "{{ pubkey }}", -m, "{{ work.path }}/dns-internal.tar.gz"]
      changed_when: false

    - name: unpack the bundle
      ansible.builtin.unarchive:
        src: "{{ work.path }}/dns-internal.tar.gz"
        dest: "{{ work.path }}"
        remote_src: true

    - name: folders (etc/bind is a parent roleboot makes 0755 root:root)
      ansible.builtin.file:
        path: "{{ root }}{{ item.path }}"
        state: directory
        mode: "{{ item.mode }}"
        owner: "{{ item.owner }}"
        group: "{{ item.group }}"
      loop:
        - { path: /etc/bind, mode: "0755", owner: "0", group: "0" }
        - { path: /var/cache/bind, mode: "0775", owner: "0", group: "{{ bind_gid }}" }
        - { path: /var/cache/bind/dynamic, mode: "0770", owner: "{{ bind_uid }}", group: "{{ bind_gid }}" }
        - { path: /var/cache/bind/slaves, mode: "0770", owner: "{{ bind_uid }}", group: "{{ bind_gid }}" }

    - name: TSIG key of the zone transfers
      ansible.builtin.template:
        src: transfer.key.j2
        dest: "{{ root }}/etc/bind/named.transfer.key"
        mode: "0640"
        owner: "0"
        group: "{{ bind_gid }}"
      no_log: true

    - name: rndc key, made on the node when absent
      ansible.builtin.command:
        argv: [tsig-keygen, -a, hmac-sha256, rndc-key]
        creates: "{{ root }}/etc/bind/rndc.key"
      register: rndc_key
      no_log: true

    - name: rndc key, installed
      ansible.builtin.copy:
        content: "{{ rndc_key.stdout }}\n"
        dest: "{{ root }}/etc/bind/rndc.key"
        mode: "0640"
        owner: "0"
        group: "{{ bind_gid }}"
      when: rndc_key is changed
      no_log: true

    - name: named.conf, checked by named-checkconf before it is installed
      ansible.builtin.template:
        src: named.conf.j2
        dest: "{{ root }}/etc/bind/named.conf"
        mode: "0644"
        owner: "0"
        group: "{{ bind_gid }}"
        validate: >-
          $VALIDATE

    - name: rndc.conf
      ansible.builtin.template:
        src: rndc.conf.j2
        dest: "{{ root }}/etc/bind/rndc.conf"
        mode: "0644"
        owner: "0"
        group: "{{ bind_gid }}"

    - name: enable named (the systemd module has no --root)
      ansible.builtin.command:
        argv: [systemctl, "--root={{ root }}", enable, named]

    - name: remove the work folder
      ansible.builtin.file:
        path: "{{ work.path }}"
        state: absent
EOF

# The floor: the same command line, a play of one task that runs one module.
cat >"$A/floor.yml" <<'EOF'
- name: floor
  hosts: localhost
  gather_facts: false
  tasks:
    - name: one module run
      ansible.builtin.command:
        argv: ["true"]
      changed_when: false
EOF

# Quiet, reproducible, and as fast as Ansible gets locally: no config file,
# no fact gathering, no interpreter discovery, pipelining on, temp folders
# inside $T.
export ANSIBLE_CONFIG=$A/ansible.cfg ANSIBLE_HOME=$A/home \
	ANSIBLE_LOCAL_TEMP=$A/tmp ANSIBLE_REMOTE_TEMP=$A/remote-tmp \
	ANSIBLE_PYTHON_INTERPRETER=$PY ANSIBLE_GATHERING=explicit ANSIBLE_PIPELINING=True \
	ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_RETRY_FILES_ENABLED=False \
	ANSIBLE_LOCALHOST_WARNING=False ANSIBLE_INVENTORY_UNPARSED_WARNING=False \
	ANSIBLE_DEPRECATION_WARNINGS=False ANSIBLE_SYSTEM_WARNINGS=False \
	ANSIBLE_COMMAND_WARNINGS=False ANSIBLE_DISPLAY_SKIPPED_HOSTS=False
NTASKS=$(grep -c '^    - name:' "$A/site.yml")

# ------------------------------------------------------------- the roots
# deb_root DIR: a fresh Debian 12 target with bind9 installed, as t0300's
# deb_root makes it: passwd/group with root and bind, os-release, the
# named.service unit for `systemctl --root` to enable.
deb_root() {
	rm -rf "$1"
	make_root "$1"
	printf 'root:x:0:0:root:/root:/bin/bash\nbind:x:%s:%s::/var/cache/bind:/usr/sbin/nologin\n' \
		"$BIND_UID" "$BIND_GID" >"$1/etc/passwd"
	printf 'root:x:0:\nbind:x:%s:\n' "$BIND_GID" >"$1/etc/group"
	mkdir -p "$1/usr/lib/systemd/system" "$1/var/cache" # /var/cache: Debian's base system has it
	printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n' \
		>"$1/usr/lib/os-release"
	ln -s ../usr/lib/os-release "$1/etc/os-release"
	printf '%s\n' '[Unit]' 'Description=BIND Domain Name Server' 'After=network.target' '' \
		'[Service]' 'ExecStart=/usr/sbin/named -f -u bind' '' '[Install]' 'WantedBy=multi-user.target' \
		>"$1/usr/lib/systemd/system/named.service"
}

rb_apply() { "$ROLEBOOT" apply -q --root "$1" --pubkey "$PUBFILE" "$ROLEFILE"; }
# Ansible refuses any locale but UTF-8 ones; C.UTF-8 is always there on Debian.
an_apply() { (cd "$A" && LC_ALL=C.UTF-8 "$ANSIBLE_PLAYBOOK" -i localhost, -c local -e "root=$1" site.yml); }
an_floor() { (cd "$A" && LC_ALL=C.UTF-8 "$ANSIBLE_PLAYBOOK" -i localhost, -c local floor.yml); }

BENCH_TMP=$T
. "$(dirname "${BASH_SOURCE[0]}")/timing.sh" # timed, median

RB_ROOT=$T/root-roleboot AN_ROOT=$T/root-ansible
RB=() AN=() FL=()

# Warm-up (not counted): page cache, dynamic loader, Python's byte code.
deb_root "$RB_ROOT"; deb_root "$AN_ROOT"
rb_apply "$RB_ROOT" >"$T/run.log" 2>&1 || { cat "$T/run.log" >&2; die "roleboot apply failed"; }
an_apply "$AN_ROOT" >"$T/run.log" 2>&1 || { cat "$T/run.log" >&2; die "ansible-playbook failed"; }
an_floor >"$T/run.log" 2>&1 || { cat "$T/run.log" >&2; die "ansible-playbook floor.yml failed"; }

# Interleaved, each run into a fresh root made outside the timing; the order
# alternates so that neither side always runs first.  The floor runs last in
# each round.
for ((r = 1; r <= RUNS; r++)); do
	deb_root "$RB_ROOT"; deb_root "$AN_ROOT"
	if ((r % 2)); then
		timed RB rb_apply "$RB_ROOT"
		timed AN an_apply "$AN_ROOT"
	else
		timed AN an_apply "$AN_ROOT"
		timed RB rb_apply "$RB_ROOT"
	fi
	timed FL an_floor
done
if [ "${BENCH_VERBOSE:-0}" = 1 ]; then
	deb_root "$AN_ROOT"
	an_apply "$AN_ROOT" >"$T/ansible.log" 2>&1 || { cat "$T/ansible.log" >&2; die "ansible-playbook failed"; }
fi

# ----------------------------------------------------------------- sanity
# Both roots must hold the same paths under etc/ and var/cache/ (files,
# folders, links); modes, owners and the rendered files (all but the rndc
# key, which is random) are compared too and reported.
listing() { (cd "$1" && find etc var/cache -printf '%p %y\n' 2>/dev/null | sort); }
listing "$RB_ROOT" >"$T/paths.roleboot"
listing "$AN_ROOT" >"$T/paths.ansible"
if ! cmp -s "$T/paths.roleboot" "$T/paths.ansible"; then
	diff -u "$T/paths.roleboot" "$T/paths.ansible" >&2
	die "the roleboot root and the Ansible root hold different paths under etc/ and var/cache/"
fi
npaths=$(wc -l <"$T/paths.roleboot")
differ=()
while read -r p _; do
	[ "$(stat -c '%a %u:%g' "$RB_ROOT/$p")" = "$(stat -c '%a %u:%g' "$AN_ROOT/$p")" ] ||
		differ+=("$p (mode/owner $(stat -c '%a %u:%g' "$RB_ROOT/$p") vs $(stat -c '%a %u:%g' "$AN_ROOT/$p"))")
done <"$T/paths.roleboot"
for f in etc/bind/named.conf etc/bind/named.transfer.key etc/bind/rndc.conf; do
	cmp -s "$RB_ROOT/$f" "$AN_ROOT/$f" || differ+=("$f (content)")
done
for root in "$RB_ROOT" "$AN_ROOT"; do
	named-checkconf -t "$root" /etc/bind/named.conf ||
		die "named-checkconf refuses $root/etc/bind/named.conf"
	systemctl --root="$root" --quiet is-enabled named || die "named is not enabled in $root"
	grep -q 'key "rndc-key"' "$root/etc/bind/rndc.key" || die "no rndc key in $root"
done

# ---------------------------------------------------------- peak RSS
# GNU time's %M is the largest RSS of the process or of any child it waited
# for: roleboot's children here are tsig-keygen, named-checkconf and
# systemctl.  ROLEBOOT_SYSTEMCTL=/bin/true keeps systemctl out (as
# apply.sh does); named-checkconf's own figure is printed beside, so a
# reader can tell whose figure %M is; `roleboot --version` is the floor
# (the binary and its shared libraries).
rss="" rss_check="" rss_floor="" rss_an=""
if [ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1; then
	deb_root "$T/root-rss"
	ROLEBOOT_SYSTEMCTL=/bin/true /usr/bin/time -f %M -o "$T/rss" \
		"$ROLEBOOT" apply -q --root "$T/root-rss" --pubkey "$PUBFILE" "$ROLEFILE" \
		>"$T/run.log" 2>&1 || { cat "$T/run.log" >&2; die "roleboot apply under GNU time failed"; }
	/usr/bin/time -f %M -o "$T/rss-check" named-checkconf -t "$T/root-rss" /etc/bind/named.conf \
		>/dev/null 2>&1 || die "named-checkconf under GNU time failed"
	/usr/bin/time -f %M -o "$T/rss-floor" "$ROLEBOOT" --version >/dev/null 2>&1 ||
		die "roleboot --version failed"
	deb_root "$T/root-rss"
	(cd "$A" && LC_ALL=C.UTF-8 /usr/bin/time -f %M -o "$T/rss-an" \
		"$ANSIBLE_PLAYBOOK" -i localhost, -c local -e "root=$T/root-rss" site.yml) >"$T/run.log" 2>&1 ||
		{ cat "$T/run.log" >&2; die "ansible-playbook under GNU time failed"; }
	rss=$(tail -n 1 "$T/rss") rss_check=$(tail -n 1 "$T/rss-check")
	rss_floor=$(tail -n 1 "$T/rss-floor") rss_an=$(tail -n 1 "$T/rss-an")
fi

# ------------------------------------------------------------------ report
fmt_ms() { awk -v us="$1" 'BEGIN { printf "%.0f ms", us / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

rb=$(median "${RB[@]}") an=$(median "${AN[@]}") fl=$(median "${FL[@]}")
echo "dns-internal: ${#ZONES[@]} zones, 3 templates, 1 generated key, 3 folders, 1 service, named-checkconf; bundle $(wc -c <"$BUNDLE") bytes over http://127.0.0.1"
echo "roots in $WHERE ($(df -PT "$T" | awk 'NR == 2 { print $2 }')); $RUNS runs per side, interleaved, after one warm-up; ansible-core $(LC_ALL=C.UTF-8 "$ANSIBLE_PLAYBOOK" --version 2>/dev/null | awk 'NR == 1 { sub(/]$/, "", $3); print $3 }'), $NTASKS tasks, gather_facts: false"
printf 'apply dns-internal: roleboot %s   ansible-playbook %s   ratio %s (roleboot/ansible, median of %d)\n' \
	"$(fmt_ms "$rb")" "$(fmt_ms "$an")" "$(ratio "$rb" "$an")" "$RUNS"
printf 'ansible-playbook floor: %s (same command line, a play of one command: true task; median of %d)\n' \
	"$(fmt_ms "$fl")" "$RUNS"
if [ -n "$rss" ]; then
	echo "roleboot peak RSS: $(mib "$rss") (GNU time -f %M, one apply, children included: named-checkconf alone $(mib "$rss_check"); roleboot --version alone: $(mib "$rss_floor")); ansible-playbook: $(mib "$rss_an") (its largest process)"
else
	echo "roleboot peak RSS: not measured: /usr/bin/time is missing (Debian: apt-get install time)"
fi
if ((${#differ[@]} == 0)); then
	echo "sanity: both roots hold the same $npaths paths under etc/ and var/cache/ with the same modes and owners; named.conf, named.transfer.key, rndc.conf identical; both pass named-checkconf, named enabled"
else
	echo "sanity: both roots hold the same $npaths paths under etc/ and var/cache/; ${#differ[@]} differ: ${differ[*]}"
fi
if [ "${BENCH_VERBOSE:-0}" = 1 ]; then
	echo "samples (µs): roleboot: ${RB[*]}"
	echo "              ansible:  ${AN[*]}"
	echo "              floor:    ${FL[*]}"
	echo "ansible-playbook output of one more run:"
	sed 's/^/  /' "$T/ansible.log"
fi
