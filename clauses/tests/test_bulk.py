"""clauses.bulk: many rows written in one statement, as the ORM would write them."""

import pytest

from clauses.bulk import insert_rows, update_rows
from clauses.models import Unit, VariantSite

pytestmark = pytest.mark.django_db


def test_insert_rows_writes_what_the_orm_reads_back():
    unit = Unit.objects.filter(document__slug__isnull=False).first()
    VariantSite.objects.filter(unit=unit).delete()
    rows = [
        (
            unit.pk,
            0,
            0,
            2,
            "substitution",
            True,
            False,
            [["巾", "中"]],
            {"A": "巾帼", "B": "中帼"},
            "巾帼",
        ),
        (unit.pk, 1, 5, 5, "addition", False, True, [], {"A": "", "B": "'\\\"𠀀"}, ""),
    ]
    fields = [
        "unit_id",
        "index",
        "start",
        "end",
        "type",
        "likely_ocr",
        "tie",
        "ocr_pairs",
        "readings",
        "canonical_reading",
    ]
    assert insert_rows(VariantSite, fields, rows) == 2
    assert insert_rows(VariantSite, fields, []) == 0
    got = list(
        VariantSite.objects.filter(unit=unit)
        .order_by("index")
        .values_list(*["unit", *fields[1:]], "decision")
    )
    assert got == [(*row, None) for row in rows]


def test_update_rows_sets_each_row_its_own_values():
    units = list(Unit.objects.order_by("pk")[:3])
    update_rows(Unit, ["label", "ordinal"], [(u.pk, f"L{i}", i) for i, u in enumerate(units)])
    assert list(
        Unit.objects.filter(pk__in=[u.pk for u in units])
        .order_by("pk")
        .values_list("label", "ordinal")
    ) == [("L0", 0), ("L1", 1), ("L2", 2)]


def test_any_matches_what_in_matches_with_one_array_parameter():
    """``field__any`` (clauses.lookups): the rows ``__in`` gives, for plain fields,
    primary keys and foreign keys, lists, generators and nothing; the values
    travel as one parameter, not one placeholder each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from clauses.models import Document, DocumentGram

    units = list(Unit.objects.order_by("pk").values_list("pk", flat=True))
    some = units[::3] + [max(units) + 1000]  # one id that is no unit
    assert len(some) > 5
    assert set(Unit.objects.filter(pk__any=some).values_list("pk", flat=True)) == set(
        Unit.objects.filter(pk__in=some).values_list("pk", flat=True)
    )
    document = Document.objects.first()
    by_fk = Unit.objects.filter(document__any=[document.pk])
    assert by_fk.count() == Unit.objects.filter(document=document).count() > 0
    assert Unit.objects.filter(document_id__any=(pk for pk in [document.pk])).count() == (
        by_fk.count()
    )
    assert not Unit.objects.filter(pk__any=[]).exists()
    grams = list(DocumentGram.objects.values_list("gram", flat=True)[:50]) + [2**62 + 1]
    assert DocumentGram.objects.filter(gram__any=grams).count() == (
        DocumentGram.objects.filter(gram__in=grams).count()
    )
    with CaptureQueriesContext(connection) as queries:
        list(Unit.objects.filter(pk__any=some))
    assert "= ANY(" in queries[0]["sql"]
    assert " IN (" not in queries[0]["sql"]


def test_any_is_a_key_name_on_json_fields():
    from clauses.models import Document

    document = Document.objects.first()
    Document.objects.filter(pk=document.pk).update(metadata={"any": "值"})
    assert list(Document.objects.filter(metadata__any="值")) == [document]


@pytest.mark.parametrize("read_first", [False, True], ids=["ids-read-here", "stored-sites"])
def test_merging_keeps_one_site_of_a_span_stored_twice(read_first):
    """clauses.collation._merge_sites: a span stored twice (never written so,
    but never trusted either) leaves one row, updated, not two, whether the
    sites' ids are read there or come from _stored_sites (the import's path)."""
    from clauses.collation import _merge_sites, _stored_sites

    site = VariantSite.objects.filter(unit__document__slug="2024-yijian").first()
    unit_id, start, end = site.unit_id, site.start, site.end
    twin = VariantSite.objects.get(pk=site.pk)
    twin.pk, twin.index = None, 900
    twin.save()
    new = VariantSite(
        unit_id=unit_id,
        index=site.index,
        start=start,
        end=end,
        type=site.type,
        likely_ocr=site.likely_ocr,
        tie=site.tie,
        ocr_pairs=site.ocr_pairs,
        readings={**site.readings, "Z": site.canonical_reading},
        canonical_reading=site.canonical_reading,
    )
    others = [
        VariantSite(**{f.attname: getattr(s, f.attname) for f in VariantSite._meta.concrete_fields})
        for s in VariantSite.objects.filter(unit_id=unit_id).exclude(pk__in=[site.pk, twin.pk])
    ]
    # Another unit's stored sites beside: never touched.
    other_unit = (
        VariantSite.objects.filter(unit__document=site.unit.document)
        .exclude(unit_id=unit_id)
        .values_list("unit_id", flat=True)
        .first()
    )
    other_before = list(VariantSite.objects.filter(unit_id=other_unit).values())
    stored = _stored_sites([unit_id, other_unit]) if read_first else None
    if read_first:
        assert len(stored.twins) == 1 and stored.twins[0][0] == unit_id
    rest = _merge_sites({unit_id}, [new, *others], "Z", stored)
    assert list(VariantSite.objects.filter(unit_id=other_unit).values()) == other_before
    assert rest == []
    same_span = VariantSite.objects.filter(unit_id=unit_id, start=start, end=end)
    assert same_span.count() == 1
    assert same_span.get().readings["Z"] == site.canonical_reading
