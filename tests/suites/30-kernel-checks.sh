#!/usr/bin/env bash
# Static checks of the kernel side, each counted as one test:
#   - checkpatch.pl --strict --no-tree -f on every kernel/*.[ch], the UAPI
#     header and the KUnit sources (tests/kunit/rnpu_kunit/*.c);
#   - the module builds (make -C kernel) with no compiler warning;
#   - sparse (make -C kernel C=2) reports nothing;
#   - the device-tree binding: dt-doc-validate on the schema, its example
#     and dt-bindings/examples/*.dts compile with dtc and validate against
#     the schema (dt-schema), and the example board's OPP table is the one
#     hw/SPEC.md specifies.
# checkpatch comes from Debian's linux-source-6.12 (extracted once into
# ${RNPU_CACHE:-~/.cache/rnpu}/linux-scripts/<version>).  A check whose
# tool is missing is counted as skipped, with a "NOT RUN ITEM" line saying
# how many checks it stands for and why.
set -uo pipefail

root=$(pwd)
cache=${RNPU_CACHE:-$HOME/.cache/rnpu}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$root"/tools/setup-deps.sh kerneltest >/dev/null 2>&1 ||
	echo "kernel-checks: tools/setup-deps.sh kerneltest failed; checks whose tools are missing will say NOT RUN"

pass=0
fail=0
skip=0
ok() { echo "PASS: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL: $1"; fail=$((fail + 1)); }
not_run() {	# COUNT "what: reason"
	echo "NOT RUN ITEM: $1 $2"
	skip=$((skip + $1))
}
atleast1() { [ "$1" -gt 0 ] && echo "$1" || echo 1; }
n_dts=$(atleast1 "$(find dt-bindings/examples -maxdepth 1 -name '*.dts' 2>/dev/null | wc -l)")

# ---- checkpatch -------------------------------------------------------------
checkpatch_dir() {
	local pkg=linux-source-6.12 ver dir src
	ver=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null) || return 1
	[ -f /usr/src/$pkg.tar.xz ] || return 1
	dir=$cache/linux-scripts/${ver//[^A-Za-z0-9._+-]/_}
	if [ ! -f "$dir/scripts/checkpatch.pl" ]; then
		mkdir -p "$dir"
		tar -xJf /usr/src/$pkg.tar.xz -C "$dir" --strip-components=1 \
			$pkg/scripts/checkpatch.pl $pkg/scripts/spelling.txt \
			$pkg/scripts/const_structs.checkpatch || return 1
	fi
	echo "$dir"
}

# Source files only: tracked or new, never build outputs (rnpu.mod.c ...).
sources() {
	if git rev-parse --git-dir >/dev/null 2>&1; then
		git ls-files --cached --others --exclude-standard -- "$@"
	else
		local p
		# shellcheck disable=SC2086 # the patterns are meant to glob here
		for p in "$@"; do find $p -type f 2>/dev/null; done |
			grep -v -E '\.(o|ko|mod|mod\.c|cmd|order|symvers)$'
	fi
}

mapfile -t cp_files < <(sources 'kernel/*.[ch]' include/uapi/drm/rnpu_accel.h \
	'tests/kunit/rnpu_kunit/*.c' | sort -u)
if ! command -v perl >/dev/null; then
	not_run "$(atleast1 ${#cp_files[@]})" "checkpatch: perl is not installed"
elif ! cpdir=$(checkpatch_dir); then
	not_run "$(atleast1 ${#cp_files[@]})" "checkpatch: linux-source-6.12 is not installed (tools/setup-deps.sh kerneltest)"
elif [ ${#cp_files[@]} = 0 ]; then
	not_run 1 "checkpatch: no kernel sources in this checkout"
else
	for f in "${cp_files[@]}"; do
		out=$(timeout 120 perl "$cpdir/scripts/checkpatch.pl" --strict --no-tree \
			--no-summary --terse --show-types -f "$f" 2>&1)
		rc=$?
		if [ $rc = 0 ] && [ -z "$out" ]; then
			ok "checkpatch $f"
		else
			echo "$out" | head -n 40
			bad "checkpatch $f"
		fi
	done
fi

# ---- module build and sparse ------------------------------------------------
# Build a copy so a developer's objects in kernel/ neither leak in nor get
# clobbered; the layout (kernel/, include/, hw/include/) is kept.
if [ ! -f kernel/Makefile ]; then
	not_run 2 "module build and sparse: kernel/Makefile is not in this checkout yet"
else
	while read -r f; do
		[ -f "$f" ] || continue
		mkdir -p "$work/src/$(dirname "$f")"
		cp "$f" "$work/src/$f"
	done < <(sources kernel include hw/include)
	log=$work/build.log
	if timeout 900 make -C "$work/src/kernel" >"$log" 2>&1; then
		if grep -E '(warning|error):' "$log"; then
			bad "module build (make -C kernel): compiler warnings"
		else
			ok "module build (make -C kernel)"
		fi
	else
		tail -n 40 "$log"
		bad "module build (make -C kernel)"
	fi
	if ! command -v sparse >/dev/null; then
		not_run 1 "sparse: not installed (tools/setup-deps.sh kerneltest)"
	elif [ ! -f "$(ls "$work"/src/kernel/*.ko 2>/dev/null | head -n 1)" ]; then
		not_run 1 "sparse: the module did not build, nothing to check"
	else
		# C=2 checks every source again, built or not.
		slog=$work/sparse.log
		if ! timeout 900 make -C "$work/src/kernel" C=2 >"$slog" 2>&1; then
			tail -n 40 "$slog"
			bad "sparse (make -C kernel C=2): build failed"
		elif ! grep -q ' CHECK ' "$slog"; then
			bad "sparse (make -C kernel C=2): kbuild ran no CHECK step"
		elif grep -E '(warning|error):' "$slog"; then
			bad "sparse (make -C kernel C=2)"
		else
			ok "sparse (make -C kernel C=2): $(grep -c ' CHECK ' "$slog") files clean"
		fi
	fi
fi

# ---- device tree ---------------------------------------------------------------
schema=dt-bindings/npu/rnpu,npu-v1.yaml
# dtc prints warnings on stderr but still exits 0: treat any output as failure.
dtc_clean() {	# dts dtb
	local out
	out=$(dtc -I dts -O dtb -o "$2" "$1" 2>&1) && [ -z "$out" ] && return 0
	echo "$out"
	return 1
}

if ! command -v dtc >/dev/null; then
	not_run "$n_dts" "dtc of dt-bindings/examples/*.dts: device-tree-compiler is not installed"
else
	for dts in dt-bindings/examples/*.dts; do
		[ -f "$dts" ] || continue
		if dtc_clean "$dts" "$work/$(basename "$dts" .dts).dtb"; then
			ok "dtc $dts"
		else
			bad "dtc $dts"
		fi
	done
fi

# The NPU's OPP table must be the one hw/SPEC.md specifies: 200..1000 MHz
# at 600..950 mV, in ascending order.
check_opps() {	# dtb
	local want="200000000:600000 400000000:650000 600000000:750000 800000000:850000 1000000000:950000"
	local npu=/soc/npu@fdab0000 ph node table="" got="" opp hz uv
	ph=$(fdtget -t u "$1" $npu operating-points-v2 2>/dev/null) || {
		echo "$npu has no operating-points-v2"
		return 1
	}
	for node in $(fdtget -l "$1" /); do
		[ "$(fdtget -t u "$1" "/$node" phandle 2>/dev/null)" = "$ph" ] && table=/$node
	done
	if [ -z "$table" ] ||
	   [ "$(fdtget -t s "$1" "$table" compatible)" != operating-points-v2 ]; then
		echo "operating-points-v2 of $npu does not lead to an OPP table"
		return 1
	fi
	for opp in $(fdtget -l "$1" "$table"); do
		hz=$(fdtget -t u "$1" "$table/$opp" opp-hz | awk '{ printf "%.0f", $1 * 4294967296 + $2 }')
		uv=$(fdtget -t u "$1" "$table/$opp" opp-microvolt)
		got="$got $hz:$uv"
	done
	got=${got# }
	[ "$got" = "$want" ] && return 0
	echo "OPP table $table: got '$got', want '$want'"
	return 1
}

evb=$work/rnpu-evb.dtb
if [ ! -f "$evb" ]; then
	not_run 1 "rnpu-evb.dts OPP table: rnpu-evb.dtb was not built (dtc missing or it failed)"
elif ! command -v fdtget >/dev/null; then
	not_run 1 "rnpu-evb.dts OPP table: fdtget (device-tree-compiler) is not installed"
elif check_opps "$evb"; then
	ok "rnpu-evb.dts OPP table matches hw/SPEC.md"
else
	bad "rnpu-evb.dts OPP table matches hw/SPEC.md"
fi

if ! command -v dt-doc-validate >/dev/null || ! command -v dt-validate >/dev/null; then
	not_run $((3 + n_dts)) "dt-schema validation: dt-schema is not installed (tools/setup-deps.sh kerneltest)"
else
	# Prints nothing when the schema is a valid binding.
	out=$(cd dt-bindings && timeout 300 dt-doc-validate -u "$PWD" "${schema#dt-bindings/}" 2>&1)
	if [ $? = 0 ] && [ -z "$out" ]; then
		ok "dt-doc-validate $schema"
	else
		echo "$out"
		bad "dt-doc-validate $schema"
	fi
	if timeout 300 dt-mk-schema -j -o "$work/processed.json" "$root/dt-bindings/npu" 2>"$work/mk.log"; then
		# dt-validate exits 0 even on violations; a clean run prints nothing.
		validate() {	# dtb
			local out
			out=$(timeout 300 dt-validate -s "$work/processed.json" "$1" 2>&1)
			[ -z "$out" ] && return 0
			echo "$out"
			return 1
		}
		if dt-extract-example "$schema" >"$work/example.dts" &&
		   dtc_clean "$work/example.dts" "$work/example.dtb" &&
		   validate "$work/example.dtb" &&
		   timeout 300 dt-validate -M -s "$work/processed.json" "$work/example.dtb" \
			>"$work/matched.log" 2>&1 &&
		   grep -q 'schemas/npu/rnpu,npu-v1.yaml' "$work/matched.log"; then
			ok "binding example compiles and validates against $schema"
		else
			bad "binding example compiles and validates against $schema"
		fi
		# The validator must also reject: drop a required property and
		# add an unknown one to the example.
		sed -e '/interrupt-names/d' -e 's/#cooling-cells = <2>;/#cooling-cells = <2>; bogus-prop;/' \
			"$work/example.dts" >"$work/broken.dts"
		if dtc -q -I dts -O dtb -o "$work/broken.dtb" "$work/broken.dts" 2>/dev/null &&
		   out=$(timeout 300 dt-validate -s "$work/processed.json" "$work/broken.dtb" 2>&1) &&
		   grep -q "'interrupt-names' is a required property" <<<"$out" &&
		   grep -q "bogus-prop" <<<"$out"; then
			ok "dt-validate rejects a node missing interrupt-names and with an unknown property"
		else
			echo "$out"
			bad "dt-validate rejects a node missing interrupt-names and with an unknown property"
		fi
		for dts in dt-bindings/examples/*.dts; do
			dtb=$work/$(basename "$dts" .dts).dtb
			[ -f "$dtb" ] || continue
			if validate "$dtb"; then
				ok "dt-validate $dts"
			else
				bad "dt-validate $dts"
			fi
		done
	else
		cat "$work/mk.log"
		bad "dt-mk-schema dt-bindings/npu"
	fi
fi

echo "RESULT: $pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
