# stationflow: one static binary; docker-compose.yml runs its `worker` and
# `api` commands. This is the production build (no -tags dev): it links
# neither the Temporal server, nor its Web UI, nor the benches, so it is
# about a fifth of the development build's size, and a cold build takes
# about a third of the time and a fifth of the memory (README, "Running the
# pieces separately").

# go.mod asks for Go 1.26.8; bookworm matches the runtime's Debian 12.
FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/stationflow ./cmd/stationflow

# Static binary: no libc needed. distroless/static has CA certificates and
# time zone data, and its nonroot variant runs as uid 65532.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/stationflow /stationflow
USER 65532:65532
WORKDIR /home/nonroot
# In a container the API must listen beyond loopback to be published.
ENV STATIONFLOW_HTTP_ADDR=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["/stationflow"]
