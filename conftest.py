"""Test set-up shared by every app: the demo corpus, loaded once per test run.

Tests run in transactions that roll back, so each sees the five demo sources.
Browser tests (transactional, run last) load it again for themselves.
"""

import io

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_demo", stdout=io.StringIO())
