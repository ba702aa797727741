#!/usr/bin/env bash
# KUnit suites for the driver's pure logic (device page tables, ioctl
# argument validation), run with kunit.py from Debian's linux-source-6.12
# in a UML kernel.  The stock kernel has KUnit off, so the tests cannot run
# against the installed kernel.
#
# The source tree is extracted once into ${RNPU_CACHE:-~/.cache/rnpu}/linux-src/<version>
# and built in .../kunit/<version>; a first build takes several minutes,
# reruns only rebuild what changed.  Each KUnit test case counts as one test;
# a skipped case ("# SKIP") counts as skipped, with a NOT RUN ITEM line.
set -uo pipefail

root=$(pwd)
cache=${RNPU_CACHE:-$HOME/.cache/rnpu}

"$root"/tools/setup-deps.sh kerneltest >/dev/null 2>&1 ||
	echo "kunit: tools/setup-deps.sh kerneltest failed; carrying on with what is installed"

for f in kernel/rnpu_mmu_pt.c kernel/rnpu_uapi_check.c; do
	if [ ! -f "$f" ]; then
		echo "NOT RUN: $f is not in this checkout (the driver's pure-logic files are what KUnit tests)"
		exit 77
	fi
done

tree=$(tests/kunit/linux-source.sh) || {
	echo "NOT RUN: could not extract linux-source-6.12 (tools/setup-deps.sh kerneltest)"
	exit 77
}
for tool in gcc make flex bison bc; do
	if ! command -v $tool >/dev/null; then
		echo "NOT RUN: $tool is needed for the UML build (tools/setup-deps.sh kerneltest)"
		exit 77
	fi
done
py=$(command -v /usr/bin/python3 || command -v python3)

build=$cache/kunit/$(basename "$tree")
mkdir -p "$build"
log=$(mktemp)
json=$(mktemp)
trap 'rm -f "$log" "$json"' EXIT

# One run at a time per build directory (the tree is patched in place).
exec 9>"$build.lock"
flock -w 3600 9 || { echo "kunit: could not lock $build"; exit 1; }

tests/kunit/prepare-tree.sh "$tree" >/dev/null || {
	echo "kunit: could not prepare the KUnit scratch directory"
	echo "RESULT: 0 passed, 1 failed, 0 skipped"
	exit 1
}

echo "kunit: tree $tree, build dir $build"
start=$(date +%s)
(cd "$tree" && timeout 3000 "$py" tools/testing/kunit/kunit.py run \
	--kunitconfig=drivers/accel/rnpu_kunit --build_dir="$build" \
	--jobs="$(nproc)" --timeout=300 --json="$json") >"$log" 2>&1
rc=$?
echo "kunit: kunit.py exited $rc after $(( $(date +%s) - start ))s"
# The build log is long: show kunit.py's parsed results, or its tail on errors.
if grep -q '=====' "$log"; then
	sed -n '/=====/,$p' "$log"
else
	tail -n 60 "$log"
fi

# Count leaf test cases from the parsed KTAP (kunit.py --json).
"$py" - "$json" "$rc" "$build/test.log" <<'EOF'
import json, re, sys

path, rc, ktap = sys.argv[1], int(sys.argv[2]), sys.argv[3]
# Skip reasons are only in the raw KTAP ("ok 3 case_name # SKIP reason").
reasons = {}
try:
    with open(ktap, errors="replace") as f:
        for line in f:
            m = re.search(r"\bok \d+ (\S+) # SKIP ?(.*)$", line)
            if m:
                reasons[m.group(1)] = m.group(2).strip() or "skipped (no reason given)"
except OSError:
    pass
want_suites = {"rnpu_mmu_pt", "rnpu_uapi_check"}
try:
    with open(path) as f:
        top = json.load(f)
except (OSError, ValueError):
    print("kunit: kunit.py produced no parsed results (build or boot failed)")
    print("RESULT: 0 passed, 1 failed, 0 skipped")
    sys.exit(1)

passed = failed = skipped = 0
seen = set()

def walk(group, suite):
    global passed, failed, skipped
    for sub in group.get("sub_groups", []):
        walk(sub, suite or sub["name"])
    for case in group.get("test_cases", []):
        name = suite or case["name"]
        seen.add(name)
        st = case["status"]
        if st == "PASS":
            passed += 1
        elif st == "SKIP":
            skipped += 1
            why = reasons.get(case["name"], "skipped (reason not in the KTAP log)")
            print(f"NOT RUN ITEM: 1 kunit {name}.{case['name']}: {why}")
        else:
            failed += 1
            print(f"FAIL: {name}.{case['name']} ({st})")

walk(top, None)
missing = want_suites - seen
for m in sorted(missing):
    print(f"FAIL: suite {m} did not run")
failed += len(missing)
if rc != 0 and failed == 0:
    print(f"FAIL: kunit.py exited {rc} although every parsed test passed")
    failed += 1
print(f"RESULT: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
EOF
