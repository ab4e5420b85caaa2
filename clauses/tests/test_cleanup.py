"""Each clean-up rule on real snippets of the seeds and on the wild forms."""

from pathlib import Path

import pytest

from clauses.tests.seeds import FILES, seed_bytes
from clauses.text import cleanup
from clauses.text.decode import decode
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
    # Glosses go only in a copy that shows glossing: give each a glossed context.
    text, _ = run(cleanup.remove_pinyin_glosses, raw + GLOSSED)
    assert text == clean + GLOSSED_CLEAN


GLOSSED = "\n堅(jian)持(chi)深(shen)化"
GLOSSED_CLEAN = "\n堅持深化"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("工(gong1)人(ren2)", "工人"),  # tone numbers
        ("女(nv3)工", "女工"),  # ü as v
        ("女(nu:3)工", "女工"),  # ü as u:, tone number
        ("法律(lu:4)监督", "法律监督"),
        ("法律(lu:)服务", "法律服务"),
        ("工(go\u0304ng)人", "工人"),  # combining macron
        ("安(Ān)全", "安全"),  # capitalised, with a tone mark
        ("安（ān）全", "安全"),  # full-width brackets
    ],
)
def test_pinyin_glosses_in_every_spelling(raw, clean):
    text, _ = run(cleanup.remove_pinyin_glosses, raw + GLOSSED)
    assert text == clean + GLOSSED_CLEAN


@pytest.mark.parametrize(
    "text",
    [
        "锂(Li)、钴(Co)、镍(Ni)、钠(Na)，不低于1兆帕(MPa)，即1000000帕(Pa)。",
        "人工智能(AI)、专利合作条约(PCT)、信息通信技术(ICT)",
        "办法(试行)与目录(2024年版)",
        "关(guan1)于",  # a lone gloss is not glossing: nothing is removed
    ],
)
def test_real_parentheticals_and_lone_glosses_stay(text):
    new, result = run(cleanup.remove_pinyin_glosses, text)
    assert new == text
    assert result.count == 0


def test_symbols_stay_even_in_a_glossed_copy():
    text = "锂(Li)电池、钠(Na)电池" + GLOSSED
    new, result = run(cleanup.remove_pinyin_glosses, text)
    assert new == "锂(Li)电池、钠(Na)电池" + GLOSSED_CLEAN
    assert result.detail["kept_symbols"] == 2


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
    text = run(cleanup.remove_pinyin_glosses, "工(gong)(pct)人" + GLOSSED)[0]
    assert text == "工(pct)人" + GLOSSED_CLEAN


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


# --- look-alike code points ----------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("产业⼯⼈队伍", "产业工人队伍"),  # Kangxi radicals U+2F2F, U+2F08
        ("⼀、⼆、⼤", "一、二、大"),
        ("意⻅、⻓期、⻔槛", "意见、长期、门槛"),  # radicals supplement U+2EC5, U+2ED3, U+2ED4
        ("⺟亲", "母亲"),
        ("\uf900\uf901", "\u8c48\u66f4"),  # compatibility ideographs
        ("\ufa0e", "\ufa0e"),  # a unified ideograph in the compatibility block stays
        ("工人", "工人"),
    ],
)
def test_lookalike_code_points_fold_one_for_one(raw, clean):
    mt, result = cleanup.fold_lookalike_ideographs(MappedText.identity(raw))
    assert mt.text == clean
    assert len(mt.text) == len(raw)
    assert result.count == sum(a != b for a, b in zip(raw, clean, strict=True))
    assert mt.raw_span(0, len(clean)) == (0, len(raw))


def test_every_kangxi_radical_and_supplement_entry_maps_to_a_unified_ideograph():
    import unicodedata

    for cp in range(0x2F00, 0x2FD6):
        assert cp in cleanup.LOOKALIKES
    for cp, ch in cleanup.LOOKALIKES.items():
        assert len(ch) == 1 and "CJK" in unicodedata.name(ch), hex(cp)
    assert cleanup.LOOKALIKES[0x2EC5] == "见" and cleanup.LOOKALIKES[0x2ED3] == "长"


def test_lookalikes_do_not_count_as_a_script():
    assert cleanup.detect_script("产业⼯⼈队伍建设改革的意⻅" * 5) == "simplified"


# --- spaces ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "space", ["\u2002", "\u2003", "\u2009", "\u202f", "\u3000", "\u00a0", "\u2005", " \u3000"]
)
def test_every_unicode_space_is_trimmed_and_removed_between_chinese(space):
    text, _ = run(cleanup.trim_line_edges, f"{space}{space}一、总体要求{space}\n{space}（一）构建")
    assert text == "一、总体要求\n（一）构建"
    text, result = run(cleanup.remove_spaces_between_chinese, f"（一）{space}构建{space}合力")
    assert (text, result.count) == ("（一）构建合力", 2)


def test_a_tab_between_chinese_is_a_table_cell_separator_and_stays():
    text, _ = run(cleanup.trim_line_edges, "\t序号\t改革举措\t")
    assert text == "序号\t改革举措"
    text, result = run(cleanup.remove_spaces_between_chinese, "序号 \t改革举措\t推广范围")
    assert (text, result.count) == ("序号 \t改革举措\t推广范围", 0)


def test_cells_copied_one_per_line_become_a_row():
    text, result = run(
        cleanup.join_table_cells, "序号\n\n\t\n\n改革举措\n\n\t\n\n全国\n\n\n\n1\n\n\t\n\n审判"
    )
    assert text == "序号\t改革举措\t全国\n\n\n\n1\t审判"
    assert result.count == 3


def test_line_separators_are_not_spaces():
    text, _ = run(cleanup.trim_line_edges, "一\u2028二")
    assert text == "一\u2028二"


# --- width ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("确保６０％以上", "确保60%以上"),
        ("人工智能（ＡＩ）", "人工智能（AI）"),  # the brackets stay full width
        ("５Ｇ网络，ｅ时代", "5G网络，e时代"),
        ("１．总体要求", "1.总体要求"),
        ("３．５倍", "3.5倍"),
        ("句末．", "句末．"),  # not after a digit: stays
        ("（２０２４年版）", "（2024年版）"),
    ],
)
def test_fullwidth_digits_and_letters_fold_to_ascii(raw, clean):
    mt, result = cleanup.fold_fullwidth_alphanumerics(MappedText.identity(raw))
    assert mt.text == clean
    assert mt.raw_span(0, len(clean)) == (0, len(raw))
    assert result.count == sum(a != b for a, b in zip(raw, clean, strict=True))


# --- emoji -----------------------------------------------------------------------------


@pytest.mark.parametrize("junk", ["(⌛)", "(☕)", "(⏰)", "(🚸)", "（👍🏻）", "(🇨🇳)", "(❤️)", "(★)"])
def test_emoji_in_parentheses_are_junk(junk):
    text, result = run(cleanup.remove_junk_parentheticals, f"产业工人{junk}队伍")
    assert (text, result.count) == ("产业工人队伍", 1)


@pytest.mark.parametrize("kept", ["(㎡)", "(℃)", "(‰)", "(°)", "(№)", "(©)", "(PCT)", "(一)"])
def test_units_and_signs_in_parentheses_stay(kept):
    text, result = run(cleanup.remove_junk_parentheticals, f"面积{kept}以上")
    assert (text, result.count) == (f"面积{kept}以上", 0)


# --- regional orthography ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("隨著時代發展，著力提升產業工人素質", "随着时代发展，着力提升产业工人素质"),
        ("成效顯著，隨著改革", "成效显著，随着改革"),
        ("著作權與原著、土著、名著，沿著道路", "著作权与原著、土著、名著，沿着道路"),
        ("顯著著力類型", "显著着力类型"),
    ],
)
def test_taiwan_zhe_is_converted_but_zhu_words_stay(raw, clean):
    text = raw + "\n為了裡面的說明"  # Taiwan variants: 為, 裡, 說
    mt, result = cleanup.convert_traditional(MappedText.identity(text))
    assert mt.text.split("\n")[0] == clean
    assert result.detail["orthography"] == "Taiwan"
    assert len(mt.text) == len(text)


def test_hong_kong_orthography_is_detected():
    text = "為了裏面的説明，衞生綫路，隨著改革" * 3
    assert cleanup.detect_orthography(text) == "hk"
    mt, result = cleanup.convert_traditional(MappedText.identity(text))
    assert result.detail["config"] == "hk2s"
    assert "随着改革" in mt.text


def test_taiwan_vocabulary_is_named_not_rewritten():
    text = "探索不同型別企業，支援改革，軟體和資訊，隨著時代"
    mt, result = cleanup.convert_traditional(MappedText.identity(text))
    assert "型别" in mt.text and "软体" in mt.text
    vocabulary = " ".join(result.detail["vocabulary"])
    assert "型别 → 类型" in vocabulary and "软体 → 软件" in vocabulary


def test_qian_in_place_names_stays():
    text = (WILD / "w02-opencc-qian-placename.txt").read_text(encoding="utf-8")
    clean = chain(text)
    assert "乾安县" in clean and "陕西省乾县" in clean and "干部" in clean


# --- the seeds and the wild copies -------------------------------------------------------------

FIXTURES = Path(__file__).parent / "fixtures"
WILD = FIXTURES / "corpus" / "wild"


def chain(text: str) -> str:
    """The character stage as pipeline.prepare runs it."""
    mt = MappedText.identity(text)
    script = cleanup.detect_script(text)
    for rule in cleanup.CHARACTER_RULES:
        if rule is cleanup.unify_punctuation and script == "traditional":
            mt, _ = cleanup.convert_traditional(mt)
        mt, _ = rule(mt)
    return mt.text


@pytest.mark.parametrize("name", sorted(FILES))
def test_seeds_clean_exactly_as_before(name):
    """fixtures/clean/NNN.txt: the character stage's output before issue 8."""
    clean = chain(decode(seed_bytes(name)).text)
    assert clean == (FIXTURES / "clean" / f"{name}.txt").read_text(encoding="utf-8")
    spaced, _ = cleanup.remove_spaces_between_chinese(MappedText.identity(clean))
    assert spaced.text == (FIXTURES / "clean" / f"{name}.spaces.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("wild", "seed"),
    [
        ("w01-opencc-zhe-taiwan-2017plan.txt", "002"),
        ("w04-kangxi-radicals-pdf-000.txt", "000"),
        ("w05-emspace-indent-000.txt", "000"),
        ("w10-fullwidth-digits-000.txt", "000"),
    ],
)
def test_a_damaged_copy_cleans_exactly_like_its_seed(wild, seed):
    damaged = decode((WILD / wild).read_bytes()).text
    assert chain(damaged) == (FIXTURES / "clean" / f"{seed}.txt").read_text(encoding="utf-8")


def test_the_wild_big5_copies_read_like_the_plan_but_for_taiwan_wording():
    seed = (FIXTURES / "clean" / "002.txt").read_text(encoding="utf-8").split("\n")
    for wild in ("w03-big5-cp950-eten-2017plan.txt", "w03-control-big5-without-eten-2017plan.txt"):
        decoded = decode((WILD / wild).read_bytes())
        mt = MappedText.identity(decoded.text)
        _, result = cleanup.convert_traditional(mt)
        assert result.detail["orthography"] == "Taiwan"
        assert any("型别 → 类型" in v for v in result.detail["vocabulary"])
        lines = chain(decoded.text).split("\n")
        same = sum(a == b for a, b in zip(lines, seed, strict=False))
        assert same / len(seed) > 0.8


def test_pinyin_glosses_in_every_form_of_the_wild_copy_are_removed():
    text = (WILD / "w08-pinyin-gloss-forms.txt").read_text(encoding="utf-8")
    clean = chain(text)
    assert "(" not in clean and "（" not in clean.replace("（一）", "").replace("（二）", "")
    assert "法律监督" in clean and "女职工" in clean and "工人安全" in clean


def test_real_parentheticals_of_the_wild_copy_stay():
    text = (WILD / "w09-pinyin-real-parentheticals.txt").read_text(encoding="utf-8")
    clean = chain(text)
    for kept in (
        "锂（Li）",
        "钴（Co）",
        "镍（Ni）",
        "钠（Na）",
        "兆帕（MPa）",
        "帕（Pa）",
        "智能（AI）",
    ):
        assert kept in clean
