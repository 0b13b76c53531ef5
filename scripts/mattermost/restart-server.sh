#!/usr/bin/env bash
# Restarts only the Mattermost process started by up.sh: same configuration,
# database and data; PostgreSQL keeps running. Returns once the server answers
# /api/v4/system/ping again. Tokens, users and channels stay valid.
# Options: --stop-only (stop and return), --start-only (start and wait),
# --down-for SECONDS (stay stopped that long before starting again),
# --kill (SIGKILL, like a crash, instead of a graceful stop that takes 2-20s).
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

mode=restart
down_for=0
sig=TERM
while [ $# -gt 0 ]; do
	case $1 in
	--stop-only) mode=stop ;;
	--start-only) mode=start ;;
	--down-for) down_for=$2; shift ;;
	--kill) sig=KILL ;;
	*) echo "usage: $0 [--stop-only|--start-only] [--kill] [--down-for SECONDS]" >&2; exit 2 ;;
	esac
	shift
done
if [ "$mode" != start ]; then
	step "stopping Mattermost"
	mm_stop "$sig"
fi
[ "$down_for" = 0 ] || sleep "$down_for"
if [ "$mode" != stop ]; then
	step "starting Mattermost"
	mm_start
fi
