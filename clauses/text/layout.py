"""The shapes that pass between the pipeline's stages after clean-up.

Stage 3, *find regions* (``regions.find_layout``), reads the cleaned text once
and says what every line (or part of a line) is: body text of one of the
file's parts, a typed metadata field, named furniture, a table of contents,
or a cut. Stage 4, *segment by scheme* (``segment.segment_part``), sees only
the body lines of one part at a time.

All offsets here are 0-based character offsets into the *clean* text (the
``MappedText.text`` after the character rules), end exclusive. The pipeline
maps them back to the decoded original with ``MappedText.raw_span``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Region kinds: where a character of the file ends up.
READING = "reading"  # a unit's reading (set by the segmenter, not by find_layout)
METADATA = "metadata"  # a typed metadata field (title, 文号, 落款, date, 题注 …)
FURNITURE = "furniture"  # named furniture: site chrome, newspaper furniture, markup
TOC = "toc"  # a 目录 (table of contents): furniture of a known kind, kept apart
CUT = "cut"  # text outside the document, with a reason (an unrelated article …)
CLEANUP = "cleanup"  # removed by a named clean-up rule (a pinyin gloss, an emoji)

REGION_KINDS = (READING, METADATA, FURNITURE, TOC, CUT, CLEANUP)

#: Metadata fields (GB/T 9704-2012 elements, and what laws and web pages add).
#: Values in ``Layout.metadata``: str, except ``history`` / ``attachments`` /
#: ``cc`` (lists of str) and ``date`` (ISO ``YYYY-MM-DD``).
METADATA_FIELDS = (
    "title",  # 标题, joined when typeset over several lines
    "covering_title",  # the title of the circular, decree or letter that issues the document
    "part_titles",  # every part's title, in file order (list), when there is more than one
    "number",  # 发文字号: 国发〔2019〕4号; a decree's 第706号 as 国务院令第706号 when known
    "issuers",  # 发文机关 / 落款: 国务院, or several bodies joined by "、"
    "addressees",  # 主送机关: 各省、自治区、直辖市人民政府，…
    "date",  # 成文日期, ISO; Arabic or Chinese numerals in the text
    "history",  # 题注: adoption and amendment lines of a law or regulation
    "attachments",  # 附件 list: the attachments' titles as listed
    "cc",  # 抄送
    "printed",  # 印发: 国务院办公厅2019年1月24日印发
    "note",  # 附注: （此件公开发布） （本文有删减）
    "signatory",  # a decree's signature: 总理 李克强
    "published",  # a web page's 发布日期 / 发布时间, ISO
    "dateline",  # a news agency's dateline: 新华社北京11月12日电
    "subject",  # 主题分类 / 主题词 of gov.cn's 信息公开 table
    "index_number",  # 索引号 of gov.cn's 信息公开 table
)


@dataclass(frozen=True)
class Span:
    """A run of clean text that is not body text: what it is, and its name.

    ``kind`` is one of REGION_KINDS; ``name`` is the furniture kind
    (``info_table``, ``qr_code``, ``running_head`` …), the metadata field
    (one of METADATA_FIELDS) or the reason for a cut (``unrelated_article``,
    ``after_agency_line`` …). ``part`` is the index of the part it belongs to
    (-1: outside every part).
    """

    kind: str
    name: str
    start: int
    end: int
    part: int = -1


@dataclass(frozen=True)
class BodyLine:
    """A line of body text (or the body fragment of a line), clean offsets."""

    start: int
    end: int
    text: str
    markdown_heading: bool = False  # the original line was a Markdown heading (## …)


@dataclass
class Part:
    """One part of a multi-part file, in file order.

    ``role``: ``covering`` (the circular, decree 令 or letter 函 that issues
    another document), ``main`` (the document itself, or the only part), or
    ``attachment`` (附件1 … n). ``key`` prefixes the unit keys of every part but
    the main one: ``cover``, ``att1``, ``att2`` … (the main part's keys have no
    prefix, so a copy without its covering circular keys the same).
    """

    role: str
    key: str
    label: str = ""  # 附件1 as printed, or ""
    title: str = ""
    lines: list[BodyLine] = field(default_factory=list)


@dataclass
class Layout:
    """What ``find_layout`` found: parts with body lines, and every other span.

    Every non-blank character of the clean text is in exactly one body line
    of one part or in exactly one span.
    """

    parts: list[Part]
    spans: list[Span]
    metadata: dict  # field -> value, see METADATA_FIELDS
    title: str = ""  # the document's title, never a line of body text
