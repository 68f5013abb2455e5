# syntax=docker/dockerfile:1
# Snapshop: a static binary (pure-Go SQLite, no cgo) on a distroless base,
# running as a non-root user with one writable volume for its data.

FROM golang:1.26-bookworm AS build
WORKDIR /src
# Dependencies first, so code changes do not re-download modules.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/snapshop ./cmd/snapshop \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/snapshop /usr/local/bin/snapshop
# The data directory (SQLite file, blobs, index, secret key) is the only
# writable place, owned by the nonroot user (65532).
COPY --from=build --chown=65532:65532 /out/data /data
# TMPDIR: uploads posted without JavaScript are spooled there by Go's
# multipart parser; the data volume is the one writable place.
ENV SNAPSHOP_DATA=/data \
    SNAPSHOP_ADDR=:8080 \
    SNAPSHOP_LOG_FORMAT=json \
    TMPDIR=/data/tmp
VOLUME /data
EXPOSE 8080
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/snapshop"]
CMD ["serve"]
