# Production image: gunicorn behind whatever terminates TLS; PostgreSQL comes
# from DATABASE_URL (see docker-compose.yml).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# Settings need a key and a database URL to load; collectstatic uses neither.
RUN DEBUG=0 SECRET_KEY=collectstatic-only DATABASE_URL=postgres://build@localhost/build \
    python manage.py collectstatic --no-input \
 && useradd --system --no-create-home --home-dir /app policyreader

USER policyreader
EXPOSE 8000

ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["gunicorn", "policyreader.wsgi", "-b", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
