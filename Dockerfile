# stationflow: one static binary; `worker` and `api` are its commands here.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/stationflow ./cmd/stationflow

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/stationflow /stationflow
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/stationflow"]
