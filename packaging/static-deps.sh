#!/usr/bin/env bash
# static-deps.sh — the static musl libraries that build-static/roleboot links:
# zlib, OpenSSL (libssl + libcrypto), libcurl, libarchive, expat, inih and
# ldns, each built from its Debian source package with musl-gcc and trimmed
# to what roleboot uses.
#
#   packaging/static-deps.sh OUT.mk
#
# writes OUT.mk, a make fragment with STATIC_DEP_CFLAGS (include folders),
# STATIC_DEP_LIBS (the archives, in link order) and STATIC_DEP_VERSIONS.
#
# Sources: `apt-get source`, with deb-src entries derived from this machine's
# own apt sources (every enabled `deb` entry of Dir::Etc::SourceList and
# Dir::Etc::SourceParts, as `deb-src`), kept with their own lists in a private
# apt folder under the cache, so the system's apt configuration and lists are
# never touched.  The newest version in those lists whose files can be had is
# used.  A file the mirror cannot serve is taken from ROLEBOOT_STATIC_SOURCES
# (default CACHE/sources) when it is there with the sha256 of the signed
# Sources index.  inih alone, when no version of its source can be had, falls
# back to Debian's own libinih.a (libinih-dev), after checking that every
# symbol it needs is in musl's libc.a (ROLEBOOT_STATIC_STRICT=1 refuses that).
#
# Cache: CACHE/NAME-VERSION/ holds the installed library (include/, lib/) and
# a stamp with the hash of its recipe (the build function below, the compiler
# flags, musl's version and the stamps of what it links); a different stamp
# rebuilds it.  CACHE is ROLEBOOT_STATIC_CACHE, else /var/cache/roleboot-static
# (~/.cache/roleboot-static when that cannot be written).  The private apt
# lists are refreshed when older than ROLEBOOT_STATIC_REFRESH seconds (3600);
# with every library cached and fresh lists nothing is downloaded or built.
set -euo pipefail

OUT=${1:?usage: static-deps.sh OUT.mk}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
REFRESH=${ROLEBOOT_STATIC_REFRESH:-3600}
STRICT=${ROLEBOOT_STATIC_STRICT:-0}
# What every library is compiled with: small code, sections the final link
# can drop (--gc-sections), the stack protector musl supports.
OPT_CFLAGS="-Os -ffunction-sections -fdata-sections -fstack-protector-strong"
# Build order: each library after those it links.
ORDER=(zlib openssl curl libarchive expat libinih ldns)
declare -A DEPS=([curl]=openssl [libarchive]=zlib [ldns]=openssl)
declare -A P=() V=() # install prefix and Debian version of each library

say() { printf 'static: %s\n' "$*" >&2; }
die() { printf 'static: error: %s\n' "$*" >&2; exit 1; }
now() { date +%s; }

# ---- tools -------------------------------------------------------------

need_tools() {
	local lack=() t
	for t in musl-gcc:musl-tools dpkg-source:dpkg-dev apt-get:apt autoreconf:autoconf \
		automake:automake libtoolize:libtool make:make perl:perl file:file \
		strip:binutils nm:binutils flock:util-linux patch:patch pkg-config:pkg-config; do
		command -v "${t%%:*}" >/dev/null || lack+=("${t#*:}")
	done
	[ ${#lack[@]} -eq 0 ] && return 0
	mapfile -t lack < <(printf '%s\n' "${lack[@]}" | sort -u)
	if [ "$(id -u)" -ne 0 ]; then
		die "lack Debian packages: ${lack[*]} (apt-get install them as root)"
	fi
	say "installing ${lack[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${lack[@]}" >/dev/null ||
		{ apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${lack[@]}" >/dev/null; } ||
		die "could not install ${lack[*]}"
}

# ---- cache and the private apt ----------------------------------------

pick_cache() {
	if [ -n "${ROLEBOOT_STATIC_CACHE:-}" ]; then
		CACHE=$ROLEBOOT_STATIC_CACHE
	else
		CACHE=/var/cache/roleboot-static
		if ! mkdir -p "$CACHE" 2>/dev/null || [ ! -w "$CACHE" ]; then
			CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/roleboot-static
		fi
	fi
	mkdir -p "$CACHE" || die "cannot create the cache folder $CACHE"
	CACHE=$(cd "$CACHE" && pwd)
	SOURCES_DIR=${ROLEBOOT_STATIC_SOURCES:-$CACHE/sources}
	APTD=$CACHE/apt
	APT=(-o "Dir::Etc::SourceList=$APTD/sources.list"
		-o "Dir::Etc::SourceParts=$APTD/sources.list.d"
		-o "Dir::State::Lists=$APTD/lists"
		-o "Dir::Cache=$APTD/cache"
		-o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=")
}

# derive_sources DIR: one deb-src entry for each enabled deb entry of the
# machine's apt sources, in DIR (one-line .list and deb822 .sources alike).
derive_sources() {
	local dir=$1 SL SP f base
	SL=/etc/apt/sources.list SP=/etc/apt/sources.list.d/
	eval "$(apt-config shell SL Dir::Etc::SourceList/f SP Dir::Etc::SourceParts/d)"
	rm -rf "$dir" && mkdir -p "$dir"
	for f in "$SL" "$SP"*.list "$SP"*.sources; do
		[ -f "$f" ] || continue
		base=$(basename "$f")
		case $f in
		*.sources)
			# deb822: keep each stanza whose Types has deb and that is not
			# disabled, with Types set to deb-src.
			awk -v RS= '
			{
				n = split($0, line, "\n"); types = ""; enabled = 1
				for (i = 1; i <= n; i++) {
					if (line[i] ~ /^[Tt]ypes:/) types = line[i]
					if (line[i] ~ /^[Ee]nabled:[ \t]*[Nn]o/) enabled = 0
				}
				if (!enabled || types !~ /[: \t]deb([ \t]|$)/) next
				out = ""
				for (i = 1; i <= n; i++) {
					if (line[i] ~ /^#/) continue
					if (line[i] ~ /^[Tt]ypes:/) line[i] = "Types: deb-src"
					out = out line[i] "\n"
				}
				printf "%s", out
				printf "\n"
			}' "$f" >"$dir/derived-${base%.sources}.sources"
			;;
		*)
			sed -n 's/^[[:space:]]*deb\([[:space:]]\)/deb-src\1/p' "$f" \
				>"$dir/derived-${base%.list}.list"
			;;
		esac
	done
	grep -qs . "$dir"/* || die "no deb entries in $SL or $SP to derive deb-src entries from"
}

# apt_lists: the private lists, refreshed when the derived sources changed or
# the lists are older than REFRESH seconds.
apt_lists() {
	local new=$APTD/sources.new old=$APTD/sources.list.d age
	mkdir -p "$APTD/lists/partial" "$APTD/cache/archives/partial"
	: >"$APTD/sources.list"
	derive_sources "$new"
	if [ -f "$APTD/updated" ] && diff -r "$new" "$old" >/dev/null 2>&1; then
		rm -rf "$new"
		age=$(($(now) - $(stat -c %Y "$APTD/updated")))
		[ "$age" -lt "$REFRESH" ] && return 0
	else
		rm -rf "$old" && mv "$new" "$old"
		rm -f "$APTD/updated"
	fi
	say "apt-get update (deb-src derived from this machine's apt sources, private lists in $APTD)"
	if apt-get "${APT[@]}" -q update >"$APTD/update.log" 2>&1; then
		touch "$APTD/updated"
	elif ls "$APTD"/lists/*Sources* >/dev/null 2>&1; then
		say "warning: apt-get update failed, going on with the lists of $(date -r "$APTD/lists" '+%F %T'):"
		grep -E '^(E|W):' "$APTD/update.log" | sed 's/^/static:   /' >&2 || true
		touch "$APTD/updated"
	else
		sed 's/^/static:   /' "$APTD/update.log" >&2
		die "apt-get update failed and there are no source lists yet"
	fi
}

# versions NAME: the source versions the lists know, newest first.
versions() {
	apt-cache "${APT[@]}" showsrc --only-source "$1" 2>/dev/null |
		sed -n 's/^Version: //p' | sort -u | {
		local vs=() v i j t
		mapfile -t vs
		# newest first, compared the way dpkg compares versions
		for ((i = 1; i < ${#vs[@]}; i++)); do
			for ((j = i; j > 0; j--)); do
				dpkg --compare-versions "${vs[j]}" gt "${vs[j - 1]}" || break
				t=${vs[j]} vs[j]=${vs[j - 1]} vs[j - 1]=$t
			done
		done
		[ ${#vs[@]} -gt 0 ] && printf '%s\n' "${vs[@]}"
		return 0
	}
}

# checksums NAME VERSION: "sha256 file" for each file of that source version,
# from the Sources index (signed through its Release file).
checksums() {
	apt-cache "${APT[@]}" showsrc --only-source "$1" 2>/dev/null | awk -v v="$2" '
		/^Package:/ { inrec = 0; field = "" }
		/^Version:/ { inrec = ($2 == v) }
		/^[A-Za-z0-9-]+:/ { field = $1 }
		inrec && field == "Checksums-Sha256:" && /^ / { print $1, $3 }' | sort -u
}

# fetch NAME VERSION DIR: the source package's files in DIR, verified.
fetch() {
	local name=$1 v=$2 dir=$3 sum file missing=0
	mkdir -p "$dir"
	if [ "$(id -u)" -eq 0 ] && id _apt >/dev/null 2>&1; then
		chown _apt "$dir" # apt downloads as _apt when run as root
	fi
	(cd "$dir" && apt-get "${APT[@]}" -q source --download-only "$name=$v") \
		>"$dir/fetch.log" 2>&1 || true
	while read -r sum file; do
		[ -n "$file" ] || continue
		if [ -f "$dir/$file" ] && [ "$(sha256sum <"$dir/$file" | cut -d' ' -f1)" = "$sum" ]; then
			continue
		fi
		if [ -f "$SOURCES_DIR/$file" ] &&
			[ "$(sha256sum <"$SOURCES_DIR/$file" | cut -d' ' -f1)" = "$sum" ]; then
			cp "$SOURCES_DIR/$file" "$dir/$file"
			say "$name $v: $file from $SOURCES_DIR (sha256 matches the Sources index)"
			continue
		fi
		missing=1
	done < <(checksums "$name" "$v")
	[ "$missing" -eq 0 ] && ls "$dir"/*.dsc >/dev/null 2>&1
}

# ---- the recipes ---------------------------------------------------------
# build_NAME SRC PREFIX: configure one library for PREFIX from its extracted,
# patched Debian source tree SRC, build it, and install it under $DESTDIR.  Dependencies are in
# ${P[NAME]}.  Everything is compiled by musl-gcc with OPT_CFLAGS;
# KHDR holds the kernel's uapi headers, which musl does not ship.

build_zlib() {
	cd "$1"
	CC=musl-gcc CFLAGS="$OPT_CFLAGS" ./configure --static --prefix="$2"
	make -j"$JOBS" libz.a
	make DESTDIR="$DESTDIR" install
}

build_openssl() {
	local target
	case $(uname -m) in
	x86_64) target="linux-x86_64 enable-ec_nistp_64_gcc_128" ;;
	aarch64) target="linux-aarch64 enable-ec_nistp_64_gcc_128" ;;
	*) target=linux-generic64 ;;
	esac
	cd "$1"
	# TLS 1.2/1.3 (AES-GCM, ChaCha20-Poly1305, ECDHE, RSA, ECDSA, Ed25519),
	# BLAKE2b, SHA-2; no engines, modules, legacy ciphers or protocols.  No
	# openssl.cnf is read (no-autoload-config, and curl does not load it).
	# shellcheck disable=SC2086
	CC=musl-gcc CFLAGS="$OPT_CFLAGS" CPPFLAGS="-idirafter $KHDR" \
		./Configure $target --prefix="$2" --libdir=lib --openssldir=/etc/ssl \
		no-shared no-tests no-engine no-dso no-module no-legacy \
		no-autoload-config no-async no-comp no-ssl3 no-ssl3-method no-dtls no-srp \
		no-psk no-srtp no-sctp no-nextprotoneg no-ct no-ocsp no-cms no-ts \
		no-rfc3779 no-ui-console no-idea no-mdc2 no-rc2 no-rc4 no-rc5 no-md4 \
		no-des no-cast no-bf no-camellia no-seed no-aria no-whirlpool no-sm2 \
		no-sm3 no-sm4 no-gost no-siphash no-scrypt no-ocb no-dsa no-ec2m \
		no-weak-ssl-ciphers no-capieng no-afalgeng no-devcryptoeng no-padlockeng \
		no-ktls no-fips no-rdrand no-filenames
	# Nothing is ever loaded from these (no-dso, no-engine, no-module); set
	# so that the binary does not name a folder of the build machine.
	local dirs=(ENGINESDIR=/usr/lib/roleboot/engines-3 MODULESDIR=/usr/lib/roleboot/ossl-modules)
	make -j"$JOBS" "${dirs[@]}" build_libs
	make "${dirs[@]}" DESTDIR="$DESTDIR" install_dev
}

build_curl() {
	cd "$1"
	# Debian's openssl flavour: the source without the last two patches of
	# the series (gnutls, nss), regenerated by ./buildconf with Debian's
	# patched ltmain.sh put back, as debian/rules does.
	patch -R -p1 -s <debian/patches/99_nss.patch
	patch -R -p1 -s <debian/patches/90_gnutls.patch
	cp ltmain.sh ltmain.sh.debian
	./buildconf
	cp ltmain.sh.debian ltmain.sh
	# http, https and file only; AWS SigV4 needs crypto-auth and http-auth,
	# both kept.  No CA path or bundle of the build host: roleboot finds the
	# target's own.
	CC=musl-gcc CFLAGS="$OPT_CFLAGS" CPPFLAGS="-idirafter $KHDR" \
		./configure --disable-shared --enable-static --disable-dependency-tracking \
		--with-openssl="${P[openssl]}" --disable-openssl-auto-load-config \
		--enable-http --enable-file --enable-proxy --enable-crypto-auth --enable-http-auth \
		--enable-ipv6 --enable-threaded-resolver --enable-dateparse \
		--disable-ftp --disable-ldap --disable-ldaps --disable-rtsp --disable-dict \
		--disable-telnet --disable-tftp --disable-pop3 --disable-imap --disable-smb \
		--disable-smtp --disable-gopher --disable-mqtt --disable-websockets \
		--disable-manual --disable-libcurl-option --disable-ntlm --disable-ntlm-wb \
		--disable-tls-srp --disable-unix-sockets --disable-cookies --disable-doh \
		--disable-mime --disable-netrc --disable-alt-svc --disable-hsts \
		--disable-get-easy-options --disable-headers-api --disable-versioned-symbols \
		--without-ca-bundle --without-ca-path --without-ca-fallback \
		--without-zlib --without-brotli --without-zstd --without-libpsl --without-libidn2 \
		--without-nghttp2 --without-ngtcp2 --without-nghttp3 --without-quiche \
		--without-msh3 --without-hyper --without-librtmp --without-libssh2 \
		--without-libssh --without-wolfssh --without-libgsasl \
		--without-zsh-functions-dir --without-fish-functions-dir \
		--prefix="$2"
	make -j"$JOBS" -C lib
	make -C lib DESTDIR="$DESTDIR" install
	make -C include DESTDIR="$DESTDIR" install
	make DESTDIR="$DESTDIR" install-pkgconfigDATA
}

build_libarchive() {
	cd "$1"
	sh build/autogen.sh # debian/rules: dh_autoreconf build/autogen.sh
	# tar and gzip (zlib); none of the other compression, crypto or XML
	# libraries, no ACLs or xattrs, no programs.
	CC=musl-gcc CFLAGS="$OPT_CFLAGS" CPPFLAGS="-idirafter $KHDR -I${P[zlib]}/include" \
		LDFLAGS="-L${P[zlib]}/lib" \
		./configure --disable-shared --enable-static --disable-dependency-tracking \
		--disable-bsdtar --disable-bsdcat --disable-bsdcpio --disable-acl --disable-xattr \
		--with-zlib --without-bz2lib --without-libb2 --without-iconv --without-lz4 \
		--without-zstd --without-lzma --without-lzo2 --without-cng --without-mbedtls \
		--without-nettle --without-openssl --without-xml2 --without-expat \
		--prefix="$2"
	make -j"$JOBS" libarchive.la
	make DESTDIR="$DESTDIR" install-libLTLIBRARIES install-includeHEADERS install-pkgconfigDATA
}

build_expat() {
	cd "$1/expat"
	./buildconf.sh # as debian/rules does
	CC=musl-gcc CFLAGS="$OPT_CFLAGS" \
		./configure --disable-shared --enable-static --disable-dependency-tracking \
		--without-xmlwf --without-examples --without-tests --without-docbook \
		--prefix="$2"
	make -j"$JOBS" -C lib
	make -C lib DESTDIR="$DESTDIR" install
	make DESTDIR="$DESTDIR" install-pkgconfigDATA
}

build_libinih() {
	cd "$1"
	# one C file; its build options are the header's defaults
	mkdir -p "$DESTDIR$2/include" "$DESTDIR$2/lib"
	# shellcheck disable=SC2086
	musl-gcc $OPT_CFLAGS -c ini.c -o ini.o
	ar rcs "$DESTDIR$2/lib/libinih.a" ini.o
	cp ini.h "$DESTDIR$2/include/"
}

build_ldns() {
	cd "$1"
	# The library only (no drill, examples, Python or Perl bindings, no
	# ldns-config), against the static libcrypto above: DNS packets, wire
	# format, TSIG (HMAC-MD5/SHA-1/SHA-2), RRSIG with RSA, ECDSA, Ed25519
	# and Ed448.  No DSA and no GOST (OpenSSL is built without them), no
	# DANE.  The trust anchor path is Debian's, not one under the cache.
	# hmac-sha384: 1.8.3 looks its digest up under the misspelt name
	# "hmac-shac384." (upstream pull request 306); spelt right here, so that
	# the static binary accepts hmac-sha384 TSIG keys
	if grep -q '"hmac-shac384\."' tsig.c; then
		sed -i 's/"hmac-shac384\."/"hmac-sha384."/' tsig.c
	fi
	CC=musl-gcc CFLAGS="$OPT_CFLAGS" CPPFLAGS="-idirafter $KHDR" \
		./configure --disable-shared --enable-static --with-ssl="${P[openssl]}" \
		--disable-ldns-config --disable-rpath --without-drill --without-examples \
		--without-pyldns --without-pyldnsx --without-p5-dns-ldns \
		--disable-dsa --disable-gost --disable-dane --enable-ecdsa --enable-ed25519 \
		--enable-ed448 --with-trust-anchor=/usr/share/dns/root.key \
		--prefix="$2"
	make -j"$JOBS" lib
	make DESTDIR="$DESTDIR" install-h install-lib install-pc
}

# ---- driving -------------------------------------------------------------

# kernel_headers: the uapi headers (linux/, asm/, asm-generic/) of
# linux-libc-dev in a folder of their own, added after musl's own headers.
kernel_headers() {
	local multi asm
	KHDR=$CACHE/kernel-headers
	multi=$(gcc -print-multiarch 2>/dev/null || true)
	asm=/usr/include/$multi/asm
	if [ ! -d /usr/include/linux ] || [ ! -d "$asm" ]; then
		die "the kernel headers are missing (apt-get install linux-libc-dev)"
	fi
	mkdir -p "$KHDR"
	ln -sfn /usr/include/linux "$KHDR/linux"
	ln -sfn /usr/include/asm-generic "$KHDR/asm-generic"
	ln -sfn "$asm" "$KHDR/asm"
}

musl_version() {
	dpkg-query -W -f '${Version}' musl-dev 2>/dev/null || musl-gcc -dumpversion
}

# recipe NAME: the hash that says whether a cached build is still right.
recipe() {
	local d
	{
		declare -f "build_$1"
		echo "$OPT_CFLAGS"
		musl_version
		for d in ${DEPS[$1]:-}; do cat "${P[$d]}/.roleboot-static"; done
	} | sha256sum | cut -c1-16
}

# stamp_ok DIR RECIPE: DIR is a finished build of that recipe.
stamp_ok() {
	[ -f "$1/.roleboot-static" ] && grep -qx "recipe $2" "$1/.roleboot-static"
}

# build NAME VERSION PREFIX RECIPE: fetch, extract, build and install.
build() {
	local name=$1 v=$2 prefix=$3 r=$4 src=$CACHE/src/${1}_${2#*:} work stage tmp log t0 rc
	log=$CACHE/logs/$name-${v#*:}.log
	mkdir -p "$CACHE/logs" "$CACHE/work"
	t0=$(now)
	say "$name $v: building (log: $log)"
	work=$(mktemp -d "$CACHE/work/$name.XXXXXX")
	# configured for PREFIX (pkg-config files name it), installed with
	# DESTDIR into a stage, moved into place when complete
	stage=$(mktemp -d "$CACHE/.stage-$name.XXXXXX")
	tmp=$stage$prefix
	# (not in an `if`: there bash would ignore set -e inside)
	set +e
	(
		set -e
		dpkg-source -x "$(find "$src" -maxdepth 1 -name '*.dsc' | head -1)" "$work/src"
		export DESTDIR=$stage
		build_"$name" "$work/src" "$prefix"
	) >"$log" 2>&1
	rc=$?
	set -e
	if [ "$rc" -ne 0 ]; then
		tail -25 "$log" | sed 's/^/static:   /' >&2
		rm -rf "$stage"
		die "$name $v: the build failed; the tree is kept in $work, the log in $log"
	fi
	rm -rf "${tmp:?}/share" "${tmp:?}/bin" "${tmp:?}/lib"/*.la
	printf 'name %s\nversion %s\nrecipe %s\norigin debian source\nbuilt %s\n' \
		"$name" "$v" "$r" "$(date -u +%FT%TZ)" >"$tmp/.roleboot-static"
	# A finished build replaces the old one in one rename.
	rm -rf "$prefix.old"
	[ -e "$prefix" ] && mv "$prefix" "$prefix.old"
	mv "$tmp" "$prefix"
	rm -rf "$prefix.old" "$work" "$stage"
	say "$name $v: built in $(($(now) - t0)) s"
}

# inih_binary VERSION PREFIX RECIPE: Debian's own libinih.a from libinih-dev,
# when the installed package is that source version and musl's libc.a
# defines every symbol it needs.
inih_binary() {
	local v=$1 prefix=$2 r=$3 have a musl_libc tmp undef
	[ "$STRICT" = 1 ] && return 1
	have=$(dpkg-query -W -f '${source:Version}' libinih-dev 2>/dev/null) || return 1
	[ "$have" = "$v" ] || return 1
	a=$(dpkg -L libinih-dev | grep '/libinih\.a$' | head -1)
	[ -f "$a" ] || return 1
	musl_libc=$(dirname "$(musl-gcc -print-file-name=libc.a)")/libc.a
	[ -f "$musl_libc" ] || musl_libc=/usr/lib/$(gcc -print-multiarch)-musl/libc.a
	undef=$(nm -u "$a" | awk 'NF == 2 { print $2 }' | grep -v '^_GLOBAL_OFFSET_TABLE_$' | sort -u |
		comm -23 - <(nm -g --defined-only "$musl_libc" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u))
	if [ -n "$undef" ]; then
		say "libinih $v: Debian's libinih.a needs symbols musl lacks: $undef"
		return 1
	fi
	tmp=$(mktemp -d "$CACHE/.tmp-libinih.XXXXXX")
	chmod 755 "$tmp"
	mkdir -p "$tmp/lib" "$tmp/include"
	cp "$a" "$tmp/lib/libinih.a"
	cp /usr/include/ini.h "$tmp/include/"
	printf 'name libinih\nversion %s\nrecipe %s-binary\norigin debian binary package libinih-dev (source not obtainable)\nbuilt %s\n' \
		"$v" "$r" "$(date -u +%FT%TZ)" >"$tmp/.roleboot-static"
	rm -rf "$prefix"
	mv "$tmp" "$prefix"
	say "warning: libinih $v: no source could be had; using Debian's libinih.a from libinih-dev" \
		"(its undefined symbols all resolve in musl's libc.a)"
}

# provide NAME: sets P[NAME] (the install prefix) and V[NAME] (the version):
# the newest version that is cached or can be fetched and built.
provide() {
	local name=$1 v key prefix r src vs=() stamp=$APTD/updated
	mapfile -t vs < <(versions "$name")
	[ ${#vs[@]} -gt 0 ] || die "$name: no source package in the lists (see $APTD/update.log)"
	r=$(recipe "$name")
	for v in "${vs[@]}"; do
		key=$name-${v#*:}
		prefix=$CACHE/$key
		if stamp_ok "$prefix" "$r"; then
			say "$name $v: cached ($prefix)"
			P[$name]=$prefix V[$name]=$v
			return 0
		fi
		src=$CACHE/src/${name}_${v#*:}
		# a version whose files the mirror did not have is not asked for
		# again until the lists are refreshed
		if [ -f "$src.missing" ] && [ "$src.missing" -nt "$stamp" ]; then
			continue
		fi
		if fetch "$name" "$v" "$src"; then
			rm -f "$src.missing"
			build "$name" "$v" "$prefix" "$r"
			P[$name]=$prefix V[$name]=$v
			return 0
		fi
		say "$name $v: the source cannot be fetched here ($(grep -m1 -E '^E:' "$src/fetch.log" || echo 'files missing'))"
		touch "$src.missing"
	done
	if [ "$name" = libinih ]; then
		for v in "${vs[@]}"; do
			prefix=$CACHE/$name-${v#*:}
			if stamp_ok "$prefix" "$r-binary"; then
				say "warning: $name $v: cached copy of Debian's binary libinih.a ($prefix)"
				P[$name]=$prefix V[$name]=$v
				return 0
			fi
			if inih_binary "$v" "$prefix" "$r"; then
				P[$name]=$prefix V[$name]=$v
				return 0
			fi
		done
	fi
	die "$name: no version of the source package could be fetched (put its files, as named in the .dsc, in $SOURCES_DIR)"
}

main() {
	local t0 name lib
	t0=$(now)
	need_tools
	pick_cache
	exec 9>"$CACHE/.lock"
	flock 9
	kernel_headers
	apt_lists
	for name in "${ORDER[@]}"; do
		provide "$name"
	done
	mkdir -p "$(dirname "$OUT")"
	{
		echo "# written by packaging/static-deps.sh; cache: $CACHE"
		printf 'STATIC_DEP_CFLAGS :='
		for name in curl libarchive ldns openssl expat libinih zlib; do
			printf ' -I%s/include' "${P[$name]}"
		done
		printf '\nSTATIC_DEP_LIBS :='
		# ldns and libcurl before libssl and libcrypto, which they link
		for lib in curl/libcurl libarchive/libarchive ldns/libldns openssl/libssl openssl/libcrypto \
			expat/libexpat libinih/libinih zlib/libz; do
			printf ' %s/lib/%s.a' "${P[${lib%/*}]}" "${lib#*/}"
		done
		printf '\nSTATIC_DEP_VERSIONS :='
		for name in "${ORDER[@]}"; do
			printf ' %s=%s' "$name" "${V[$name]}"
		done
		printf '\n'
	} >"$OUT.tmp"
	# rewritten only when it changed: the objects depend on it
	if cmp -s "$OUT.tmp" "$OUT"; then rm -f "$OUT.tmp"; else mv "$OUT.tmp" "$OUT"; fi
	say "dependencies ready in $(($(now) - t0)) s"
}

main
