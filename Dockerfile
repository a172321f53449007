# Build stage: a release build of the binary.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked && strip target/release/diplograph

# Runtime stage: a small image, a non-root user, the binary and the corpus.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --home-dir /app diplograph
WORKDIR /app
COPY --from=build /src/target/release/diplograph /usr/local/bin/diplograph
COPY corpus /app/corpus
USER diplograph
ENV DIPLOGRAPH_BIND=0.0.0.0:8080 DIPLOGRAPH_CORPUS=/app/corpus
EXPOSE 8080
CMD ["diplograph", "serve"]
