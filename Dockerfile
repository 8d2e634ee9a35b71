# One image for every smearwatch service: api, worker, beat and flower (see docker-compose.yml).
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY smearwatch ./smearwatch
COPY worker ./worker
COPY api ./api
COPY classifiers ./classifiers
RUN python -m venv /opt/smearwatch \
 && /opt/smearwatch/bin/pip install . flower==2.0.1

FROM python:3.11-slim-bookworm
ENV PATH=/opt/smearwatch/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    SMEARWATCH_ENVIRONMENT=production
RUN useradd --create-home --uid 10001 smearwatch \
 && mkdir -p /data/dumps /data/feeds /data/models && chown -R smearwatch /data
COPY --from=build /opt/smearwatch /opt/smearwatch
# Sample feeds for `smearwatch demo` and register_demo_feeds.
COPY --chown=smearwatch samples/feeds /app/samples/feeds
WORKDIR /app
USER smearwatch
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD python -c "import sys,urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health', timeout=3).status == 200 else 1)" || exit 1
CMD ["smearwatch", "serve", "--host", "0.0.0.0"]
