#!/usr/bin/env bash
# The QEMU build cache and the private apt state survive the system's apt
# (tools/apt-private.sh, qemu/build.sh):
#   1. qemu/build.sh finds (or builds, once: minutes) the binary;
#   2. the private bookworm-backports lists are fetched if absent;
#   3. a plain system "apt-get update" runs (the kind qemu/guest-kernel.sh
#      or tools/setup-deps.sh used to do, which removed the backports lists
#      when they lived in /var/lib/apt/lists);
#   4. the private lists are still there, unchanged, and still resolve the
#      qemu source package;
#   5. qemu/build.sh again, with apt-get and apt-cache replaced by stubs
#      that record any call, prints "cached:" and the same path and calls
#      no apt at all.
# Without root (and no password-less sudo) step 3 cannot run: the checks
# that need it are NOT RUN.  Cached, the suite takes seconds.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
export BUILD_DIR=${BUILD_DIR:-$root/build}
model=${RNPU_MODEL_DIR:-hw/model}
if ! compgen -G "$model/*.c" > /dev/null; then
	echo "NOT RUN: the golden model ($model/*.c) that the QEMU device is built with is not there yet"
	exit 77
fi
# shellcheck source=tests/lib/counts.sh
. tests/lib/counts.sh
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; }

tools/setup-deps.sh --check qemu > /dev/null 2>&1 || tools/setup-deps.sh qemu ||
	{ echo "39-qemu-cache: installing tools/deps/qemu.list failed"; echo "RESULT: 0 passed, 1 failed, 0 skipped"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "--- 1. qemu/build.sh (cached, or a full build the first time)"
timeout -k 10 2700 qemu/build.sh > "$tmp/out1" 2> "$tmp/err1"
rc=$?
grep -E '^qemu/build.sh: (cached|built|QEMU source|error)' "$tmp/err1"
first=$(tail -n 1 "$tmp/out1")
if [ $rc = 0 ] && [ -x "$first" ]; then
	ok "qemu/build.sh gives a binary: $first"
else
	tail -n 30 "$tmp/err1"
	bad "qemu/build.sh failed (exit $rc)"
	first=""
fi

echo "--- 2. the private bookworm-backports lists"
lists=$(tools/apt-private.sh backports dir)/lists
snapshot() { (cd "$lists" && find . -type f ! -name lock ! -path './partial/*' -printf '%P %s %T@\n' | sort); }
if tools/apt-private.sh backports ensure-lists && compgen -G "$lists/*_Sources*" > /dev/null; then
	ok "private backports lists (with Sources) in $lists"
	snapshot > "$tmp/before"
	have_lists=1
else
	bad "could not fetch the private backports lists into $lists"
	have_lists=0
fi

echo "--- 3. a plain system apt-get update"
can_update=1
if [ "$(id -u)" = 0 ]; then
	sudo=()
elif sudo -n true 2> /dev/null; then
	sudo=(sudo -n)
else
	can_update=0
fi
updated=0
why=""
if [ $can_update = 0 ]; then
	why="a system apt-get update needs root (or password-less sudo)"
else
	for try in 1 2 3; do
		# Another apt (an install elsewhere) may hold the lists lock for a while.
		if "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 update -q > "$tmp/update.log" 2>&1; then
			updated=1
			break
		fi
		sleep $((try * 10))
	done
	if [ $updated = 1 ]; then
		tail -n 2 "$tmp/update.log"
	else
		tail -n 10 "$tmp/update.log"
		why="the system apt-get update failed (see above)"
	fi
fi

echo "--- 4. the private lists after it"
if [ $updated = 0 ]; then
	not_run_item 1 "private lists survive a system apt-get update: $why"
elif [ $have_lists = 1 ]; then
	snapshot > "$tmp/after"
	if cmp -s "$tmp/before" "$tmp/after"; then
		ok "the private backports lists are untouched by the system apt-get update"
	else
		diff "$tmp/before" "$tmp/after" | head -n 20
		bad "the system apt-get update changed the private backports lists"
	fi
else
	not_run_item 1 "private lists survive a system apt-get update: there were no private lists"
fi
# Into a file: "| grep -q" under pipefail fails when apt-cache gets SIGPIPE.
tools/apt-private.sh backports apt-cache showsrc qemu > "$tmp/showsrc" 2> /dev/null
if grep -qE '^Version: (1:)?10\.' "$tmp/showsrc"; then
	when=""
	[ $updated = 0 ] || when=" after the system update"
	ok "the private lists resolve the qemu 10.x source package$when"
else
	bad "apt-cache showsrc qemu through the private backports state finds no QEMU 10.x"
fi

echo "--- 5. qemu/build.sh again, with apt-get and apt-cache stubbed out"
stub=$tmp/stub
mkdir -p "$stub"
for t in apt-get apt-cache apt; do
	printf '#!/bin/sh\necho "%s $*" >> "%s/calls"\nexit 1\n' "$t" "$stub" > "$stub/$t"
	chmod +x "$stub/$t"
done
if [ -z "$first" ]; then
	not_run_item 1 "second qemu/build.sh returns the cached binary without apt: the first build failed"
else
	PATH=$stub:$PATH timeout -k 10 600 qemu/build.sh > "$tmp/out2" 2> "$tmp/err2"
	rc=$?
	second=$(tail -n 1 "$tmp/out2")
	cat "$tmp/err2"
	if [ -s "$stub/calls" ]; then
		sed 's/^/    apt call: /' "$stub/calls"
		bad "the second qemu/build.sh called apt"
	elif [ $rc = 0 ] && [ "$second" = "$first" ] && grep -qF "cached: $first" "$tmp/err2"; then
		ok "the second qemu/build.sh says cached: $first, without any apt call"
	else
		bad "the second qemu/build.sh (exit $rc) printed '$second', wanted 'cached: $first'"
	fi
fi

print_result
[ "$fail" = 0 ]
