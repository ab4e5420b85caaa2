import codecs

import pytest

from clauses.text.decode import DecodeError, decode

SAMPLE = (
    "中共中央 国务院关于深化产业工人队伍建设改革的意见\n（一）持续强化产业工人队伍思想政治工作。"
)
TRADITIONAL = "產業工人是工人階級的主體力量，是創造社會財富的中堅力量。"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (SAMPLE.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + SAMPLE.encode("utf-8"), "utf-8-sig"),
        (SAMPLE.encode("gbk"), "gb18030"),
        (SAMPLE.encode("gb18030"), "gb18030"),
        (TRADITIONAL.encode("big5"), "big5"),
        (SAMPLE.encode("utf-16"), "utf-16"),  # with BOM
        (("abc " * 10 + SAMPLE).encode("utf-16-le"), "utf-16-le"),  # no BOM, NUL pattern
        (("abc " * 10 + SAMPLE).encode("utf-16-be"), "utf-16-be"),
        (SAMPLE.encode("utf-16-le"), "utf-16-le"),  # no BOM, one line break only
        (SAMPLE.replace("\n", "").encode("utf-16-le"), "utf-16-le"),  # no BOM, no NUL at all
        (SAMPLE.replace("\n", "").encode("utf-16-be"), "utf-16-be"),
        (("在本單位裏" + TRADITIONAL).encode("cp950"), "cp950"),  # ETEN extension
        (("€碁" + TRADITIONAL).encode("cp950"), "cp950"),
        (("嘅" + TRADITIONAL).encode("big5hkscs"), "big5hkscs"),  # Hong Kong supplement
    ],
)
def test_detects_the_encoding_and_decodes_exactly(data, encoding):
    decoded = decode(data)
    assert decoded.encoding == encoding
    expected = SAMPLE if "工作" in decoded.text else TRADITIONAL
    assert decoded.text.endswith(expected if "\n" in decoded.text else expected.replace("\n", ""))


def test_windows_line_endings_are_kept_in_the_decoded_original():
    assert decode(SAMPLE.replace("\n", "\r\n").encode("gbk")).text == SAMPLE.replace("\n", "\r\n")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n\n  ", "no text"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "PNG image"),
        (b"%PDF-1.7\n...", "PDF"),
        (bytes(range(256)) * 8, "binary"),
        (b"abc\x00\x01\x02def" * 50, "binary"),
    ],
)
def test_refuses_what_is_not_text_with_a_reason(data, message):
    with pytest.raises(DecodeError, match=message):
        decode(data)


def test_vendor_big5_is_never_read_as_gb18030_mojibake():
    data = ("請在本單位裏結合實際認真貫徹落實。" + TRADITIONAL * 3).encode("cp950")
    decoded = decode(data)
    assert decoded.encoding == "cp950"
    assert "裏" in decoded.text


def test_a_doubtful_decoding_is_refused_naming_the_encodings_tried():
    # Two bytes that are a common character in GB18030 and in Big5 alike.
    data = "中".encode("gbk")  # b"\xd6\xd0": 中 in GBK, 笢-like in Big5
    candidates = [data.decode(c, "replace") for c in ("gb18030", "big5")]
    assert candidates[0] != candidates[1]
    with pytest.raises(DecodeError) as exc:
        decode(bytes(range(0xA1, 0xFE)) * 4)
    assert "gb18030" in str(exc.value) and "Tried" in str(exc.value)


def test_the_wild_big5_copies_decode_as_big5():
    from pathlib import Path

    wild = Path(__file__).parent / "fixtures" / "corpus" / "wild"
    eten = decode((wild / "w03-big5-cp950-eten-2017plan.txt").read_bytes())
    assert eten.encoding == "cp950" and "本單位裏" in eten.text
    control = decode((wild / "w03-control-big5-without-eten-2017plan.txt").read_bytes())
    assert control.encoding == "big5"
