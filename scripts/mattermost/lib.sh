# Shared by up.sh, down.sh and restart-server.sh: paths, ports, logging and
# the start/stop of the Mattermost process. Sourced, not run.

MM_SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WORK=${BOUSSOLE_MM_DIR:-/tmp/boussole-mm}
MM_PORT=${BOUSSOLE_MM_PORT:-8065}
PG_PORT=${BOUSSOLE_MM_PG_PORT:-5433}
MM_URL="http://127.0.0.1:${MM_PORT}"
PGDATA_DIR="$WORK/pgdata"
PG_SOCK_DIR="$WORK/pgsock"
PG_LOG="$WORK/logs/postgresql.log"
SERVER_DIR="$WORK/server"
MM_LOG="$WORK/logs/mattermost.out"
MM_PIDFILE="$WORK/mattermost.pid"
MM_SOCKET="$WORK/mattermost_local.socket"
MM_START_TIMEOUT=${BOUSSOLE_MM_START_TIMEOUT:-180}

STEP="start"
step() { STEP="$*"; printf '[mattermost %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
log() { printf '[mattermost %s]   %s\n' "$(date -u +%H:%M:%S)" "$*"; }

# die prints the failed step, then the tail of every log named after it.
die() {
	printf '[mattermost] FAILED at step "%s": %s\n' "$STEP" "$1" >&2
	shift
	local f
	for f in "$@"; do
		if [ -f "$f" ]; then
			printf -- '----- last lines of %s -----\n' "$f" >&2
			tail -n 40 "$f" >&2
		fi
	done
	exit 1
}

on_err() {
	local rc=$?
	printf '[mattermost] FAILED at step "%s" (exit %s, line %s)\n' "$STEP" "$rc" "${BASH_LINENO[0]}" >&2
	local f
	for f in "$WORK/logs/last-command.log" "$MM_LOG" "$SERVER_DIR/logs/mattermost.log" "$PG_LOG"; do
		if [ -s "$f" ]; then
			printf -- '----- last lines of %s -----\n' "$f" >&2
			tail -n 30 "$f" >&2
		fi
	done
	exit "$rc"
}

# pg_bin finds Debian's PostgreSQL server binaries (newest major first).
pg_bin() {
	local d
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
			echo "$d"
			return 0
		fi
	done
	return 1
}

# as_pg runs a command as the user that owns the cluster: "postgres" when we
# are root (initdb refuses root), ourselves otherwise.
as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

mm_pid() {
	local pid
	[ -f "$MM_PIDFILE" ] || return 1
	pid=$(cat "$MM_PIDFILE")
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

mm_ping() {
	curl -fsS --max-time 3 "$MM_URL/api/v4/system/ping" >/dev/null 2>&1
}

# mm_start starts the server in the background with the environment saved by
# up.sh in $WORK/mattermost.env, and waits for /api/v4/system/ping.
mm_start() {
	[ -x "$SERVER_DIR/bin/mattermost" ] || die "no server binary in $SERVER_DIR/bin; run up.sh first"
	[ -f "$WORK/mattermost.env" ] || die "no $WORK/mattermost.env; run up.sh first"
	if pid=$(mm_pid); then
		log "Mattermost already running (pid $pid)"
	else
		if mm_ping; then
			die "something else already answers on $MM_URL (set BOUSSOLE_MM_PORT to use another port)"
		fi
		rm -f "$MM_SOCKET"
		(
			set -a
			# shellcheck disable=SC1091
			. "$WORK/mattermost.env"
			set +a
			cd "$SERVER_DIR"
			exec setsid "$SERVER_DIR/bin/mattermost" server </dev/null >>"$MM_LOG" 2>&1
		) &
		echo $! >"$MM_PIDFILE"
		log "Mattermost started (pid $(cat "$MM_PIDFILE")), log $MM_LOG"
	fi
	local deadline=$((SECONDS + MM_START_TIMEOUT))
	until mm_ping; do
		if ! mm_pid >/dev/null; then
			die "the Mattermost process exited during start-up" "$MM_LOG" "$SERVER_DIR/logs/mattermost.log"
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			die "Mattermost did not answer $MM_URL/api/v4/system/ping within ${MM_START_TIMEOUT}s" "$MM_LOG" "$SERVER_DIR/logs/mattermost.log"
		fi
		sleep 0.5
	done
	# The ping may come from another server on the same port: the local-mode
	# socket, made by ours, tells.
	deadline=$((SECONDS + 30))
	until [ -S "$MM_SOCKET" ]; do
		if ! mm_pid >/dev/null; then
			die "the Mattermost process exited during start-up (is port $MM_PORT taken? BOUSSOLE_MM_PORT chooses another)" "$MM_LOG"
		fi
		[ "$SECONDS" -lt "$deadline" ] || die "no local-mode socket at $MM_SOCKET after 30s" "$MM_LOG"
		sleep 0.2
	done
	log "Mattermost answers on $MM_URL"
}

# mm_stop [TERM|KILL] stops the server: by default SIGTERM (a graceful stop,
# 2 to 20 seconds), then SIGKILL after 30s; with KILL at once, like a crash.
mm_stop() {
	local pid sig=${1:-TERM}
	if pid=$(mm_pid); then
		kill -"$sig" "$pid" 2>/dev/null || true
		local deadline=$((SECONDS + 30))
		while kill -0 "$pid" 2>/dev/null; do
			if [ "$SECONDS" -ge "$deadline" ]; then
				log "Mattermost (pid $pid) still running after 30s, killing it"
				kill -KILL "$pid" 2>/dev/null || true
				sleep 0.5
				break
			fi
			sleep 0.2
		done
		log "Mattermost stopped (pid $pid)"
	else
		log "Mattermost not running"
	fi
	rm -f "$MM_PIDFILE" "$MM_SOCKET"
}
