# pubsubctl in a container: by default the embedded Pub/Sub emulator on
# port 8085 of every interface; any other command too (the entrypoint is
# pubsubctl). examples/compose runs it beside an application.
#
#   docker build -t pubsubctl .
#   docker run --rm -p 8085:8085 -v "$PWD/infra:/config:ro" pubsubctl \
#     emulator --host 0.0.0.0 --config /config
#   docker run --rm -v "$PWD/infra:/config:ro" pubsubctl validate /config

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# A static binary: it runs on an image without a C library.
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/pubsubctl/pubsubctl/internal/cli.Version=${VERSION}" \
      -o /out/pubsubctl ./cmd/pubsubctl

# Static files only (CA certificates, /etc/passwd with the nonroot user).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/pubsubctl /usr/local/bin/pubsubctl
USER nonroot:nonroot
EXPOSE 8085
# Healthy once the emulator serves, i.e. after its --config bootstrap. Run
# it on another port? Override the healthcheck with that --addr.
HEALTHCHECK --interval=5s --timeout=5s --start-period=2s --retries=12 \
  CMD ["/usr/local/bin/pubsubctl", "emulator", "health", "--addr", "127.0.0.1:8085"]
ENTRYPOINT ["/usr/local/bin/pubsubctl"]
CMD ["emulator", "--host", "0.0.0.0", "--port", "8085"]
