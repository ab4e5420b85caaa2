"""Turn the bytes of an uploaded file into text, or say clearly why not.

Detection order, each step explainable to a user:
1. a byte-order mark (UTF-8, UTF-16 LE/BE) decides;
2. UTF-16 without a mark shows as NUL bytes in every other position;
3. strict UTF-8;
4. the legacy encodings, each family through its supersets: GB18030 (which
   contains GBK and GB2312); Big5, then the vendor supersets Windows cp950
   (ETEN extensions: 裏, 碁, 銹, €) and Big5-HKSCS (Hong Kong: 恒 …); and
   UTF-16 without a mark. Every candidate that decodes is scored by how
   plausible its characters are for Chinese prose (``plausibility``); the best
   wins only by a clear margin (``MARGIN``) over the next and above a floor
   (``FLOOR``). A wrong legacy decoding turns Chinese into a soup of rare
   characters, kana and symbols (眏て㎝承…); when in doubt the file is refused,
   naming the encodings tried and why each lost.
Binary files (images, archives, PDFs, anything with control bytes) are refused.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from .messages import TextError, gettext_noop


class DecodeError(TextError):
    """The bytes are not text policyreader can read; the message says why
    (``messages.TextError``: translatable template and parameters)."""


@dataclass(frozen=True)
class Decoded:
    text: str
    # The codec name used: utf-8, utf-8-sig, utf-16 (with a mark), utf-16-le /
    # utf-16-be (without), gb18030, big5, cp950, big5hkscs.
    encoding: str


MAGIC = [
    (b"\x89PNG\r\n\x1a\n", gettext_noop("a PNG image")),
    (b"\xff\xd8\xff", gettext_noop("a JPEG image")),
    (b"GIF8", gettext_noop("a GIF image")),
    (b"%PDF", gettext_noop("a PDF document")),
    (b"PK\x03\x04", gettext_noop("a ZIP archive (or a Word/Excel file)")),
    (b"\xd0\xcf\x11\xe0", gettext_noop("an old Microsoft Office file")),
    (b"\x1f\x8b", gettext_noop("a gzip archive")),
    (b"\x7fELF", gettext_noop("a program")),
]

#: How the encodings tried are listed in a refusal.
TRIED_LEGEND = gettext_noop(
    "✗ @n: not decodable at byte n; ✗ ^: control characters; n%: share of common Chinese"
)

# Control characters that never occur in a text file (tab, LF, CR, FF excepted).
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f]")


#: Candidate legacy decodings: (codec, family). Within a family the first that
#: decodes strictly is taken: each later one is a superset of the earlier.
LEGACY = [
    ("gb18030", "GB18030/GBK"),
    ("big5", "Big5"),
    ("cp950", "Big5"),
    ("big5hkscs", "Big5"),
    ("utf-16-le", "UTF-16"),
    ("utf-16-be", "UTF-16"),
]
#: The best decoding must beat the next one by this much plausibility…
MARGIN = 0.15
#: …and be at least this plausible.
FLOOR = 0.6
_SAMPLE = 20000  # characters scored per candidate


def _is_common_han(ch: str) -> bool:
    """In the common levels of GB2312 (level 1, lead bytes 0xB0–0xD7: the
    3,755 commonest simplified characters) or Big5 (lead bytes 0xA4–0xC6: the
    5,401 common traditional ones)."""
    try:
        if 0xB0 <= ch.encode("gb2312")[0] <= 0xD7:
            return True
    except UnicodeEncodeError:
        pass
    try:
        return 0xA4 <= ch.encode("big5")[0] <= 0xC6
    except UnicodeEncodeError:
        return False


_PUNCT = set("，。、；：？！“”‘’（）《》〈〉【】「」『』〔〕—…·・　％．／－")


def plausibility(text: str) -> float:
    """Share of the non-ASCII characters that are what Chinese prose is made of.

    Common Han characters and CJK punctuation count for; rare Han characters,
    kana, Hangul, private use, symbols and anything else count against. ASCII
    (digits, Latin, line breaks) is neutral. A right decoding of Chinese scores
    near 1; a wrong one (Big5 read as GB18030, UTF-16 read the wrong way
    round) far lower.
    """
    good = total = 0
    for ch in text[:_SAMPLE]:
        if ch < "\x80" or ch.isspace():
            continue
        total += 1
        if ch in _PUNCT or ("\u4e00" <= ch <= "\u9fff" and _is_common_han(ch)):
            good += 1
    return good / total if total else 0.0


def _han_share_common(text: str) -> float:
    """Share of Han characters that are in the common levels of GB2312 or Big5."""
    han = common = 0
    for ch in text:
        if "\u4e00" <= ch <= "\u9fff":
            han += 1
            common += _is_common_han(ch)
    return common / han if han else 0.0


def _nul_parity(data: bytes) -> str | None:
    """The UTF-16 byte order that NUL bytes suggest, if they fall on one side.

    ASCII (line breaks, digits, Latin) in UTF-16 puts a NUL in every other
    byte: on odd offsets for little-endian, even for big-endian.
    """
    sample = data[:8000]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd >= 2 and even == 0:
        return "utf-16-le"
    if even >= 2 and odd == 0:
        return "utf-16-be"
    return None


def _check_text(text: str, encoding: str) -> Decoded:
    if _CONTROL.search(text):
        raise DecodeError(
            gettext_noop("The file contains control characters: it is binary, not text.")
        )
    if not text.strip():
        raise DecodeError(gettext_noop("The file contains no text, only white space."))
    return Decoded(text, encoding)


def decode(data: bytes) -> Decoded:
    """Decode ``data`` or raise DecodeError with a message for the user."""
    if not data:
        raise DecodeError(gettext_noop("The file is empty."))
    for magic, what in MAGIC:
        if data.startswith(magic):
            raise DecodeError(gettext_noop("The file is %(what)s, not a text file."), what=what)

    if data.startswith(codecs.BOM_UTF8):
        try:
            return _check_text(data.decode("utf-8-sig"), "utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DecodeError(
                gettext_noop(
                    "The file starts with a UTF-8 mark but is not valid UTF-8 (byte %(byte)s)."
                ),
                byte=exc.start,
            ) from exc
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return _check_text(data[2:].decode(codec), "utf-16")
            except UnicodeDecodeError as exc:
                raise DecodeError(
                    gettext_noop("The file starts with a UTF-16 mark but is not UTF-16.")
                ) from exc
    if b"\x00" in data:
        return _utf16_without_mark(data)

    try:
        return _check_text(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = f"utf-8 ✗ @{exc.start}"
    return _legacy(data, utf8_error)


def _utf16_without_mark(data: bytes) -> Decoded:
    """NUL bytes: UTF-16 without a mark, or binary.

    ASCII in UTF-16 puts its NULs on one side (``_nul_parity``); Chinese text
    has NULs only where a character's low byte is 00 (一 U+4E00). Either byte
    order that decodes cleanly to plausible Chinese, or to ASCII-heavy text
    with the NULs on its side, is taken; anything else is binary.
    """
    if len(data) % 2 == 0:
        parity = _nul_parity(data)
        order = [parity] if parity else []
        order += [c for c in ("utf-16-le", "utf-16-be") if c != parity]
        for codec in order:
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                continue
            if _CONTROL.search(text):
                continue
            if plausibility(text) >= FLOOR or (codec == parity and text.isascii()):
                return _check_text(text, codec)
    raise DecodeError(gettext_noop("The file contains NUL bytes: it is binary, not text."))


def _legacy(data: bytes, utf8_error: str) -> Decoded:
    """Score every legacy decoding and take the best only by a clear margin."""
    tried = [utf8_error]
    candidates: list[tuple[float, str, str, str]] = []  # score, codec, family, text
    families: set[str] = set()
    for codec, family in LEGACY:
        if family in families:
            continue
        if family == "UTF-16" and len(data) % 2:
            continue
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            tried.append(f"{codec} ✗ @{exc.start}")
            continue
        if _CONTROL.search(text):
            tried.append(f"{codec} ✗ ^")
            continue
        if family != "UTF-16":
            families.add(family)
        candidates.append((plausibility(text), codec, family, text))
    candidates.sort(key=lambda c: -c[0])
    for score, codec, _family, _text in candidates:
        tried.append(f"{codec} {score:.0%}")
    summary = "; ".join(tried)
    if not candidates:
        raise DecodeError(
            gettext_noop(
                "The file is not in an encoding policyreader reads "
                "(UTF-8, UTF-16, GB18030/GBK or Big5). Tried: %(tried)s (%(legend)s)."
            ),
            tried=summary,
            legend=TRIED_LEGEND,
        )
    score, codec, _family, text = candidates[0]
    if score < FLOOR:
        raise DecodeError(
            gettext_noop(
                "The file decodes only as a jumble of rare characters: it is not Chinese text "
                "in UTF-8, UTF-16, GB18030/GBK or Big5. Tried: %(tried)s (%(legend)s)."
            ),
            tried=summary,
            legend=TRIED_LEGEND,
        )
    if len(candidates) > 1 and score - candidates[1][0] < MARGIN:
        raise DecodeError(
            gettext_noop(
                "The file's encoding is in doubt: %(first)s and %(second)s both read as "
                "Chinese (%(score)s against %(other)s). Save it as UTF-8 and "
                "import it again. Tried: %(tried)s (%(legend)s)."
            ),
            first=codec,
            second=candidates[1][1],
            score=f"{score:.0%}",
            other=f"{candidates[1][0]:.0%}",
            tried=summary,
            legend=TRIED_LEGEND,
        )
    return _check_text(text, codec)
