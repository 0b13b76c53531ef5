#!/usr/bin/env bash
# Starts a real Mattermost server with PostgreSQL on 127.0.0.1 for Boussole's
# end-to-end tests, bootstraps a team, channels, a bot and users, and writes
# what the tests need to ${BOUSSOLE_MM_DIR:-/tmp/boussole-mm}/env.
# Idempotent: run it again and it reuses what is already there.
# See README.md in this directory.
set -euo pipefail

. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
trap on_err ERR

T0=$SECONDS
TEAM=${BOUSSOLE_MM_TEAM:-boussole}
PUBLIC_CHANNEL=accueil
MEDIATORS_CHANNEL=mediateurs
ADMIN_USER=admin
ADMIN_PASSWORD='Boussole-admin-1!'
USER_PASSWORD='Boussole-user-1!'
DB_NAME=mattermost
DB_USER=mmuser
DB_PASSWORD=mostest
DATASOURCE="postgres://${DB_USER}:${DB_PASSWORD}@127.0.0.1:${PG_PORT}/${DB_NAME}?sslmode=disable&connect_timeout=10"

mkdir -p "$WORK/logs" "$SERVER_DIR"
chmod 755 "$WORK"
CMDLOG="$WORK/logs/last-command.log"

# quiet runs a command with its output in $CMDLOG (shown on failure).
quiet() {
	"$@" >"$CMDLOG" 2>&1
}

# ---------------------------------------------------------------- packages
step "packages: PostgreSQL server, curl, jq"
missing=()
pg_bin >/dev/null || missing+=(postgresql)
command -v curl >/dev/null || missing+=(curl ca-certificates)
command -v jq >/dev/null || missing+=(jq)
if [ "$(id -u)" = 0 ]; then
	command -v runuser >/dev/null || missing+=(util-linux)
fi
if [ "${#missing[@]}" -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		die "missing packages ${missing[*]}; install them (sudo apt-get install ${missing[*]}) or run as root"
	fi
	log "installing with apt: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	quiet timeout 600 apt-get update -q || die "apt-get update failed" "$CMDLOG"
	quiet timeout 900 apt-get install -y -q --no-install-recommends "${missing[@]}" ||
		die "apt-get install ${missing[*]} failed" "$CMDLOG"
else
	log "already installed"
fi
PGBIN=$(pg_bin) || die "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin after install"
log "PostgreSQL binaries: $PGBIN"

# ---------------------------------------------------------------- postgresql
step "PostgreSQL: cluster in $PGDATA_DIR on 127.0.0.1:$PG_PORT"
mkdir -p "$PG_SOCK_DIR"
if [ "$(id -u)" = 0 ]; then
	chown postgres: "$PG_SOCK_DIR"
	touch "$PG_LOG" && chown postgres: "$PG_LOG"
fi
if [ ! -f "$PGDATA_DIR/PG_VERSION" ]; then
	rm -rf "$PGDATA_DIR"
	mkdir -p "$PGDATA_DIR"
	[ "$(id -u)" = 0 ] && chown postgres: "$PGDATA_DIR"
	quiet as_pg "$PGBIN/initdb" -D "$PGDATA_DIR" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 ||
		quiet as_pg "$PGBIN/initdb" -D "$PGDATA_DIR" -U postgres --auth=trust -E UTF8 --locale=C ||
		die "initdb failed" "$CMDLOG"
	log "cluster initialised"
fi
if as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; then
	log "PostgreSQL already running"
else
	quiet as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -l "$PG_LOG" -w -t 60 start \
		-o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_SOCK_DIR -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" ||
		die "PostgreSQL did not start" "$CMDLOG" "$PG_LOG"
	log "PostgreSQL started"
fi
PSQL="$PGBIN/psql"
[ -x "$PSQL" ] || PSQL=$(command -v psql) || die "no psql"
psql_admin() {
	as_pg "$PSQL" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK_DIR" -p "$PG_PORT" -U postgres -d postgres "$@"
}
deadline=$((SECONDS + 60))
until psql_admin -c 'select 1' >/dev/null 2>&1; do
	[ "$SECONDS" -lt "$deadline" ] || die "PostgreSQL does not accept connections after 60s" "$PG_LOG"
	sleep 0.5
done
if [ "$(psql_admin -tAc "select 1 from pg_roles where rolname='$DB_USER'")" != 1 ]; then
	quiet psql_admin -c "create role $DB_USER login password '$DB_PASSWORD'" || die "create role failed" "$CMDLOG"
fi
if [ "$(psql_admin -tAc "select 1 from pg_database where datname='$DB_NAME'")" != 1 ]; then
	quiet psql_admin -c "create database $DB_NAME owner $DB_USER encoding 'UTF8' template template0" ||
		die "create database failed" "$CMDLOG"
	log "database $DB_NAME created"
else
	log "database $DB_NAME exists"
fi

# ---------------------------------------------------------------- build
step "server binaries: build or reuse the cache"
WRAPPER="$MM_SCRIPT_DIR/wrapper"
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
# The cache key: the wrapper's sources and the Go version.
KEY=$({ cat "$WRAPPER/go.mod" "$WRAPPER/go.sum" "$WRAPPER"/*/main.go; "$GO" env GOVERSION GOARCH 2>/dev/null || true; } | sha256sum | cut -c1-16)
CACHE_ROOT=${BOUSSOLE_MM_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/boussole-mattermost}
CACHE="$CACHE_ROOT/$KEY"
if [ -x "$CACHE/bin/mattermost" ] && [ -x "$CACHE/bin/mmctl" ] && [ -d "$CACHE/i18n" ]; then
	log "cached build $CACHE"
else
	[ -x "$GO" ] || die "no go command (set GO=/path/to/go)"
	log "building the wrapper with $("$GO" version) (about 2-4 minutes on 2 cores)"
	tmp="$CACHE_ROOT/tmp.$$"
	rm -rf "$tmp"
	mkdir -p "$tmp/bin"
	(
		cd "$WRAPPER"
		export GONOSUMDB=github.com/mattermost/mattermost GOWORK=off GOFLAGS=-mod=mod
		timeout 1800 "$GO" build -o "$tmp/bin/" ./mattermost ./mmctl
	) >"$WORK/logs/build.log" 2>&1 || { rm -rf "$tmp"; die "go build of the wrapper failed" "$WORK/logs/build.log"; }
	moddir=$(cd "$WRAPPER" && GOWORK=off GOFLAGS=-mod=mod "$GO" list -m -f '{{.Dir}}' github.com/mattermost/mattermost/server/v8) ||
		die "cannot locate the server module in the module cache"
	for d in i18n templates fonts; do
		cp -R "$moddir/$d" "$tmp/$d"
		chmod -R u+w "$tmp/$d"
	done
	rm -rf "$CACHE"
	mv "$tmp" "$CACHE"
	log "built and cached in $CACHE"
fi
# The server runs from $SERVER_DIR: its binaries, i18n, templates and fonts.
mkdir -p "$SERVER_DIR/bin" "$SERVER_DIR/config" "$SERVER_DIR/logs" "$SERVER_DIR/data" "$SERVER_DIR/plugins" "$SERVER_DIR/client/plugins"
if [ "$(cat "$SERVER_DIR/.build" 2>/dev/null)" != "$KEY" ]; then
	rm -rf "$SERVER_DIR/i18n" "$SERVER_DIR/templates" "$SERVER_DIR/fonts"
	cp -R "$CACHE/i18n" "$CACHE/templates" "$CACHE/fonts" "$SERVER_DIR/"
	cp "$CACHE/bin/mattermost" "$CACHE/bin/mmctl" "$SERVER_DIR/bin/"
	echo "$KEY" >"$SERVER_DIR/.build"
fi

# ---------------------------------------------------------------- server
step "Mattermost: start on $MM_URL"
# Every setting the tests rely on, as MM_* environment variables (they
# override config.json and are not written to it). restart-server.sh reuses them.
cat >"$WORK/mattermost.env.tmp" <<EOF
MM_CONFIG='$SERVER_DIR/config/config.json'
MM_SQLSETTINGS_DRIVERNAME='postgres'
MM_SQLSETTINGS_DATASOURCE='$DATASOURCE'
MM_SERVICESETTINGS_SITEURL='$MM_URL'
MM_SERVICESETTINGS_LISTENADDRESS='127.0.0.1:$MM_PORT'
MM_SERVICESETTINGS_ENABLELOCALMODE='true'
MM_SERVICESETTINGS_LOCALMODESOCKETLOCATION='$MM_SOCKET'
MM_SERVICESETTINGS_ENABLEBOTACCOUNTCREATION='true'
MM_SERVICESETTINGS_ENABLEUSERACCESSTOKENS='true'
MM_SERVICESETTINGS_ENABLEPOSTUSERNAMEOVERRIDE='true'
MM_SERVICESETTINGS_ENABLEPOSTICONOVERRIDE='true'
MM_SERVICESETTINGS_ENABLECOMMANDS='true'
MM_SERVICESETTINGS_ENABLEINCOMINGWEBHOOKS='true'
MM_SERVICESETTINGS_ENABLEOUTGOINGWEBHOOKS='true'
MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS='127.0.0.1 localhost'
MM_SERVICESETTINGS_ENABLELINKPREVIEWS='false'
MM_SERVICESETTINGS_ENABLESECURITYFIXALERT='false'
MM_SERVICESETTINGS_ENABLEGIFPICKER='false'
MM_SERVICESETTINGS_ENABLEDEVELOPER='false'
MM_RATELIMITSETTINGS_ENABLE='false'
MM_PLUGINSETTINGS_ENABLE='false'
MM_PLUGINSETTINGS_ENABLEUPLOADS='false'
MM_PLUGINSETTINGS_ENABLEMARKETPLACE='false'
MM_PLUGINSETTINGS_AUTOMATICPREPACKAGEDPLUGINS='false'
MM_PLUGINSETTINGS_DIRECTORY='$SERVER_DIR/plugins'
MM_PLUGINSETTINGS_CLIENTDIRECTORY='$SERVER_DIR/client/plugins'
MM_LOGSETTINGS_ENABLEDIAGNOSTICS='false'
MM_LOGSETTINGS_ENABLECONSOLE='true'
MM_LOGSETTINGS_CONSOLELEVEL='WARN'
MM_LOGSETTINGS_ENABLEFILE='true'
MM_LOGSETTINGS_FILELEVEL='INFO'
MM_LOGSETTINGS_FILELOCATION='$SERVER_DIR/logs'
MM_NOTIFICATIONLOGSETTINGS_FILELOCATION='$SERVER_DIR/logs'
MM_FILESETTINGS_DIRECTORY='$SERVER_DIR/data/'
MM_EMAILSETTINGS_SENDEMAILNOTIFICATIONS='false'
MM_EMAILSETTINGS_REQUIREEMAILVERIFICATION='false'
MM_EMAILSETTINGS_SENDPUSHNOTIFICATIONS='false'
MM_ANNOUNCEMENTSETTINGS_ADMINNOTICESENABLED='false'
MM_ANNOUNCEMENTSETTINGS_USERNOTICESENABLED='false'
MM_TEAMSETTINGS_ENABLEOPENSERVER='true'
MM_TEAMSETTINGS_MAXUSERSPERTEAM='1000'
MM_METRICSSETTINGS_ENABLE='false'
EOF
mv "$WORK/mattermost.env.tmp" "$WORK/mattermost.env"
mm_start

# ---------------------------------------------------------------- bootstrap
export MMCTL_LOCAL_SOCKET_PATH="$MM_SOCKET"
mmctl() {
	timeout 60 "$SERVER_DIR/bin/mmctl" --local --suppress-warnings --format json "$@"
}

step "bootstrap with mmctl --local: admin user, team $TEAM, channels"
if ! mmctl user search "$ADMIN_USER" >"$CMDLOG" 2>&1 || ! grep -q '"username"' "$CMDLOG"; then
	quiet mmctl user create --email "$ADMIN_USER@boussole.test" --username "$ADMIN_USER" \
		--password "$ADMIN_PASSWORD" --system-admin || die "mmctl user create $ADMIN_USER failed" "$CMDLOG"
	log "admin user created"
fi
if ! mmctl team search "$TEAM" >"$CMDLOG" 2>&1 || ! grep -q "\"name\": *\"$TEAM\"" "$CMDLOG"; then
	quiet mmctl team create --name "$TEAM" --display-name "Boussole" --email "$ADMIN_USER@boussole.test" ||
		die "mmctl team create $TEAM failed" "$CMDLOG"
	log "team $TEAM created"
fi
quiet mmctl team users add "$TEAM" "$ADMIN_USER" || die "mmctl team users add failed" "$CMDLOG"
for ch in "$PUBLIC_CHANNEL:Accueil:" "$MEDIATORS_CHANNEL:Médiateurs:--private"; do
	IFS=: read -r name display flag <<<"$ch"
	if ! mmctl channel search --team "$TEAM" "$name" >"$CMDLOG" 2>&1; then
		quiet mmctl channel create --team "$TEAM" --name "$name" --display-name "$display" $flag ||
			die "mmctl channel create $name failed" "$CMDLOG"
		log "channel $name created"
	fi
done

# ---------------------------------------------------------------- REST API
# api METHOD PATH [JSON]: calls the REST API as the admin, prints the body,
# fails (naming the call) on an HTTP error.
API_TOKEN=""
api() {
	local method=$1 path=$2 body=${3:-} out code
	out=$(mktemp)
	code=$(curl -sS --max-time 30 -o "$out" -w '%{http_code}' -X "$method" \
		-H "Authorization: Bearer $API_TOKEN" -H 'Content-Type: application/json' \
		${body:+--data "$body"} "$MM_URL/api/v4$path") || { rm -f "$out"; die "curl $method $path failed"; }
	if [ "${code:0:1}" != 2 ]; then
		cp "$out" "$CMDLOG"
		rm -f "$out"
		die "$method $path answered HTTP $code" "$CMDLOG"
	fi
	cat "$out"
	rm -f "$out"
}
# api_status METHOD PATH: only the HTTP status.
api_status() {
	curl -sS --max-time 30 -o /dev/null -w '%{http_code}' -X "$1" -H "Authorization: Bearer $API_TOKEN" "$MM_URL/api/v4$2"
}

step "REST API: admin login and personal access token"
login_headers=$(mktemp)
curl -fsS --max-time 30 -D "$login_headers" -o "$CMDLOG" -H 'Content-Type: application/json' \
	--data "$(jq -nc --arg l "$ADMIN_USER" --arg p "$ADMIN_PASSWORD" '{login_id:$l,password:$p}')" \
	"$MM_URL/api/v4/users/login" || die "admin login failed" "$CMDLOG"
API_TOKEN=$(awk 'tolower($1)=="token:" {print $2}' "$login_headers" | tr -d '\r')
rm -f "$login_headers"
[ -n "$API_TOKEN" ] || die "admin login returned no Token header"
ADMIN_ID=$(jq -r .id "$CMDLOG")
ADMIN_TOKEN=$(api POST "/users/$ADMIN_ID/tokens" '{"description":"boussole e2e admin"}' | jq -r .token)
API_TOKEN=$ADMIN_TOKEN

TEAM_ID=$(api GET "/teams/name/$TEAM" | jq -r .id)
PUBLIC_CHANNEL_ID=$(api GET "/teams/$TEAM_ID/channels/name/$PUBLIC_CHANNEL" | jq -r .id)
MEDIATORS_CHANNEL_ID=$(api GET "/teams/$TEAM_ID/channels/name/$MEDIATORS_CHANNEL?include_deleted=false" | jq -r .id)

# ensure_user USERNAME: creates the user if missing, prints its id.
ensure_user() {
	local u=$1
	if [ "$(api_status GET "/users/username/$u")" = 200 ]; then
		api GET "/users/username/$u" | jq -r .id
	else
		api POST /users "$(jq -nc --arg u "$u" --arg p "$USER_PASSWORD" \
			'{username:$u,email:($u+"@boussole.test"),password:$p,first_name:$u}')" | jq -r .id
	fi
}
# join USER_ID CHANNEL_IDS...: adds a user to the team and channels.
join() {
	local uid=$1 ch
	shift
	api POST "/teams/$TEAM_ID/members" "$(jq -nc --arg t "$TEAM_ID" --arg u "$uid" '{team_id:$t,user_id:$u}')" >/dev/null
	for ch in "$@"; do
		api POST "/channels/$ch/members" "$(jq -nc --arg u "$uid" '{user_id:$u}')" >/dev/null
	done
}
new_token() {
	api POST "/users/$1/tokens" "$(jq -nc --arg d "$2" '{description:$d}')" | jq -r .token
}

step "REST API: bot account boussole and its token"
if [ "$(api_status GET /users/username/boussole)" = 200 ]; then
	BOT_ID=$(api GET /users/username/boussole | jq -r .id)
else
	BOT_ID=$(api POST /bots '{"username":"boussole","display_name":"Boussole","description":"Boussole, end-to-end tests"}' | jq -r .user_id)
fi
join "$BOT_ID" "$PUBLIC_CHANNEL_ID" "$MEDIATORS_CHANNEL_ID"
# Team admin in the team, so the bot may register its /boussole slash command.
api PUT "/teams/$TEAM_ID/members/$BOT_ID/schemeRoles" '{"scheme_admin":true,"scheme_user":true}' >/dev/null
BOT_TOKEN=$(new_token "$BOT_ID" "boussole e2e bot")
api POST "/channels/$MEDIATORS_CHANNEL_ID/members" "$(jq -nc --arg u "$ADMIN_ID" '{user_id:$u}')" >/dev/null
api POST "/channels/$PUBLIC_CHANNEL_ID/members" "$(jq -nc --arg u "$ADMIN_ID" '{user_id:$u}')" >/dev/null

step "REST API: citizen and mediator users, their tokens"
CITIZEN=citoyen
MEDIATOR1=mediatrice1
MEDIATOR2=mediateur2
CITIZEN_ID=$(ensure_user $CITIZEN)
MEDIATOR1_ID=$(ensure_user $MEDIATOR1)
MEDIATOR2_ID=$(ensure_user $MEDIATOR2)
for uid in "$CITIZEN_ID" "$MEDIATOR1_ID" "$MEDIATOR2_ID"; do
	api PUT "/users/$uid/roles" '{"roles":"system_user system_user_access_token"}' >/dev/null
done
join "$CITIZEN_ID" "$PUBLIC_CHANNEL_ID"
join "$MEDIATOR1_ID" "$PUBLIC_CHANNEL_ID" "$MEDIATORS_CHANNEL_ID"
join "$MEDIATOR2_ID" "$PUBLIC_CHANNEL_ID" "$MEDIATORS_CHANNEL_ID"
CITIZEN_TOKEN=$(new_token "$CITIZEN_ID" "boussole e2e citizen")
MEDIATOR1_TOKEN=$(new_token "$MEDIATOR1_ID" "boussole e2e mediator 1")
MEDIATOR2_TOKEN=$(new_token "$MEDIATOR2_ID" "boussole e2e mediator 2")

# ---------------------------------------------------------------- env
step "writing $WORK/env"
q() { printf '%q' "$1"; }
cat >"$WORK/env.tmp" <<EOF
# Written by scripts/mattermost/up.sh at $(date -u +%Y-%m-%dT%H:%M:%SZ). Source it: . $WORK/env
export BOUSSOLE_MM_DIR=$(q "$WORK")
export BOUSSOLE_MM_URL=$(q "$MM_URL")
export BOUSSOLE_MM_PORT=$MM_PORT
export BOUSSOLE_MM_PG_PORT=$PG_PORT
export BOUSSOLE_MM_LOCAL_SOCKET=$(q "$MM_SOCKET")
export BOUSSOLE_MM_RESTART=$(q "$MM_SCRIPT_DIR/restart-server.sh")
export BOUSSOLE_MM_MMCTL=$(q "$SERVER_DIR/bin/mmctl")
export BOUSSOLE_MM_TEAM=$TEAM
export BOUSSOLE_MM_TEAM_ID=$TEAM_ID
export BOUSSOLE_MM_PUBLIC_CHANNEL=$PUBLIC_CHANNEL
export BOUSSOLE_MM_PUBLIC_CHANNEL_ID=$PUBLIC_CHANNEL_ID
export BOUSSOLE_MM_MEDIATORS_CHANNEL=$MEDIATORS_CHANNEL
export BOUSSOLE_MM_MEDIATORS_CHANNEL_ID=$MEDIATORS_CHANNEL_ID
export BOUSSOLE_MM_ADMIN_USERNAME=$ADMIN_USER
export BOUSSOLE_MM_ADMIN_ID=$ADMIN_ID
export BOUSSOLE_MM_ADMIN_PASSWORD=$(q "$ADMIN_PASSWORD")
export BOUSSOLE_MM_ADMIN_TOKEN=$ADMIN_TOKEN
export BOUSSOLE_MM_BOT_USERNAME=boussole
export BOUSSOLE_MM_BOT_ID=$BOT_ID
export BOUSSOLE_MM_BOT_TOKEN=$BOT_TOKEN
export BOUSSOLE_MM_USER_PASSWORD=$(q "$USER_PASSWORD")
export BOUSSOLE_MM_CITIZEN_USERNAME=$CITIZEN
export BOUSSOLE_MM_CITIZEN_ID=$CITIZEN_ID
export BOUSSOLE_MM_CITIZEN_TOKEN=$CITIZEN_TOKEN
export BOUSSOLE_MM_MEDIATOR1_USERNAME=$MEDIATOR1
export BOUSSOLE_MM_MEDIATOR1_ID=$MEDIATOR1_ID
export BOUSSOLE_MM_MEDIATOR1_TOKEN=$MEDIATOR1_TOKEN
export BOUSSOLE_MM_MEDIATOR2_USERNAME=$MEDIATOR2
export BOUSSOLE_MM_MEDIATOR2_ID=$MEDIATOR2_ID
export BOUSSOLE_MM_MEDIATOR2_TOKEN=$MEDIATOR2_TOKEN
EOF
mv "$WORK/env.tmp" "$WORK/env"
echo "SERVER READY" >"$WORK/READY"
step "ready in $((SECONDS - T0))s: . $WORK/env"
