#!/usr/bin/env bash
# bookworm-backports through apt with its own private state: a thin wrapper
# of tools/apt-private.sh backports (see there for the layout).
#   tools/apt-backports.sh sources        print the private sources file
#   tools/apt-backports.sh APT-ARGS...    run apt-get with the private state
exec "$(dirname "$0")/apt-private.sh" backports "$@"
