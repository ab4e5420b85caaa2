"""clauses.text.search: the fold, the n-grams, the query, spans and snippets (no database)."""

import pytest

from clauses.text.search import (
    Piece,
    find_spans,
    fold,
    fold_with_offsets,
    gram_query,
    grams,
    index_fields,
    snippet,
)


def test_traditional_and_simplified_fold_alike():
    assert fold("工匠培養") == fold("工匠培养") == "工匠培养"
    assert fold("產業工人隊伍建設") == "产业工人队伍建设"


def test_punctuation_spaces_and_width_are_set_aside():
    assert fold("工匠，培养") == fold("工匠 培养") == fold("工匠\u3000培养") == "工匠培养"
    assert fold("（一）总体要求。") == "一总体要求"
    assert fold("ＡＩ與５Ｇ") == "ai与5g"
    assert fold("——“双一流”、") == "双一流"
    assert fold("，。、；") == ""


def test_lookalike_ideographs_fold_to_the_ordinary_character():
    assert fold("⼯⼈") == "工人"  # Kangxi radicals from a PDF


def test_offsets_point_into_the_original():
    folded, offsets = fold_with_offsets("工匠，培養")
    assert folded == "工匠培养"
    assert offsets == [0, 1, 3, 4]
    folded, offsets = fold_with_offsets("面积㎡")  # one character, two folded
    assert folded == "面积m2" and offsets == [0, 1, 2, 2]


def test_grams_are_unigrams_and_bigrams_quoted_for_tsvector():
    assert grams("工匠工") == "'匠' '匠工' '工' '工匠'"
    assert grams("") == ""
    assert grams("a'b") == "'''' '''b' 'a' 'a''' 'b'"  # never from a fold, but quoted right


def test_index_fields():
    assert index_fields("加強，工匠") == ("加强工匠", grams("加强工匠"))


def test_gram_query():
    assert gram_query("工") == "'工'"
    assert gram_query("工匠培养") == "'工匠' & '匠培' & '培养'"
    assert gram_query("工工工") == "'工工'"  # each bigram once
    with pytest.raises(ValueError):
        gram_query("")


def test_spans_cover_the_punctuation_inside_a_match_only():
    text = "加強工匠，培養工作。工匠培养"
    assert find_spans(text, "工匠培养") == [(2, 7), (10, 14)]
    assert find_spans(text, "工") == [(2, 3), (7, 8), (10, 11)]
    assert find_spans(text, "") == []
    assert find_spans(text, "不在") == []


def test_snippet_marks_every_match_in_its_window():
    text = "开头" + "甲" * 40 + "工匠培养" + "乙" * 5 + "工匠，培養" + "丙" * 40
    pieces, n = snippet(text, "工匠培养", context=10)
    assert n == 2
    assert pieces[0] == Piece("…") and pieces[-1] == Piece("…")
    assert [p.text for p in pieces if p.mark] == ["工匠培养", "工匠，培養"]
    assert "".join(p.text for p in pieces).strip("…") in text


def test_snippet_stops_at_line_breaks_and_without_match_shows_the_start():
    pieces, n = snippet("第一行\n前文工匠后文\n第三行", "工匠", context=10)
    assert "".join(p.text for p in pieces) == "…前文工匠后文…"
    pieces, n = snippet("无关的文字", "工匠")
    assert n == 0 and "".join(p.text for p in pieces) == "无关的文字"
