# syntax=docker/dockerfile:1
#
# eci-profile: Kubernetes mutating admission webhook (Swift).
#   docker build -t eci-profile:0.1.0 .
# The binary links the Swift standard library and Foundation statically and
# OpenSSL, nghttp2 and the C/C++ runtime dynamically from Debian.
# scripts/image-smoke builds this image's runtime stage and runs it.

# ---- build ---------------------------------------------------------------
FROM swift:6.3-bookworm AS build

# DL3008 (pin apt versions) is ignored on purpose: Debian replaces a package's
# version in the bookworm archive with every point release and security fix,
# so pinned versions stop installing within weeks. Reproducibility comes from
# the base image tag (pin it by digest in the release pipeline) instead.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libssl-dev \
        libnghttp2-dev \
        pkg-config \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src

# Dependencies first, so that a source change does not fetch them again.
COPY Package.swift ./
RUN swift package resolve

COPY Sources ./Sources

# .dockerignore keeps Tests/ out of the context, but SwiftPM refuses a manifest
# whose test-target folders are missing, so empty ones are made from the
# manifest (`.testTarget(name: "X"` -> Tests/X). `install -s` strips the symbol
# table and debug sections: the runtime image has no backtrace symbolicator to
# use them, and a crash address maps back with the unstripped binary of the
# same build.
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN sed -n 's/.*\.testTarget( *name: *"\([^"]*\)".*/\1/p' Package.swift \
        | while read -r target; do mkdir -p "Tests/$target"; done \
    && swift build -c release --static-swift-stdlib --product eci-profile \
    && install -D -s -m 0755 "$(swift build -c release --show-bin-path)/eci-profile" /out/eci-profile

# ---- runtime -------------------------------------------------------------
FROM debian:bookworm-slim

# Every package that owns a library the binary links (`readelf -d` NEEDED,
# mapped with `dpkg -S`), named even where the slim base already has it, so
# that another base cannot break the image; scripts/image-smoke fails when
# this list and the binary's libraries differ. ca-certificates: the system CA
# bundle the Kubernetes client trusts when a kubeconfig names no certificate
# authority.
# DL3008 ignored for the same reason as above: bookworm's security updates
# replace these versions in the archive; the base image tag is the pin.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libc6 \
        libgcc-s1 \
        libstdc++6 \
        libssl3 \
        libnghttp2-14 \
        ca-certificates \
    && rm -rf /var/lib/apt/lists/*

COPY --from=build /out/eci-profile /usr/local/bin/eci-profile

LABEL org.opencontainers.image.title="eci-profile" \
      org.opencontainers.image.description="Kubernetes mutating admission webhook that sends pods to ECI virtual nodes by profile" \
      org.opencontainers.image.version="0.1.0"

# Numeric non-root user (65532, "nonroot" in distroless images), so that
# Kubernetes' runAsNonRoot can verify it without an /etc/passwd entry.
USER 65532:65532

# 9443: webhook (HTTPS: /mutate, /inject, /healthz, /readyz)
# 8080: plain HTTP /metrics, /healthz, /readyz
EXPOSE 9443 8080

# No HEALTHCHECK: Kubernetes ignores it; the Deployment's liveness and
# readiness probes call /healthz and /readyz on port 8080.
ENTRYPOINT ["/usr/local/bin/eci-profile"]
CMD ["serve", "--cert-dir", "/etc/eci-profile/certs"]
