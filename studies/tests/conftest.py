"""Users of every kind and three sets (private, shared, public) of two items each."""

import pytest

from annotations.models import Visibility
from clauses.models import Unit
from policyreader.tests.conftest import fast_passwords, make_user  # noqa: F401 (a fixture)
from studies.models import StudyItem, StudySet

OPINION = "2024-yijian"


@pytest.fixture
def people(db):
    """owner and colleague (named editor of every set), other: annotators; rita: reader."""
    return {
        "owner": make_user("olga", "annotator"),
        "editor": make_user("edgar", "annotator"),
        "other": make_user("otto", "annotator"),
        "reader": make_user("rita", "reader"),
    }


def unit(key: str) -> Unit:
    return Unit.objects.select_related("document").get(document__slug=OPINION, key=key)


def make_set(owner, visibility, title=None, keys=("c1", "c2"), editors=()) -> StudySet:
    study_set = StudySet.objects.create(
        owner=owner, title=title or f"{visibility} set", visibility=visibility
    )
    for i, key in enumerate(keys):
        StudyItem.objects.create(
            study_set=study_set, unit=unit(key), position=i, points=f"points {key}"
        )
    study_set.editors.add(*editors)
    return study_set


@pytest.fixture
def sets(people):
    return {
        v: make_set(people["owner"], v, editors=[people["editor"]])
        for v in (Visibility.PRIVATE, Visibility.SHARED, Visibility.PUBLIC)
    }


def snapshot(study_set: StudySet):
    """Everything a write could change, to show a refused request changed nothing."""
    study_set = StudySet.objects.filter(pk=study_set.pk).first()
    if study_set is None:
        return None
    return (
        study_set.title,
        study_set.visibility,
        sorted(study_set.editors.values_list("pk", flat=True)),
        list(
            study_set.items.order_by("position").values_list(
                "unit__key", "position", "points", "questions", "blanks"
            )
        ),
    )
