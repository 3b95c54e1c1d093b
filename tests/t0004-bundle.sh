#!/usr/bin/env bash
# Hostile bundles, correctly signed: links, devices, fifos, absolute names,
# '..', names that are not UTF-8, duplicates and the size/count caps are
# refused with exit 6 before anything is written; a manifest naming a
# missing entry too.
. "$(dirname "$0")/lib.sh"

demo_src "$T/src"
make_root "$T/root"
R=$T/root
h=$(tree_hash "$R")

# hostile NAME KIND: the demo source plus one hostile entry, signed
hostile() {
	python3 - "$T/src" "$T/$1.tar.gz" "$2" <<'PY'
import io, os, sys, tarfile
src, out, kind = sys.argv[1:4]
def add_bytes(tar, name, data, **kw):
    ti = tarfile.TarInfo(name)
    ti.size = len(data)
    for k, v in kw.items():
        setattr(ti, k, v)
    tar.addfile(ti, io.BytesIO(data))
with tarfile.open(out, "w:gz", format=tarfile.GNU_FORMAT) as tar:
    for f in sorted(os.listdir(src)):
        with open(os.path.join(src, f), "rb") as fh:
            add_bytes(tar, f, fh.read())
    if kind == "symlink":
        ti = tarfile.TarInfo("evil"); ti.type = tarfile.SYMTYPE; ti.linkname = "/etc/shadow"; tar.addfile(ti)
    elif kind == "hardlink":
        ti = tarfile.TarInfo("evil"); ti.type = tarfile.LNKTYPE; ti.linkname = "manifest.ini"; tar.addfile(ti)
    elif kind == "chardev":
        ti = tarfile.TarInfo("evil"); ti.type = tarfile.CHRTYPE; ti.devmajor = 1; ti.devminor = 3; tar.addfile(ti)
    elif kind == "fifo":
        ti = tarfile.TarInfo("evil"); ti.type = tarfile.FIFOTYPE; tar.addfile(ti)
    elif kind == "absolute":
        add_bytes(tar, "/etc/cron.d/evil", b"* * * * * root id\n")
    elif kind == "dotdot":
        add_bytes(tar, "templates/../../evil", b"x\n")
    elif kind == "duplicate":
        add_bytes(tar, "./named.conf.mustache", b"// replaced\n")
    elif kind == "big":
        add_bytes(tar, "big", b"\0" * (16 * 1024 * 1024 + 1))
    elif kind == "overlong":  # "/" as C0 AF: overlong UTF-8, in an entry nothing uses
        add_bytes(tar, b"templates/evil-\xc0\xaf.mustache".decode("utf-8", "surrogateescape"), b"x\n")
    elif kind == "utf8":  # valid multi-byte names, unused
        add_bytes(tar, "notes/caf\u00e9-\u65e5\u672c-\U0001d11e.txt", b"x\n")
    elif kind == "many":
        for i in range(1001):
            add_bytes(tar, "f%04d" % i, b"")
PY
	sign "$T/$1.tar.gz"
	demo_role "$T/$1.role" "$1.tar.gz"
}

for case in "symlink|bundle entry 'evil': symbolic links are not allowed" \
	"hardlink|bundle entry 'evil': hard links are not allowed" \
	"chardev|bundle entry 'evil': .*(device|not a regular)" \
	"fifo|bundle entry 'evil': .*(fifo|not a regular)" \
	"absolute|bundle entry '/etc/cron.d/evil': .*absolute" \
	"dotdot|bundle entry 'templates/../../evil': .*'..'" \
	"duplicate|bundle entry '(./)?named.conf.mustache': .*(twice|duplicate)" \
	"big|bundle entry 'big': .*(larger|limit|cap)" \
	"overlong|bundle entry 'templates/evil-\\\\xc0\\\\xaf.mustache': name is not valid UTF-8" \
	"many|more than 1000 entries"; do
	name=${case%%|*} pat=${case#*|}
	hostile "$name" "$name"
	expect_fail 6 "$pat" "hostile bundle: $name" apply --root "$R" --pubkey "$PUB" "$T/$name.role"
	unchanged "$R" "$h" "hostile bundle: $name"
done

# a truncated bundle, signed as truncated: the archive reader refuses it
"$ROLEBOOT" pack "$T/src" -o "$T/full.tar.gz" 2>/dev/null
head -c 300 "$T/full.tar.gz" >"$T/trunc.tar.gz"
sign "$T/trunc.tar.gz"
demo_role "$T/trunc.role" trunc.tar.gz
expect_fail 6 "truncated or corrupt" "truncated archive" apply --root "$R" --pubkey "$PUB" "$T/trunc.role"

# not an archive at all
echo "hello" >"$T/text.tar.gz"; sign "$T/text.tar.gz"; demo_role "$T/text.role" text.tar.gz
expect_fail 6 "text.tar.gz: " "not an archive" apply --root "$R" --pubkey "$PUB" "$T/text.role"

# manifest problems
cp -r "$T/src" "$T/nomani"; rm "$T/nomani/manifest.ini"
pack_sign "$T/nomani" "$T/nomani.tar.gz"; demo_role "$T/nomani.role" nomani.tar.gz
expect_fail 6 "bundle has no manifest.ini" "bundle without manifest" apply --root "$R" --pubkey "$PUB" "$T/nomani.role"

cp -r "$T/src" "$T/notpl"; rm "$T/notpl/transfer.key.mustache"
pack_sign "$T/notpl" "$T/notpl.tar.gz"; demo_role "$T/notpl.role" notpl.tar.gz
expect_fail 6 "manifest.ini:[0-9]+: \[file /etc/roleboot-demo/transfer.key\] names 'transfer.key.mustache', which is not in the bundle" \
	"manifest names a missing template" apply --root "$R" --pubkey "$PUB" "$T/notpl.role"

cp -r "$T/src" "$T/badmani"; printf '\n[file etc/relative]\nsource = x\n' >>"$T/badmani/manifest.ini"
pack_sign "$T/badmani" "$T/badmani.tar.gz"; demo_role "$T/badmani.role" badmani.tar.gz
expect_fail 3 "manifest.ini:[0-9]+: file path 'etc/relative' must be absolute" "manifest with a relative path" \
	apply --root "$R" --pubkey "$PUB" "$T/badmani.role"

cp -r "$T/src" "$T/expired"; sed -i 's/^version = 1/version = 1\nexpires = 2020-01-01/' "$T/expired/manifest.ini"
pack_sign "$T/expired" "$T/expired.tar.gz"; demo_role "$T/expired.role" expired.tar.gz
expect_fail 3 "version 1 expired on 2020-01-01T00:00:00Z" "expired bundle" apply --root "$R" --pubkey "$PUB" "$T/expired.role"
unchanged "$R" "$h" "manifest refusals"

# downgrade: version 2 applied, then version 1 refused unless allowed
cp -r "$T/src" "$T/v2"; sed -i 's/^version = 1/version = 2/' "$T/v2/manifest.ini"
pack_sign "$T/v2" "$T/v2.tar.gz"; demo_role "$T/v2.role" v2.tar.gz
pack_sign "$T/src" "$T/v1.tar.gz"; demo_role "$T/v1.role" v1.tar.gz
run_rb apply --root "$R" --pubkey "$PUB" "$T/v2.role"
check "version 2 applies" [ "$rc" -eq 0 ]
h2=$(tree_hash "$R")
expect_fail 3 "version 1 is older than the applied version 2 \(use --allow-downgrade\)" "downgrade refused" \
	apply --root "$R" --pubkey "$PUB" "$T/v1.role"
unchanged "$R" "$h2" "downgrade"
run_rb apply --root "$R" --pubkey "$PUB" --allow-downgrade "$T/v1.role"
check "--allow-downgrade applies version 1" [ "$rc" -eq 0 ]

# names in valid UTF-8 (2, 3 and 4 bytes) are fine
hostile utf8 utf8
run_rb apply --root "$R" --pubkey "$PUB" "$T/utf8.role"
check "a bundle with multi-byte UTF-8 names applies" [ "$rc" -eq 0 ]
done_testing
