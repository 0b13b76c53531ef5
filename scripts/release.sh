#!/bin/sh
# Release builds: static boussole binaries for linux/amd64 and
# linux/arm64 in dist/, with the version embedded, and dist/SHA256SUMS.
#
#   scripts/release.sh [VERSION]      (default: git describe --tags --always --dirty)
#
# Each is built by scripts/build.sh, the recipe the container image uses;
# pure Go cross-compiles without any C toolchain. Check a download with
#   sha256sum -c --ignore-missing SHA256SUMS
set -eu
cd "$(dirname "$0")/.."
version=${1:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
dist=${DIST:-dist}
mkdir -p "$dist"
rm -f "$dist"/boussole-* "$dist"/SHA256SUMS
for platform in linux/amd64 linux/arm64; do
  os=${platform%/*} arch=${platform#*/}
  out="$dist/boussole-$version-$os-$arch"
  GOOS=$os GOARCH=$arch scripts/build.sh "$out" "$version"
  echo "built $out"
done
(cd "$dist" && sha256sum boussole-* > SHA256SUMS)
cat "$dist/SHA256SUMS"
