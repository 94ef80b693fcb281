# vbroker image: broker, producer and client as one fully static executable (vbroker, started through the links
# broker, producer and client) plus the sample media, on an empty (scratch) base. About 11 MB; no shell, no libc,
# nothing else.
#
#   docker compose up --build            (docker-compose.yml builds the "runtime" target of this file)
#   docker build -t vbroker:latest .
#
# Why two Dockerfiles: this one compiles the binaries inside the official Swift image, which is what users want.
# docker/Dockerfile.prebuilt takes binaries already built on the host (docker/bin/) instead, for machines that
# cannot pull swift images (offline, no registry) and for scripts/compose-test. Docker's legacy builder (no BuildKit)
# builds every stage before the target, so one file choosing its binaries with a build ARG would still pull the
# Swift image. Both files end with the SAME runtime stage, line for line; scripts/compose-test checks that, so the
# image it tests is the image this file makes.

# The compiler the project is built and tested with; Package.swift needs 6.0 or later.
ARG SWIFT_VERSION=6.3

FROM swift:${SWIFT_VERSION} AS build
WORKDIR /src
COPY Package.swift ./
COPY Sources Sources
COPY Tests Tests
COPY scripts/link-multicall scripts/
COPY docker/multicall.c docker/
# Static glibc + static Swift runtime, stripped: the binaries need nothing from the image. Then one executable
# for the three roles (scripts/link-multicall), so the image holds the Swift runtime once.
RUN swift build -c release --static-swift-stdlib -Xswiftc -static-executable -Xlinker -s \
        --product broker \
 && swift build -c release --static-swift-stdlib -Xswiftc -static-executable -Xlinker -s \
        --product producer \
 && swift build -c release --static-swift-stdlib -Xswiftc -static-executable -Xlinker -s \
        --product client \
 && bin="$(swift build -c release --static-swift-stdlib -Xswiftc -static-executable -Xlinker -s --show-bin-path)" \
 && scripts/link-multicall "$bin" \
 && mkdir /out && cp "$bin/vbroker" /out/ \
 && ln -s vbroker /out/broker && ln -s vbroker /out/producer && ln -s vbroker /out/client

# vbroker and its three links in /out: what the runtime stage takes.
FROM scratch AS binaries
COPY --from=build /out/ /out/

# ---- runtime stage: identical in Dockerfile and docker/Dockerfile.prebuilt from this line down ----
FROM scratch AS runtime
COPY --from=binaries /out/ /usr/local/bin/
COPY producer/ /producer/
ENV PATH=/usr/local/bin MEDIA_ROOT=/producer
WORKDIR /
# No EXPOSE: every service runs this image, and clients would list the broker's ports (docker ps); the broker's
# service declares its ports in docker-compose.yml.
CMD ["broker"]
