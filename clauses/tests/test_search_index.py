"""clauses.search_index.merge_pending_entries: an import's new search-index
entries are merged once it committed, by every path that imports, so the next
import does not pay for them (bench/ingest.py prints the merge's time)."""

import io
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client

from clauses.ingest import SourceMeta, import_source, preview_import
from clauses.models import Reading, Source
from clauses.search_index import merge_pending_entries
from policyreader.roles import assign_role

pytestmark = pytest.mark.django_db

LAW = Path(__file__).parent / "fixtures" / "corpus" / "laws" / "lifa-2023.md"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_an_import_leaves_entries_pending_until_merged():
    """The control: without the merge, an import's entries wait in the
    indexes' pending lists (PostgreSQL's GIN fast update)."""
    merge_pending_entries()
    import_source(LAW.read_bytes(), SourceMeta(), accept_cuts=True)
    assert merge_pending_entries() > 0
    assert merge_pending_entries() == 0  # nothing left the second time


def test_the_command_merges_after_its_import(tmp_path):
    merge_pending_entries()
    path = tmp_path / LAW.name
    path.write_bytes(LAW.read_bytes())
    before = Source.objects.count()
    call_command("import_source", str(path), "--accept-cuts", stdout=io.StringIO())
    assert Source.objects.count() == before + 1
    assert merge_pending_entries() == 0


def test_a_preview_merges_what_its_rollback_left():
    """A preview's rolled-back readings leave their entries pending (removed
    only by vacuum): merged at once, not by the save that follows."""
    merge_pending_entries()
    before = Source.objects.count()
    preview = preview_import(LAW.read_bytes(), SourceMeta(), accept_cuts=True)
    assert preview.units > 100 and Source.objects.count() == before
    assert merge_pending_entries() == 0


def test_the_worker_merges_after_its_import():
    """A web import (its job, run at once by the test settings' backend)."""
    merge_pending_entries()
    editor = User.objects.create_user("ed", password="pw-secret-1")
    assign_role(editor, "editor")
    client = Client()
    client.force_login(editor)
    response = client.post(
        "/import/",
        {"text": LAW.read_text(encoding="utf-8"), "kind": "web", "confirm": "1"},
    )
    assert response.status_code == 302
    source = Source.objects.latest("pk")
    assert Reading.objects.filter(source=source).count() > 100
    assert merge_pending_entries() == 0


def test_a_refused_merge_is_logged_and_undoes_nothing(monkeypatch, caplog):
    """PostgreSQL refusing (here: an index that is not there) costs the caller
    nothing: None, a warning, and its transaction goes on."""
    from django.contrib.postgres.indexes import GinIndex

    indexes = [*Reading._meta.indexes, GinIndex(fields=["grams"], name="no_such_index")]
    monkeypatch.setattr(Reading._meta, "indexes", indexes)
    before = Source.objects.count()
    assert merge_pending_entries() is None
    assert "could not merge" in caplog.text
    with connection.cursor() as cursor:  # the transaction is still usable
        cursor.execute("SELECT 1")
    assert Source.objects.count() == before


def test_a_connection_gone_is_logged_not_raised(monkeypatch, caplog):
    """Django's InterfaceError (a closed connection) is no DatabaseError: the
    worker's job, saved as done already, must not end in an exception."""
    from django.db import InterfaceError

    def gone(*args, **kwargs):
        raise InterfaceError("connection already closed")

    monkeypatch.setattr(connection, "cursor", gone)
    assert merge_pending_entries() is None
    assert "could not merge" in caplog.text
