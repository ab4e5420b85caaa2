"""The fingerprint (clauses.text.fingerprint): no database.

The module computes the sample through UTF-16 bytes and a test on the last
code unit; these tests hold it to the rule as its docstring states it, written
out plainly below (``_reference``).
"""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from clauses.text.fingerprint import _MASK, _MULTIPLIER, MAX_GRAMS, SAMPLE, N, fingerprint


def _reference(texts) -> list[int]:
    """The rule, character by character: the Han characters kept, every N-gram
    packed 16 bits a character, hashed, kept when 0 modulo SAMPLE; the
    MAX_GRAMS smallest distinct hashes, sorted."""
    sampled = set()
    for text in texts:
        codes = [ord(c) for c in text if "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf"]
        for i in range(len(codes) - N + 1):
            packed = 0
            for code in codes[i : i + N]:
                packed = (packed << 16) | code
            h = (packed * _MULTIPLIER) & _MASK
            if h % SAMPLE == 0:
                sampled.add(h)
    return sorted(sampled)[:MAX_GRAMS]


_CHARS = st.one_of(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    st.characters(min_codepoint=0x3400, max_codepoint=0x4DBF),
    st.sampled_from(list("，。、；：（）《》1a \n\t\u3000")),
    st.characters(min_codepoint=0x20000, max_codepoint=0x2A6DF),  # Extension B: not kept
    st.characters(min_codepoint=0xA000, max_codepoint=0xFFFD),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(_CHARS, max_size=300), max_size=6))
def test_the_fingerprint_is_the_rule_as_stated(texts):
    assert fingerprint(texts) == _reference(texts)


def test_a_long_text_keeps_the_smallest_hashes_only():
    # Some 300,000 distinct 4-grams, 37,500 of them sampled: more than
    # 4 × MAX_GRAMS, so the sketch is trimmed on the way, and must still be
    # the bottom MAX_GRAMS.
    rng = random.Random(5)
    text = "".join(chr(rng.randrange(0x4E00, 0x9FFF)) for i in range(300_000))
    got = fingerprint([text])
    assert len(got) == MAX_GRAMS
    assert got == _reference([text])


def test_shared_grams_are_sampled_alike_in_both_texts():
    a = "关于推进劳动和技能竞赛深入开展的意见全面加强产业工人队伍建设"
    b = "前言。" + a + "，附则"
    assert set(fingerprint([a])) <= set(fingerprint([b]))
