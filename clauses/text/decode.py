"""Turn the bytes of an uploaded file into text, or say clearly why not.

Detection order, each step explainable to a user:
1. a byte-order mark (UTF-8, UTF-16 LE/BE) decides;
2. UTF-16 without a mark shows as NUL bytes in every other position;
3. strict UTF-8;
4. GB18030 (a superset of GBK and GB2312) and Big5 are both tried; when both
   decode, the one whose Han characters are the commoner ones wins. A wrong
   legacy decoding turns Chinese into a soup of rare characters.
Binary files (images, archives, PDFs, anything with control bytes) are refused.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass


class DecodeError(ValueError):
    """The bytes are not text policyreader can read; the message says why."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # the codec name used: utf-8, utf-8-sig, utf-16, gb18030, big5


MAGIC = [
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or a Word/Excel file)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "a program"),
]

# Control characters that never occur in a text file (tab, LF, CR, FF excepted).
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f]")


def _han_share_common(text: str) -> float:
    """Share of Han characters that are in the common levels of GB2312 or Big5.

    GB2312 level 1 (lead bytes 0xB0–0xD7) holds the 3,755 commonest simplified
    characters; Big5 lead bytes 0xA4–0xC6 hold the 5,401 common traditional
    ones. A correct decoding of Chinese prose scores near 1, a wrong one low.
    """
    han = common = 0
    for ch in text:
        if "\u4e00" <= ch <= "\u9fff":
            han += 1
            try:
                if 0xB0 <= ch.encode("gb2312")[0] <= 0xD7:
                    common += 1
                    continue
            except UnicodeEncodeError:
                pass
            try:
                if 0xA4 <= ch.encode("big5")[0] <= 0xC6:
                    common += 1
            except UnicodeEncodeError:
                pass
    return common / han if han else 0.0


def _looks_like_utf16(data: bytes) -> str | None:
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even_nul = sample[0::2].count(0) / (len(sample) / 2)
    odd_nul = sample[1::2].count(0) / (len(sample) / 2)
    # ASCII-heavy UTF-16 has NULs in every other byte; Chinese UTF-16 rarely
    # has NULs at all, so only the NUL pattern is trusted without a BOM.
    if odd_nul > 0.3 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.3 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def _check_text(text: str, encoding: str) -> Decoded:
    if _CONTROL.search(text):
        raise DecodeError("The file contains control characters: it is binary, not text.")
    if not text.strip():
        raise DecodeError("The file contains no text, only white space.")
    return Decoded(text, encoding)


def decode(data: bytes) -> Decoded:
    """Decode ``data`` or raise DecodeError with a message for the user."""
    if not data:
        raise DecodeError("The file is empty.")
    for magic, what in MAGIC:
        if data.startswith(magic):
            raise DecodeError(f"The file is {what}, not a text file.")

    if data.startswith(codecs.BOM_UTF8):
        try:
            return _check_text(data.decode("utf-8-sig"), "utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DecodeError(
                f"The file starts with a UTF-8 mark but is not valid UTF-8 (byte {exc.start})."
            ) from exc
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return _check_text(data[2:].decode(codec), "utf-16")
            except UnicodeDecodeError as exc:
                raise DecodeError("The file starts with a UTF-16 mark but is not UTF-16.") from exc
    codec = _looks_like_utf16(data)
    if codec:
        try:
            return _check_text(data.decode(codec), "utf-16")
        except UnicodeDecodeError:
            pass

    if b"\x00" in data:
        raise DecodeError("The file contains NUL bytes: it is binary, not text.")

    try:
        return _check_text(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass

    candidates = []
    for codec in ("gb18030", "big5"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        candidates.append((_han_share_common(text), codec, text))
    if not candidates:
        raise DecodeError(
            "The file is not in an encoding policyreader reads "
            "(UTF-8, UTF-16, GB18030/GBK or Big5)."
        )
    # Highest share of common characters wins; GB18030 first on a tie.
    score, codec, text = max(candidates, key=lambda c: (c[0], c[1] == "gb18030"))
    if score < 0.5:
        raise DecodeError(
            "The file decodes only as a jumble of rare characters: it is not Chinese text "
            "in UTF-8, UTF-16, GB18030/GBK or Big5."
        )
    return _check_text(text, codec)
