# The image of the registration service (fleetgen serve, docs/registration.md):
# fleetgen, git and ssh, as an unprivileged user (UID 65532, the one the
# rendered Deployment runs as). Pin the base images by digest when you build.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /fleetgen ./cmd/fleetgen

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends git openssh-client ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 65532 --user-group --no-create-home --home-dir /tmp fleetgen
COPY --from=build /fleetgen /usr/local/bin/fleetgen
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/fleetgen"]
