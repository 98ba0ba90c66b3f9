# One image with every Trastienda executable: built with the Swift toolchain, run on a slim Debian with only the C
# libraries the services link (librabbitmq, libpq) and curl for health checks.
FROM swift:6.2-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends librabbitmq-dev libpq-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
RUN swift package resolve
COPY Shared Shared
COPY Services Services
COPY Tools Tools
COPY Tests Tests
RUN swift build -c release --static-swift-stdlib \
    --product sales-intake --product billing --product orders --product collections --product hr --product console --product pos-sim \
    --product trastienda \
    && mkdir /out && cd "$(swift build -c release --show-bin-path)" \
    && cp sales-intake billing orders collections hr console pos-sim trastienda /out/ \
    && cp -R trastienda_console.resources /out/  # the console's templates and stylesheet, found beside its executable

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends librabbitmq4 libpq5 ca-certificates curl tzdata \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/ /usr/local/bin/
USER nobody
EXPOSE 8080 8081 8082 8083 8084 8085
CMD ["trastienda", "--help"]
