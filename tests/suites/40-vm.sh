#!/usr/bin/env bash
# In-VM integration suite: build QEMU with the rnpu device (cached), build
# the guest with the payload from tests/vm.d/, boot it, run every
# /tests/*.test and count their top-level TAP/KTAP results.  Also fails on
# a missing or crashed test and on WARN/BUG/oops/lockdep splats in dmesg.
# "ok N ... # SKIP reason" (and "not ok N ... # TODO") is counted as
# skipped, with one "NOT RUN ITEM" line each, and never as passed.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export BUILD_DIR=${BUILD_DIR:-$root/build}
final=$BUILD_DIR/vm-test.out
model=${RNPU_MODEL_DIR:-hw/model}
if ! compgen -G "$model/*.c" > /dev/null; then
	echo "NOT RUN: the golden model ($model/*.c) that the QEMU device executes jobs with is not there yet"
	exit 77
fi
tools/setup-deps.sh --check qemu > /dev/null 2>&1 || tools/setup-deps.sh qemu ||
	{ echo "40-vm: installing tools/deps/qemu.list failed"; echo "RESULT: 0 passed, 1 failed, 0 skipped"; exit 1; }
mkdir -p "$BUILD_DIR"
# Private output file: two runs in one build tree must not mix their logs.
out=$(mktemp "$BUILD_DIR/vm-test.XXXXXX")
trap 'mv -f "$out" "$final"' EXIT

expected=()
for t in tests/vm.d/*.test; do
	[ -e "$t" ] && expected+=("$(basename "$t" .test)")
done
echo "40-vm: building (cached) and booting the test guest: qemu/vm.sh test > $final"
timeout -k 10 2700 qemu/vm.sh test > "$out" 2>&1
rc=$?
# Show the tests' console output, or how the build or boot failed.
if grep -q '@@RNPU-VM-BOOTED' "$out"; then
	grep -E '^qemu/[a-z-]+\.sh: (accelerator|cached|built)' "$out"
	# Indented: the guest's own lines never read as this suite's protocol.
	sed -n '/@@RNPU-VM-BOOTED/,/@@RNPU-DMESG-BEGIN/p' "$out" | tr -d '\r' |
		sed -E 's/^(NOT RUN|RESULT:)/  \1/'
else
	tail -n 40 "$out"
fi


awk -v qemu_rc="$rc" -v expected="${expected[*]}" '
function fail(msg) { nfail++; print "not ok - " msg }
function pass(msg) { npass++; print "ok - " msg }
function skip(line,   what, why) {
	# "ok 3 - name # SKIP reason" -> what "vm:<test> 3 - name", why "reason"
	what = line; why = ""
	if (match(line, /# *[Ss][Kk][Ii][Pp]|# *[Tt][Oo][Dd][Oo]/)) {
		what = substr(line, 1, RSTART - 1)
		why = substr(line, RSTART)
		if (toupper(why) ~ /TODO/) { sub(/^# *[A-Za-z]+[ :]*/, "", why); why = "TODO (known failure) " why }
		else sub(/^# *[A-Za-z]+[ :]*/, "", why)
	}
	sub(/^(not )?ok /, "", what); sub(/ +$/, "", what)
	if (why == "") why = "skipped (no reason given)"
	skipped[++nskip] = "vm:" cur " " what ": " why
}
function close_test(rc,   total) {
	total = tp + tf + ts
	if (plan != "" && plan != total) {
		tf++
		print "# " cur ": plan says " plan " tests, saw " total
	}
	if (rc != 0 && tf == 0) {
		tf++
		print "# " cur ": exited with status " rc (rc == 124 || rc == 143 ? " (timed out)" : "")
	}
	if (total == 0 && tf == 0) {
		tf++
		print "# " cur ": printed no TAP results"
	}
	printf "%s - vm:%s: %d passed, %d failed, %d skipped\n", tf ? "not ok" : "ok", cur, tp, tf, ts
	npass += tp; nfail += tf; nskips += ts
	done_test[cur] = 1
	cur = ""
}
BEGIN { n = split(expected, want, " ") }
{ sub(/\r$/, "") }
/@@RNPU-VM-BOOTED/ { booted = 1 }
/^@@RNPU-TEST-BEGIN / { cur = $2; tp = tf = ts = 0; plan = ""; next }
/^@@RNPU-TEST-END / {
	if (cur != "") { r = $3; sub(/^rc=/, "", r); close_test(r + 0) }
	next
}
/^@@RNPU-DMESG-BEGIN/ { indmesg = 1; next }
/^@@RNPU-DMESG-END/ { indmesg = 0; dmesg_done = 1; next }
/^@@RNPU-VM-DONE/ { vmdone = 1; next }
indmesg {
	if ($0 ~ /(WARNING:|BUG:|kernel BUG|Oops|general protection fault|Call Trace:|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|UBSAN:|KASAN:|kernel panic|Kernel panic|hung_task|blocked for more than)/)
		splats[++nsplat] = $0
	next
}
cur != "" && /^ok [0-9]+/ {
	if (toupper($0) ~ /# *SKIP/) { ts++; skip($0) } else tp++
	next
}
cur != "" && /^not ok [0-9]+/ {
	if (toupper($0) ~ /# *TODO/) { ts++; skip($0) } else { tf++; print "# " cur ": " $0 }
	next
}
cur != "" && /^1\.\.[0-9]+/ { plan = substr($1, 4) + 0; next }
END {
	if (cur != "") { print "# " cur ": no end marker (guest crashed or timed out)"; tf++; close_test(0) }
	if (booted) pass("guest booted with the rnpu device")
	else fail("guest did not boot (qemu/vm.sh exit " qemu_rc ")")
	for (i = 1; i <= n; i++)
		if (booted && !(want[i] in done_test)) fail("vm:" want[i] ": did not run to completion")
	if (!dmesg_done) fail("dmesg: not collected")
	else if (nsplat) {
		fail("dmesg: " nsplat " WARN/BUG/oops/lockdep lines")
		for (i = 1; i <= nsplat && i <= 20; i++) print "#   " splats[i]
	} else pass("dmesg: no WARN, BUG, oops or lockdep splat")
	if (booted && !vmdone) fail("guest did not finish (qemu/vm.sh exit " qemu_rc ")")
	for (i = 1; i <= nskip; i++) print "NOT RUN ITEM: 1 " skipped[i]
	printf "RESULT: %d passed, %d failed, %d skipped\n", npass, nfail, nskips + 0
}
' "$out"
