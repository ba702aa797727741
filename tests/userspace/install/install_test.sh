#!/usr/bin/env bash
# Installs librnpu from a build tree into a scratch prefix, then builds and
# runs a consumer through find_package (C and C++, each shared and static)
# and pkg-config (C and C++ against the shared library), and checks that the
# installed librnpu.so exports only the C API.
#   install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build/userspace" --prefix "$tmp/prefix" >/dev/null
model=/usr/share/libonnx-testdata/data/node/test_relu/model.onnx
[ -f "$model" ] || model=
cmake -S "$src" -B "$tmp/build" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/build" >/dev/null
"$tmp/build/consumer_shared" $model
"$tmp/build/consumer_static" $model
"$tmp/build/consumer_cxx_shared" $model
"$tmp/build/consumer_cxx_static" $model
# The shared C++ consumer uses librnpu.so, not a copy of the library.
readelf -d "$tmp/build/consumer_cxx_shared" | grep -q 'NEEDED.*\[librnpu\.so\.0\]'
# librnpu.so exports the C API alone, under version nodes RNPU_1.0 and later.
so=$(find "$tmp/prefix" -name 'librnpu.so.*' -type f | head -n1)
if nm -D --defined-only "$so" | grep -v -E ' (T rnpu_[a-z0-9_]+(@@?RNPU_[0-9]+\.[0-9]+)?|A RNPU_[0-9]+\.[0-9]+)$'; then
	echo "installed $so exports more than the C API (above)"
	exit 1
fi
nm -D --defined-only --with-symbol-versions "$so" | grep -q ' T rnpu_session_run@@RNPU_1.0$'
nm -D --defined-only --with-symbol-versions "$so" | grep -q ' T rnpu_session_graph@@RNPU_1.2$'
pc=$(find "$tmp/prefix" -type d -name pkgconfig | head -n1)
libdir=$(dirname "$pc")
# The .pc file carries the configured prefix; point pkg-config at ours.
flags=$(PKG_CONFIG_PATH="$pc" pkg-config --define-variable=prefix="$tmp/prefix" --cflags --libs rnpu)
cc "$src/consumer.c" $flags -Wl,-rpath,"$libdir" -o "$tmp/consumer_pc"
"$tmp/consumer_pc" $model
c++ -std=c++20 "$src/consumer_cxx.cc" $flags -Wl,-rpath,"$libdir" -o "$tmp/consumer_cxx_pc"
"$tmp/consumer_cxx_pc" $model
echo "install test passed"
