"""Users with each role, a unit of the demo Opinion, notes of every visibility."""

import pytest
from django.contrib.auth.models import User

from annotations.anchoring import anchor_at
from annotations.models import Note, Visibility
from clauses.models import Unit, VariantSite
from policyreader.roles import assign_role

OPINION = "2024-yijian"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(name: str, role: str | None, **extra) -> User:
    user = User.objects.create_user(name, password=f"{name}-secret-pw-1", **extra)
    if role:
        assign_role(user, role)
    return user


@pytest.fixture
def reader(db):
    return make_user("rita", "reader")


@pytest.fixture
def owner(db):
    return make_user("olga", "annotator")


@pytest.fixture
def other(db):
    return make_user("otto", "annotator")


@pytest.fixture
def editor(db):
    return make_user("edna", "editor")


@pytest.fixture
def unit(db):
    return Unit.objects.select_related("document").get(document__slug=OPINION, key="c13")


@pytest.fixture
def site(unit):
    """c13's first variant site: A C D read 横向, B reads 纵向."""
    return VariantSite.objects.get(unit=unit, canonical_reading="横向")


def add_note(author, unit, visibility=Visibility.PRIVATE, body="note", quote=None, **extra):
    fields = {}
    if quote:
        start = unit.canonical.index(quote)
        fields = anchor_at(unit.canonical, start, start + len(quote)).as_fields()
    return Note.objects.create(
        author=author, unit=unit, visibility=visibility, body=body, **fields, **extra
    )


@pytest.fixture
def notes(owner, unit):
    """The owner's private, shared and public notes on c13 (the shared one a span note)."""
    return {
        "private": add_note(owner, unit, Visibility.PRIVATE, "olga private secret"),
        "shared": add_note(owner, unit, Visibility.SHARED, "olga shared words", quote="横向发展"),
        "public": add_note(owner, unit, Visibility.PUBLIC, "olga public words"),
    }
