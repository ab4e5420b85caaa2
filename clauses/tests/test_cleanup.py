"""Each clean-up rule on real snippets of the seeds and on the wild forms."""

import pytest

from clauses.text import cleanup
from clauses.text.textmap import MappedText


def run(rule, text):
    new, result = rule(MappedText.identity(text))
    return new.text, result


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("工(gong)(gong)(gong)人", "工人"),  # repeated
        ("產(chǎn )業", "產業"),  # tone marks and a stray space
        ("產(chan)(chan)業(ye)工人", "產業工人"),
        ("(二十四(si))把農民工", "(二十四)把農民工"),  # inside a label
        ("(十(shi)二)暢通", "(十二)暢通"),
        ("堅(jian)持(chi)(chi)以", "堅持以"),
        ("綠(lü)色", "綠色"),
        ("綠(lv)色", "綠色"),
        ("关(guan1)于", "关于"),  # tone number
    ],
)
def test_pinyin_glosses_are_removed(raw, clean):
    assert run(cleanup.remove_pinyin_glosses, raw)[0] == clean


@pytest.mark.parametrize(
    "text",
    [
        "在职业学校(含技工院校,下同)",
        "(工种、岗位)",
        "(2024年10月12日)",
        "《专利合作条约》(PCT)时",
        "协议(PCT)",  # Latin letters after a Han character, but not its reading
        "工人(ren)(abc)",  # only the plausible first gloss may go…
    ][:-1],
)
def test_real_parentheticals_stay(text):
    assert run(cleanup.remove_pinyin_glosses, text)[0] == text


def test_a_gloss_run_stops_at_the_first_implausible_reading():
    assert run(cleanup.remove_pinyin_glosses, "工(gong)(pct)人")[0] == "工(pct)人"


def test_pinyin_report_counts_glosses_and_gives_examples():
    _, result = run(cleanup.remove_pinyin_glosses, "工(gong)(gong)人(ren)")
    assert result.count == 2
    assert result.detail["glosses"] == 3
    assert result.examples[0] == "工(gong)(gong) → 工"


def test_junk_in_parentheses_is_removed_but_not_text():
    text, result = run(cleanup.remove_junk_parentheticals, "产业工人(🚸)队伍(工种、岗位)(★)(PCT)")
    assert text == "产业工人队伍(工种、岗位)(PCT)"
    assert result.count == 2


def test_markdown_heading_marks_are_stripped_at_line_start_only():
    text, result = run(cleanup.strip_markdown_marks, "## 四、适应新型\n### 一、总体要求\n第#1号")
    assert text == "四、适应新型\n一、总体要求\n第#1号"
    assert result.count == 2


def test_invisible_characters_and_line_endings():
    text, _ = run(cleanup.strip_invisible, "\ufeff产业\u200b工人")
    assert text == "产业工人"
    text, result = run(cleanup.normalize_line_endings, "一\r\n二\r三")
    assert (text, result.count) == ("一\n二\n三", 2)


def test_traditional_script_is_detected_and_converted_character_for_character():
    trad = "產業工人是工人階級的主體力量"
    assert cleanup.detect_script(trad) == "traditional"
    assert cleanup.detect_script("产业工人是工人阶级的主体力量") == "simplified"
    mt, result = cleanup.convert_traditional(MappedText.identity(trad))
    assert mt.text == "产业工人是工人阶级的主体力量"
    assert result.count == 5
    assert mt.raw_span(0, 2) == (0, 2)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("坚持以教促产,以产助教;做到:", "坚持以教促产，以产助教；做到："),
        ("(含技工院校,下同)", "（含技工院校，下同）"),
        ("(2024年10月12日)", "（2024年10月12日）"),
        ("《条约》(PCT)时", "《条约》（PCT）时"),
        ("10:30 与 1,000 人", "10:30 与 1,000 人"),  # between digits: not Chinese punctuation
        ("http://www.0437.com", "http://www.0437.com"),
        ("劳动精神、工匠精神", "劳动精神、工匠精神"),  # a real difference stays
    ],
)
def test_punctuation_twins_unify_to_full_width(raw, clean):
    assert run(cleanup.unify_punctuation, raw)[0] == clean


def test_spaces_between_chinese_go_but_not_between_latin_words():
    text, result = run(
        cleanup.remove_spaces_between_chinese, "（一） 构建合力 E-mail: jl LIAO YUAN"
    )
    assert text == "（一）构建合力 E-mail: jl LIAO YUAN"
    assert result.count == 1
