#!/usr/bin/env bash
# Nothing is read or written outside --root through a symbolic link.
# A link in any component of a managed file's or folder's path, at a
# target's own path, or on the way to roleboot's state, report, lock and
# journal: apply (and --dry-run) refuses with exit 8 and one error line
# naming the path, the root stays as it was, and the folder outside the
# root that the links point into is not touched and gets no new file.
# Facts (os-release) and the owners' passwd and group files are read with
# their links resolved inside the root; trusted.d keys never through a link.
# A link swapped in while a validator runs is not followed either.
# Every case runs twice: with openat2 and with the fallback walk
# (ROLEBOOT_NO_OPENAT2=1).
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/https.sh"

OUT=$(outside_dir) || { not_ok "cannot make a folder outside the root"; done_testing; exit 1; }
R=$T/root

# ---- the folder outside: what a followed link would reach; made again
# before every case, so that one case's damage does not hide another's ----
make_outside() {
	find "$OUT" -mindepth 1 -delete
	chmod 0700 "$OUT"
	mkdir -p "$OUT/bind/keys" "$OUT/etc/bind" "$OUT/many" "$OUT/data" "$OUT/state" \
		"$OUT/lib/roleboot" "$OUT/var/lib/roleboot" "$OUT/keys" "$OUT/trusted.d" "$OUT/srv"
	chmod 0700 "$OUT/bind/keys"
	echo 'outside named.conf' >"$OUT/bind/named.conf"
	echo 'outside etc named.conf' >"$OUT/etc/bind/named.conf"
	echo 'outside keep' >"$OUT/many/keep"
	echo 'outside state folder' >"$OUT/state/keep"
	echo 'outside victim' >"$OUT/victim"
	printf 'role outside\nversion 99\n' >"$OUT/statefile"
	echo '{"outside":true}' >"$OUT/report"
	: >"$OUT/lockfile"
	echo 'outside journal' >"$OUT/journalfile"
	cp "$KEYS/test.pub" "$OUT/keys/test.pub"
	cp "$KEYS/test.pub" "$OUT/trusted.d/test.pub"
	printf 'ID=outside\nVERSION_ID="1"\n' >"$OUT/os-release"
	printf 'root:x:0:0:root:/root:/bin/sh\nrbuser:x:777:777::/:/bin/false\n' >"$OUT/passwd"
	printf 'root:x:0:\nrbgroup:x:778:\n' >"$OUT/group"
}
make_outside
out_hash=$(tree_hash "$OUT")
out_list=$(listing "$OUT")

# outside_same DESCRIPTION: the folder outside has not changed at all.
outside_same() {
	check "$1: nothing outside the root changed" [ "$(tree_hash "$OUT")" = "$out_hash" ]
	local now
	now=$(listing "$OUT")
	if [ "$now" = "$out_list" ]; then
		ok "$1: no new file outside the root"
	else
		not_ok "$1: the folder outside the root got new names"
		diff <(echo "$out_list") <(echo "$now") | grep '^>' | sed 's/^/# /'
	fi
}

# refused PATH_RE DESCRIPTION ARGS...: exit 8 with exactly one error line,
# which says "symbolic link" and matches PATH_RE.
refused() {
	local pat=$1 what=$2 n line
	shift 2
	run_rb "$@"
	n=$(error_lines)
	line=$(grep -m1 '^roleboot: error:' "$T/err")
	if [ "$rc" -eq 8 ] && [ "$n" -eq 1 ] && [[ $line == *"symbolic link"* ]] &&
		grep -Eq -- "$pat" <<<"$line"; then
		ok "$what: refused (exit 8, one line naming the link)"
	else
		not_ok "$what: wanted exit 8 and one error line with 'symbolic link' and /$pat/, got exit $rc, $n error lines"
		sed 's/^/# /' "$T/err"
	fi
}

# ---- bundles ----
mkdir -p "$T/lk"
cat >"$T/lk/manifest.ini" <<'EOF2'
[bundle]
role    = lk
version = 1
[dir /etc/bind/keys]
mode = 0750
[file /etc/bind/named.conf]
source = named.conf
mode   = 0644
EOF2
echo 'options { };' >"$T/lk/named.conf"
pack_sign "$T/lk" "$T/lk.tar.gz"
printf '[role]\nname = lk\nbundle = lk.tar.gz\n' >"$T/lk.role"

mkdir -p "$T/lkdir"
printf '[bundle]\nrole = lk\nversion = 1\n[dir /srv/data/keys]\nmode = 0750\n' >"$T/lkdir/manifest.ini"
pack_sign "$T/lkdir" "$T/lkdir.tar.gz"
printf '[role]\nname = lk\nbundle = lkdir.tar.gz\n' >"$T/lkdir.role"

many_src "$T/lkmany" lk 1 201 /etc/many many
pack_sign "$T/lkmany" "$T/lkmany.tar.gz"
printf '[role]\nname = lk\nbundle = lkmany.tar.gz\n' >"$T/lkmany.role"

mkdir -p "$T/lkfacts"
printf '[bundle]\nrole = lk\nversion = 1\n[file /etc/facts.txt]\ntemplate = facts.mustache\n' \
	>"$T/lkfacts/manifest.ini"
echo 'id={{host.os.id}}' >"$T/lkfacts/facts.mustache"
pack_sign "$T/lkfacts" "$T/lkfacts.tar.gz"
printf '[role]\nname = lk\nbundle = lkfacts.tar.gz\n' >"$T/lkfacts.role"

mkdir -p "$T/lkowner"
cat >"$T/lkowner/manifest.ini" <<'EOF2'
[bundle]
role    = lk
version = 1
[file /etc/owned.conf]
source = owned.conf
owner  = rbuser
group  = rbgroup
mode   = 0640
EOF2
echo owned >"$T/lkowner/owned.conf"
pack_sign "$T/lkowner" "$T/lkowner.tar.gz"
printf '[role]\nname = lk\nbundle = lkowner.tar.gz\n' >"$T/lkowner.role"

# the validator swaps ROOT/etc/bind (a real folder when the plan was made)
# for a link to the folder outside, then says yes
cat >"$T/swap.sh" <<EOF2
#!/bin/sh
mv "\$1/etc/bind" "\$1/etc/bind.away" && ln -s "$OUT/bind" "\$1/etc/bind"
EOF2
chmod +x "$T/swap.sh"
mkdir -p "$T/lkswap"
cat >"$T/lkswap/manifest.ini" <<EOF2
[bundle]
role    = lk
version = 1
[file /etc/bind/named.conf]
source   = named.conf
mode     = 0644
validate = $T/swap.sh %r
EOF2
echo 'options { };' >"$T/lkswap/named.conf"
pack_sign "$T/lkswap" "$T/lkswap.tar.gz"
printf '[role]\nname = lk\nbundle = lkswap.tar.gz\n' >"$T/lkswap.role"

# ---- root set-ups, one per case (each starts from a fresh root) ----
fresh() { rm -rf "$R"; make_root "$R"; make_outside; }
setup_bind_abs() { fresh; ln -s "$OUT/bind" "$R/etc/bind"; }
setup_bind_rel() { fresh; ln -s "$(realpath -m --relative-to="$R/etc" "$OUT/bind")" "$R/etc/bind"; }
setup_bind_inside() { fresh; mkdir -p "$R/srv/bind"; ln -s ../srv/bind "$R/etc/bind"; }
setup_etc() { fresh; rm -rf "$R/etc"; ln -s "$OUT/etc" "$R/etc"; }
setup_target() { fresh; mkdir -p "$R/etc/bind"; ln -s "$OUT/victim" "$R/etc/bind/named.conf"; }
setup_dangling() { fresh; mkdir -p "$R/etc/bind"; ln -s "$OUT/bind/new.conf" "$R/etc/bind/named.conf"; }
setup_dir_self() { fresh; mkdir -p "$R/etc/bind"; ln -s "$OUT/bind/keys" "$R/etc/bind/keys"; }
setup_dir_parent() { fresh; mkdir -p "$R/srv"; ln -s "$OUT/data" "$R/srv/data"; }
setup_state_dir() { fresh; rmdir "$R/var/lib/roleboot"; ln -s "$OUT/state" "$R/var/lib/roleboot"; }
setup_var_lib() { fresh; rm -rf "$R/var/lib"; ln -s "$OUT/lib" "$R/var/lib"; }
setup_var() { fresh; rm -rf "$R/var"; ln -s "$OUT/var" "$R/var"; }
setup_state() { fresh; ln -s "$OUT/statefile" "$R/var/lib/roleboot/state"; }
setup_report() { fresh; ln -s "$OUT/report" "$R/var/lib/roleboot/report.json"; }
setup_lock() { fresh; ln -s "$OUT/lockfile" "$R/var/lib/roleboot/lock"; }
setup_journal() { fresh; ln -s "$OUT/journalfile" "$R/var/lib/roleboot/journal"; }
setup_many() { fresh; ln -s "$OUT/many" "$R/etc/many"; }
no_many() { [ -z "$(find "$OUT/many" -name 'f[0-9]*')" ]; }

# link_case DESCRIPTION PATH_RE ROLE SETUP [WHAT COMMAND...]: apply and
# --dry-run both refuse, the root stays as it was and nothing outside
# changes; COMMAND, when given, must hold after each of them too.
link_case() {
	local what=$1 pat=$2 role=$3 setup=$4 dry h d
	shift 4
	for dry in "" --dry-run; do
		d="$M$what${dry:+ (dry-run)}"
		$setup
		h=$(tree_hash "$R")
		refused "$pat" "$d" apply $dry --root "$R" --pubkey "$PUB" "$role"
		unchanged "$R" "$h" "$d"
		outside_same "$d"
		[ $# -gt 0 ] && check "$d: $1" "${@:2}"
	done
}

for mode in openat2 fallback; do
	if [ "$mode" = fallback ]; then
		export ROLEBOOT_NO_OPENAT2=1
		M="[fallback] "
	else
		unset ROLEBOOT_NO_OPENAT2
		M=""
	fi

	# links on the way to a managed file or folder
	link_case "ROOT/etc/bind -> outside folder (absolute)" "etc/bind" "$T/lk.role" setup_bind_abs
	link_case "ROOT/etc/bind -> outside folder (relative, ../..)" "etc/bind" "$T/lk.role" setup_bind_rel
	link_case "ROOT/etc/bind -> ../srv/bind (inside the root)" "etc/bind" "$T/lk.role" setup_bind_inside
	link_case "ROOT/etc -> outside folder" "/etc" "$T/lk.role" setup_etc
	link_case "link at the target's own path" "etc/bind/named.conf" "$T/lk.role" setup_target \
		"the outside file it links to kept its content" grep -qx 'outside victim' "$OUT/victim"
	link_case "dangling link at the target's path" "etc/bind/named.conf" "$T/lk.role" setup_dangling \
		"the link's target was not created" [ ! -e "$OUT/bind/new.conf" ]
	link_case "[dir] path itself a link" "etc/bind/keys" "$T/lk.role" setup_dir_self \
		"the outside folder kept its mode" [ "$(stat -c %a "$OUT/bind/keys")" = 700 ]
	link_case "[dir] below a link (ROOT/srv/data)" "srv/data" "$T/lkdir.role" setup_dir_parent \
		"no folder made outside" [ ! -e "$OUT/data/keys" ]

	# 201 files below a link to an outside folder: not one is written there
	link_case "201 files below ROOT/etc/many -> outside" "etc/many" "$T/lkmany.role" setup_many \
		"no fNNN file in the outside folder" no_many

	# links on the way to roleboot's own files
	link_case "ROOT/var/lib/roleboot -> outside folder" "var/lib/roleboot" "$T/lk.role" setup_state_dir \
		"no state or report.json written through the link" \
		[ ! -e "$OUT/state/state" -a ! -e "$OUT/state/report.json" ]
	link_case "ROOT/var/lib -> outside folder" "var/lib" "$T/lk.role" setup_var_lib
	link_case "ROOT/var -> outside folder" "/var" "$T/lk.role" setup_var
	link_case "state file is a link" "var/lib/roleboot/state" "$T/lk.role" setup_state
	link_case "report.json is a link" "var/lib/roleboot/report.json" "$T/lk.role" setup_report
	link_case "lock file is a link" "var/lib/roleboot/lock" "$T/lk.role" setup_lock
	link_case "journal is a link" "var/lib/roleboot/journal" "$T/lk.role" setup_journal

	# os-release is a link on real systems: resolved inside the root
	fresh
	mkdir -p "$R/usr/lib" "$R/usr/share" "$R$OUT"
	printf 'ID=fallback\n' >"$R/usr/lib/os-release"
	printf 'ID=rootlink\n' >"$R/usr/share/os-release-real"
	ln -s /usr/share/os-release-real "$R/etc/os-release"
	run_rb apply --root "$R" --pubkey "$PUB" "$T/lkfacts.role"
	check "${M}os-release -> /usr/share/...: apply succeeds" [ "$rc" -eq 0 ]
	check "${M}os-release: absolute link read inside the root" \
		grep -qx 'id=rootlink' "$R/etc/facts.txt"
	fresh
	mkdir -p "$R/usr/lib" "$R/usr/share"
	printf 'ID=fallback\n' >"$R/usr/lib/os-release"
	printf 'ID=rootlink\n' >"$R/usr/share/os-release-real"
	ln -s ../../../../../../../../../../usr/share/os-release-real "$R/etc/os-release"
	run_rb apply --root "$R" --pubkey "$PUB" "$T/lkfacts.role"
	check "${M}os-release: '..' stops at the root" grep -qx 'id=rootlink' "$R/etc/facts.txt"
	fresh
	mkdir -p "$R$OUT"
	printf 'ID=inroot\n' >"$R$OUT/os-release"
	ln -s "$OUT/os-release" "$R/etc/os-release"
	run_rb apply --root "$R" --pubkey "$PUB" "$T/lkfacts.role"
	check "${M}os-release -> a host path: the root's copy, not the host's" \
		grep -qx 'id=inroot' "$R/etc/facts.txt"
	outside_same "${M}os-release links"

	# passwd and group are links: owners come from the root's files
	fresh
	rm "$R/etc/passwd" "$R/etc/group"
	mkdir -p "$R$OUT"
	printf 'root:x:0:0:root:/root:/bin/sh\nrbuser:x:4242:4242::/:/bin/false\n' >"$R$OUT/passwd"
	printf 'root:x:0:\nrbgroup:x:4243:\n' >"$R/etc/group.real"
	ln -s "$OUT/passwd" "$R/etc/passwd"
	ln -s ../../../../../../../../../../etc/group.real "$R/etc/group"
	run_rb apply --root "$R" --pubkey "$PUB" "$T/lkowner.role"
	check "${M}passwd/group links: apply succeeds" [ "$rc" -eq 0 ]
	check "${M}owner and group from the root's files (4242:4243), not the host's" \
		[ "$(stat -c %u:%g "$R/etc/owned.conf" 2>/dev/null)" = 4242:4243 ]
	outside_same "${M}passwd/group links"

	# trusted keys are never read through a link
	fresh
	mkdir -p "$R/etc/roleboot/trusted.d"
	cp "$KEYS/test.pub" "$R/etc/roleboot/trusted.d/test.pub"
	run_rb apply --root "$R" "$T/lk.role"
	check "${M}control: a regular trusted.d key is trusted" [ "$rc" -eq 0 ]
	for kcase in abs inside dir; do
		fresh
		mkdir -p "$R/etc/roleboot/trusted.d"
		case $kcase in
		abs) ln -s "$OUT/keys/test.pub" "$R/etc/roleboot/trusted.d/test.pub" ;;
		inside)
			cp "$KEYS/test.pub" "$R/etc/roleboot/test.pub"
			ln -s ../test.pub "$R/etc/roleboot/trusted.d/test.pub"
			;;
		dir)
			rmdir "$R/etc/roleboot/trusted.d"
			ln -s "$OUT/trusted.d" "$R/etc/roleboot/trusted.d"
			;;
		esac
		h=$(tree_hash "$R")
		run_rb apply --root "$R" "$T/lk.role"
		if [ "$rc" -eq 5 ]; then
			ok "${M}trusted.d key through a link ($kcase) is not trusted (exit 5)"
		else
			not_ok "${M}trusted.d key through a link ($kcase): wanted exit 5, got $rc"
			sed 's/^/# /' "$T/err"
		fi
		unchanged "$R" "$h" "${M}trusted.d link ($kcase)"
	done
	outside_same "${M}trusted.d links"

	# a link swapped in while the validator runs is not followed
	fresh
	mkdir -p "$R/etc/bind"
	echo 'old named.conf' >"$R/etc/bind/named.conf"
	run_rb apply --root "$R" --pubkey "$PUB" "$T/lkswap.role"
	if [ "$rc" -eq 0 ] || [ "$rc" -eq 8 ]; then
		ok "${M}link swapped in during the run: refused or applied inside the root (exit $rc)"
	else
		not_ok "${M}link swapped in during the run: wanted exit 0 or 8, got $rc"
		sed 's/^/# /' "$T/err"
	fi
	check "${M}swap: the validator did swap the folder" [ -d "$R/etc/bind.away" ]
	check "${M}swap: the swapped-in link is still a link" [ -L "$R/etc/bind" ]
	if [ "$rc" -eq 8 ]; then
		check "${M}swap refused: the old file kept its content" \
			grep -qx 'old named.conf' "$R/etc/bind.away/named.conf"
	fi
	check "${M}swap: no temporary file left in or out of the root" \
		[ -z "$(leftovers "$R")$(leftovers "$OUT")" ]
	outside_same "${M}link swapped in during the run"
done
done_testing
