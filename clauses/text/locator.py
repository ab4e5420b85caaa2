"""Locators: where a unit stands, said with the document's own labels.

A locator is what a citation names after the document: ``二、（一）`` (the
clause （一） of section 二), ``（十三）`` (a clause of a document whose clauses
are numbered on across its sections), ``第二十三条`` (an article of a law),
``序言第2段`` (the second paragraph before the first heading), ``附件1序号21``
(row 21 of the table in attachment 1). It never holds an internal key
(``s2.c1``, ``p1``): keys stay in URLs.

The rules, applied to the unit tree of one document:

- Labels of one family (one shape: （#）, #., 第#条, see :func:`family`) of
  which none occurs twice in its part (main text, covering circular, one
  attachment) stand alone: article numbers run through a whole law (立法法
  2023 art. 65: "条的序号用中文数字依次表述"), and so do the clauses of an
  opinion numbered （一） … （二十七） across its sections. Labels of a family
  that restarts are prefixed by the locator of the unit they hang under:
  ``二、（一）`` (and ``二、（五）`` too, beside it, though only section 二 has a
  fifth), ``第二编第一分编第一章`` in a code whose chapters restart in each 编.
- A unit without a numbered label (a paragraph, a —— bullet, a table row
  without a 序号) is counted among its unlabeled siblings: ``二、第1段``; at
  the top of the main text, before its first labelled unit, it is in the
  preamble (``序言第1段``), after it or in a text with no labels at all it is
  ``正文第N段``.
- A table row whose first cell is a number is cited by that 序号 (``序号21``,
  GB/T 9704-2012 tables number their rows so); other rows as ``表格第N行``.
- A unit of the covering circular (or decree, letter) that issues the document
  is prefixed with its name (``通知第1段``); of an attachment with
  ``附件N`` (always: an attachment numbers afresh).
- Whatever still collides (a copy that prints the same label twice under one
  heading) is told apart by its place: ``（三）第2处``.

The wording (序言, 正文, 第N段, 序号, 附件) is Chinese whatever the interface
language: a locator is part of a citation of a Chinese document, like the
label it is built from.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from .schemes import CIRCLED, HAN_NUMERALS

#: A label carries a number: Han numerals, Arabic digits or circled numbers.
_NUMBERED = re.compile(rf"[0-9０-９{HAN_NUMERALS}{CIRCLED}]")
_PART = re.compile(r"^(cover|att\d+)\.")
_ATTACHMENT = re.compile(r"^att(\d+)$")
_ROW_NUMBER = re.compile(r"^\s*(\d{1,4})\s*(?:\t|$)")
_NUMERAL_RUN = re.compile(rf"[0-9０-９{HAN_NUMERALS}{CIRCLED}]+")


@dataclass(frozen=True)
class Node:
    """One unit of the tree, as the locator needs it.

    ``id``: anything hashable that names the unit (a primary key); ``parent``:
    the ``id`` of the unit it hangs under, or None at the top of its part;
    ``kind``: the unit kind (heading, paragraph, clause, item, article, row);
    ``label``: as printed, normalized (``（十三）``, ``第二十三条``, ``——``, or
    ""); ``part``: "" for the main text, ``cover`` for the covering circular,
    ``att1`` … for attachments (see :func:`part_of_key`); ``text``: the
    unit's text, of which only a table row's first cell is read.
    """

    id: Hashable
    parent: Hashable | None
    kind: str
    label: str
    part: str = ""
    text: str = ""


def part_of_key(key: str) -> str:
    """The part a unit key belongs to: ``cover`` for ``cover.p1``, ``att2`` for
    ``att2.s1.c3``, "" for the main text (its keys have no prefix; see
    ``layout.Part``)."""
    m = _PART.match(key)
    return m.group(1) if m else ""


def cover_name(covering_title: str, title: str = "") -> str:
    """What to call the covering document in a locator: 通知, 令, 函, 批复, 决定
    … from the end of its title (``covering_title``, the metadata field); else
    通知 when the document's own ``title`` is a circular that issues or
    forwards (印发, 转发, 发布 … 的通知: its title is the covering one);
    else ``印发文件``."""
    name = covering_title.strip()
    for word in ("通知", "批复", "决定", "意见", "函", "令", "公告", "通告"):
        if name.endswith(word):
            return word
    if title.strip().endswith("通知") and any(w in title for w in ("印发", "转发", "发布")):
        return "通知"
    return "印发文件"


def is_numbered(label: str) -> bool:
    """Does a label carry a number (（一）, 1., 第三条, ①), unlike —— or ""?"""
    return bool(label) and bool(_NUMBERED.search(label))


def family(label: str) -> str:
    """A label's shape, its numerals taken out: （#） for （十三）, 第#条 for
    第二十三条, #.# for 1.2: labels of one family number one sequence."""
    return _NUMERAL_RUN.sub("#", label)


def _own_label(node: Node) -> str:
    if node.kind == "row":
        m = _ROW_NUMBER.match(node.text)
        return f"序号{int(m.group(1))}" if m else ""
    return node.label if is_numbered(node.label) else ""


def _part_prefix(part: str, cover: str, label: str = "") -> str:
    """附件1 before a unit of attachment 1 (附件1 1. with a space before a
    label that starts with a digit: 附件11. would read as attachment 11)."""
    if part == "cover":
        prefix = cover
    elif m := _ATTACHMENT.match(part):
        prefix = f"附件{int(m.group(1))}"
    else:
        return ""
    return f"{prefix} " if label[:1].isdigit() else prefix


def locators(nodes: Iterable[Node], cover: str = "通知") -> dict[Hashable, str]:
    """The locator of every node, by ``id``: unique within the nodes given.

    ``nodes``: every unit of one document, in document order (a parent before
    its children). ``cover``: the name of the covering document (see
    :func:`cover_name`). A node whose parent is not among the nodes is taken
    as standing at the top of its part. Never raises on a malformed tree: a
    parent cycle is cut where it closes.
    """
    nodes = list(nodes)
    by_id = {n.id: n for n in nodes}
    own = {n.id: _own_label(n) for n in nodes}
    # A family of labels of which no label occurs twice in a part runs on
    # across the headings: its labels stand alone.
    counts = Counter((n.part, own[n.id]) for n in nodes if own[n.id])
    repeated = {(part, family(label)) for (part, label), c in counts.items() if c > 1}
    # Where each part's first labelled top-level unit stands (the preamble ends there).
    first_labelled: dict[str, int] = {}
    for i, n in enumerate(nodes):
        if own[n.id] and n.part not in first_labelled:
            first_labelled[n.part] = i
    # Unlabeled units, counted among their unlabeled siblings.
    tally: dict[tuple, int] = defaultdict(int)
    ordinal: dict[Hashable, str] = {}
    for i, n in enumerate(nodes):
        if own[n.id]:
            continue
        parent = n.parent if n.parent in by_id else None
        if parent is None and n.part == "":
            zone = "序言" if i < first_labelled.get("", len(nodes)) else "正文"
            if zone == "序言" and "" not in first_labelled:
                zone = "正文"
        else:
            zone = ""
        word = "行" if n.kind == "row" else "段"
        group = (n.part, parent, zone, word)
        tally[group] += 1
        prefix = "表格" if n.kind == "row" else ""
        ordinal[n.id] = f"{zone}{prefix}第{tally[group]}{word}"

    out: dict[Hashable, str] = {}

    def locate(node: Node, seen: frozenset) -> str:
        if node.id in out:
            return out[node.id]
        label = own[node.id]
        parent = by_id.get(node.parent) if node.parent is not None else None
        if parent is not None and parent.id in seen:
            parent = None  # a cycle: cut it here
        if label and (node.part, family(label)) not in repeated:
            result = _part_prefix(node.part, cover, label) + label
        elif parent is not None and parent.part == node.part:
            result = locate(parent, seen | {node.id}) + (label or ordinal[node.id])
        else:
            tail = label or ordinal[node.id]
            result = _part_prefix(node.part, cover, tail) + tail
        out[node.id] = result
        return result

    for n in nodes:
        locate(n, frozenset({n.id}))

    # Whatever still collides is told apart by its place: （三）第2处.
    seen_count: Counter[str] = Counter()
    total = Counter(out[n.id] for n in nodes)
    taken = set(total)
    result: dict[Hashable, str] = {}
    for n in nodes:
        loc = out[n.id]
        if total[loc] > 1:
            seen_count[loc] += 1
            if seen_count[loc] > 1:
                k = seen_count[loc]
                candidate = f"{loc}第{k}处"
                while candidate in taken:
                    k += 1
                    candidate = f"{loc}第{k}处"
                taken.add(candidate)
                loc = candidate
        result[n.id] = loc
    return result


def unit_locators(
    units: Iterable, covering_title: str = "", title: str = ""
) -> dict[Hashable, str]:
    """:func:`locators` of objects with ``pk``, ``parent_id``, ``kind``,
    ``label``, ``key`` and ``canonical`` (units of one document, in order);
    ``covering_title`` and ``title`` name the covering document (:func:`cover_name`)."""
    return locators(
        (
            Node(
                u.pk,
                u.parent_id,
                u.kind,
                u.label,
                part_of_key(u.key),
                u.canonical[:12] if u.kind == "row" else "",
            )
            for u in units
        ),
        cover=cover_name(covering_title, title),
    )
