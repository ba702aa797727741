#!/usr/bin/env bash
# rnpu cdi: the generator's unit tests on fake sysfs/dev trees (ctest label
# "cdi"), the built command end to end on fake trees (no device, one,
# several, another driver's node, unreadable entries, both formats, the
# refresh hook), every spec checked against a CDI 0.5.0 JSON schema
# (tests/cdi/), and a real `podman run --device KIND=0` with the spec
# applied to a stand-in device node, checked from inside the container.
# Needs root: mknod for the stand-in nodes, podman with its own storage.
set -uo pipefail
: "${BUILD_DIR:?}"
if [ ! -f "$BUILD_DIR/build.ninja" ] && [ ! -f "$BUILD_DIR/Makefile" ]; then
	echo "NOT RUN: $BUILD_DIR is not configured (run make build)"
	exit 77
fi
if [ "$(id -u)" != 0 ]; then
	echo "NOT RUN: needs root (mknod of stand-in device nodes, podman with a private store)"
	exit 77
fi
py=/usr/bin/python3
tools/setup-deps.sh --check cdi >/dev/null 2>&1 || tools/setup-deps.sh cdi >/dev/null 2>&1 || true
if ! timeout 1800 cmake --build "$BUILD_DIR" --target rnpu-cli rnpu_cdi_tests >/dev/null 2>&1; then
	timeout 1800 cmake --build "$BUILD_DIR" --target rnpu-cli rnpu_cdi_tests 2>&1 | tail -n 30
	echo "RESULT: 0 passed, 1 failed, 0 skipped"
	exit 1
fi

# shellcheck source=tests/lib/counts.sh
. tests/lib/counts.sh
ok() { pass=$((pass + 1)); echo "ok    $1"; }
bad() { fail=$((fail + 1)); echo "FAIL  $1"; }

echo "--- unit tests (ctest -L cdi)"
ctlog=$(mktemp)
ctjunit=$(mktemp)
timeout 300 ctest --test-dir "$BUILD_DIR" -L '^cdi$' --output-on-failure \
	--output-junit "$ctjunit" >"$ctlog" 2>&1
grep -E 'tests passed|Failed|\*\*\*' "$ctlog" || true
ctest_count "$ctlog" "$ctjunit" cdi
rm -f "$ctlog" "$ctjunit"

rnpu=$BUILD_DIR/tools/rnpu
schema=tests/cdi/cdi-0.5.0.schema.json
tmp=$(mktemp -d /tmp/rnpu-cdi-suite.XXXXXX)
podman_spec=
cleanup() {
	[ -z "$podman_spec" ] || rm -f "$podman_spec"
	rm -rf "$tmp"
}
trap cleanup EXIT

# expect RC NAME NEEDLE -- command...: exit status RC and, when NEEDLE is
# not empty, NEEDLE in what the command printed.
expect() {
	local rc=$1 name=$2 needle=$3
	shift 4
	if declare -F "$1" >/dev/null; then
		"$@" >"$tmp/out" 2>&1  # a function of this suite, itself under timeout
	else
		timeout 60 "$@" >"$tmp/out" 2>&1
	fi
	local got=$?
	if [ "$got" = "$rc" ] && { [ -z "$needle" ] || grep -qF -- "$needle" "$tmp/out"; }; then
		ok "$name"
	else
		# shellcheck disable=SC2016 # quotes around the needle, in the message
		bad "$name (exit $got, wanted $rc${needle:+ and '$needle'})"
		sed 's/^/      /' "$tmp/out" | head -n 15
	fi
}
valid() {	# NAME FILE...: every file valid against the schema
	local name=$1
	shift
	if timeout 60 "$py" tests/cdi/validate.py "$schema" "$@" >"$tmp/val" 2>&1; then
		ok "$name"
	else
		bad "$name"
		sed 's/^/      /' "$tmp/val" | head -n 15
	fi
}

# tree DIR: an empty fake sysfs (DIR/sys) and dev root (DIR/dev).
tree() { mkdir -p "$1/sys/class/accel" "$1/dev/accel" "$1/sys/bus/pci/drivers/rnpu" \
	"$1/sys/bus/pci/drivers/other"; }
# accel DIR N BUSDEV DRIVER MAJ MIN: accelN of PCI device BUSDEV bound to
# DRIVER, laid out as the kernel's sysfs, with its node under DIR/dev.
accel() {
	local d=$1/sys/devices/pci0000:00/$3
	mkdir -p "$d/accel/accel$2"
	ln -sfn "../../../bus/pci/drivers/$4" "$d/driver"
	ln -sfn ../../../bus/pci "$d/subsystem"
	ln -sfn "../../../$3" "$d/accel/accel$2/device"
	echo "$5:$6" >"$d/accel/accel$2/dev"
	ln -sfn "../../devices/pci0000:00/$3/accel/accel$2" "$1/sys/class/accel/accel$2"
	mknod "$1/dev/accel/accel$2" c "$5" "$6"
}
gen() {
	local t=$1
	shift
	timeout 60 "$rnpu" cdi generate --sysfs "$t/sys" --dev "$t/dev" "$@"
}

echo "--- rnpu cdi on fake sysfs/dev trees"
t0=$tmp/none
tree "$t0"
expect 5 "no device: generate is an error" "no accel node bound to the rnpu driver" -- gen "$t0"
expect 5 "no device: list is an error" "no accel node bound" -- \
	"$rnpu" cdi list --sysfs "$t0/sys" --dev "$t0/dev"
echo stale >"$tmp/stale.yaml"
expect 0 "no device: generate --output removes a stale spec" "removed" -- \
	gen "$t0" --output "$tmp/stale.yaml"
if [ ! -e "$tmp/stale.yaml" ]; then ok "stale spec gone"; else bad "stale spec still there"; fi

t1=$tmp/one
tree "$t1"
accel "$t1" 0 0000:00:04.0 rnpu 1 3
expect 0 "one device: yaml to stdout" 'cdiVersion: "0.5.0"' -- gen "$t1"
cp "$tmp/out" "$tmp/one.yaml"
expect 0 "one device: json to a file" "" -- gen "$t1" --format json --output "$tmp/one.json"
valid "one device: yaml and json valid against the CDI 0.5.0 schema" "$tmp/one.yaml" "$tmp/one.json"
# Both formats describe the same spec.
if "$py" -c 'import json, sys, yaml
a = yaml.safe_load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
names = [d["name"] for d in b["devices"]]
node = b["devices"][0]["containerEdits"]["deviceNodes"][0]
assert a == b, "yaml and json differ"
assert names == ["0", "pci-0000-00-04.0", "all"], names
assert b["kind"] == "rnpu.dev/npu"
assert node == {"path": "/dev/accel/accel0", "hostPath": sys.argv[3], "type": "c",
                "major": 1, "minor": 3, "permissions": "rw"}, node
assert b["devices"][0]["containerEdits"]["env"] == ["RNPU_DEVICE=/dev/accel/accel0"]
assert "containerEdits" not in b, "mounts without --mount-librnpu"
' "$tmp/one.yaml" "$tmp/one.json" "$t1/dev/accel/accel0" 2>"$tmp/err"; then
	ok "one device: index, stable name and all; node, hostPath, numbers and env"
else
	bad "one device: spec contents"
	sed 's/^/      /' "$tmp/err"
fi
if [ "$(stat -c %a "$tmp/one.json")" = 644 ]; then ok "--output file mode 0644"; else bad "--output mode"; fi
expect 0 "one device: list" "rnpu.dev/npu=pci-0000-00-04.0  /dev/accel/accel0  1:3" -- \
	"$rnpu" cdi list --sysfs "$t1/sys" --dev "$t1/dev"

tn=$tmp/several
tree "$tn"
accel "$tn" 0 0000:00:04.0 rnpu 1 3
accel "$tn" 1 0000:00:05.0 other 1 5
accel "$tn" 3 0000:00:06.0 rnpu 1 7
expect 0 "several devices, one of another driver: json" "" -- gen "$tn" --format json \
	--kind example.com/edge_npu --output "$tmp/several.json"
gen "$tn" --kind example.com/edge_npu >"$tmp/several.yaml" 2>&1
valid "several devices: yaml and json valid against the schema" "$tmp/several.json" "$tmp/several.yaml"
if "$py" -c 'import json, sys
s = json.load(open(sys.argv[1]))
names = [d["name"] for d in s["devices"]]
assert s["kind"] == "example.com/edge_npu", s["kind"]
assert names == ["0", "pci-0000-00-04.0", "3", "pci-0000-00-06.0", "all"], names
alln = [n["path"] for n in s["devices"][-1]["containerEdits"]["deviceNodes"]]
assert alln == ["/dev/accel/accel0", "/dev/accel/accel3"], alln
' "$tmp/several.json" 2>"$tmp/err"; then
	ok "several devices: the other driver's accel1 left out, all = accel0 + accel3"
else
	bad "several devices: spec contents"
	sed 's/^/      /' "$tmp/err"
fi

tu=$tmp/unreadable
tree "$tu"
accel "$tu" 0 0000:00:04.0 rnpu 1 3
rm "$tu/sys/devices/pci0000:00/0000:00:04.0/accel/accel0/dev"
mkdir "$tu/sys/devices/pci0000:00/0000:00:04.0/accel/accel0/dev"
expect 1 "unreadable dev entry: clear error naming it" "accel0/dev: Is a directory" -- gen "$tu"
tw=$tmp/wrongnode
tree "$tw"
accel "$tw" 0 0000:00:04.0 rnpu 1 3
rm "$tw/dev/accel/accel0" && mknod "$tw/dev/accel/accel0" c 1 5
expect 1 "host node with other numbers than sysfs: error" "but sysfs says 1:3" -- gen "$tw"
rm "$tw/dev/accel/accel0"
expect 1 "host node missing: error" "accel0 cannot be read" -- gen "$tw"
echo x >"$tmp/nodir"
expect 1 "class/accel not a directory: error" "cannot list" -- \
	"$rnpu" cdi generate --sysfs "$tmp/nodir" --dev "$t1/dev"
mkdir -p "$tmp/nodir2/class" && echo x >"$tmp/nodir2/class/accel"
expect 1 "class/accel a file: error" "cannot list $tmp/nodir2/class/accel" -- \
	"$rnpu" cdi generate --sysfs "$tmp/nodir2" --dev "$t1/dev"
expect 1 "--output in a missing directory: error" "cannot create a temporary file" -- \
	gen "$t1" --output "$tmp/no/such/dir/rnpu.yaml"

echo "--- options and usage errors"
expect 2 "bad --format" "--format: expected yaml or json" -- gen "$t1" --format toml
expect 2 "bad --kind" "invalid CDI kind 'npu'" -- gen "$t1" --kind npu
expect 2 "dots in the kind's class need CDI 0.6" "invalid CDI kind" -- gen "$t1" --kind rnpu.dev/n.pu
expect 2 "unknown subcommand" "unknown subcommand 'make'" -- "$rnpu" cdi make
expect 2 "no subcommand" "expected a subcommand" -- "$rnpu" cdi
expect 0 "generate --help" "--mount-librnpu" -- "$rnpu" cdi generate --help
expect 1 "--librnpu missing file" "--librnpu $tmp/none.so" -- gen "$t1" --librnpu "$tmp/none.so"
printf 'stand-in librnpu\n' >"$tmp/librnpu.so.0.1.0"
ln -s librnpu.so.0.1.0 "$tmp/librnpu.so.0"
expect 0 "--librnpu FILE: a read-only mount" "" -- gen "$t1" --format json --librnpu "$tmp/librnpu.so.0" \
	--output "$tmp/mount.json"
valid "spec with mounts valid against the schema" "$tmp/mount.json"
if "$py" -c 'import json, sys
m = json.load(open(sys.argv[1]))["containerEdits"]["mounts"]
assert m == [{"hostPath": sys.argv[2], "containerPath": sys.argv[3],
              "options": ["ro", "nosuid", "nodev", "bind"]}], m
' "$tmp/mount.json" "$tmp/librnpu.so.0.1.0" "$tmp/librnpu.so.0" 2>"$tmp/err"; then
	ok "mount: the resolved file, at the path it was named by, ro"
else
	bad "mount entry"
	sed 's/^/      /' "$tmp/err"
fi

echo "--- the schema check refuses what CDI 0.5.0 does not allow"
for case in 'cdiVersion=0.6.0' 'unknown-field' 'no-devices' 'bad-permissions' 'colon-name'; do
	if ! "$py" - "$tmp/one.json" "$tmp/broken-$case.json" "$case" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
case = sys.argv[3]
if case == "cdiVersion=0.6.0": s["cdiVersion"] = "0.6.0"
elif case == "unknown-field": s["annotations"] = {"a": "b"}
elif case == "no-devices": s["devices"] = []
elif case == "bad-permissions": s["devices"][0]["containerEdits"]["deviceNodes"][0]["permissions"] = "rwx"
elif case == "colon-name": s["devices"][0]["name"] = "pci-0000:00:04.0:"
json.dump(s, open(sys.argv[2], "w"))
PY
	then
		bad "could not make the spec with $case"
	elif timeout 60 "$py" tests/cdi/validate.py "$schema" "$tmp/broken-$case.json" >/dev/null 2>&1; then
		bad "schema accepts a spec with $case"
	else
		ok "schema refuses a spec with $case"
	fi
done

echo "--- refresh hook (tools/cdi/rnpu-cdi-refresh) as udev runs it"
th=$tmp/hook
tree "$th"
hook() {
	RNPU=$rnpu RNPU_CDI_SPEC=$tmp/cdi-dir/rnpu.yaml RNPU_CDI_LOCK=$tmp/hook.lock \
		RNPU_CDI_ARGS="--sysfs $th/sys --dev $th/dev" timeout 60 tools/cdi/rnpu-cdi-refresh
}
accel "$th" 0 0000:00:04.0 rnpu 1 3
if hook >"$tmp/out" 2>&1 && grep -q 'name: "0"' "$tmp/cdi-dir/rnpu.yaml"; then
	ok "hook: device added, spec written"
else
	bad "hook: add"
	sed 's/^/      /' "$tmp/out"
fi
accel "$th" 1 0000:00:05.0 rnpu 1 5
if hook >"$tmp/out" 2>&1 && grep -q 'name: "1"' "$tmp/cdi-dir/rnpu.yaml" &&
	[ "$(find "$tmp/cdi-dir" -mindepth 1 | wc -l)" = 1 ]; then
	ok "hook: second device added, spec rewritten, no temporary left"
else
	bad "hook: second add"
	sed 's/^/      /' "$tmp/out"
fi
rm -rf "$th/sys/class/accel/accel0" "$th/sys/class/accel/accel1"
if hook >"$tmp/out" 2>&1 && [ ! -e "$tmp/cdi-dir/rnpu.yaml" ]; then
	ok "hook: last device removed, spec removed"
else
	bad "hook: remove"
	sed 's/^/      /' "$tmp/out"
fi

echo "--- podman run --device with the spec (stand-in node: /dev/null's numbers)"
podman_ok=1
for c in podman runc busybox; do
	command -v $c >/dev/null || { podman_ok=0; why="$c is not installed (tools/setup-deps.sh cdi)"; }
done
if [ $podman_ok = 1 ]; then
	tp=$tmp/podman
	tree "$tp"
	accel "$tp" 0 0000:00:04.0 rnpu 1 3
	chmod 600 "$tp/dev/accel/accel0"
	mkdir -p "$tp/rootfs/bin"
	cp "$(command -v busybox)" "$tp/rootfs/bin/busybox"
	for a in sh ls stat cat env md5sum echo; do ln -s busybox "$tp/rootfs/bin/$a"; done
	# Podman 4.3 has no --cdi-spec-dir and ignores containers.conf's
	# cdi_spec_dirs: the spec goes to /var/run/cdi under a unique name
	# and a unique kind (no clash with a real rnpu.yaml), removed on exit.
	kind=rnpu-test-$$.dev/npu
	mkdir -p /var/run/cdi
	podman_spec=/var/run/cdi/rnpu-test-$$.yaml
	gen "$tp" --kind "$kind" --librnpu "$tmp/librnpu.so.0" --output "$podman_spec" 2>&1
	want_md5=$(md5sum <"$tmp/librnpu.so.0.1.0" | cut -d' ' -f1)
	# Its own store (vfs: no overlay on overlay), run root and events file.
	P=(podman --root "$tmp/store" --runroot "$tmp/run" --storage-driver vfs
		--cgroup-manager cgroupfs --events-backend file --tmpdir "$tmp/ptmp")
	if ! tar -C "$tp/rootfs" -c . | timeout 120 "${P[@]}" import - rnpu-cdi-test:1 >"$tmp/out" 2>&1; then
		bad "podman import of the busybox root"
		sed 's/^/      /' "$tmp/out" | tail -n 10
	else
		for dev in 0 pci-0000-00-04.0 all; do
			# shellcheck disable=SC2016 # the script runs in the container
			timeout 120 "${P[@]}" run --rm --runtime runc --network none \
				--ulimit nofile=1024:4096 --ulimit nproc=1024:4096 \
				--device "$kind=$dev" rnpu-cdi-test:1 /bin/sh -c '
				set -e
				test -c /dev/accel/accel0
				echo "node $(stat -c %t:%T /dev/accel/accel0)"
				echo "env $RNPU_DEVICE"
				echo "lib $(md5sum < "$1" | cut -d" " -f1)"
				echo x > /dev/accel/accel0 && echo writable
				if echo x > "$1" 2>/dev/null; then echo lib-writable; fi' sh "$tmp/librnpu.so.0" \
				>"$tmp/out" 2>&1
			rc=$?
			if [ $rc = 0 ] && grep -qx 'node 1:3' "$tmp/out" &&
				grep -qx 'env /dev/accel/accel0' "$tmp/out" &&
				grep -qx "lib $want_md5" "$tmp/out" && grep -qx writable "$tmp/out" &&
				! grep -q lib-writable "$tmp/out"; then
				ok "podman --device $kind=$dev: node 1:3 writable, RNPU_DEVICE, librnpu mounted read-only"
			else
				bad "podman --device $kind=$dev (exit $rc)"
				sed 's/^/      /' "$tmp/out" | tail -n 15
			fi
		done
		# A device the spec does not have is refused, not silently dropped.
		expect 126 "podman refuses a device the spec lacks" "unresolvable CDI devices" -- \
			"${P[@]}" run --rm --runtime runc --network none --device "$kind=7" rnpu-cdi-test:1 /bin/true
	fi
	timeout 60 "${P[@]}" rmi -f rnpu-cdi-test:1 >/dev/null 2>&1 || true
else
	not_run_item 4 "podman runs with the CDI spec: $why"
fi

print_result
[ "$fail" = 0 ]
