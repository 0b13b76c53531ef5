#!/bin/sh
# Builds the boussole binary: the one recipe the container image
# (Dockerfile), the release builds (scripts/release.sh) and CI
# (scripts/ci-packaging.sh) share, so what CI checks is what ships.
#
#   scripts/build.sh OUTPUT [VERSION]
#
# A static binary (CGO_ENABLED=0: modernc.org/sqlite is pure Go) that
# carries the time-zone database (-tags timetzdata: opening hours load
# Europe/Paris or America/Toronto, and the image has no /usr/share/zoneinfo),
# without local paths (-trimpath) or symbols (-s -w), with VERSION
# (default: git describe, else "dev") set by the linker. GOOS and GOARCH
# come from the environment (default: this machine's). -buildvcs=auto
# records the commit when built in a git clone (`boussole version` shows
# it), overriding a GOFLAGS=-buildvcs=false, and skips it elsewhere (the
# image's build context has no .git).
set -eu
cd "$(dirname "$0")/.."
out=${1:?usage: scripts/build.sh OUTPUT [VERSION]}
version=${2:-}
if [ -z "$version" ]; then
  version=$(git describe --tags --always --dirty 2>/dev/null || echo dev)
fi
# The version goes into -ldflags: no spaces or quotes.
case $version in
  *[!A-Za-z0-9._+-]*) echo "build.sh: version '$version': use letters, digits and . _ + - only" >&2; exit 2 ;;
esac
CGO_ENABLED=0 exec go build -trimpath -buildvcs=auto -tags timetzdata \
  -ldflags "-s -w -X main.version=$version" \
  -o "$out" ./cmd/boussole
