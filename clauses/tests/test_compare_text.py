"""clauses.text.compare: pairing two versions' units, on small texts (no database)."""

from clauses.text.compare import SIMILARITY_THRESHOLD, compare, diff_sides, similarity

A = "国家鼓励和支持自然人、法人和其他组织践行社会主义核心价值观，弘扬中华民族传统美德，依法开展慈善活动。"
B = "开展慈善活动，应当遵循合法、自愿、诚信、非营利的原则，不得违背社会公德，不得危害国家安全。"
C = "县级以上人民政府民政部门和其他有关部门应当及时向社会公开下列慈善信息，并对其真实性负责。"
D = "慈善组织应当每年向其登记的民政部门报送年度工作报告和财务会计报告，报告应当包括年度开展募捐情况。"
E = "任何组织和个人不得利用慈善活动从事危害国家安全、损害社会公共利益和他人合法权益的活动。"


def relations(pairs):
    return [(p.old, p.new, p.relation) for p in pairs]


def test_same_changed_added_removed_in_new_order():
    old = [("a1", "第一条", A), ("a2", "第二条", B), ("a3", "第三条", C)]
    new = [
        ("a1", "第一条", A),
        ("a2", "第二条", B.replace("诚信", "诚实守信")),
        ("a3", "第三条", D),
    ]
    pairs = compare(old, new)
    assert relations(pairs) == [
        (("a1",), ("a1",), "same"),
        (("a2",), ("a2",), "changed"),
        # C has no counterpart: removed, in its place (after a2's pair), then D added.
        (("a3",), (), "removed"),
        ((), ("a3",), "added"),
    ]
    assert pairs[0].similarity == 1.0 and 0.9 < pairs[1].similarity < 1.0
    assert pairs[2].similarity == 0.0 and pairs[3].similarity == 0.0


def test_renumbered_unchanged_text_is_moved_and_new_unit_added():
    old = [("a1", "第一条", A), ("a2", "第二条", B)]
    new = [("a1", "第一条", D), ("a2", "第二条", A), ("a3", "第三条", B)]
    assert relations(compare(old, new)) == [
        ((), ("a1",), "added"),
        (("a1",), ("a2",), "moved"),
        (("a2",), ("a3",), "moved"),
    ]


def test_out_of_order_unchanged_text_is_moved_even_with_its_label():
    old = [("x", "一、", A), ("y", "二、", B), ("z", "三、", C), ("w", "四、", E)]
    new = [("x", "一、", B), ("y", "二、", C), ("z", "三、", E), ("w", "四、", A)]
    pairs = {p.new: p for p in compare(old, new)}
    # B, C, E keep their order (labels change: renumbered); A went to the end.
    assert pairs[("w",)].old == ("x",) and pairs[("w",)].relation == "moved"
    assert not pairs[("w",)].in_order
    assert all(pairs[(k,)].relation == "moved" for k in "xyz")


def test_whitespace_alone_is_no_change():
    pairs = compare([("h", "第一章", "总 则")], [("h", "第一章", "总则")])
    assert relations(pairs) == [(("h",), ("h",), "same")]


def test_split_one_article_into_two():
    old = [("a1", "第一条", A), ("a2", "第二条", B + C), ("a3", "第三条", E)]
    new = [("a1", "第一条", A), ("a2", "第二条", B), ("a3", "第三条", C), ("a4", "第四条", E)]
    pairs = compare(old, new)
    assert relations(pairs) == [
        (("a1",), ("a1",), "same"),
        (("a2",), ("a2", "a3"), "split"),
        (("a3",), ("a4",), "moved"),
    ]
    assert pairs[1].similarity == 1.0


def test_merge_two_articles_into_one_with_a_change():
    old = [("a1", "第一条", A), ("a2", "第二条", B), ("a3", "第三条", C), ("a4", "第四条", E)]
    new = [
        ("a1", "第一条", A),
        ("a2", "第二条", B + C.replace("及时", "依法及时")),
        ("a3", "第三条", E),
    ]
    pairs = compare(old, new)
    assert relations(pairs) == [
        (("a1",), ("a1",), "same"),
        (("a2", "a3"), ("a2",), "merged"),
        (("a4",), ("a3",), "moved"),
    ]
    assert 0.95 < pairs[1].similarity < 1.0


def test_unrelated_texts_stay_unpaired_below_the_threshold():
    old = [("p1", "", A)]
    new = [("p1", "", D)]
    assert similarity(A, D) < SIMILARITY_THRESHOLD
    assert relations(compare(old, new)) == [(("p1",), (), "removed"), ((), ("p1",), "added")]


def test_an_article_much_extended_is_still_its_later_version():
    longer = (
        A
        + "国家建立健全慈善信息统计和发布制度，国务院民政部门建立健全统一的慈善信息平台，免费提供慈善信息发布服务。"
        + "慈善组织和慈善信托的受托人应当在前款规定的平台发布慈善信息，并对信息的真实性负责。"
        + "县级以上人民政府民政部门和其他有关部门应当及时向社会公开慈善组织登记事项、慈善信托备案事项。"
    )
    assert similarity(A, longer) < SIMILARITY_THRESHOLD
    pairs = compare([("a1", "第一条", A)], [("a1", "第一条", longer)])
    assert relations(pairs) == [(("a1",), ("a1",), "changed")]


def test_order_breaks_ties_between_identical_texts():
    old = [("h1", "第一章", "附则"), ("a", "第一条", A), ("h2", "第二章", "附则")]
    new = [("h1", "第一章", "附则"), ("a", "第一条", A), ("h2", "第二章", "附则")]
    assert [p.relation for p in compare(old, new)] == ["same", "same", "same"]
    assert [(p.old, p.new) for p in compare(old, new)] == [
        (("h1",), ("h1",)),
        (("a",), ("a",)),
        (("h2",), ("h2",)),
    ]


def test_fixed_corrections_override_the_automatic_pairing():
    old = [("a1", "第一条", A), ("a2", "第二条", B)]
    new = [("a1", "第一条", A), ("a2", "第二条", D)]
    pairs = compare(old, new, fixed=[(["a2"], ["a2"]), (["a1"], []), ([], ["a1"])])
    got = {(p.old, p.new): p for p in pairs}
    assert got[(("a2",), ("a2",))].relation == "changed" and got[(("a2",), ("a2",))].fixed
    assert got[(("a1",), ())].relation == "removed" and got[((), ("a1",))].relation == "added"
    # Unknown keys are ignored; every unit is listed once.
    pairs = compare(old, new, fixed=[(["zz"], ["a1"])])
    assert sorted(k for p in pairs for k in p.new) == ["a1", "a2"]
    assert sorted(k for p in pairs for k in p.old) == ["a1", "a2"]


def test_json_shape():
    (pair,) = compare([("a1", "第一条", A)], [("a1", "第一条", A + "。")])
    assert pair.as_json() == {
        "old": ["a1"],
        "new": ["a1"],
        "relation": "changed",
        "similarity": round(similarity(A, A + "。"), 3),
    }


def test_diff_sides_marks_and_keeps_every_character():
    old_texts = ["维护社会主义法制的统一和尊严。", "立法应当体现人民的意志。"]
    new_texts = ["维护社会主义法制的统一、尊严、权威。"]
    old_side, new_side = diff_sides(old_texts, new_texts)
    assert ["".join(t for _k, t in segs) for segs in old_side] == old_texts
    assert ["".join(t for _k, t in segs) for segs in new_side] == new_texts
    assert old_side[1][0] == ("del", "立法应当体现人民的意志")
    assert any(k == "ins" and "权威" in t for k, t in new_side[0])
    assert {k for segs in old_side for k, _t in segs} <= {"same", "del"}
    assert {k for segs in new_side for k, _t in segs} <= {"same", "ins"}
