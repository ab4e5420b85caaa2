from hypothesis import given
from hypothesis import strategies as st

from clauses.text.textmap import MappedText


def draw_edits(data, length: int) -> list[tuple[int, int, str]]:
    edits, pos = [], 0
    while pos < length and data.draw(st.booleans()):
        start = data.draw(st.integers(pos, length - 1))
        end = data.draw(st.integers(start + 1, min(length, start + 4)))
        edits.append((start, end, data.draw(st.sampled_from(["", "X", "YY", "ZZZ"]))))
        pos = end
    return edits


@given(st.text(alphabet="abc工人（）", max_size=40), st.data())
def test_every_character_keeps_its_origin_through_chained_edits(text, data):
    """The map agrees with a naive per-character list of origins."""
    mt = MappedText.identity(text)
    origin = list(range(len(text)))
    for _ in range(3):
        edits = draw_edits(data, len(mt.text))
        new_origin, pos = [], 0
        for start, end, repl in edits:
            new_origin += origin[pos:start]
            old = origin[start:end]
            new_origin += [old[j] if j < len(old) else old[-1] for j in range(len(repl))]
            pos = end
        new_origin += origin[pos:]
        mt, origin = mt.edit(edits), new_origin
        assert [mt.raw_offset(i) for i in range(len(mt.text))] == origin


def test_raw_span_covers_characters_deleted_inside_it():
    mt = MappedText.identity("工(gong)人。")
    mt = mt.edit([(1, 7, "")])
    assert mt.text == "工人。"
    start, end = mt.raw_span(0, 2)
    assert "工(gong)人。"[start:end] == "工(gong)人"


def test_same_length_conversion_keeps_the_map():
    mt = MappedText.identity("產業,工人").edit([(2, 3, "")])
    converted = mt.translate_same_length("产业工人")
    assert converted.raw_span(2, 4) == (3, 5)
