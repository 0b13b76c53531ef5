// Package dockerlint checks Boussole's Dockerfile and .dockerignore
// without a container engine: its test runs BuildKit's own Dockerfile
// checks (those of `docker build --check`), parses the file with
// BuildKit's parser and enforces the rules the image promises (pinned
// base images, a non-root numeric user, a health check, no downloads, no
// secrets in ENV or ARG, the shared build script), and checks that the
// build context keeps every file the build needs.
//
// It is a module of its own so that BuildKit and its dependencies stay
// out of Boussole's go.mod: run it with
//
//	cd deploy/dockerlint && go test ./...
//
// (scripts/ci-packaging.sh does).
package dockerlint
