# check=error=true
#
# Boussole's container image: one static binary on an empty base, run as
# an unprivileged user, that writes only to its data volume, so it runs
# with a read-only root filesystem. See docs/deploy.md.
#
#   docker build --build-arg VERSION="$(git describe --tags --always --dirty)" -t boussole .
#   docker run --read-only -p 8080:8080 \
#     -v boussole-data:/var/lib/boussole \
#     -v "$PWD/config.yaml:/etc/boussole/config.yaml:ro" \
#     -e MATTERMOST_TOKEN boussole
#
# Multi-platform (linux/amd64 and linux/arm64): the builder runs on the
# build machine's platform and cross-compiles (pure Go, no emulation):
#   docker buildx build --platform linux/amd64,linux/arm64 -t boussole .
#
# The Go image is pinned to an exact release; to pin it to a digest too,
# replace the tag with the one your registry gives
# (docker buildx imagetools inspect golang:1.26.8-bookworm).

FROM --platform=$BUILDPLATFORM golang:1.26.8-bookworm AS build
WORKDIR /src
# Modules first: this layer is reused while go.mod and go.sum stay the same.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
ARG TARGETOS
ARG TARGETARCH
# scripts/build.sh is the one build recipe (static, -trimpath, the
# version set by the linker), the same CI checks and releases use.
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    GOOS="$TARGETOS" GOARCH="$TARGETARCH" sh scripts/build.sh /out/boussole "$VERSION"
# The final image has no shell to make these: the unprivileged user
# (uid and gid 65532, numeric so Kubernetes' runAsNonRoot can check it),
# and the data folder it owns.
RUN mkdir -p /out/root/etc/boussole /out/root/etc/ssl/certs /out/data \
 && echo 'boussole:x:65532:65532:Boussole:/var/lib/boussole:/sbin/nologin' > /out/root/etc/passwd \
 && echo 'boussole:x:65532:' > /out/root/etc/group \
 && cp /etc/ssl/certs/ca-certificates.crt /out/root/etc/ssl/certs/

FROM scratch
# /etc/passwd and /etc/group, the CA certificates (HTTPS to Discord,
# Mattermost, a language model), /etc/boussole for the mounted config.
COPY --from=build /out/root/ /
COPY --from=build --chown=65532:65532 /out/data /var/lib/boussole
COPY --from=build /out/boussole /usr/local/bin/boussole
COPY config.example.yaml /etc/boussole/config.example.yaml
USER 65532:65532
# database.path's default ./boussole.db, and the temporary folders of the
# admin's previews (TMPDIR), land in the volume: the only place written.
WORKDIR /var/lib/boussole
ENV TMPDIR=/var/lib/boussole
VOLUME ["/var/lib/boussole"]
# The one HTTP server: admin, Mattermost callbacks, /healthz, /readyz.
EXPOSE 8080
# Ready: the store answers and every enabled platform is connected.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["/usr/local/bin/boussole", "healthcheck", "--url", "http://127.0.0.1:8080/readyz"]
ENTRYPOINT ["/usr/local/bin/boussole"]
# In a container the server listens on every interface; config.yaml's
# http.listen (127.0.0.1:8080 by default) is meant for a host.
CMD ["serve", "--config", "/etc/boussole/config.yaml", "--listen", "0.0.0.0:8080"]
