"""The handout's one layout (studies.handout_layout): fast, no database."""

import pytest

from studies.handout import Handout, HandoutItem, Options
from studies.handout_layout import HandoutError, Piece, build, find_blanks, readings

# Clauses (一) and (五) of the 2024 Opinion, as the demo corpus has them.
ONE = (
    "持续强化产业工人队伍思想政治工作。坚持不懈用习近平新时代中国特色社会主义思想凝心铸魂，"
    "推动党的创新理论在产业工人中落地生根，结合实际做好网上思想政治引领，持续抓好主题宣传教育，"
    "开展普遍轮训。"
)
FIVE = (
    "完善企业民主管理制度。健全以职工代表大会为基本形式的企事业单位民主管理制度，"
    "涉及产业工人切身利益的重大事项必须依法依章程经职工代表大会审议通过。"
)
SOURCE = "中共中央 国务院关于深化产业工人队伍建设改革的意见，2024年10月12日"


def handout(**changes) -> Handout:
    items = [
        HandoutItem(
            "二、（一）",
            ONE,
            SOURCE,
            "凝心铸魂是首要任务。\n\n结合本单位实际。",
            ["本单位有哪些好做法？", "  ", "网上引领从哪里做起？"],
            ["普遍轮训", "习近平新时代中国特色社会主义思想"],
            [],
        ),
        HandoutItem(
            "三、（五）",
            FIVE,
            SOURCE,
            "",
            ["哪些事项必须审议通过？"],
            ["职工代表大会", "职工代表大会"],
            [("equal", "深化"), ("del", "厂务"), ("ins", "政务"), ("equal", "公开"), ("ins", "")],
        ),
    ]
    values = dict(
        title="学习材料", audience="工会主席", date="3月14日", place="报告厅", intro="一\n\n二\n"
    )
    values.update(changes)
    return Handout(items=items, **values)


def test_texts_points_and_questions_in_order():
    layout = build(handout(), Options())
    assert [b.locator for b in layout.blocks] == ["二、（一）", "三、（五）"]
    assert [b.number for b in layout.blocks] == [1, 2]
    assert [b.text for b in layout.blocks] == [ONE, FIVE]
    assert layout.blocks[0].source == SOURCE
    assert layout.intro == ["一", "二"]
    assert layout.blocks[0].points == ["凝心铸魂是首要任务。", "结合本单位实际。"]
    assert layout.blocks[1].points == []
    # Numbered across the handout; blank questions dropped.
    questions = [(q.number, q.text) for b in layout.blocks for q in b.questions]
    assert questions == [
        (1, "本单位有哪些好做法？"),
        (2, "网上引领从哪里做起？"),
        (3, "哪些事项必须审议通过？"),
    ]
    # Empty difference runs are dropped, the rest kept in order.
    assert layout.blocks[1].differences == [
        ("equal", "深化"),
        ("del", "厂务"),
        ("ins", "政务"),
        ("equal", "公开"),
    ]
    assert layout.answers == []
    assert all(p.gap is None for b in layout.blocks for para in b.paragraphs for p in para)


def test_participants_copy_has_no_points():
    layout = build(handout(), Options(points=False))
    assert all(b.points == [] for b in layout.blocks)
    assert layout.points is False


def test_quiz_gaps_numbered_in_reading_order_and_answer_key_matches():
    layout = build(handout(), Options(quiz=True))
    first, second = layout.blocks
    gaps = [p for para in first.paragraphs for p in para if p.gap]
    # The blanks were listed in another order: gaps follow the text.
    assert [(p.gap, p.text) for p in gaps] == [
        (1, "习近平新时代中国特色社会主义思想"),
        (2, "普遍轮训"),
    ]
    gaps2 = [p for para in second.paragraphs for p in para if p.gap]
    # A phrase listed twice blanks its first two occurrences.
    assert [(p.gap, p.text) for p in gaps2] == [(3, "职工代表大会"), (4, "职工代表大会")]
    assert [(a.number, a.text, a.locator) for a in layout.answers] == [
        (1, "习近平新时代中国特色社会主义思想", "二、（一）"),
        (2, "普遍轮训", "二、（一）"),
        (3, "职工代表大会", "三、（五）"),
        (4, "职工代表大会", "三、（五）"),
    ]
    # Text fidelity: the gaps hold their phrases, so the clause is whole.
    assert first.text == ONE and second.text == FIVE
    assert first.quiz_text == ONE.replace(
        "习近平新时代中国特色社会主义思想", "＿" * 8 + "(1)" + "＿" * 8
    ).replace("普遍轮训", "＿＿(2)＿＿")


def test_a_blank_phrase_is_blanked_everywhere_in_its_clause():
    # Left visible a line below its gap, the phrase would give the answer away.
    item = HandoutItem("三、（五）", FIVE, blanks=["职工代表大会"])
    layout = build(Handout("t", items=[item]), Options(quiz=True))
    quiz = layout.blocks[0].quiz_text
    assert quiz.count("(1)") == 1 and quiz.count("(2)") == 1
    assert "职工代表大会" not in quiz
    assert [(a.number, a.text) for a in layout.answers] == [
        (1, "职工代表大会"),
        (2, "职工代表大会"),
    ]


def test_quiz_hides_the_differences_that_would_give_the_answers_away():
    runs = [
        ("equal", "健全以"),
        ("del", "职代会"),
        ("ins", "职工代表大会"),
        ("equal", "为基本形式"),
    ]
    item = HandoutItem("三、（五）", FIVE, blanks=["职工代表大会"], differences=runs)
    assert build(Handout("t", items=[item]), Options(quiz=False)).blocks[0].differences == runs
    assert build(Handout("t", items=[item]), Options(quiz=True)).blocks[0].differences == []


def test_blank_not_found_is_a_clear_value_error():
    item = HandoutItem("三、（五）", FIVE, blanks=["厂务公开"])
    with pytest.raises(ValueError, match="“厂务公开” is not in the text of 三、（五）"):
        build(Handout("t", items=[item]), Options(quiz=True))
    # Without the quiz the blanks are not used, so not checked.
    assert build(Handout("t", items=[item]), Options()).blocks[0].text == FIVE


def test_blank_only_where_another_blank_is():
    item = HandoutItem("二、（一）", ONE, blanks=["普遍轮训", "轮训"])
    with pytest.raises(HandoutError, match="“轮训” occurs in 二、（一） only where another blank"):
        build(Handout("t", items=[item]), Options(quiz=True))
    with pytest.raises(HandoutError, match="empty blank in 二、（一）"):
        find_blanks(ONE, [""], "二、（一）")


def test_error_is_translated_with_gettext():
    item = HandoutItem("三、（五）", FIVE, blanks=["厂务公开"])
    with pytest.raises(HandoutError) as info:
        build(Handout("t", items=[item]), Options(quiz=True))
    fake = {
        "The blank “%(phrase)s” is not in the text of %(locator)s.": "%(locator)s 中没有“%(phrase)s”。"
    }
    assert info.value.translated(lambda s: fake.get(s, s)) == "三、（五） 中没有“厂务公开”。"


def test_gap_width_and_plain_form():
    assert Piece("职工代表大会", gap=3).gap_text == "＿＿＿(3)＿＿＿"
    assert Piece("是", gap=1).gap_text == "＿(1)＿"  # at least two wide
    assert Piece("普遍轮训", gap=2).fill == "＿" * 4


def test_paragraphs_split_at_newlines_with_gap_positions_kept():
    text = "第一段有职工代表大会。\n第二段也有职工代表大会。"
    item = HandoutItem("第一条", text, blanks=["职工代表大会", "职工代表大会"])
    block = build(Handout("t", items=[item]), Options(quiz=True)).blocks[0]
    assert len(block.paragraphs) == 2
    assert [p.gap for p in block.paragraphs[0]] == [None, 1, None]
    assert [p.gap for p in block.paragraphs[1]] == [None, 2, None]
    assert block.text == text


def test_pinyin_readings_follow_phrases_and_skip_non_han():
    text = "银行行长重新强调：2024年（含技工院校）ABC〇"
    got = readings(text)
    assert len(got) == len(text)
    assert got[:4] == ["yín", "háng", "háng", "zhǎng"]
    assert got[4:6] == ["chóng", "xīn"]
    for ch, r in zip(text, got, strict=True):
        if ch in "：2024（）ABC":
            assert r == ""
    assert got[text.index("年")] == "nián"
    assert got[-1] == "líng"  # 〇 is Han


def test_pinyin_ruby_runs_cover_the_text_exactly():
    layout = build(handout(), Options(pinyin=True))
    for block in layout.blocks:
        for para in block.paragraphs:
            for piece in para:
                assert "".join(r.base for r in piece.ruby) == piece.text
                for run in piece.ruby:
                    assert (len(run.base) == 1) if run.reading else True
    runs = layout.blocks[0].paragraphs[0][0].ruby
    assert runs[0].base == "持" and runs[0].reading == "chí"
    # Punctuation carries no reading.
    assert any(r.base == "。" and r.reading == "" for r in runs)


def test_pinyin_with_quiz_gives_gaps_no_reading():
    layout = build(handout(), Options(pinyin=True, quiz=True))
    pieces = [p for para in layout.blocks[0].paragraphs for p in para]
    assert all(p.ruby == () for p in pieces if p.gap)
    assert all(p.ruby for p in pieces if not p.gap)
    assert "".join(p.text for p in pieces) == ONE


def test_options_from_query():
    assert Options.from_query({}) == Options()
    assert Options.from_query({"points": "0", "pinyin": "1", "quiz": "on"}) == Options(
        points=False, pinyin=True, quiz=True
    )
    assert Options.from_query({"points": "nonsense"}) == Options()
    assert Options(points=False).query(quiz=True) == {"points": "0", "pinyin": "0", "quiz": "1"}


def test_pinyin_of_phrases_pypinyin_misreads():
    from studies.handout_layout import readings

    assert readings("长效机制") == ["cháng", "xiào", "jī", "zhì"]
    assert readings("银行行长")[1:3] == ["háng", "háng"]


def test_differences_say_what_they_show():
    changes = [("equal", "健全以"), ("del", "职代会"), ("ins", "职工代表大会")]
    variants = [("equal", "健全以"), ("variant", "职工代表大会"), ("readings", "B：职代会")]
    one = HandoutItem("三、（五）", FIVE, differences=changes)
    two = HandoutItem("三、（五）", FIVE, differences=variants)
    blocks = build(Handout("t", items=[one, two]), Options()).blocks
    assert (blocks[0].shows_changes, blocks[0].shows_variants) == (True, False)
    assert (blocks[1].shows_changes, blocks[1].shows_variants) == (False, True)
