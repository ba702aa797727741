#!/usr/bin/env bash
# Use bookworm-backports (binary and source) without editing /etc/apt:
#   tools/apt-backports.sh sources        print the private sources file
#   tools/apt-backports.sh APT-ARGS...    run apt-get with it (plus the
#                                         system's own sources.list.d)
set -euo pipefail
key=/usr/share/keyrings/debian-archive-keyring.gpg
if [ "${1:-}" = sources ]; then
	for t in deb deb-src; do
		echo "$t [signed-by=$key] http://deb.debian.org/debian bookworm-backports main"
	done
	exit 0
fi
src=${RNPU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rnpu}/apt/backports.list
mkdir -p "$(dirname "$src")"
"$0" sources > "$src"
exec apt-get -o "Dir::Etc::SourceList=$src" "$@"
