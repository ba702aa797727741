# shellcheck shell=bash
# Sourced by the suites that fuzz librnpu itself (12-importer-fuzz,
# 14-dynamic-fuzz): one clang, one ASan/UBSan build tree shared by their
# fuzz targets, and one way to report what a fuzzer found.
#   fuzz_pick_clang TMP        sets $cc/$cxx to the newest clang >= 15 that
#                              links libFuzzer, or prints NOT RUN and exits 77
#   fuzz_build TMP TARGET      configures ${BUILD_DIR}-fuzz-importer (once)
#                              and builds TARGET there; sets $fb; on failure
#                              prints why and returns 1
#   fuzz_report LOG ARTIFACTS  the sanitizer report and where the
#                              reproducers were kept ($fb-artifacts/)

# librnpu's NPU code generator uses _Float16, which clang 14 rejects on x86
# (clang >= 15 accepts it).
_fuzz_clang_version() {
	local v
	for v in 19 18 17 16 15; do
		command -v "clang++-$v" >/dev/null && { echo "$v"; return; }
	done
}

fuzz_pick_clang() {
	local tmp=$1 ver
	ver=$(_fuzz_clang_version)
	if [ -z "$ver" ]; then
		tools/setup-deps.sh cli >/dev/null 2>&1 || true
		ver=$(_fuzz_clang_version)
	fi
	if [ -z "$ver" ]; then
		echo "NOT RUN: no clang >= 15 (tools/setup-deps.sh cli installs clang-16)"
		exit 77
	fi
	cxx=clang++-$ver
	cc=clang-$ver
	echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, unsigned long) { return 0; }' \
		>"$tmp/p.cc"
	if ! "$cxx" -fsanitize=fuzzer,address "$tmp/p.cc" -o "$tmp/p" 2>"$tmp/err"; then
		echo "NOT RUN: $cxx cannot link libFuzzer ($(head -n 1 "$tmp/err"); install libclang-rt-$ver-dev)"
		exit 77
	fi
}

fuzz_build() {
	local tmp=$1 target=$2
	local flags="-fsanitize=address,undefined -fno-sanitize-recover=all -fsanitize=fuzzer-no-link -O1 -g"
	fb=${BUILD_DIR%/}-fuzz-importer
	# A tree configured with another compiler starts over (corpora kept).
	if [ -f "$fb/CMakeCache.txt" ] && ! grep -q "CMAKE_CXX_COMPILER:.*$cxx\$" "$fb/CMakeCache.txt"; then
		find "$fb" -mindepth 1 -maxdepth 1 ! -name 'corpus*' -exec rm -rf {} +
	fi
	if [ ! -f "$fb/build.ninja" ]; then
		if ! timeout 600 cmake -S . -B "$fb" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
			-DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" -DRNPU_BUILD_FUZZERS=ON \
			-DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" >"$tmp/cfg.log" 2>&1; then
			tail -n 20 "$tmp/cfg.log"
			echo "cannot configure the fuzz build in $fb"
			return 1
		fi
	fi
	if ! timeout 3600 cmake --build "$fb" --target "$target" >"$tmp/build.log" 2>&1; then
		grep -E 'error|FAILED' "$tmp/build.log" | head -n 20
		echo "cannot build $target in $fb"
		return 1
	fi
}

fuzz_report() {
	local log=$1 artifacts=$2 a
	grep -E -A25 'ERROR: |==ERROR|runtime error|deadly signal|Timeout|out-of-memory|malloc\(' \
		"$log" | head -n 60
	for a in "$artifacts"*; do
		[ -f "$a" ] || continue
		mkdir -p "$fb-artifacts"
		cp "$a" "$fb-artifacts/" && echo "reproducer: $fb-artifacts/$(basename "$a")"
	done
}
