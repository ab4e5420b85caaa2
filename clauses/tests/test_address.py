"""款 / 项 / 目 addresses inside an article (no database)."""

from clauses.text.address import cite_at, subdivisions

# 慈善法 (2016) 第三条, and a second 款 invented after it.
ARTICLE = (
    "本法所称慈善活动，是指以捐赠财产或者提供服务等方式，自愿开展的下列公益活动：\n"
    "（一）扶贫、济困；\n"
    "（二）扶老、救孤、恤病、助残、优抚；\n"
    "1.具体办法由国务院规定。\n"
    "（三）救助自然灾害等突发事件造成的损害。\n"
    "前款规定以外的活动，不属于慈善活动。"
)


def test_lines_get_their_kuan_xiang_and_mu():
    subs = subdivisions(ARTICLE)
    assert [(s.kuan, s.xiang, s.mu) for s in subs] == [
        (1, "", ""),
        (1, "（一）", ""),
        (1, "（二）", ""),
        (1, "（二）", "1."),
        (1, "（三）", ""),
        (2, "", ""),
    ]
    assert [s.anchor for s in subs] == ["k1", "k1-x1", "k1-x2", "k1-x2-m1", "k1-x3", "k2"]


def test_citations_name_the_kuan_and_the_xiang():
    assert cite_at("第三条", ARTICLE, 0) == "第三条"
    assert cite_at("第三条", ARTICLE, ARTICLE.index("救孤")) == "第三条第一款第（二）项"
    assert cite_at("第三条", ARTICLE, ARTICLE.index("具体办法")) == "第三条第一款第（二）项第1目"
    assert cite_at("第三条", ARTICLE, ARTICLE.index("前款")) == "第三条第二款"


def test_offsets_point_into_the_text():
    for sub in subdivisions(ARTICLE):
        line = ARTICLE[sub.start : sub.end]
        assert line and "\n" not in line
