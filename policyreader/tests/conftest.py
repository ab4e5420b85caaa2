"""People with each role, and the ids the URL patterns take, for the project-level tests."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from annotations.models import Flag, Note, Tag, Visibility
from clauses.models import Unit, VariantSite
from policyreader.roles import assign_role

DOCUMENT = "2024-yijian"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(name: str, role: str | None) -> User:
    user = User.objects.create_user(name, password=f"{name}-secret-pw-1")
    if role:
        assign_role(user, role)
    return user


@pytest.fixture
def editor(db):
    return make_user("edna", "editor")


@pytest.fixture
def annotator(db):
    return make_user("olga", "annotator")


@pytest.fixture
def sample(editor, annotator):
    """A value for every kind of URL argument, naming things that exist: a note with a
    reply, a tag, a flag, a variant site of the demo Opinion."""
    unit = Unit.objects.select_related("document").get(document__slug=DOCUMENT, key="c13")
    site = VariantSite.objects.filter(unit=unit).order_by("index").first()
    note = Note.objects.create(
        author=editor, unit=unit, visibility=Visibility.PUBLIC, body="public note"
    )
    Note.objects.create(
        author=annotator, unit=unit, parent=note, visibility=Visibility.PUBLIC, body="reply"
    )
    tag = Tag.objects.create(name="职业发展")
    note.tags.set([tag])
    source = unit.document.sources.get(siglum="B")
    flag = Flag.objects.create(
        unit=unit,
        source=source,
        reading=site.readings.get("B", ""),
        proposed="横向",
        author=annotator,
    )
    return {
        "slug": DOCUMENT,
        "key": "c13",
        "siglum": "A",
        "pk": note.pk,
        "name": tag.name,
        "site_id": site.pk,
        "flag": flag.pk,
    }
