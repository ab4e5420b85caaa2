"""The input checks of studies.services, without the database."""

import pytest

from studies.services import Invalid, check_blanks, check_phrases, check_span, lines, locator

TEXT = "贯通产业工人横向发展机制。"


def test_span_offsets_are_0_based_characters():
    assert check_span(TEXT, None, None) == (None, None)
    assert check_span(TEXT, 0, len(TEXT)) == (0, len(TEXT))
    assert TEXT[slice(*check_span(TEXT, 6, 8))] == "横向"
    for start, end in [(0, 0), (3, 2), (-1, 2), (0, len(TEXT) + 1), (True, 3), (1.0, 3), (1, None)]:
        with pytest.raises(Invalid):
            check_span(TEXT, start, end)


def test_blanks_must_occur_in_the_text():
    assert check_blanks(["横向", "机制"], TEXT) == ["横向", "机制"]
    with pytest.raises(Invalid, match="纵向"):
        check_blanks(["纵向"], TEXT)


def test_phrases():
    assert check_phrases(None, "q", 5, 2) == []
    with pytest.raises(Invalid):
        check_phrases("abc", "q", 5, 2)
    with pytest.raises(Invalid):
        check_phrases(["a", "b", "c"], "q", 5, 2)
    with pytest.raises(Invalid):
        check_phrases(["abcdef"], "q", 5, 2)
    with pytest.raises(Invalid):
        check_phrases([" "], "q", 5, 2)
    with pytest.raises(Invalid):
        check_phrases([1], "q", 5, 2)


def test_lines_drop_empty_ones_and_keep_the_text():
    assert lines("  问题一？\n\n问题二？ \r\n") == ["问题一？", "问题二？"]
    assert lines("") == []


class _Unit:
    def __init__(self, key, label, locator=""):
        self.key, self.label, self.locator = key, label, locator


def test_locator_is_the_stored_one_then_the_label_then_the_key():
    assert locator(_Unit("s2.c1", "（一）", "二、（一）")) == "二、（一）"
    assert locator(_Unit("c1", "（一）")) == "（一）"
    assert locator(_Unit("p1", "")) == "p1"
