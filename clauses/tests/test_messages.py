"""Pipeline errors carry a translatable template and its parameters (no database)."""

import pytest

from clauses.text.decode import DecodeError, decode
from clauses.text.messages import Phrase, TextError, gettext_noop
from clauses.text.pipeline import IngestError, prepare

FAKE = {
    "The file is %(what)s, not a text file.": "文件是%(what)s，不是文本文件。",
    "a PNG image": "PNG 图片",
}


def fake_gettext(s):
    return FAKE.get(s, s)


def test_a_refusal_is_translated_with_its_phrase_parameters():
    with pytest.raises(DecodeError) as info:
        decode(b"\x89PNG\r\n\x1a\n....")
    assert str(info.value) == "The file is a PNG image, not a text file."
    assert info.value.translated(fake_gettext) == "文件是PNG 图片，不是文本文件。"


def test_numbers_stay_numbers():
    err = TextError(gettext_noop("%(n)s lines"), n=3)
    assert err.translated(lambda s: "%(n)s 行") == "3 行"
    assert isinstance(gettext_noop("x"), Phrase)


def test_pipeline_errors_are_text_errors():
    with pytest.raises(IngestError) as info:
        prepare("只是一句话，没有结构。".encode())
    assert isinstance(info.value, TextError)
    assert info.value.template.startswith("No document found")
    assert info.value.translated(lambda s: "没有找到文献") == "没有找到文献"


@pytest.mark.parametrize(
    "rule, detail, one, two",
    [
        ("remove_furniture", {"han": {"page_number": 3}}, "1 piece of furniture", "2 pieces"),
        ("cut", {}, "cut 1 passage outside", "cut 2 passages outside"),
        ("cut_before_start", {}, "cut 1 character before", "cut 2 characters before"),
        ("attach_paragraph", {}, "1 unlabelled paragraph to the clause before it", "2 unlabelled"),
        # A second count in a sentence has its own number (review 9).
        ("segment_by_scheme", {"lines": 1, "part": "main"}, "1 unit from 1 line", "2 units"),
        ("align_units", {"new": 1}, "created 1 canonical unit:", "created 1 canonical unit:"),
        ("canonical_changes", {"added": ["c1"]}, "added 1 unit; lacks 0 units", "added 1 unit;"),
        ("remove_pinyin_glosses", {"glosses": 1}, "1 pinyin gloss after 1 character", "gloss"),
    ],
)
def test_an_import_reports_counts_in_the_right_grammatical_number(rule, detail, one, two):
    """English says “1 piece”, “2 pieces” (review 8 saw “1 pieces of furniture”);
    Chinese has one form for both."""
    from django.utils import translation

    from clauses.report import describe

    with translation.override("en"):
        assert one in describe({"rule": rule, "count": 1, "detail": detail})
        assert two in describe({"rule": rule, "count": 2, "detail": detail})
    with translation.override("zh-hans"):
        sentence = describe({"rule": rule, "count": 1, "detail": detail})
        assert "1" in sentence
        assert not any(w in sentence for w in ("piece", "passage", "unit", "line", "character"))


def test_region_names_are_listed_as_the_language_lists_them():
    """Review 9: English listed the regions with 、."""
    from django.utils import translation

    from clauses.report import describe

    entry = {
        "rule": "remove_furniture",
        "count": 2,
        "detail": {"han": {"page_number": 3, "footer": 4}},
    }
    with translation.override("en"):
        assert "page number (3), " in describe(entry)
    with translation.override("zh-hans"):
        assert "页码 (3)、" in describe(entry)


def test_the_accounting_table_groups_thousands_as_the_sentences_do():
    from django.template.loader import render_to_string
    from django.utils import translation

    figures = {"reading": 3820, "metadata": 31, "furniture": 4, "cut": 464, "total": 4319}
    with translation.override("zh-hans"):
        html = render_to_string("clauses/_accounting.html", {"figures": {**figures, "kept": 0.89}})
    assert "<td>3,820</td>" in html and "<td>4,319</td>" in html and "<td>31</td>" in html
