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
        (("abc " * 10 + SAMPLE).encode("utf-16-le"), "utf-16"),  # no BOM, NUL pattern
    ],
)
def test_detects_the_encoding_and_decodes_exactly(data, encoding):
    decoded = decode(data)
    assert decoded.encoding == encoding
    assert decoded.text.endswith(SAMPLE if "工作" in decoded.text else TRADITIONAL)


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
