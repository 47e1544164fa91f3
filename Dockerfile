# Đồng hành: gunicorn behind a load balancer, PostgreSQL through DATABASE_URL.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt requirements-data.txt ./
RUN pip install -r requirements.txt && pip install --no-deps -r requirements-data.txt

COPY . .
# Build-time only key: compilemessages and collectstatic import the settings.
RUN DEBUG=true python manage.py compilemessages --ignore=.venv -v0 \
    && DEBUG=true python manage.py collectstatic --no-input -v0

RUN useradd --system --uid 10001 --home /app donghanh \
    && mkdir -p /app/media && chown donghanh /app/media
USER donghanh

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"

# Gunicorn believes X-Forwarded-Proto/-For from the addresses the app believes them from (TRUSTED_PROXIES,
# e.g. 10.0.0.5,10.1.0.0/16); unset, from nobody. A shell expands it; exec hands gunicorn the signals.
CMD ["sh", "-c", "exec gunicorn deployment.wsgi --bind 0.0.0.0:8000 --workers 3 --timeout 120 --access-logfile - --forwarded-allow-ips \"$TRUSTED_PROXIES\""]
