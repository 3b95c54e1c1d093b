#!/usr/bin/env bash
# The kickstart files against the kickstart syntax of their RHEL version:
# kickstart/rhel8/*.ks as RHEL 8, kickstart/rhel9/*.ks as RHEL 9 (each file
# also says so on its first line, #version=RHELn).
#
# With pykickstart's ksvalidator on PATH, each file is run through
# `ksvalidator -v RHELn FILE` and must pass with no warning.  Debian 12 has
# no pykickstart package (PyPI is not reachable from here either), so
# without it each file is checked against the table below instead: every
# command is one of the version's commands and none that the version
# deprecates or removed, every option is one that command takes in that
# version, commands take the number of arguments they take, and section
# headers carry only known options.  The output says which way was used.
#
# Source of the table: pykickstart (the library anaconda reads kickstart
# files with), pykickstart/handlers/rhel8.py and rhel9.py (commandMap: the
# commands of each version and the class that parses each one) and the
# option parsers of those classes in pykickstart/commands/*.py and
# pykickstart/sections.py.  Only the commands these files use have their
# options listed: a file that starts using another command fails here
# until its options are added from the same source.
. "$(dirname "$0")/lib.sh"

TOP=$(cd "$TESTS_DIR/.." && pwd)
KS=$TOP/kickstart
command -v python3 >/dev/null || skip_rest "needs python3"

for v in rhel8 rhel9; do
	V=${v^^}
	files=("$KS/$v"/*.ks)
	check "kickstart/$v holds kickstart files" [ -f "${files[0]}" ]
	if command -v ksvalidator >/dev/null; then
		echo "# $v: checked with pykickstart's ksvalidator -v $V"
		for f in "${files[@]}"; do
			out=$(ksvalidator -v "$V" "$f" 2>&1)
			krc=$?
			if [ "$krc" -eq 0 ] && ! grep -qi 'warning\|deprecated' <<<"$out"; then
				ok "ksvalidator -v $V: $v/${f##*/}"
			else
				not_ok "ksvalidator -v $V: $v/${f##*/} (exit $krc)"
				sed 's/^/# /' <<<"$out"
			fi
		done
		continue
	fi
	echo "# $v: ksvalidator is not installed (no pykickstart package on this system):" \
		"checked against the $V commands and options kept in this test (from pykickstart's handlers/$v.py)"
	for f in "${files[@]}"; do
		if python3 - "$V" "$f" >"$T/out" 2>&1 <<'PY'; then
import re, shlex, sys

version, path = sys.argv[1], sys.argv[2]

# The commands of each version: commandMap of pykickstart/handlers/rhel8.py
# and rhel9.py.
COMMON = """auth authconfig authselect autopart autostep bootloader btrfs cdrom
clearpart cmdline device deviceprobe dmraid driverdisk module eula fcoe
firewall firstboot graphical group halt harddrive hmc ignoredisk install iscsi
iscsiname keyboard lang liveimg logging logvol mediacheck method mount
multipath network nfs nvdimm ostreesetup part partition poweroff raid realm
reboot repo reqpart rescue rhsm rootpw selinux services shutdown skipx
snapshot sshpw sshkey syspurpose text timezone updates url user vnc volgroup
xconfig zerombr zfcp zipl""".split()
COMMANDS = {"RHEL8": set(COMMON), "RHEL9": set(COMMON) | {"timesource"}}
# Commands the version parses only to warn (deprecated) or refuse (removed):
# the RHEL8_/F24_/F28_/F29_ deprecated classes and RHEL8_BTRFS (removed) of
# rhel8.py; the F34_ and RHEL9_BTRFS removed classes and the deprecated
# authconfig of rhel9.py.
AVOID = {
    "RHEL8": {"auth", "authconfig", "btrfs", "device", "deviceprobe", "dmraid",
              "install", "method", "multipath"},
    "RHEL9": {"auth", "authconfig", "autostep", "btrfs", "device", "deviceprobe",
              "dmraid", "install", "method", "multipath"},
}

# The options of the commands these files use, per version, with the
# pykickstart class of each (as named in the version's commandMap), and
# the numbers of plain arguments each takes.
def opts(s):
    return set(s.split())

DISPLAY = (opts("--non-interactive"), {0})                     # F26_DisplayMode
REBOOT = (opts("--eject --kexec"), {0})                        # F23_Reboot
NETWORK = opts("""--bootproto --dhcpclass --device --ip --ipv6 --gateway
    --ipv6gateway --nameserver --netmask --nodns --hostname --onboot --noipv4
    --noipv6 --activate --no-activate --mtu --ethtool --essid --wepkey --wpakey
    --nodefroute --bondslaves --bondopts --vlanid --interfacename --teamslaves
    --teamconfig --bridgeslaves --bridgeopts --bindto""")      # F27_Network
AUTOPART = opts("""--type --fstype --encrypted --passphrase --escrowcert
    --backuppassphrase --cipher --luks-version --pbkdf --pbkdf-memory
    --pbkdf-time --pbkdf-iterations --nolvm --nohome --noboot --noswap""")
BOOTLOADER = opts("""--append --boot-drive --driveorder --location --password
    --iscrypted --timeout --leavebootorder --nombr --disabled""")
REPO = opts("""--name --baseurl --mirrorlist --metalink --cost --excludepkgs
    --includepkgs --proxy --ignoregroups --noverifyssl --install""")

BOTH = {
    "text": DISPLAY, "cmdline": DISPLAY, "graphical": DISPLAY,
    "reboot": REBOOT, "poweroff": REBOOT, "shutdown": REBOOT, "halt": REBOOT,
    "lang": (opts("--addsupport"), {1}),                        # F19_Lang
    "keyboard": (opts("--vckeymap --xlayouts --switch"), {0}),  # F18_Keyboard
    "network": (NETWORK, {0}),
    "firewall": (opts("""--enabled --enable --disabled --disable --service
        --port --trust --remove-service --use-system-defaults"""), {0}),  # F28_Firewall
    "selinux": (opts("--enforcing --permissive --disabled"), {0}),  # FC3_SELinux
    "sshkey": (opts("--username"), {1}),                       # F22_SshKey
    "firstboot": (opts("--enable --enabled --disable --disabled --reconfig"), {0}),  # FC3_Firstboot
    "zerombr": (set(), {0}),                                   # F9_ZeroMbr
    "clearpart": (opts("--all --drives --list --linux --none --initlabel --disklabel --cdl"), {0}),  # F28_ClearPart
    "autopart": (AUTOPART, {0}),                               # RHEL8_/RHEL9_AutoPart
    "bootloader": (BOOTLOADER, {0}),                           # RHEL8_/RHEL9_Bootloader
    "services": (opts("--enabled --disabled"), {0}),           # FC6_Services
    "repo": (REPO, {0}),                                       # RHEL8_Repo, F33_Repo
}
OPTIONS = {
    "RHEL8": dict(BOTH, **{
        "url": (opts("--url --mirrorlist --metalink --proxy --noverifyssl"), {0}),  # RHEL8_Url
        "timezone": (opts("--utc --isUtc --nontp --ntpservers"), {1}),               # F25_Timezone
        "rootpw": (opts("--iscrypted --plaintext --lock"), {0, 1}),                  # F18_RootPw
    }),
    "RHEL9": dict(BOTH, **{
        "url": (opts("""--url --mirrorlist --metalink --proxy --noverifyssl
            --sslcacert --sslclientcert --sslclientkey"""), {0}),                    # F30_Url
        # F33_Timezone: --ntpservers and --nontp are deprecated (timesource)
        "timezone": (opts("--utc --isUtc"), {1}),
        "timesource": (opts("--ntp-server --ntp-pool --nts --ntp-disable"), {0}),    # F33_Timesource
        "rootpw": (opts("--iscrypted --plaintext --lock --allow-ssh"), {0, 1}),      # F37_RootPw
    }),
}
# Section headers: pykickstart/sections.py (PackageSection, PostScriptSection)
SECTIONS = {
    "RHEL8": {
        "packages": opts("""--default --excludedocs --ignoremissing --nocore
            --instLangs --multilib --excludeWeakdeps --retries --timeout"""),
        "post": opts("--nochroot --interpreter --erroronfail --log"),
        "pre": opts("--interpreter --erroronfail --log"),
    },
    "RHEL9": {
        "packages": opts("""--default --excludedocs --ignoremissing --nocore
            --inst-langs --multilib --exclude-weakdeps --retries --timeout"""),
        "post": opts("--nochroot --interpreter --erroronfail --log"),
        "pre": opts("--interpreter --erroronfail --log"),
    },
}
# options that take a value, so `--opt VALUE` is one option, not an argument
VALUED = opts("""--url --mirrorlist --metalink --proxy --name --baseurl --cost
    --excludepkgs --includepkgs --sslcacert --sslclientcert --sslclientkey
    --addsupport --vckeymap --xlayouts --switch --ntpservers --ntp-server
    --ntp-pool --bootproto --device --ip --ipv6 --gateway --nameserver --netmask
    --hostname --mtu --service --port --trust --remove-service --username
    --drives --list --disklabel --type --fstype --passphrase --escrowcert
    --cipher --luks-version --pbkdf --pbkdf-memory --pbkdf-time
    --pbkdf-iterations --append --boot-drive --driveorder --location --password
    --timeout --interpreter --log --retries --instLangs --inst-langs""")
# services --enabled/--disabled take a list; elsewhere they are flags
VALUED_BY = {"services": opts("--enabled --disabled")}

errors, seen = [], []
section = None
lines = open(path).read().split("\n")
if lines[0].strip() != "#version=" + version:
    errors.append("line 1: not #version=%s" % version)
for n, line in enumerate(lines, 1):
    s = line.strip()
    if section:
        if s == "%end":
            section = None
        continue
    if not s or s.startswith("#"):
        continue
    if s.startswith("%"):
        words = shlex.split(s, comments=True)
        name = words[0][1:]
        if name not in SECTIONS[version]:
            errors.append("line %d: section %%%s is not checked here" % (n, name))
            section = name
            continue
        for w in words[1:]:
            if w.split("=", 1)[0] not in SECTIONS[version][name]:
                errors.append("line %d: %%%s takes no %s in %s" % (n, name, w, version))
        section = name
        continue
    words = shlex.split(s, comments=True)
    cmd, args = words[0], words[1:]
    seen.append(cmd)
    if cmd not in COMMANDS[version]:
        errors.append("line %d: %s is not a %s command" % (n, cmd, version))
        continue
    if cmd in AVOID[version]:
        errors.append("line %d: %s is deprecated or removed in %s" % (n, cmd, version))
        continue
    if cmd not in OPTIONS[version]:
        errors.append("line %d: %s: its options are not in this test's table" % (n, cmd))
        continue
    known, nargs = OPTIONS[version][cmd]
    plain, i = [], 0
    while i < len(args):
        a = args[i]
        if a.startswith("--"):
            o = a.split("=", 1)[0]
            if o not in known:
                errors.append("line %d: %s takes no %s in %s" % (n, cmd, o, version))
            elif "=" not in a and (o in VALUED or o in VALUED_BY.get(cmd, ())):
                i += 1
        else:
            plain.append(a)
        i += 1
    count = len(plain)
    if cmd == "rootpw":
        ok_count = count == 1 or (count == 0 and "--lock" in args)
    else:
        ok_count = count in nargs
    if not ok_count:
        errors.append("line %d: %s with %d argument(s)" % (n, cmd, count))
if section:
    errors.append("%%%s without %%end" % section)
for c in ("rootpw", "bootloader", "lang", "keyboard", "timezone"):
    if c not in seen:
        errors.append("no %s command" % c)
if "autopart" in seen and {"part", "partition", "logvol", "volgroup", "raid"} & set(seen):
    errors.append("autopart together with manual partitioning")
for c in set(seen):
    if seen.count(c) > 1 and c not in ("repo", "network", "sshkey", "user", "group", "part", "partition", "logvol"):
        errors.append("%s given %d times" % (c, seen.count(c)))
print("\n".join(errors) if errors else "%d commands" % len(seen))
sys.exit(1 if errors else 0)
PY
			ok "$V commands and options: $v/${f##*/} ($(cat "$T/out"))"
		else
			not_ok "$V commands and options: $v/${f##*/}"
			sed 's/^/# /' "$T/out"
		fi
	done
done

# the table itself catches what differs between the versions
cat >"$T/bad8.ks" <<'EOF'
#version=RHEL8
timesource --ntp-server=192.0.2.123
rootpw --lock --allow-ssh
lang en_US.UTF-8
keyboard --vckeymap=us
timezone Etc/UTC --utc
bootloader --timeout=3
EOF
cat >"$T/bad9.ks" <<'EOF'
#version=RHEL9
timezone Etc/UTC --utc --ntpservers=192.0.2.123
method
rootpw --lock
lang en_US.UTF-8
keyboard --vckeymap=us
bootloader --timeout=3
%packages --instLangs=en_US
%end
EOF
if ! command -v ksvalidator >/dev/null; then
	mkdir -p "$T/bad/rhel8" "$T/bad/rhel9"
	cp "$T/bad8.ks" "$T/bad/rhel8/bad.ks"
	cp "$T/bad9.ks" "$T/bad/rhel9/bad.ks"
	# the python above, taken out of this file, run on the bad files
	awk '/<<.PY.; then$/ { on = 1; next } /^PY$/ { on = 0 } on' "$0" >"$T/check.py"
	python3 "$T/check.py" RHEL8 "$T/bad/rhel8/bad.ks" >"$T/bad8.out" 2>&1
	check "RHEL 8: timesource is refused" grep -q 'timesource is not a RHEL8 command' "$T/bad8.out"
	check "RHEL 8: rootpw --allow-ssh is refused" grep -q 'rootpw takes no --allow-ssh in RHEL8' "$T/bad8.out"
	python3 "$T/check.py" RHEL9 "$T/bad/rhel9/bad.ks" >"$T/bad9.out" 2>&1
	check "RHEL 9: timezone --ntpservers is refused (deprecated)" grep -q 'timezone takes no --ntpservers in RHEL9' "$T/bad9.out"
	check "RHEL 9: method is refused (removed)" grep -q 'method is deprecated or removed in RHEL9' "$T/bad9.out"
	check "RHEL 9: %packages --instLangs is refused (now --inst-langs)" grep -q 'packages takes no --instLangs=en_US in RHEL9' "$T/bad9.out"
fi
done_testing
