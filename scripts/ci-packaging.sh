#!/usr/bin/env bash
# CI for packaging (issue 24): no container engine runs on these machines
# and no container registry is reachable, so the image itself is not
# built. Instead:
#   - the Dockerfile passes BuildKit's own checks (`docker build --check`)
#     and the image's rules, and .dockerignore keeps what the build needs
#     (deploy/dockerlint, a Go module of its own);
#   - the binary is built by scripts/build.sh, the very recipe the
#     Dockerfile runs, and checked: static, -trimpath, version embedded,
#     time zones inside (the image has no /usr/share/zoneinfo);
#   - it serves on a read-only root filesystem with only its data folder
#     writable, as in the container, and `boussole healthcheck` (the
#     image's HEALTHCHECK) answers 0 while it serves and 1 once stopped;
#   - the systemd units pass systemd-analyze verify and security;
#   - the alert rules and every dashboard query pass promtool, and the
#     alerts fire in promtool's unit tests;
#   - scripts/release.sh builds linux/amd64 and linux/arm64.
# Needs Debian's prometheus (promtool), systemd (systemd-analyze) and file;
# installs them when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
gopath=$(/usr/local/go/bin/go env GOPATH 2>/dev/null || echo /root/go)
export PATH="/usr/local/go/bin:$gopath/bin:$PATH"

step() { printf '\n=== packaging: %s\n' "$*"; }
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

step "tools (promtool, systemd-analyze, file)"
need=()
command -v promtool >/dev/null || need+=(prometheus)
command -v systemd-analyze >/dev/null || need+=(systemd)
command -v file >/dev/null || need+=(file)
if ((${#need[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
promtool --version 2>&1 | head -1
systemd-analyze --version | head -1

step "Dockerfile: BuildKit's checks, the image's rules, the build context (deploy/dockerlint)"
(
  cd deploy/dockerlint
  test -z "$(gofmt -l .)" || fail "gofmt: $(gofmt -l .)"
  go vet ./...
  if command -v staticcheck >/dev/null; then staticcheck ./...; fi
  go test -count=1 ./...
)

step "the binary, built as the Dockerfile builds it (scripts/build.sh, linux/amd64)"
version="ci-$(git rev-parse --short HEAD 2>/dev/null || echo local)"
bin="$tmp/boussole"
GOOS=linux GOARCH=amd64 sh scripts/build.sh "$bin" "$version"
file "$bin"
file "$bin" | grep -q "statically linked" || fail "$bin is not statically linked"
if ldd "$bin" >/dev/null 2>&1; then fail "ldd lists libraries for $bin: not static"; fi
info=$(go version -m "$bin")
# (-ldflags is not recorded under -trimpath: `version` below checks it.)
for want in "CGO_ENABLED=0" "-trimpath=true" "-tags=timetzdata"; do
  grep -qF -- "$want" <<<"$info" || fail "build info of $bin lacks $want:"$'\n'"$info"
done
"$bin" version | tee "$tmp/version.txt"
[ "$(head -1 "$tmp/version.txt")" = "boussole $version" ] || fail "boussole version does not say $version"

can_unshare=0
if unshare -m true 2>/dev/null; then can_unshare=1; fi
skipped=()

step "time zones without the system's (the image has no /usr/share/zoneinfo)"
mkdir -p "$tmp/tz"
cat >"$tmp/tz/config.yaml" <<'EOF'
mediation:
  mediators: {console: [marie]}
  queues:
    default:
      platform: console
      channel: mediateurs
      hours:
        timezone: America/Toronto
        week: {mon: 09:00-17:00}
EOF
if [ "$can_unshare" = 1 ]; then
  # shellcheck disable=SC2016 # $0..$2 are the inner shell's arguments
  out=$(echo aide | unshare -m sh -c 'mount -t tmpfs none /usr/share/zoneinfo && exec "$0" chat --config "$1" --db "$2"' \
    "$bin" "$tmp/tz/config.yaml" "$tmp/tz/b.db" 2>&1) || fail "chat without the system's zones: $out"
  grep -q "Boussole" <<<"$out" || fail "chat without the system's zones said: $out"
  echo "ok: America/Toronto loaded from the binary"
else
  echo "SKIP: unshare -m is not permitted here; the zones check needs a mount namespace"
  skipped+=("time zones without the system's")
fi

step "serve on a read-only root filesystem; boussole healthcheck answers"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
mkdir -p "$tmp/data"
cat >"$tmp/serve-check.sh" <<'EOF'
set -euo pipefail
bin=$1 data=$2 port=$3 readonly=$4
if [ "$readonly" = 1 ]; then
  # This mount namespace only: every mount read-only, then the data
  # folder writable, as the container's volume on a --read-only root.
  findmnt -rno TARGET | sort | while read -r m; do mount -o remount,bind,ro "$m" 2>/dev/null || true; done
  mount -t tmpfs -o size=256m,mode=0700 none "$data"
  if touch "$(dirname "$data")/rw-probe" 2>/dev/null; then echo "the root is still writable" >&2; exit 1; fi
fi
cd "$data"
export TMPDIR="$data"
printf 'console:\n  enabled: true\nlog:\n  format: json\n' >config.yaml
mkfifo stdin
# The console adapter reads the fifo: serve runs while it is open, and
# stops cleanly, finishing its work, when it closes.
"$bin" serve --config config.yaml --listen "127.0.0.1:$port" <stdin >serve.out 2>serve.log &
pid=$!
exec 3>stdin
url="http://127.0.0.1:$port"
for _ in $(seq 1 600); do
  "$bin" healthcheck --url "$url/healthz" --timeout 1s >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { cat serve.log; echo "serve stopped" >&2; exit 1; }
  sleep 0.1
done
"$bin" healthcheck --url "$url/healthz"
"$bin" healthcheck --url "$url/readyz"
echo "aide" >&3
exec 3>&-
wait "$pid" || { cat serve.log; echo "serve exited $?" >&2; exit 1; }
grep -q "Boussole" serve.out || { cat serve.out; echo "no answer on the console" >&2; exit 1; }
if "$bin" healthcheck --url "$url/readyz" --timeout 2s 2>/dev/null; then echo "healthcheck passed with no server" >&2; exit 1; fi
test -s boussole.db || { echo "no database in the data folder" >&2; exit 1; }
grep -q '"level":"INFO"' serve.log || { cat serve.log; echo "log.format json: no JSON lines" >&2; exit 1; }
echo "ok: served, answered, ready, stopped cleanly; wrote only $(ls | tr '\n' ' ')"
EOF
if [ "$can_unshare" = 1 ]; then
  unshare -m bash "$tmp/serve-check.sh" "$bin" "$tmp/data" "$port" 1
else
  echo "SKIP read-only root: unshare -m is not permitted here; serving on a writable one"
  skipped+=("read-only root filesystem")
  bash "$tmp/serve-check.sh" "$bin" "$tmp/data" "$port" 0
fi

step "systemd units (systemd-analyze verify and security)"
mkdir -p "$tmp/units"
for f in deploy/boussole.service deploy/boussole-backup.service deploy/boussole-backup.timer; do
  # The binary is not installed here: point the units at the one built.
  sed "s#/usr/local/bin/boussole#$bin#g" "$f" >"$tmp/units/$(basename "$f")"
done
# verify exits 0 on unknown keys: any message at all fails the check.
if ! systemd-analyze verify "$tmp/units/boussole.service" "$tmp/units/boussole-backup.service" "$tmp/units/boussole-backup.timer" >"$tmp/verify.log" 2>&1 ||
  [ -s "$tmp/verify.log" ]; then
  cat "$tmp/verify.log"
  fail "systemd-analyze verify"
fi
echo "ok: verify"
for u in boussole.service boussole-backup.service; do
  # Exposure from 0 (locked down) to 10; the units score about 1.5.
  systemd-analyze security --offline=true --threshold=25 "$tmp/units/$u" | tail -1
done

step "Prometheus alerts and the Grafana dashboard's queries (promtool)"
promtool check rules deploy/prometheus/alerts.yml
promtool test rules deploy/prometheus/alerts_test.yml
# Every dashboard query, with Grafana's variables filled in, as a recording
# rule: promtool parses each one.
python3 - deploy/grafana/boussole.json >"$tmp/dashboard-rules.yml" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
exprs = []
def walk(ps):
    for p in ps:
        walk(p.get("panels", []))
        exprs.extend(t["expr"] for t in p.get("targets", []))
walk(d["panels"])
subst = {"$__rate_interval": "5m", "$__range": "1h", "$platform": ".*", "$queue": ".*"}
rules = []
for i, e in enumerate(exprs):
    for k, v in subst.items():
        e = e.replace(k, v)
    rules.append({"record": "dashboard:query_%d" % i, "expr": e})
print(json.dumps({"groups": [{"name": "dashboard", "rules": rules}]}, indent=1))
EOF
promtool check rules "$tmp/dashboard-rules.yml"

step "release builds (scripts/release.sh: linux/amd64 and linux/arm64)"
DIST="$tmp/dist" scripts/release.sh "$version"
for arch in amd64 arm64; do
  f="$tmp/dist/boussole-$version-linux-$arch"
  file "$f" | grep -q "statically linked" || fail "$f is not statically linked"
done
file "$tmp/dist/boussole-$version-linux-arm64" | grep -q "ARM aarch64" || fail "the arm64 build is not for arm64"
(cd "$tmp/dist" && sha256sum -c SHA256SUMS)
rel=$("$tmp/dist/boussole-$version-linux-amd64" version)
[ "${rel%%$'\n'*}" = "boussole $version" ] || fail "the release binary's version says: $rel"
echo "ok: release builds"

echo
if ((${#skipped[@]})); then
  printf 'packaging: every check passed but these, skipped: %s\n' "${skipped[*]}"
else
  echo "packaging: every check passed"
fi
