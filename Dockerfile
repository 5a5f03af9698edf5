# syntax=docker/dockerfile:1
# Shortflow API image: the same package `make install` installs, without the dev tools.

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/shortflow
COPY pyproject.toml README.md ./
COPY service ./service
COPY migrations ./migrations
RUN /opt/shortflow/bin/pip install --no-compile . \
 && /opt/shortflow/bin/python -m compileall -q /opt/shortflow/lib

FROM python:3.11-slim-bookworm AS runtime
LABEL org.opencontainers.image.title="shortflow" \
      org.opencontainers.image.description="US short interest and ETF fund flows over GraphQL and REST"
ENV PATH=/opt/shortflow/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SHORTFLOW_HOME=/var/lib/shortflow \
    SHORTFLOW_LOG_FORMAT=json
RUN groupadd --system --gid 10001 shortflow \
 && useradd --system --uid 10001 --gid shortflow --home-dir /var/lib/shortflow --create-home shortflow
COPY --from=build /opt/shortflow /opt/shortflow
USER 10001:10001
WORKDIR /var/lib/shortflow
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"]
ENTRYPOINT ["shortflow"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--no-migrate"]
