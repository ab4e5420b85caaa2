"""Stage 3, *find regions*: what every line of a cleaned file is.

``find_layout(clean)`` reads the cleaned text once, line by line, and returns a
``layout.Layout``: the file's parts (a covering circular, decree 令 or letter
函; the main document; attachments 附件1 … n), each with its body lines, and a
``Span`` for everything that is not body text: typed metadata fields, named
furniture, a table of contents, and cuts (text outside the document).

How a file is read, top to bottom (a small state machine, no backtracking
beyond a few lines of look-ahead, so the stage is linear in the text):

* *before the document*: furniture (a gov.cn 信息公开 table, a newspaper
  masthead, stray HTML, a forum's login chrome …) and the 版头 elements of
  GB/T 9704-2012 (份号, 密级, 紧急程度, 发文机关标志, 发文字号) until a title, a
  decree's heading or the first line of body text;
* *head* of a part: title over one to three lines, 发文字号, 题注 (history),
  a date under the title, 主送机关, a 目录; then
* *body*: every line until the part's *tail* (附件 list, 落款, 成文日期, 附注,
  抄送, 印发; a decree's signature), a news agency's end line (the rest of the
  file is cut), or the headline of an unrelated article (cut);
* after a tail: the next part (a title, a decree, a 附件 label), else cut.

Which part is which: 附件 parts are attachments; of the others, when there are
two, the first is the covering document and the second the main one. The
file's title is the covering document's (gov.cn files a circular that issues a
plan under the circular's title), except for a decree, which is filed under
the regulation it promulgates.

Rules are data: ``LABELS``, ``FURNITURE_LINES`` and ``FURNITURE_INLINE`` are
tables of (name, compiled pattern[, where it may occur]); each metadata shape
(``DOC_NUMBER``, ``DATE_LINE``, ``NOTE_LINE`` …) is one compiled pattern with
its source (GB/T 9704-2012 for the elements of a 公文).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from .layout import CUT, FURNITURE, METADATA, TOC, BodyLine, Layout, Part, Span

# --- character classes -------------------------------------------------------

_SP = " \t\u3000\u00a0\u2002\u2003\u2009"  # blanks inside a line
_S = f"[{_SP}]"
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CN_DIGITS = "〇○零一二三四五六七八九"
CN_NUM = "一二三四五六七八九十百千零〇两"

# Where a rule may fire.
ANYWHERE = "anywhere"  # also inside the body of a part
OUTSIDE_BODY = "outside_body"  # before the document, in a head or a tail, after it
INLINE = "inline"  # inside a line: the match is a sub-line span


def _first_of(patterns: Sequence[re.Pattern[str]]) -> re.Pattern[str]:
    """One pattern that matches a line where one of ``patterns`` matches it, by
    the first of them that does: ``match.lastindex - 1`` is that one's index.
    One scan instead of one per pattern (this module's rules run on every
    line). Each pattern must have no capturing group and no flag of its own,
    so alternation reads it exactly as alone; ValueError otherwise."""
    for pattern in patterns:
        if pattern.groups or pattern.flags != re.UNICODE:
            raise ValueError(f"not combinable: {pattern.pattern!r}")
    return re.compile("|".join(f"({pattern.pattern})" for pattern in patterns))


# --- structural labels ----------------------------------------------------------

#: What starts a structural unit of a Chinese official document or law: the
#: shapes of GB/T 9704-2012 §7.3.3 (一、 （一） 1. （1）), the 编/章/节/条 of
#: laws (立法技术规范(试行)(一), 2009), decimal outlines of contingency plans
#: (1 / 1.1 / 1.1.1 followed by a space), ①, 一是, —— bullets and 专栏 boxes.
LABELS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("part", re.compile(rf"^第[{CN_NUM}\d]{{1,4}}(?:分编|编|部分)")),
    ("chapter", re.compile(rf"^第[{CN_NUM}\d]{{1,4}}章")),
    ("section", re.compile(rf"^第[{CN_NUM}\d]{{1,4}}节")),
    ("article", re.compile(rf"^第[{CN_NUM}\d]{{1,8}}条")),
    ("heading", re.compile(r"^[一二三四五六七八九十]{1,3}、")),
    ("clause", re.compile(r"^（\s*[一二三四五六七八九十]{1,4}\s*）")),
    ("item", re.compile(r"^\d{1,2}[.．](?!\d)")),
    ("outline", re.compile(rf"^\d{{1,2}}(?:[.．]\d{{1,2}}){{0,3}}{_S}+(?=\S)")),
    ("paren_item", re.compile(r"^（\s*\d{1,2}\s*）")),
    ("circled", re.compile(r"^[\u2460-\u2473]")),
    ("shi", re.compile(r"^[一二三四五六七八九十]{1,3}是")),
    ("bullet", re.compile(r"^——")),
    ("box", re.compile(r"^专栏\s*\d{0,2}")),
)


_ANY_LABEL = _first_of([pattern for _name, pattern in LABELS])


def structural_label(text: str) -> str | None:
    """The kind of structural label ``text`` starts with (``article``,
    ``heading``, ``clause``, ``outline`` … see ``LABELS``), or None.

    ``text`` is one line of clean text; leading blanks are ignored.
    """
    m = _ANY_LABEL.match(text.lstrip(_SP))
    return LABELS[m.lastindex - 1][0] if m else None


def looks_structural(text: str) -> bool:
    """Does the line start with a structural label (see ``structural_label``)?"""
    return structural_label(text) is not None


# --- furniture ------------------------------------------------------------------

_DATE_AR = rf"\d{{4}}{_S}*年{_S}*\d{{1,2}}{_S}*月{_S}*\d{{1,2}}{_S}*日"

#: Continuation markers of a newspaper page: （上接第1版） （下转 第 3 版） （转第4版）.
#: One damaged character before 接/转 is tolerated (OCR), as the old locate did.
CONTINUATION = re.compile(
    rf"（{_S}*[上下{HAN}]?{_S}*[接转]{_S}*第?{_S}*[\d{CN_NUM}]{{1,3}}{_S}*版{_S}*）"
)

#: A newspaper's running head, in any spacing: "工人日报  2024年10月24日  星期四
#: 第3版  要闻" or "2024年10月24日 星期四 工人日报 3".
RUNNING_HEAD = re.compile(
    rf"(?:[{HAN}]{{2,8}}报{_S}*)?{_DATE_AR}{_S}*星期[一二三四五六日天]"
    rf"(?:{_S}*第{_S}*\d{{1,3}}{_S}*版(?:{_S}*[{HAN}]{{2,6}}(?={_S}|$))?"
    rf"|{_S}*[{HAN}]{{2,8}}报{_S}*\d{{1,3}}(?!\d))"
)

#: Full-line furniture: (name, pattern, where). Patterns match a whole stripped line.
FURNITURE_LINES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    # gov.cn page chrome (the www.gov.cn policy page template, 2019).
    ("qr_code", re.compile(r"^扫一扫在手机(?:上)?打开(?:当前页|本页)?$"), ANYWHERE),
    # A saved page's <title> (formats.html_text puts it first): the document's
    # title and the site's name after "_", "|" or " - ": 国务院关于…的意见_政府信息公开专栏.
    (
        "page_title",
        re.compile(
            r"^.{4,150}?(?:_|\s*[|｜]\s*|\s+[-–—]\s+)(?:[^_|｜]{2,20}(?:网|专栏|门户|平台|频道|首页))$"
        ),
        OUTSIDE_BODY,
    ),
    (
        "page_tools",
        re.compile(
            r"^(?:[【\[]?\s*(?:字体|字号)\s*[:：]?\s*(?:[大中小]\s*){0,3}[】\]]?|打印本页|打印|"
            r"关闭窗口|关闭|收藏|复制链接|[|｜\s])+$"
        ),
        ANYWHERE,
    ),
    ("share", re.compile(r"^分享到\s*[:：]?.{0,40}$"), ANYWHERE),
    ("source", re.compile(r"^(?:来源|稿源|文章来源)\s*[:：].{0,30}$"), ANYWHERE),
    ("editor", re.compile(r"^[【\[（]?\s*(?:责任编辑|责编)\s*[:：].{0,20}$"), ANYWHERE),
    (
        "breadcrumb",
        re.compile(r"^(?:当前位置\s*[:：]\s*)?(?:首页|主页)\s*(?:[>＞»/]|&gt;).{0,80}$"),
        OUTSIDE_BODY,
    ),
    ("breadcrumb", re.compile(r"^当前位置\s*[:：].{0,80}$"), OUTSIDE_BODY),
    (
        "related_links",
        re.compile(
            r"^[【\[]?\s*(?:相关链接|相关稿件|相关阅读|相关新闻|相关文件)\s*[】\]]?\s*[:：]?$"
        ),
        ANYWHERE,
    ),
    # Stray markup: HTML tags with nothing but list numbers between them, and
    # LawRefBook's Markdown comment <!-- INFO END --> (after unify_punctuation: <！--).
    ("markdown_marker", re.compile(r"^<[!！]--.{0,80}--[>＞]$"), ANYWHERE),
    ("html_markup", re.compile(r"^(?:\d{1,2}[.．]\s*)?(?:<[^<>\n]{1,200}>\s*)+$"), ANYWHERE),
    # Newspapers: running heads, continuation lines, issue numbers, hotlines.
    ("running_head", re.compile(rf"^{RUNNING_HEAD.pattern}$"), ANYWHERE),
    ("continuation", re.compile(rf"^{CONTINUATION.pattern}$"), ANYWHERE),
    ("masthead", re.compile(rf"^{_DATE_AR}{_S}*星期[一二三四五六日天]$"), OUTSIDE_BODY),
    ("masthead", re.compile(r"^总第\s*\d+\s*期.{0,20}$"), OUTSIDE_BODY),
    ("masthead", re.compile(r"^.{0,20}(?:出版物号|CN\s*\d{2}-\d{4}).{0,80}$"), OUTSIDE_BODY),
    ("masthead", re.compile(r"^.{0,30}(?:主管主办|主办|出版)$"), OUTSIDE_BODY),
    (
        "masthead",
        re.compile(r"^(?:新闻热线|热线电话|热线|订阅热线|广告热线)\s*[:：]?.{0,40}$"),
        OUTSIDE_BODY,
    ),
    (
        "masthead",
        re.compile(r"^[甲乙丙丁戊己庚辛壬癸][子丑寅卯辰巳午未申酉戌亥]年.{0,20}$"),
        OUTSIDE_BODY,
    ),
    # Forum chrome (Discuz! templates).
    (
        "forum_chrome",
        re.compile(
            r"^(?:马上注册.{0,30}|您需要\s*登录.{0,40}|x|×|立即注册|登录|注册|发表于.{0,40})$"
        ),
        OUTSIDE_BODY,
    ),
)

#: ``FURNITURE_LINES`` as one pattern and the rules' names, in the body of a
#: part (the rules that fire anywhere) and elsewhere (all of them).
_BODY_FURNITURE = (
    _first_of([p for _name, p, where in FURNITURE_LINES if where != OUTSIDE_BODY]),
    [name for name, _p, where in FURNITURE_LINES if where != OUTSIDE_BODY],
)
_ALL_FURNITURE = (
    _first_of([p for _name, p, _where in FURNITURE_LINES]),
    [name for name, _p, _where in FURNITURE_LINES],
)

#: Furniture inside a line: (name, pattern). The match becomes a sub-line span.
FURNITURE_INLINE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("continuation", CONTINUATION),
    ("running_head", RUNNING_HEAD),
    # Xinhua's repost prefix: 受权发布丨 (also with | or ｜).
    ("authorized_release", re.compile(r"^受权发布\s*[丨|｜]\s*")),
)

# --- metadata shapes (GB/T 9704-2012 §7: 版头, 主体, 版记) --------------------------

#: 发文字号 (GB/T 9704-2012 §7.2.4): 机关代字 + 〔年份〕 + 发文顺序号: 国发〔2019〕4号,
#: 国办函〔2005〕57号, 中发〔2017〕14号; also with [] or () brackets in copies.
DOC_NUMBER = re.compile(rf"[{HAN}]{{1,8}}[〔\[［（(]\d{{4}}[〕\]］）)]\d{{1,4}}号")
DOC_NUMBER_LINE = re.compile(rf"^{DOC_NUMBER.pattern}$")
#: A decree's number line: 第706号 (under 中华人民共和国国务院令).
DECREE_NUMBER = re.compile(rf"^第{_S}*[\d{CN_NUM}]{{1,6}}{_S}*号$")
#: A decree's heading: 中华人民共和国国务院令, 中华人民共和国主席令.
DECREE_HEAD = re.compile(rf"^[{HAN}]{{2,24}}(?<!命)令$")
#: 成文日期 (GB/T 9704-2012 §7.3.5.1): Arabic or Chinese numerals, in
#: parentheses under a title too; 年/月/日 may be damaged by OCR (old DATELINE).
DATE_LINE = re.compile(
    rf"^（?(?P<y>\d{{4}}|[{CN_DIGITS}]{{4}}){_S}*[年{HAN}]{_S}*"
    rf"(?P<m>\d{{1,2}}|[一二三四五六七八九十]{{1,2}}){_S}*[月{HAN}]{_S}*"
    rf"(?P<d>\d{{1,2}}|[一二三四五六七八九十]{{1,3}}){_S}*[日{HAN}]）?$"
)
#: A date without the year in a 落款 (the year is in the title or nowhere).
PARTIAL_DATE_LINE = re.compile(r"^（?(\d{1,2})月(\d{1,2})日）?$")
#: 附注 (GB/T 9704-2012 §7.3.6): （此件公开发布） （此件地方发至县级） （本文有删减）.
NOTE_LINE = re.compile(r"^（(?:此件[^）]{1,20}|本文有删减|有删减|删减)）$")
#: 附件说明 (GB/T 9704-2012 §7.3.4): 附件：title, or 附件：1．title on several lines.
ATTACHMENT_LIST = re.compile(r"^附\s*件\s*[:：]\s*(.*)$")
ATTACHMENT_ITEM = re.compile(r"^(\d{1,2})[.．、]\s*(.{2,80})$")
#: The label that opens an attachment (GB/T 9704-2012 §7.3.8): 附件 / 附件1 / 附件一.
ATTACHMENT_LABEL = re.compile(
    rf"^附{_S}*(?:件{_S}*[\d{CN_NUM}]{{0,3}}|表{_S}*[\d{CN_NUM}]{{0,3}}|[:：])$"
)
#: 抄送机关 (GB/T 9704-2012 §7.4.2).
CC_LINE = re.compile(r"^抄\s*送\s*[:：]\s*(.+)$")
#: 印发机关和印发日期 (GB/T 9704-2012 §7.4.3), also a provincial 翻印 line.
PRINTED_LINE = re.compile(rf"^(?P<org>.{{0,30}}?){_S}*(?P<date>{_DATE_AR}){_S}*(?:印发|翻印|印)$")
#: A decree's signature: 总理　李克强.
SIGNATORY = re.compile(
    rf"^(?:国务院总理|总理|副总理|国家主席|主席|委员长|部长|主任|署长|局长|行长|省长|市长|书记)"
    rf"{_S}+[{HAN}]{{2,4}}$"
)
#: A line that starts a tail by itself: one of the five above, in one scan
#: (their groups are only read through the patterns themselves).
_TAIL_LINE = re.compile(
    "|".join(
        f"(?:{p.pattern})" for p in (ATTACHMENT_LIST, NOTE_LINE, CC_LINE, SIGNATORY, PRINTED_LINE)
    )
)
#: A news agency's line that ends a reprinted document (Xinhua's credit).
AGENCY_END = re.compile(
    r"^(?:据新华社|新华社北京电|（新华社[^）]{0,16}电）|据新华社[^，。]{0,16}电|"
    rf"新华社[{HAN}]{{2,6}}\d{{0,2}}月?\d{{0,2}}日?电)$"
)
#: A news agency's dateline at the start of a line: 新华社北京11月12日电.
DATELINE_PREFIX = re.compile(rf"^（?新华社[{HAN}]{{2,6}}\d{{1,2}}月\d{{1,2}}日电）?{_S}*")
#: A repost's lead-in: …的通知，全文如下：
LEAD_IN = re.compile(r"^.{0,80}(?:全文如下|全文见下|原文如下)[:：]?$")
#: A page's publication time: "2024 11/13 10:35:38", "发布时间：2024-11-13 10:35".
PUBLISHED = re.compile(
    r"^(?:\d{1,2}[.．]\s*)?(?:(?:发布时间|发布日期|时间|日期)\s*[:：]\s*)?"
    r"(?P<y>\d{4})\s*[-/年.\s]\s*(?P<m>\d{1,2})\s*[-/月.]\s*(?P<d>\d{1,2})日?"
    r"(?:\s+\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?(?:\s*来源[:：].{0,30})?$"
)
#: 发文机关标志 (GB/T 9704-2012 §7.2.5): 中共中央文件, 国务院办公厅文件.
ISSUER_MARK = re.compile(rf"^[{HAN}{_SP}]{{2,30}}文件$")
#: 份号 (GB/T 9704-2012 §7.2.1): six digits; 密级 and 紧急程度 (§7.2.2, §7.2.3).
COPY_NUMBER = re.compile(r"^\d{6}$")
SECRECY = re.compile(rf"^(?:绝密|机密|秘密){_S}*(?:★.{{0,8}})?$")
URGENCY = re.compile(r"^(?:特急|加急|特提|平急)$")
#: 题注 of a law or regulation (LawRefBook style): "2001年10月27日 第九届…第一次修正",
#: or the whole history in parentheses under the title.
HISTORY_EVENTS = "通过|修正|修订|公布|发布|施行|批准|颁布|废止|生效"
HISTORY_LINE = re.compile(rf"^（?{_DATE_AR}.{{0,120}}?(?:{HISTORY_EVENTS})[^。]{{0,12}}）?$")
HISTORY_PAREN = re.compile(
    rf"^（(?:{_DATE_AR}|根据).{{4,600}}?(?:{HISTORY_EVENTS})[^（）]{{0,20}}）"
)
#: 主送机关 (GB/T 9704-2012 §7.3.2): a line ending with a full-width colon that
#: names bodies: 各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
ADDRESSEE = re.compile(r"^[^。；！？]{2,160}：$")
ADDRESSEE_WORDS = re.compile(r"各|政府|党委|机关|部委|单位|部门|委员会|公司|同志|厅|局")
#: 目录.
TOC_HEAD = re.compile(rf"^目{_S}*录$")

#: Titles end with the name of a document type (GB/T 9704-2012 §7.3.1, and the
#: forms of laws and regulations), possibly before （试行） or 》.
DOC_TYPES = (
    "意见|方案|通知|决定|规划|纲要|办法|条例|规定|决议|通告|公报|复函|函|批复|预案|"
    "法|规则|细则|通报|报告|答复|公告|清单|计划|指南|规范|章程|要点|措施|请示|议案|纪要|"
    "指引|制度|命令|标准|名单|名录|目录|一览表|计划表|"
    # Codes, amendments, general principles, judicial interpretations, treaties.
    "法典|修正案|通则|解释|守则|准则|公约|条约|协定|宪章|白皮书"
)
TITLE_END = re.compile(rf"(?:{DOC_TYPES})(?:（[^（）]{{1,20}}）)?》?$")
TITLE_FORBIDDEN = re.compile(r"[。；！？：:，]")

#: Issuing bodies, for splitting "中共中央国务院关于…" into 中共中央、国务院.
KNOWN_ISSUERS = (
    "中共中央办公厅",
    "国务院办公厅",
    "中央军委办公厅",
    "全国人民代表大会常务委员会",
    "全国人民代表大会",
    "中共中央",
    "国务院",
    "中央军委",
    "中央军事委员会",
)
ISSUER_SUFFIX = re.compile(
    r"(?:中央|国务院|办公厅|委员会|常务委员会|部|局|院|署|会|政府|委|厅|室|中心|银行|"
    r"总局|军委|党委|小组|组|社|办|秘书局|司|处)$"
)

# --- the reader -----------------------------------------------------------------


@dataclass
class _Line:
    """A logical line: a stripped physical line or the piece of one left
    between inline furniture. Offsets are clean offsets."""

    start: int
    end: int
    text: str
    phys: int  # physical line number
    md: bool = False  # the physical line was a Markdown heading


@dataclass
class _Part:
    role: str = ""
    label: str = ""
    title: str = ""
    decree: bool = False
    lines: list[BodyLine] = field(default_factory=list)
    meta: dict = field(default_factory=dict)
    labels: int = 0  # structural lines in the body
    attachment: bool = False  # an attachment whose 附件 label the page left out


_NONBLANK = re.compile(rf"[^\s{_SP}]")


class _Reader:
    def __init__(self, clean: str, md_at: frozenset[int]):
        self.clean = clean
        self.md_at = md_at
        self.spans: list[Span] = []
        self.parts: list[_Part] = []
        self.pre_meta: dict = {}  # metadata found outside every part (info table …)
        self.lines: list[_Line] = []
        self._page_of: dict[int, int] = {}  # line start -> page (PDF form feeds)
        self._page = 0
        self._split()
        if self._page:
            self._page_furniture()

    # -- lines ------------------------------------------------------------------

    def _split(self) -> None:
        clean = self.clean
        pos = 0
        phys = 0
        n = len(clean)
        while pos <= n:
            nl = clean.find("\n", pos)
            if nl < 0:
                nl = n
            a, b = pos, nl
            if clean[a:b].strip(" \t") == "\x0c":  # a PDF page break (formats.pdf_text)
                self._page += 1
            while a < b and (clean[a] in _SP or clean[a].isspace()):
                a += 1
            while b > a and (clean[b - 1] in _SP or clean[b - 1].isspace()):
                b -= 1
            if a < b:
                self._add_pieces(a, b, phys, pos in self.md_at or a in self.md_at)
            pos = nl + 1
            phys += 1

    def _add_pieces(self, a: int, b: int, phys: int, md: bool) -> None:
        text = self.clean[a:b]
        cuts: list[tuple[int, int, str]] = []
        if "版" in text or "丨" in text or "|" in text or "｜" in text:
            for name, pattern in FURNITURE_INLINE:
                for m in pattern.finditer(text):
                    if m.end() > m.start():
                        cuts.append((m.start(), m.end(), name))
        self._page_of[a] = self._page
        if not cuts:
            self.lines.append(_Line(a, b, text, phys, md))
            return
        cuts.sort()
        at = 0
        first = True
        for s, e, name in cuts:
            if s < at:
                continue
            self._piece(a + at, a + s, phys, md and first)
            first = False
            self.spans.append(Span(FURNITURE, name, a + s, a + e))
            at = e
        self._piece(a + at, b, phys, False)

    def _piece(self, a: int, b: int, phys: int, md: bool) -> None:
        text = self.clean[a:b]
        stripped = text.strip(_SP)
        if not stripped:
            return
        lead = len(text) - len(text.lstrip(_SP))
        a += lead
        b = a + len(stripped)
        self.lines.append(_Line(a, b, stripped, phys, md))

    def _page_furniture(self) -> None:
        """A PDF's running heads and page numbers: among the first and last three
        lines of each page, a page number (3, - 3 -, 第3页, 3/12), or a line that
        recurs (digits aside) at the edge of at least half the pages.
        They become named furniture and leave the lines, so a sentence broken
        by a page break reads on."""
        pages: dict[int, list[_Line]] = {}
        for ln in self.lines:
            pages.setdefault(self._page_of.get(ln.start, 0), []).append(ln)
        edges = {n: {id(x): x for x in page[:3] + page[-3:]} for n, page in pages.items()}
        counts: dict[str, int] = {}
        for edge in edges.values():
            for key in {_digitless(x.text) for x in edge.values()}:
                counts[key] = counts.get(key, 0) + 1
        enough = max(2, (len(pages) + 1) // 2)
        drop: dict[int, str] = {}
        for edge in edges.values():
            for x in edge.values():
                if PAGE_NUMBER.match(x.text):
                    drop[x.start] = "page_number"
                elif len(x.text) <= 40 and counts[_digitless(x.text)] >= enough:
                    drop[x.start] = "running_head"
        if not drop:
            return
        kept = []
        for ln in self.lines:
            if ln.start in drop:
                self.spans.append(Span(FURNITURE, drop[ln.start], ln.start, ln.end))
            else:
                kept.append(ln)
        self.lines = kept

    # -- spans --------------------------------------------------------------------

    def span(self, kind: str, name: str, ln: _Line | tuple[int, int], part: int = -1) -> None:
        a, b = (ln.start, ln.end) if isinstance(ln, _Line) else ln
        if b > a:
            self.spans.append(Span(kind, name, a, b, part))

    def meta(self, ln, name: str, value, part: int) -> None:
        """A metadata span, and the field's value (the first one wins)."""
        self.span(METADATA, name, ln, part)
        if value in (None, "", []):
            return
        store = self.parts[part].meta if part >= 0 else self.pre_meta
        if isinstance(value, list):
            store.setdefault(name, []).extend(value)
        else:
            store.setdefault(name, value)

    # -- the walk -------------------------------------------------------------------

    def read(self) -> None:
        lines = self.lines
        n = len(lines)
        i = 0
        state = "pre"
        pending: list[_Line] = []  # unknown lines before the document
        masthead_seen = False
        part = -1
        while i < n:
            ln = lines[i]
            text = ln.text
            furn = self._furniture(text, state)
            if furn:
                if furn == "masthead":
                    masthead_seen = True
                self.span(FURNITURE, furn, ln, part if state in ("head", "body") else -1)
                i += 1
                continue
            if state == "cut":
                self.span(CUT, self._cut_reason, ln)
                i += 1
                continue
            if state == "pre":
                j = self._pre(i)
                if j is not None:  # consumed lines i..j-1 as furniture or metadata
                    i = j
                    continue
                head = self._try_head(i)
                if head is not None:
                    self._flush_pending(pending, masthead_seen)
                    part = self._new_part()
                    i = self._head(head, part)
                    state = "body"
                    continue
                if self._body_starts(i):
                    keep = self._prose_before(pending)
                    self._flush_pending(pending[: len(pending) - len(keep)], masthead_seen)
                    part = self._new_part()
                    for p in keep:
                        self._body(p, part)
                    pending = []
                    state = "body"
                    continue
                pending.append(ln)
                i += 1
                continue
            if state == "body":
                j = self._body_step(i, part)
                if j is None:  # the part's body goes on
                    self._body(ln, part)
                    i += 1
                    continue
                i, state = j
                continue
            if state == "tail":
                j = self._tail_step(i, part)
                if j is not None:
                    i, state, part = j
                    continue
                # A table after the attachment list (a copy that printed its
                # attachment's table in place) is the document's, not outside it.
                if "\t" in ln.text.strip("\t"):
                    self._body(ln, part)
                    state = "body"
                    i += 1
                    continue
                # Anything else after a finished document is outside it.
                self._cut_reason = "unrelated_article"
                state = "cut"
                continue
        if state == "pre":
            # No document found: what is not furniture is cut.
            self._flush_pending(pending, masthead_seen)

    _cut_reason = "unrelated_article"

    def _furniture(self, text: str, state: str) -> str | None:
        """The name of the first ``FURNITURE_LINES`` rule that may fire in
        ``state`` and matches the line ``text``, or None."""
        rules = _BODY_FURNITURE if state == "body" else _ALL_FURNITURE
        m = rules[0].match(text)
        return rules[1][m.lastindex - 1] if m else None

    def _flush_pending(self, pending: list[_Line], masthead: bool) -> None:
        for p in pending:
            if masthead and len(p.text) <= 40 and not re.search("[。；！？]", p.text):
                self.span(FURNITURE, "masthead", p)
            else:
                self.span(CUT, "before_document", p)
        pending.clear()

    def _prose_before(self, pending: list[_Line]) -> list[_Line]:
        """The finished prose paragraphs just before the first body line (a
        preamble), as the old locate took them."""
        k = len(pending)
        while k > 0 and len(pending[k - 1].text) >= 15 and _ends_sentence(pending[k - 1].text):
            k -= 1
        return pending[k:]

    def _new_part(self, label: str = "") -> int:
        self.parts.append(_Part(label=label))
        return len(self.parts) - 1

    def _body(self, ln: _Line, part: int) -> None:
        p = self.parts[part]
        p.lines.append(BodyLine(ln.start, ln.end, ln.text, ln.md))
        if looks_structural(ln.text):
            p.labels += 1

    # -- before the document ----------------------------------------------------

    def _pre(self, i: int) -> int | None:
        """Furniture and metadata before the document; the next index, or None."""
        ln = self.lines[i]
        text = ln.text
        j = self._info_table(i)
        if j is not None:
            return j
        if m := PUBLISHED.match(text):
            self.meta(ln, "published", _iso(m.group("y"), m.group("m"), m.group("d")), -1)
            return i + 1
        for name, pattern in (
            ("copy_number", COPY_NUMBER),
            ("secrecy", SECRECY),
            ("urgency", URGENCY),
            ("issuer_mark", ISSUER_MARK),
        ):
            if pattern.match(text):
                self.span(FURNITURE, name, ln)
                if name == "issuer_mark":
                    self.pre_meta.setdefault("_mark", re.sub(f"[{_SP}]", "", text)[:-2])
                return i + 1
        if DOC_NUMBER_LINE.match(text):
            self.meta(ln, "number", text, -1)
            return i + 1
        if m := DATELINE_PREFIX.match(text):
            self._dateline_line(ln, m, -1)
            return i + 1
        if LEAD_IN.match(text):
            self.span(FURNITURE, "lead_in", ln)
            return i + 1
        if DATE_LINE.match(text) and i + 1 < len(self.lines):
            # A date before the title: a newspaper's date (furniture).
            self.span(FURNITURE, "masthead", ln)
            return i + 1
        return None

    def _dateline_line(self, ln: _Line, m: re.Match[str], part: int) -> None:
        cut = ln.start + m.end()
        value = m.group(0).strip(_SP + "（）")
        self.meta((ln.start, cut), "dateline", value, part)
        rest = self.clean[cut : ln.end]
        if rest.strip(_SP):
            name = "lead_in" if LEAD_IN.match(rest.strip(_SP)) else None
            if name:
                self.span(FURNITURE, name, (cut, ln.end), part)
            else:
                self.span(METADATA, "dateline", (cut, ln.end), part)

    _INFO_LABELS = {
        "索引号": "index_number",
        "主题分类": "subject",
        "发文机关": "issuers",
        "发文单位": "issuers",
        "成文日期": "date",
        "标题": "title",
        "发文字号": "number",
        "文号": "number",
        "发布日期": "published",
        "执行日期": "",
        "实施日期": "",
        "主题词": "",
    }
    _INFO_CELL = re.compile(rf"^([{HAN}{_SP}]{{1,8}})[:：]\s*(.*)$")
    _INFO_RUN = re.compile(
        rf"^(?:(?:发文单位|发文机关|文{_S}*号|发文字号|发布日期|执行日期|实施日期|成文日期)"
        rf"{_S}*[:：]{_S}*\S+{_S}*)+"
    )

    def _info_label(self, cell: str) -> tuple[str, str] | None:
        m = self._INFO_CELL.match(cell.strip())
        if not m:
            return None
        label = re.sub(f"[{_SP}]", "", m.group(1))
        if label not in self._INFO_LABELS:
            return None
        return label, m.group(2).strip()

    def _info_table(self, i: int) -> int | None:
        """gov.cn's 信息公开 table (索引号, 主题分类, 发文机关, 成文日期, 标题,
        发文字号, 发布日期, 主题词): cells tab-separated or one per line; also
        a forum's run-in "发文单位：… 文 号：… 发布日期：…" (then the rest of the
        line is read on)."""
        ln = self.lines[i]
        text = ln.text
        m = self._INFO_RUN.match(text)
        if m and m.end() < len(text):
            # Run-in fields, then more text on the same line.
            self._info_fields(text[: m.end()])
            cut = ln.start + m.end()
            self.span(FURNITURE, "info_table", (ln.start, cut))
            rest = _Line(cut, ln.end, text[m.end() :], ln.phys)
            if h := HISTORY_PAREN.match(rest.text):
                hc = cut + h.end()
                self.meta((cut, hc), "history", [h.group(0)], -1)
                rest = _Line(hc, ln.end, text[m.end() + h.end() :], ln.phys)
            rest = self._restrip(rest)
            if rest:
                self.lines[i] = rest
                return i
            return i + 1
        cells = [c for c in re.split(r"\t+", text) if c.strip()]
        found = [self._info_label(c) for c in cells]
        labelled = [f for f in found if f]
        if not labelled:
            return None
        if not (len(labelled) >= 2 or self.pre_meta.get("_info")):
            # One label alone on its line: a table given one cell a line.
            if not (len(cells) == 1 and not labelled[0][1] and i + 2 < len(self.lines)):
                return None
            if not self._info_label(self.lines[i + 2].text.split("\t")[0]):
                return None
        self.pre_meta["_info"] = True
        pairs: list[tuple[str, str]] = []
        k = 0
        while k < len(cells):
            f = found[k]
            if f is None:
                k += 1
                continue
            label, value = f
            if not value and k + 1 < len(cells) and found[k + 1] is None:
                value = cells[k + 1].strip()
                k += 1
            pairs.append((label, value))
            k += 1
        j = i + 1
        # A label alone at the end of the line: its value may be on the next line.
        if pairs and not pairs[-1][1] and j < len(self.lines):
            nxt = self.lines[j].text
            after = self.lines[j + 1].text if j + 1 < len(self.lines) else ""
            # Only inside the table (the line after the value is a label
            # again), or a value of the label's own shape.
            label = pairs[-1][0]
            shaped = (label.endswith("日期") and re.match(r"^\d{4}\s*[-/年.]", nxt)) or (
                label in ("发文字号", "文号") and DOC_NUMBER_LINE.match(nxt)
            )
            if (
                not self._info_label(nxt.split("\t")[0])
                and len(nxt) <= 60
                and (shaped or self._info_label(after.split("\t")[0]))
            ):
                pairs[-1] = (pairs[-1][0], nxt)
                self.span(FURNITURE, "info_table", self.lines[j])
                j += 1
        self.span(FURNITURE, "info_table", ln)
        for label, value in pairs:
            self._info_value(label, value)
        return j

    def _info_fields(self, text: str) -> None:
        for m in re.finditer(
            rf"(发文单位|发文机关|文{_S}*号|发文字号|发布日期|执行日期|实施日期|成文日期)"
            rf"{_S}*[:：]{_S}*(\S+)",
            text,
        ):
            self._info_value(re.sub(f"[{_SP}]", "", m.group(1)), m.group(2))

    def _info_value(self, label: str, value: str) -> None:
        name = self._INFO_LABELS.get(label, "")
        if not name or not value:
            return
        if name in ("date", "published"):
            m = re.match(r"(\d{4})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})", value)
            value = _iso(*m.groups()) if m else None
        elif name == "issuers":
            value = _join_issuers(value)
        elif name == "title":
            value = normalize_title(value)
        if value:
            self.pre_meta.setdefault("info_" + name, value)

    def _restrip(self, ln: _Line) -> _Line | None:
        text = self.clean[ln.start : ln.end]
        s = text.strip(_SP)
        if not s:
            return None
        a = ln.start + len(text) - len(text.lstrip(_SP))
        return _Line(a, a + len(s), s, ln.phys)

    # -- heads -------------------------------------------------------------------------

    def _try_head(self, i: int) -> tuple[str, int] | None:
        """("title"|"decree", index after the title lines) when a part starts at i."""
        self._head_start = i
        text = self.lines[i].text
        if DECREE_HEAD.match(text) and len(text) <= 24:
            return "decree", i + 1
        k = self._title_block(i)
        if k is not None:
            return "title", k
        return None

    def _title_block(self, i: int) -> int | None:
        """Index after a title of one to three lines starting at line i, or None."""
        lines = self.lines
        best = None
        joined = ""
        for k in range(i, min(i + 3, len(lines))):
            t = lines[k].text
            if k > i and lines[k].phys == lines[k - 1].phys:
                break
            if not _title_line(t):
                break
            # A title typeset over lines is long, or opens with its issuer.
            if (
                k == i + 1
                and len(joined) < 8
                and not re.search("关于|印发|转发|中华人民共和国", joined)
                and not t.startswith("关于")
                and not _issuer_line(joined)
            ):
                break
            joined += t
            if _is_title(joined):
                best = k + 1
        return best

    def _head(self, head: tuple[str, int], part: int) -> int:
        """Read a part's head from the title (or decree heading) on; returns the
        index of the first line of its body."""
        kind, k = head
        lines = self.lines
        p = self.parts[part]
        if kind == "decree":
            p.decree = True
            ln = lines[k - 1]
            self.meta(ln, "title", None, part)
            p.title = ln.text
        else:
            title = normalize_title("".join(lines[x].text for x in range(self._head_start, k)))
            for x in range(self._head_start, k):
                self.meta(lines[x], "title", None, part)
            p.title = title
        i = k
        n = len(lines)
        while i < n:
            ln = lines[i]
            text = ln.text
            furn = self._furniture(text, "head")
            if furn:
                self.span(FURNITURE, furn, ln, part)
                i += 1
                continue
            if DOC_NUMBER_LINE.match(text):
                self.meta(ln, "number", text, part)
            elif p.decree and DECREE_NUMBER.match(text):
                self.meta(ln, "number", re.sub(f"[{_SP}]", "", text), part)
            elif m := HISTORY_PAREN.match(text):
                end = ln.start + m.end()
                self.meta((ln.start, end), "history", [m.group(0)], part)
                rest = self._restrip(_Line(end, ln.end, "", ln.phys))
                if rest:
                    lines[i] = rest
                    continue
            elif HISTORY_LINE.match(text) and not looks_structural(text):
                self.meta(ln, "history", [text], part)
            elif m := DATE_LINE.match(text):
                self.meta(ln, "date", _date_value(m), part)
            elif normalize_title(text) == p.title:
                self.meta(ln, "title", None, part)
            elif self._is_addressee(text):
                self.meta(ln, "addressees", text.rstrip("："), part)
            elif TOC_HEAD.match(text):
                i = self._toc(i, part)
                continue
            elif m := DATELINE_PREFIX.match(text):
                self._dateline_line(ln, m, part)
            else:
                break
            i += 1
        return i

    def _is_addressee(self, text: str) -> bool:
        return (
            bool(ADDRESSEE.match(text))
            and bool(ADDRESSEE_WORDS.search(text))
            and not looks_structural(text)
            and not LEAD_IN.match(text)
        )

    def _toc(self, i: int, part: int) -> int:
        """A 目录 line and its entries: until the first entry comes round again
        (the body's first heading), else while entries are short headings."""
        lines = self.lines
        self.span(TOC, "toc", lines[i], part)
        i += 1
        if i >= len(lines):
            return i
        first = _squash(lines[i].text)
        k = i + 1
        limit = min(len(lines), i + 400)
        while k < limit and _squash(lines[k].text) != first:
            k += 1
        if k >= limit:  # no repeat: short heading-like lines
            k = i
            while k < len(lines) and len(lines[k].text) <= 40 and not _ends_sentence(lines[k].text):
                k += 1
        for x in range(i, k):
            self.span(TOC, "toc", lines[x], part)
        return k

    # -- bodies and tails -----------------------------------------------------------

    def _body_starts(self, i: int) -> bool:
        text = self.lines[i].text
        if self._is_addressee(text):
            return True
        return looks_structural(text) or (len(text) >= 15 and _ends_sentence(text))

    def _body_step(self, i: int, part: int):
        """None when line i is body text of ``part``; else (next index, state)."""
        lines = self.lines
        ln = lines[i]
        text = ln.text
        p = self.parts[part]
        if not p.lines and self._is_addressee(text):
            self.meta(ln, "addressees", text.rstrip("："), part)
            return i + 1, "body"
        if AGENCY_END.match(text):
            self.meta(ln, "dateline", text.strip("（）"), part)
            self._cut_reason = "after_agency_line"
            return i + 1, "cut"
        if TOC_HEAD.match(text) and not p.lines:
            return self._toc(i, part), "body"
        if self._tail_starts(i):
            return i, "tail"
        if ATTACHMENT_LABEL.match(text) and i + 1 < len(lines):
            return i, "tail"
        # A covering document without a 落款: the next title starts the main one.
        if p.lines and p.labels == 0 and len(p.lines) <= 6 and not looks_structural(text):
            if (h := self._try_head(i)) and h[0] == "title" and h[1] < len(lines):
                return i, "tail"
        if p.lines and p.labels and self._attachment_title(i):
            return i, "tail"
        if p.lines and self._unrelated(i):
            self._cut_reason = "unrelated_article"
            return i, "cut"
        return None

    def _attachment_title(self, i: int) -> bool:
        """A title at line i that names an attachment (…成员名单, …任务分工, …清单)
        after a numbered document: a page that printed its 附件 without the label."""
        end = self._title_block(i)
        if end is None:
            end = i + 1 if _title_line(self.lines[i].text) else None
        if end is None:
            return False
        joined = _squash("".join(ln.text for ln in self.lines[i:end]))
        return bool(ATTACHMENT_TITLE_END.search(joined))

    def _tail_starts(self, i: int) -> bool:
        lines = self.lines
        text = lines[i].text
        if _TAIL_LINE.match(text):
            return True
        if DATE_LINE.match(text) and not text.startswith("（"):
            return True
        # 落款: issuing bodies on one to three lines, then a date.
        k = self._closing_end(i)
        if k > i and k < len(lines):
            nxt = lines[k].text
            return bool(
                DATE_LINE.match(nxt) or PARTIAL_DATE_LINE.match(nxt) or PRINTED_LINE.match(nxt)
            )
        return False

    def _closing_end(self, i: int) -> int:
        """End of a 落款 block starting at line i: one to three short lines
        without punctuation, the last naming a body (…部, …厅, …专家组); i
        when there is none. The caller checks that a date follows."""
        lines = self.lines
        k = i
        while k < len(lines) and k < i + 3 and _short_name(lines[k].text):
            k += 1
        while k > i and not _issuer_line(lines[k - 1].text):
            k -= 1
        return k

    def _tail_step(self, i: int, part: int):
        """Read one element of a tail; None when line i belongs to no tail."""
        lines = self.lines
        ln = lines[i]
        text = ln.text
        p = self.parts[part]
        if m := ATTACHMENT_LIST.match(text):
            titles = [m.group(1)] if m.group(1) else []
            self.meta(ln, "attachments", None, part)
            k = i + 1
            if titles and (am := ATTACHMENT_ITEM.match(titles[0])):
                titles = [am.group(2)]
            while k < len(lines) and (am := ATTACHMENT_ITEM.match(lines[k].text)):
                if _ends_sentence(lines[k].text):
                    break
                titles.append(am.group(2))
                self.meta(lines[k], "attachments", None, part)
                k += 1
            p.meta.setdefault("attachments", []).extend(titles)
            return k, "tail", part
        if NOTE_LINE.match(text):
            self.meta(ln, "note", text, part)
            return i + 1, "tail", part
        if m := CC_LINE.match(text):
            self.meta(
                ln, "cc", [c for c in re.split("[、，,]", m.group(1).rstrip("。")) if c], part
            )
            return i + 1, "tail", part
        if m := PRINTED_LINE.match(text):
            self.meta(ln, "printed", re.sub(f"[{_SP}]", "", text), part)
            return i + 1, "tail", part
        if SIGNATORY.match(text):
            self.meta(ln, "signatory", re.sub(f"[{_SP}]+", " ", text), part)
            return i + 1, "tail", part
        if m := DATE_LINE.match(text):
            self.meta(ln, "date", _date_value(m), part)
            return i + 1, "tail", part
        if AGENCY_END.match(text):
            self.meta(ln, "dateline", text.strip("（）"), part)
            self._cut_reason = "after_agency_line"
            return i + 1, "cut", part
        # Issuing bodies (落款) or a printing office, then a date.
        k = self._closing_end(i)
        if k > i and k < len(lines):
            nxt = lines[k].text
            if PRINTED_LINE.match(nxt):
                value = "".join(re.sub(f"[{_SP}]", "", lines[x].text) for x in range(i, k + 1))
                for x in range(i, k + 1):
                    self.meta(lines[x], "printed", value if x == i else None, part)
                return k + 1, "tail", part
            dm = DATE_LINE.match(nxt)
            pm = PARTIAL_DATE_LINE.match(nxt)
            if dm or pm:
                names = [_join_issuers(lines[x].text) for x in range(i, k)]
                value = "、".join(x for x in names if x)
                for x in range(i, k):
                    self.meta(lines[x], "issuers", value if x == i else None, part)
                self.meta(lines[k], "date", _date_value(dm) if dm else None, part)
                return k + 1, "tail", part
        # The next part.
        if m := ATTACHMENT_LABEL.match(text):
            new = self._new_part(label=re.sub(f"[{_SP}]", "", text))
            self.span(METADATA, "attachments", ln, new)  # the attachment's label
            k = i + 1
            end = self._title_block(k) if k < len(lines) else None
            if end is None and k < len(lines) and _title_line(lines[k].text):
                end = k + 1  # an attachment's title need not name a document type
            if end is not None:
                for x in range(k, end):
                    self.meta(lines[x], "title", None, new)
                self.parts[new].title = normalize_title("".join(x.text for x in lines[k:end]))
                k = end
            return k, "body", new
        if p.labels and self._attachment_title(i):
            new = self._new_part()
            self.parts[new].attachment = True
            end = self._title_block(i) or i + 1
            for x in range(i, end):
                self.meta(lines[x], "title", None, new)
            self.parts[new].title = normalize_title("".join(x.text for x in lines[i:end]))
            return end, "body", new
        head = self._try_head(i)
        if head is not None:
            new = self._new_part()
            return self._head(head, new), "body", new
        return None

    def _unrelated(self, i: int) -> bool:
        """The headline of an unrelated article (the old locate's rule): a
        Markdown heading that is no label, or a bare headline (no punctuation)
        after a finished sentence, with no label in the next lines."""
        lines = self.lines
        ln = lines[i]
        text = ln.text
        if looks_structural(text) or "\t" in text:
            return False
        headline = ln.md
        if not headline:
            prev = lines[i - 1].text if i else ""
            headline = (
                6 <= len(text) <= 40
                and not re.search("[。！？；，、：]", text)
                and _ends_sentence(prev)
            )
        if not headline:
            return False
        return not any(looks_structural(x.text) for x in lines[i + 1 : i + 1 + LOOKAHEAD])

    _head_start = 0  # first line of the title block found by _try_head


#: How many lines after a headline are searched for the document's structure.
LOOKAHEAD = 3

# --- helpers ----------------------------------------------------------------------


#: A page number printed at a page's head or foot: 3, - 3 -, 第3页, 第 3 页 共 9 页, 3/12.
PAGE_NUMBER = re.compile(
    r"^(?:[-—–－\s]*\d{1,4}[-—–－\s]*|第\s*\d{1,4}\s*页(?:\s*[，,/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4})$"
)


def _digitless(text: str) -> str:
    return re.sub(r"\d+", "#", text)


def _ends_sentence(text: str) -> bool:
    stripped = text.rstrip("”’」』）》" + _SP)
    return bool(stripped) and stripped[-1] in "。！？；…"


def _squash(text: str) -> str:
    return re.sub(rf"[{_SP}]", "", text)


def _title_line(text: str) -> bool:
    return (
        len(text) <= 70
        and not TITLE_FORBIDDEN.search(text)
        and not looks_structural(text)
        and not DATE_LINE.match(text)
        and not DOC_NUMBER_LINE.match(text)
        and not text.startswith("（")
        and not ATTACHMENT_LABEL.match(text)
        and not TOC_HEAD.match(text)
    )


#: How an attachment's title ends when a page prints it without its 附件 label.
ATTACHMENT_TITLE_END = re.compile(
    r"(?:名单|清单|目录|一览表|汇总表|任务分工|责任分工|分工方案|细则)$"
)


def _is_title(joined: str) -> bool:
    s = _squash(joined)
    return 4 <= len(s) <= 110 and bool(TITLE_END.search(s)) and not DECREE_HEAD.match(s)


def _issuer_line(text: str) -> bool:
    s = _squash(text)
    if not (2 <= len(s) <= 40) or re.search("[。；！？，：:]", s):
        return False
    names = re.split(rf"[{_SP}、]+", text)
    if len(names) > 1 and all(len(x) == 1 for x in names if x):  # 国 务 院
        names = [s]
    return all(ISSUER_SUFFIX.search(x) for x in names if x) or s in KNOWN_ISSUERS


def _short_name(text: str) -> bool:
    return (
        len(text) <= 30
        and not re.search(r"[。；！？，：:]|\d{4}\s*年|[〇○]{2}", text)
        and not looks_structural(text)
    )


def _join_issuers(text: str) -> str:
    """ "中共中央 国务院" / "中共中央国务院" / "国务院、中央军委" → "A、B"."""
    text = text.strip(_SP)
    whole = _split_known(re.sub(rf"[{_SP}、，,]+", "", text))
    if all(x in KNOWN_ISSUERS for x in whole):  # 中共 中 央 / 中共中央国务院
        return "、".join(whole)
    parts = [x for x in re.split(rf"[{_SP}、，,]+", text) if x]
    if len(parts) > 1 and all(len(x) == 1 for x in parts):  # 国 务 院 办 公 厅
        parts = ["".join(parts)]
    out = []
    for x in parts:
        out.extend(_split_known(x))
    return "、".join(out)


def _split_known(name: str) -> list[str]:
    out = []
    rest = name
    while rest:
        if rest in KNOWN_ISSUERS:
            out.append(rest)
            break
        for known in KNOWN_ISSUERS:
            if rest.startswith(known):
                out.append(known)
                rest = rest[len(known) :]
                break
        else:
            out.append(rest)
            break
    return out


def normalize_title(text: str) -> str:
    """A title as one string: letter-spacing (国 家 粮 食) and spaces by 《》
    removed; a space between two issuers (中共中央 国务院) kept."""
    text = text.strip(_SP)
    tokens = [t for t in re.split(rf"[{_SP}]+", text) if t]
    if len(tokens) >= 3 and sum(len(t) == 1 for t in tokens) >= len(tokens) - 1:
        return "".join(tokens)
    text = re.sub(rf"[{_SP}]+", " ", text)
    text = re.sub(r" ?([《》“”（）]) ?", r"\1", text)
    # Keep only spaces between issuers: "中共中央 国务院关于".
    out = []
    for k, tok in enumerate(text.split(" ")):
        if k and not (out[-1] in KNOWN_ISSUERS or _squash(out[-1]).endswith(KNOWN_ISSUERS)):
            out[-1] += tok
        else:
            out.append(tok)
    return " ".join(out)


def _issuers_from_title(title: str) -> str:
    m = re.match(r"^(.{2,40}?)(?:关于|转发|对)", title)
    return _join_issuers(m.group(1)) if m else ""


def _cn_int(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    digits = {ch: i for i, ch in enumerate("〇一二三四五六七八九")}
    digits.update({"○": 0, "零": 0})
    if all(ch in digits for ch in s) and len(s) == 4:  # a year: 二〇〇五
        return int("".join(str(digits[ch]) for ch in s))
    m = re.fullmatch(r"([一二三四五六七八九])?(十)?([一二三四五六七八九])?", s)
    if not m or not s:
        return None
    if m.group(2):
        tens = digits[m.group(1)] if m.group(1) else 1
        return tens * 10 + (digits[m.group(3)] if m.group(3) else 0)
    return digits[m.group(1)] if m.group(1) and not m.group(3) else None


def _iso(y, m, d) -> str | None:
    try:
        return date(int(y), int(m), int(d)).isoformat()
    except (TypeError, ValueError):
        return None


def _date_value(m: re.Match[str]) -> str | None:
    y, mo, d = _cn_int(m.group("y")), _cn_int(m.group("m")), _cn_int(m.group("d"))
    return _iso(y, mo, d) if None not in (y, mo, d) else None


def parse_date(text: str) -> str | None:
    """ISO date of a date line (2019年1月24日, 二〇〇五年六月十一日, in
    parentheses too), or None when the line is no full date."""
    m = DATE_LINE.match(text.strip(_SP))
    return _date_value(m) if m else None


# --- assembling the layout ----------------------------------------------------------


def find_layout(clean: str, markdown_heading_at: frozenset[int] = frozenset()) -> Layout:
    """Say what every line of ``clean`` is: body text of a part, or a span.

    ``clean`` is the whole cleaned text (``MappedText.text`` after the
    character rules: punctuation unified, line edges trimmed, simplified
    script); ``markdown_heading_at`` holds the clean offsets of line starts
    that were Markdown headings in the original. All offsets in the result
    are 0-based character offsets into ``clean``, end exclusive.

    Returns a ``Layout`` whose parts cover the covering document, the main
    document and attachments, in file order (``role`` covering / main /
    attachment), and whose spans cover every other non-blank character exactly
    once (sorted by start). A file with no recognisable document yields one
    main part with no lines and every non-furniture line cut. Never raises
    on text input.
    """
    reader = _Reader(clean, frozenset(markdown_heading_at))
    reader.read()
    return _assemble(reader)


def _assemble(r: _Reader) -> Layout:
    raw = r.parts or [_Part()]
    attachments = [k for k, p in enumerate(raw) if p.label or p.attachment]
    others = [k for k, p in enumerate(raw) if not (p.label or p.attachment)]
    roles: dict[int, str] = {}
    if len(others) >= 2:
        roles[others[0]] = "covering"
        roles[others[1]] = "main"
        for k in others[2:]:
            roles[k] = "attachment"
    elif others:
        roles[others[0]] = "main"
    for k in attachments:
        roles[k] = "attachment"
    if "main" not in roles.values():  # only attachments: the first is the document
        roles[0] = "main"
    parts: list[Part] = []
    att = 0
    for k, p in enumerate(raw):
        role = roles.get(k, "attachment")
        if role == "attachment":
            att += 1
            m = re.search(r"\d+", p.label)
            key = f"att{m.group(0) if m else att}"
        else:
            key = "cover" if role == "covering" else ""
        parts.append(Part(role=role, key=key, label=p.label, title=p.title, lines=p.lines))

    # The file's title: the one the site's 信息公开 table gives, else the
    # document the file is about (the plan a circular issues, the regulation a
    # decree promulgates); a covering circular's own title is kept apart.
    # Metadata (文号, issuers, date) come from the covering document first.
    main = next(k for k, p in enumerate(parts) if p.role == "main")
    cover = next((k for k, p in enumerate(parts) if p.role == "covering"), None)
    title_part = main if cover is None or raw[cover].decree else cover
    info = r.pre_meta
    title = info.get("info_title") or raw[main].title or raw[title_part].title

    meta: dict = {}
    order = [title_part] + [k for k in range(len(raw)) if k != title_part]
    for k in order:
        for name, value in raw[k].meta.items():
            meta.setdefault(name, value)
    for name, value in r.pre_meta.items():
        if not name.startswith("_") and not name.startswith("info_"):
            meta.setdefault(name, value)
    meta["title"] = title
    if cover is not None and raw[cover].title and raw[cover].title != title:
        meta["covering_title"] = raw[cover].title
    # Every title the file prints (circular, issued document, attachments): a
    # copy that reprints the plan alone is known by the plan's title.
    part_titles = [p.title for p in raw if p.title]
    if len(part_titles) > 1 or (part_titles and part_titles[0] != title):
        meta["part_titles"] = part_titles
    # Issuers: the 信息公开 table, the 落款 of the titled part, the title, a decree.
    issuers = (
        info.get("info_issuers")
        or raw[title_part].meta.get("issuers")
        or _issuers_from_title(raw[title_part].title or title)
        or next((p.meta["issuers"] for p in raw if p.meta.get("issuers")), "")
    )
    if not issuers and cover is not None and raw[cover].decree:
        issuers = _join_issuers(re.sub(r"^中华人民共和国|令$", "", raw[cover].title))
    if issuers:
        meta["issuers"] = issuers
    else:
        meta.pop("issuers", None)
    number = info.get("info_number") or meta.get("number", "")
    if number and cover is not None and raw[cover].decree and number.startswith("第"):
        number = re.sub(r"^中华人民共和国", "", raw[cover].title) + number
    if number:
        meta["number"] = number
    when = info.get("info_date") or raw[title_part].meta.get("date")
    if not when:
        when = next((p.meta["date"] for p in raw if p.meta.get("date")), None)
    if not when and meta.get("history"):
        when = _history_date(meta["history"])
    if when:
        meta["date"] = when
    else:
        meta.pop("date", None)
    if info.get("info_published"):
        meta["published"] = info["info_published"]
    for name in ("subject", "index_number"):
        if info.get("info_" + name):
            meta[name] = info["info_" + name]

    spans = _merge(sorted(r.spans, key=lambda s: (s.start, s.end)), r.clean)
    return Layout(parts=parts, spans=spans, metadata=meta, title=title)


_HISTORY_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日([^\d]{0,80})")


def _history_date(history: list[str]) -> str | None:
    """The last date of a 题注 on which the text was adopted, amended or
    promulgated (not the date it took effect)."""
    best = None
    for line in history:
        for m in _HISTORY_DATE.finditer(line):
            event = m.group(4)
            if "施行" in event and not re.search("通过|修正|修订|公布|发布", event):
                continue
            best = _iso(*m.group(1, 2, 3)) or best
    return best


def _merge(spans: list[Span], clean: str) -> list[Span]:
    """Adjacent spans of the same kind, name and part become one when only
    blanks lie between them (cuts and furniture runs)."""
    out: list[Span] = []
    for s in spans:
        if (
            out
            and s.kind in (CUT, FURNITURE, TOC)
            and out[-1].kind == s.kind
            and out[-1].name == s.name
            and out[-1].part == s.part
            and not _NONBLANK.search(clean, out[-1].end, s.start)
        ):
            last = out[-1]
            out[-1] = Span(last.kind, last.name, last.start, s.end, last.part)
        else:
            out.append(s)
    return out


__all__ = ["LABELS", "find_layout", "looks_structural", "normalize_title", "parse_date"]
