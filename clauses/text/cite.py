"""Citation lines for a unit of a document: GB/T 7714-2015 and a plain one.

Both name the document (issuing bodies, title, 文号, date), the unit's
locator (``clauses.text.locator``), the revision of its canonical text
through the URL (``…/u/<key>/?rev=N``), and the day the text was read.
Framework-free: the caller gives every part as text or a ``date``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_ISSUER_SEP = re.compile(r"[、，,；;\s\u3000]+")


@dataclass(frozen=True)
class Citable:
    """What a citation of one unit says.

    ``issuers``: the issuing bodies as the document prints them
    (``中共中央、国务院``); ``title``: the document's title; ``number``: its
    文号 (``中发〔2017〕14号``) or ""; ``issued``: its date or None;
    ``locator``: the unit's locator (``二、（一）``); ``revision``: the
    revision cited (1-based); ``url``: the absolute URL of that revision;
    ``accessed``: the day it was read.
    """

    issuers: str
    title: str
    number: str
    issued: date | None
    locator: str
    revision: int
    url: str
    accessed: date


def issuers_list(issuers: str) -> list[str]:
    """``中共中央、国务院`` → ``["中共中央", "国务院"]`` (separated by 、，; or spaces)."""
    return [name for name in _ISSUER_SEP.split(issuers.strip()) if name]


def gbt7714(c: Citable) -> str:
    """The GB/T 7714-2015 reference of an electronic resource (§4.8,
    电子资源), whose description is

        主要责任者. 题名: 其他题名信息[文献类型标识/文献载体标识]. 出版地: 出版者,
        出版年: 引文页码(更新或修改日期)[引用日期]. 获取和访问路径.

    and whose own example of an official document puts its 文号 as the
    其他题名信息 (``北京市人民政府办公厅. 关于转发…的通知: 京政办发[2005]37号
    [A/OL]. (2005-07-12)[2005-07-12].``). Here: the issuing bodies as
    主要责任者 (several joined by ", " as §8.1.2 lists them, at most three
    then ", 等"), [EB/OL] (电子公告, online), the year and the locator in
    place of 出版年: 引文页码 (the part cited within the resource), the
    document's date as 更新或修改日期, the access date as 引用日期 (both
    YYYY-MM-DD, GB/T 7408), and the URL with the revision. Elements that
    are not known are left out with their punctuation.

    >>> gbt7714(Citable("国务院", "国务院关于…的通知", "国发〔2019〕4号",
    ...     date(2019, 1, 24), "（一）", 2, "https://h/documents/s/u/c1/?rev=2",
    ...     date(2026, 11, 30)))
    '国务院. 国务院关于…的通知: 国发〔2019〕4号[EB/OL]. 2019: （一）(2019-01-24)[2026-11-30]. https://h/documents/s/u/c1/?rev=2.'
    """
    names = issuers_list(c.issuers)
    creators = ", ".join(names[:3]) + (", 等" if len(names) > 3 else "")
    out = f"{creators}. " if creators else ""
    out += c.title
    if c.number:
        out += f": {c.number}"
    out += "[EB/OL]. "
    where = ": ".join(p for p in (str(c.issued.year) if c.issued else "", c.locator) if p)
    out += where
    if c.issued:
        out += f"({c.issued.isoformat()})"
    out += f"[{c.accessed.isoformat()}]. {c.url}."
    return out


def plain(c: Citable) -> str:
    """A plain citation, as Chinese prose writes one: issuing bodies, title in
    《》, 文号 and date in brackets, locator, the revision of this site's text,
    URL, access date:

    ``中共中央、国务院《新时期产业工人队伍建设改革方案》（中发〔2017〕14号，
    2017年4月14日）二、（一），本站文本第3版，https://…?rev=3，2026年11月30日访问。``
    """
    out = c.issuers.strip() + f"《{c.title}》"
    inside = [p for p in (c.number, _chinese_date(c.issued) if c.issued else "") if p]
    if inside:
        out += f"（{'，'.join(inside)}）"
    out += c.locator
    out += f"，本站文本第{c.revision}版，{c.url}，{_chinese_date(c.accessed)}访问。"
    return out


def _chinese_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"
