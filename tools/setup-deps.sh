#!/usr/bin/env bash
# Install every Debian (and npm) dependency the project needs, idempotently
# and without questions.  Package lists live in tools/deps/*.list, one file
# per part of the tree, so each part owns its own list:
#   pkgname                 from the default suites
#   pkgname @backports      from bookworm-backports, through its private apt
#                           state (tools/apt-private.sh backports: its own
#                           sources file, lists and cache; /etc/apt and the
#                           system's lists are never touched)
#   # comment
# Usage: tools/setup-deps.sh [--check] [LIST...]
#   --check   only report what is missing; exit 1 if anything is.
#   LIST      restrict to these list names (e.g. "hw userspace").
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
check_only=0
lists=()
for a in "$@"; do
	case "$a" in
	--check) check_only=1 ;;
	-h|--help) sed -n '2,13p' "$0"; exit 0 ;;
	*) lists+=("$here/deps/$a.list") ;;
	esac
done
[ ${#lists[@]} -gt 0 ] || lists=("$here"/deps/*.list)

export DEBIAN_FRONTEND=noninteractive

main_pkgs=()
bp_pkgs=()
for l in "${lists[@]}"; do
	[ -f "$l" ] || { echo "setup-deps: no such list $l" >&2; exit 2; }
	while read -r pkg suite _; do
		case "$pkg" in ''|'#'*) continue ;; esac
		if [ "$suite" = "@backports" ]; then bp_pkgs+=("$pkg"); else main_pkgs+=("$pkg"); fi
	done < "$l"
done

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
bp_missing=()
for p in "${main_pkgs[@]}"; do installed "$p" || missing+=("$p"); done
for p in "${bp_pkgs[@]}"; do installed "$p" || bp_missing+=("$p"); done
# npm is a command, not a package, here: NodeSource's nodejs bundles it and
# conflicts with Debian's npm package, Debian's nodejs needs that package.
if printf '%s\n' "${main_pkgs[@]}" | grep -qx nodejs && ! command -v npm > /dev/null; then
	missing+=(npm)
fi

if [ ${#missing[@]} -eq 0 ] && [ ${#bp_missing[@]} -eq 0 ]; then
	echo "setup-deps: all $(( ${#main_pkgs[@]} + ${#bp_pkgs[@]} )) Debian packages present"
	exit 0
fi
if [ $check_only = 1 ]; then
	echo "setup-deps: missing: ${missing[*]} ${bp_missing[*]}"
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	SUDO=sudo
else
	SUDO=
fi

apt_install() {
	# Refresh the lists only when an install fails: a fresh machine may have none.
	if ! $SUDO apt-get install -y -q --no-install-recommends "$@"; then
		$SUDO apt-get update -q
		$SUDO apt-get install -y -q --no-install-recommends "$@"
	fi
}

if [ ${#missing[@]} -gt 0 ]; then
	echo "setup-deps: installing ${missing[*]}"
	apt_install "${missing[@]}"
fi
if [ ${#bp_missing[@]} -gt 0 ]; then
	# Its own lists hold bookworm (the system's sources) and backports, so
	# dependencies resolve; what is installed is still dpkg's one status.
	# The cache location is the caller's, also under sudo.
	bp=(env "RNPU_CACHE=${RNPU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rnpu}" "$here/apt-private.sh" backports)
	echo "setup-deps: installing from bookworm-backports: ${bp_missing[*]}"
	$SUDO "${bp[@]}" update -q
	$SUDO "${bp[@]}" install -y -q --no-install-recommends -t bookworm-backports "${bp_missing[@]}"
fi
echo "setup-deps: done"
