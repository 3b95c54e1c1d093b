#!/usr/bin/env bash
# Installs the Debian packages roleboot needs to build and test, when missing.
# Usage: scripts/deps.sh [build|test|bench]   (test and bench add their tools)
set -euo pipefail
build_pkgs="build-essential pkg-config libcurl4-openssl-dev libarchive-dev libssl-dev
libinih-dev libexpat1-dev libldns-dev minisign bind9-utils systemd ca-certificates"
test_pkgs="python3 clang clang-format valgrind time file libcjson-dev nginx openssl curl bsdutils iproute2
bind9 bind9-dnsutils ldnsutils python3-botocore rpm rpmlint gpg openssh-server openssh-client fabric python3-fabric
systemd-container"
bench_pkgs="time bc python3-jinja2 awscli jq ansible-core python3-dnspython"
want=$build_pkgs
[ "${1:-build}" = test ] && want="$build_pkgs $test_pkgs"
[ "${1:-build}" = bench ] && want="$build_pkgs $test_pkgs $bench_pkgs"
missing=()
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
