#!/usr/bin/env bash
# Stops the Mattermost server and the PostgreSQL cluster started by up.sh.
# Keeps their data in ${BOUSSOLE_MM_DIR:-/tmp/boussole-mm}; delete that
# directory for a fresh start (the build cache in ~/.cache stays).
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

step "stopping Mattermost"
mm_stop
step "stopping PostgreSQL"
if PGBIN=$(pg_bin) && [ -f "$PGDATA_DIR/PG_VERSION" ] &&
	as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; then
	as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w -t 60 stop >/dev/null
	log "PostgreSQL stopped"
else
	log "PostgreSQL not running"
fi
rm -f "$WORK/READY"
step "down"
