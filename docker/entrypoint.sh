#!/bin/sh
# Container start: bring the schema up to date, then run the given command
# (gunicorn by default, see the Dockerfile).
set -e
python manage.py migrate --no-input
exec "$@"
