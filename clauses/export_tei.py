"""The collation as TEI P5 (parallel segmentation) and as a CSV apparatus table.

The builder (:func:`build_tei`), the rebuild of every witness from the file
(:func:`rebuild`) and the consistency check of a unit's sites
(:func:`unit_problem`) are plain Python over plain data (:class:`TeiDocument`,
:class:`TeiWitness`, :class:`TeiUnit`, :class:`TeiSite`), built with lxml;
:func:`load_collation` reads them from the database in a fixed number of
queries (five, whatever the number of units, copies or sites).

TEI conventions of the file (they are written into its ``encodingDesc`` too)
-----------------------------------------------------------------------------
* Namespace ``http://www.tei-c.org/ns/1.0``, UTF-8; ``variantEncoding
  method="parallel-segmentation" location="internal"``.
* Witnesses: ``sourceDesc/listWit/witness``, one per source (copy), ``@n`` its
  siglum exactly, ``@xml:id`` :func:`witness_id` of it (the siglum itself when
  it starts with an ASCII letter and holds only ASCII letters and digits; any
  other siglum, e.g. one starting with a digit, gets the prefix ``_`` and
  every other character as ``_<hex>_``: ``2B`` → ``_2B``; a plain siglum never
  starts with ``_``, so two sigla never share an id). A copy made from
  another (``Source.derived_from``) has ``@corresp`` pointing at it and a
  ``note type="derivedFrom"``.
* Text: ``body`` holds a ``div`` per heading of level 1 (a nested ``div`` per
  heading of level 2), the heading as its ``head``, every other unit a ``p``;
  each unit element has ``@xml:id`` ``u-`` + the unit key made an NCName
  (``clauses.apparatus.dom_id``), ``@n`` its label as printed (normalized),
  ``@ana`` its kind (a ``category`` of the ``taxonomy`` in ``classDecl``:
  ``#kind-clause``), ``@xml:space="preserve"``, ``@pr:locator`` (namespace
  :data:`PR_NS`) its citable address when units have one, and holds the
  unit's text without its label, exactly: no whitespace is added inside it.
* Every variant site is an ``app`` (``@type`` the site type, ``@n`` its number
  in the unit from 1) with a ``lem`` (the canonical reading, ``@wit`` the
  witnesses reading it; no ``@wit`` when none does, i.e. an editor's
  emendation) and one ``rdg`` per other distinct reading (``@wit`` its
  witnesses, ``@type`` the site type; an empty ``rdg`` is an omission).
  ``lem/@resp="#editors"`` and a ``note type="decision"`` mark an editor's
  decision; ``lem/@cert="low"`` a tie the consensus could not break;
  ``rdg/@cause="ocr"`` a likely OCR confusion. Every witness that has the unit
  is listed in every ``app`` of it; text outside the ``app`` elements is read
  by every witness that has the unit.
* A copy lacking a unit (no reading of it): the copy's text has a lacuna,
  ``lacunaStart`` (in a ``rdg`` naming it, inside an ``app type="lacuna"``)
  at the start of the first unit it lacks and ``lacunaEnd`` at the start of
  the next unit it has; a unit whose text begins while a witness is in a
  lacuna has no reading of that witness. A copy that begins or ends inside a
  unit (a ``lacuna`` site at the unit's start or end, in the copy's first or
  last unit) has ``witStart`` before / ``witEnd`` after what it reads there.
* A character XML 1.0 cannot hold (a form feed, say) is a ``g type="codepoint"``
  with ``@n`` ``U+XXXX``: no character is lost.
* When a unit's stored sites do not rebuild every copy's reading of it (a
  collation older than its readings), the whole unit is one ``app
  type="unit"``: the canonical text as ``lem`` and each copy's full reading as
  a ``rdg``, so the file never gives a wrong reading.
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from lxml import etree

from .apparatus import dom_id
from .text.collate import apply as apply_sites

logger = logging.getLogger(__name__)

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
#: The project's own namespace, for the one attribute TEI has no place for:
#: ``pr:locator``, a unit's citable address (when units have one).
PR_NS = "urn:x-policyreader:tei-extension:1"
EDITORS_ID = "editors"

#: Characters XML 1.0 cannot hold (https://www.w3.org/TR/xml/#charsets).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_PLAIN_SIGLUM = re.compile(r"[A-Za-z][A-Za-z0-9]*\Z")


def _t(name: str) -> str:
    return f"{{{TEI_NS}}}{name}"


_XML_ID = f"{{{XML_NS}}}id"
_XML_SPACE = f"{{{XML_NS}}}space"


# --- plain data --------------------------------------------------------------------------


@dataclass(frozen=True)
class TeiWitness:
    """One copy: its siglum, bibliographic data and the copy it was made from."""

    siglum: str
    title: str = ""
    kind: str = ""
    publication: str = ""
    published: datetime.date | None = None
    url: str = ""
    derived_from: str = ""  # the siglum of the copy it was made from, or ""


@dataclass(frozen=True)
class TeiSite:
    """A variant site: ``[start, end)`` character offsets (0-based, end exclusive) of
    the unit's canonical text, ``readings`` ``{siglum: text}`` of every covering
    copy, the type (``VariantSite.Type``), and the editor's decision, if any."""

    start: int
    end: int
    type: str
    readings: Mapping[str, str]
    canonical_reading: str = ""
    tie: bool = False
    likely_ocr: bool = False
    decision: str = ""  # SiteDecision.action, or ""
    decision_reason: str = ""


@dataclass(frozen=True)
class TeiUnit:
    """A unit with its canonical text, its readings ``{siglum: text}`` and its sites.

    ``edges`` ``{siglum: "start" | "end" | "both"}``: this unit is that copy's
    first / last / only reading (where a copy may begin or end mid-unit)."""

    key: str
    kind: str
    canonical: str
    readings: Mapping[str, str]
    sites: Sequence[TeiSite] = ()
    label: str = ""
    level: int = 3
    locator: str = ""
    edges: Mapping[str, str] = field(default_factory=dict)

    @property
    def xml_id(self) -> str:
        return unit_id(self.key)


@dataclass(frozen=True)
class TeiDocument:
    """The document's metadata (``Document`` fields and ``metadata``)."""

    slug: str
    title: str
    issuers: str = ""
    number: str = ""
    date: datetime.date | None = None
    metadata: Mapping = field(default_factory=dict)


def witness_id(siglum: str) -> str:
    """The ``xml:id`` (an NCName) of a witness: the siglum when it is a letter then
    letters and digits (``A``, ``B2``); else ``_`` + the siglum with every
    character other than an ASCII letter or digit written ``_<hex>_``
    (``2B`` → ``_2B``, ``甲`` → ``__7532_``). Injective: no two sigla share an id."""
    if _PLAIN_SIGLUM.match(siglum):
        return siglum
    out = "".join(c if c.isascii() and c.isalnum() else f"_{ord(c):x}_" for c in siglum)
    return "_" + out


def unit_id(key: str) -> str:
    """The ``xml:id`` of a unit: ``u-`` + its key as an NCName (``s1.p2`` → ``u-s1_dp2``)."""
    return dom_id(key, "u")


# --- the invariant -------------------------------------------------------------------------


def unit_problem(unit: TeiUnit) -> str:
    """Why the unit's sites do not give every copy's reading exactly, or "".

    The invariant the TEI file rests on: the sites lie inside the canonical
    text, in order and without overlap; each site's ``canonical_reading`` (when
    given) is its span of the canonical text; and applying the sites to the
    canonical text (``clauses.text.collate.apply``: the span's reading for the
    copies the site lists, the canonical span for the others) rebuilds each
    copy's reading (``Reading.text``). A site may not list a copy that has
    no reading of the unit."""
    n = len(unit.canonical)
    pos = 0
    for i, s in enumerate(unit.sites):
        if not (0 <= s.start <= s.end <= n):
            return f"site {i + 1} [{s.start}, {s.end}) lies outside the text ({n} characters)"
        if s.start < pos:
            return f"site {i + 1} overlaps the one before it"
        if s.canonical_reading and s.canonical_reading != unit.canonical[s.start : s.end]:
            return f"site {i + 1}: its canonical reading is not the text at its span"
        stray = set(s.readings) - set(unit.readings)
        if stray:
            return f"site {i + 1} lists copies without a reading: {' '.join(sorted(stray))}"
        pos = s.end
    for siglum, text in sorted(unit.readings.items()):
        if apply_sites(unit.canonical, unit.sites, siglum) != text:
            return f"the sites do not rebuild the reading of {siglum}"
    return ""


# --- building --------------------------------------------------------------------------------


def _add_text(parent, text: str) -> None:
    """Append ``text`` at the end of ``parent``'s content, characters XML cannot
    hold as ``g type="codepoint" n="U+XXXX"``."""
    pos = 0
    for m in _NOT_XML.finditer(text):
        _append_plain(parent, text[pos : m.start()])
        g = etree.SubElement(parent, _t("g"), type="codepoint", n=f"U+{ord(m.group()):04X}")
        g.tail = None
        pos = m.end()
    _append_plain(parent, text[pos:])


def _append_plain(parent, text: str) -> None:
    if not text:
        return
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _wit(sigla: Iterable[str]) -> str:
    return " ".join(f"#{witness_id(s)}" for s in sigla)


def _el(parent, name: str, text: str | None = None, **attrib):
    el = etree.SubElement(parent, _t(name), {k: v for k, v in attrib.items() if v})
    if text:
        _add_text(el, text)
    return el


def kind_id(kind: str) -> str:
    """The ``xml:id`` of a unit kind's ``category`` (``clause`` → ``kind-clause``)."""
    return dom_id(kind, "kind")


def _header(
    root,
    doc: TeiDocument,
    witnesses: Sequence[TeiWitness],
    today: datetime.date,
    kinds: Sequence[str] = (),
):
    header = _el(root, "teiHeader")
    file_desc = _el(header, "fileDesc")
    title_stmt = _el(file_desc, "titleStmt")
    _el(title_stmt, "title", doc.title)
    resp = _el(title_stmt, "respStmt")
    resp.set(_XML_ID, EDITORS_ID)
    _el(resp, "resp", "collation, consensus text and editorial decisions")
    _el(resp, "name", "policyreader")
    pub = _el(file_desc, "publicationStmt")
    _el(pub, "publisher", "policyreader")
    _el(pub, "idno", doc.slug, type="slug")
    _el(pub, "date", today.isoformat(), when=today.isoformat())
    source_desc = _el(file_desc, "sourceDesc")
    bibl = _el(source_desc, "bibl")
    _el(bibl, "title", doc.title)
    for issuer in _issuers(doc):
        _el(bibl, "author", issuer)
    if doc.number:
        _el(bibl, "idno", doc.number, type="文号")
    if doc.date:
        _el(bibl, "date", doc.date.isoformat(), when=doc.date.isoformat())
    for key, value in sorted((doc.metadata or {}).items()):
        if key in ("title", "issuers", "number", "date"):
            continue
        for v in value if isinstance(value, list) else [value]:
            if v not in (None, ""):
                _el(bibl, "note", str(v), type=str(key))
    list_wit = _el(source_desc, "listWit")
    for w in witnesses:
        witness = _el(list_wit, "witness", n=w.siglum)
        witness.set(_XML_ID, witness_id(w.siglum))
        if w.derived_from:
            witness.set("corresp", f"#{witness_id(w.derived_from)}")
        wb = _el(witness, "bibl", type=w.kind)
        _el(wb, "title", w.title or w.siglum)
        if w.publication:
            _el(wb, "publisher", w.publication)
        if w.published:
            _el(wb, "date", w.published.isoformat(), when=w.published.isoformat())
        if w.url:
            _el(wb, "ptr", target=w.url)
        if w.derived_from:
            note = _el(witness, "note", type="derivedFrom")
            _el(note, "ref", w.derived_from, target=f"#{witness_id(w.derived_from)}")
    encoding = _el(header, "encodingDesc")
    _el(encoding, "variantEncoding", method="parallel-segmentation", location="internal")
    decl = _el(encoding, "editorialDecl")
    for line in CONVENTIONS:
        _el(decl, "p", line)
    if kinds:
        taxonomy = _el(_el(encoding, "classDecl"), "taxonomy")
        taxonomy.set(_XML_ID, "unit-kinds")
        for kind in kinds:
            category = _el(taxonomy, "category")
            category.set(_XML_ID, kind_id(kind))
            _el(category, "catDesc", kind)


def _issuers(doc: TeiDocument) -> list[str]:
    return [part.strip() for part in re.split(r"[、，,]", doc.issuers or "") if part.strip()]


#: The conventions of the file, as its encodingDesc states them (a data format's
#: own documentation, like the CSV's column names: not translated).
CONVENTIONS = (
    "Parallel segmentation: every witness that has a unit is listed in every app of it; "
    "text outside app elements is read by all of them. lem is the canonical (consensus) "
    "reading; a lem without @wit is an editor's emendation; lem/@resp='#editors' marks an "
    "editor's decision, lem/@cert='low' a tie; an empty rdg is an omission.",
    "A witness lacking whole units is in a lacuna from a lacunaStart (at the start of the "
    "first unit it lacks) to a lacunaEnd (at the start of the next unit it has); a unit "
    "whose text begins while a witness is in a lacuna has no reading of it. witStart / "
    "witEnd mark where a copy begins or ends inside a unit.",
    "witness/@n is the siglum; witness/@xml:id is the siglum, or '_' and the siglum when it "
    "does not start with a letter. Unit elements carry xml:space='preserve' and the unit's "
    "text exactly; g[@type='codepoint'] stands for a character XML cannot hold; an app of "
    "type 'unit' gives a unit's readings whole where its variant sites could not.",
)


def _lacuna_marker(witness: str, site: TeiSite, unit: TeiUnit) -> str:
    """Which marker, ``witStart`` or ``witEnd``, a copy's reading at a lacuna site
    takes: the copy begins (ends) inside this unit, at this site; else ""."""
    if site.type != "lacuna":
        return ""
    edge = unit.edges.get(witness, "")
    n = len(unit.canonical)
    if site.start == 0 and site.end < n and edge in ("start", "both"):
        return "witStart"
    if site.end >= n and site.start > 0 and edge in ("end", "both"):
        return "witEnd"
    return ""


def _site_app(parent, unit: TeiUnit, site: TeiSite, number: int, covering: list[str]):
    lemma = unit.canonical[site.start : site.end]
    app = _el(parent, "app", type=site.type, n=str(number))
    groups: dict[tuple[str, str], list[str]] = {}
    supporters = []
    for siglum in covering:
        reading = site.readings.get(siglum, lemma)
        marker = _lacuna_marker(siglum, site, unit) if reading != lemma else ""
        if reading == lemma and not marker:
            supporters.append(siglum)
        else:
            groups.setdefault((reading, marker), []).append(siglum)
    lem = _el(app, "lem", wit=_wit(supporters))
    if site.decision:
        lem.set("resp", f"#{EDITORS_ID}")
    if site.tie:
        lem.set("cert", "low")
    _add_text(lem, lemma)
    for (reading, marker), sigla in sorted(groups.items(), key=lambda g: g[1]):
        rdg = _el(app, "rdg", wit=_wit(sigla), type="lacuna" if marker else site.type)
        if site.likely_ocr and reading and lemma:
            rdg.set("cause", "ocr")
        if marker == "witStart":
            _el(rdg, "witStart")
        _add_text(rdg, reading)
        if marker == "witEnd":
            _el(rdg, "witEnd")
    if site.decision:
        _el(app, "note", site.decision_reason, type="decision", subtype=site.decision)


def _unit_app(parent, unit: TeiUnit, covering: list[str]):
    """The fallback: the whole unit as one app (see the module docstring)."""
    app = _el(parent, "app", type="unit")
    groups: dict[str, list[str]] = {}
    for siglum in covering:
        groups.setdefault(unit.readings[siglum], []).append(siglum)
    lem = _el(app, "lem", wit=_wit(groups.pop(unit.canonical, [])))
    _add_text(lem, unit.canonical)
    for reading, sigla in sorted(groups.items(), key=lambda g: g[1]):
        _add_text(_el(app, "rdg", wit=_wit(sigla), type="unit"), reading)


def _unit_element(parent, name: str, unit: TeiUnit, sigla: list[str], absent: set[str]):
    el = _el(parent, name, n=unit.label, ana=f"#{kind_id(unit.kind)}")
    el.set(_XML_ID, unit.xml_id)
    if unit.locator:
        el.set(f"{{{PR_NS}}}locator", unit.locator)
    el.set(_XML_SPACE, "preserve")
    covering = [s for s in sigla if s in unit.readings]
    starts = [s for s in sigla if s not in unit.readings and s not in absent]
    ends = [s for s in covering if s in absent]
    if starts or ends:
        app = _el(el, "app", type="lacuna")
        if starts:
            _el(_el(app, "rdg", wit=_wit(starts)), "lacunaStart")
        if ends:
            _el(_el(app, "rdg", wit=_wit(ends)), "lacunaEnd")
    absent.difference_update(ends)
    absent.update(starts)
    problem = unit_problem(unit)
    if problem:
        logger.warning("TEI export: unit %s given whole: %s", unit.key, problem)
        _unit_app(el, unit, covering)
        return el
    pos = 0
    for number, site in enumerate(unit.sites, start=1):
        _add_text(el, unit.canonical[pos : site.start])
        _site_app(el, unit, site, number, covering)
        pos = site.end
    _add_text(el, unit.canonical[pos:])
    return el


def build_tei(
    doc: TeiDocument,
    witnesses: Sequence[TeiWitness],
    units: Sequence[TeiUnit],
    today: datetime.date | None = None,
) -> bytes:
    """The TEI P5 file (UTF-8 bytes, with an XML declaration) of a collated document.

    ``units`` in document order; a heading of level 1 opens a ``div``, one of
    level 2 a ``div`` inside it. See the module docstring for every convention.
    """
    nsmap = {None: TEI_NS}
    if any(u.locator for u in units):
        nsmap["pr"] = PR_NS
    root = etree.Element(_t("TEI"), nsmap=nsmap)
    root.set(f"{{{XML_NS}}}lang", "zh-Hans")
    kinds = list(dict.fromkeys(u.kind for u in units))
    _header(root, doc, witnesses, today or datetime.date.today(), kinds)
    body = _el(_el(root, "text"), "body")
    sigla = [w.siglum for w in witnesses]
    absent: set[str] = set()
    stack: list[tuple[int, object]] = []  # (level, div)
    for unit in units:
        if unit.kind == "heading":
            level = max(1, unit.level)
            while stack and stack[-1][0] >= level:
                stack.pop()
            div = _el(stack[-1][1] if stack else body, "div")
            stack.append((level, div))
            _unit_element(div, "head", unit, sigla, absent)
        else:
            _unit_element(stack[-1][1] if stack else body, "p", unit, sigla, absent)
    _indent(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


_MIXED = {_t("p"), _t("head")}


def _indent(el, level: int = 0) -> None:
    """Indent the element structure, never inside a unit's text (p, head) or any
    element holding text: only whitespace-free element-only content is touched."""
    if el.tag in _MIXED or not len(el) or (el.text and el.text.strip()):
        return
    if any(child.tail and child.tail.strip() for child in el):
        return
    pad = "\n" + "  " * (level + 1)
    el.text = pad
    for child in el:
        _indent(child, level + 1)
        child.tail = pad
    el[-1].tail = "\n" + "  " * level


# --- rebuilding --------------------------------------------------------------------------------


def rebuild(data: bytes) -> dict[str, dict[str, str]]:
    """Every witness's text of every unit, read back from a TEI file of :func:`build_tei`.

    Returns ``{unit xml:id: {siglum: text}}`` in document order; a witness in a
    lacuna where a unit's text begins has no entry for it. Raises
    ``lxml.etree.XMLSyntaxError`` for a file that is not XML and ``ValueError``
    for one without a TEI ``listWit`` or naming a witness it does not list."""
    root = etree.fromstring(data)
    ns = {"t": TEI_NS}
    witnesses = root.xpath("//t:listWit/t:witness", namespaces=ns)
    if not witnesses:
        raise ValueError("no TEI listWit/witness in the file")
    ids = {w.get(_XML_ID): w.get("n") for w in witnesses}
    present = {s: True for s in ids.values()}
    out: dict[str, dict[str, str]] = {}
    for el in root.xpath("//t:body//*[self::t:p or self::t:head][@xml:id]", namespaces=ns):
        texts = {s: [] for s in ids.values()}
        covered: set[str] | None = None

        def shared(text, texts=texts):
            if text:
                for s, on in present.items():
                    if on:
                        texts[s].append(text)

        shared(el.text)
        if el.text:
            covered = {s for s, on in present.items() if on}
        for child in el:
            if _is_marker_app(child):
                _markers(child, ids, present)
            else:
                if covered is None:
                    covered = {s for s, on in present.items() if on}
                if child.tag == _t("app"):
                    _app(child, ids, present, texts)
                elif child.tag == _t("g"):
                    shared(_codepoint(child))
            shared(child.tail)
            if child.tail and covered is None:
                covered = {s for s, on in present.items() if on}
        if covered is None:
            covered = {s for s, on in present.items() if on}
        out[el.get(_XML_ID)] = {s: "".join(texts[s]) for s in ids.values() if s in covered}
    return out


def _is_marker_app(node) -> bool:
    """An app that only moves witnesses into or out of a lacuna (no reading)."""
    return node.tag == _t("app") and any(
        True for _ in node.iter(_t("lacunaStart"), _t("lacunaEnd"))
    )


def _sigla(el, ids: Mapping[str, str]) -> list[str]:
    out = []
    for ref in (el.get("wit") or "").split():
        if not ref.startswith("#") or ref[1:] not in ids:
            raise ValueError(f"unknown witness {ref!r}")
        out.append(ids[ref[1:]])
    return out


def _markers(app, ids, present) -> None:
    for reading in app:
        if reading.tag not in (_t("lem"), _t("rdg")):
            continue
        for s in _sigla(reading, ids):
            for node in reading:
                if node.tag == _t("lacunaStart"):
                    present[s] = False
                elif node.tag == _t("lacunaEnd"):
                    present[s] = True


def _codepoint(g) -> str:
    n = g.get("n") or ""
    if g.get("type") != "codepoint" or not n.startswith("U+"):
        raise ValueError(f"a g element the export does not write: {etree.tostring(g)!r}")
    return chr(int(n[2:], 16))


def _reading_text(reading) -> str:
    parts = [reading.text or ""]
    for node in reading:
        if node.tag == _t("g"):
            parts.append(_codepoint(node))
        parts.append(node.tail or "")
    return "".join(parts)


def _app(app, ids, present, texts) -> None:
    for reading in app:
        if reading.tag not in (_t("lem"), _t("rdg")):
            continue  # notes
        text = _reading_text(reading)
        for s in _sigla(reading, ids):
            if present[s]:
                texts[s].append(text)


# --- the CSV apparatus -------------------------------------------------------------------------

CSV_COLUMNS = (
    "document",
    "unit",
    "locator",
    "site",
    "start",
    "end",
    "type",
    "siglum",
    "reading",
    "is_canonical",
    "decision",
    "decision_reason",
    "tie",
    "likely_ocr",
    "derived_from",
)


def csv_cell(value) -> str:
    """A cell a spreadsheet will not run as a formula: a value starting with
    ``= + - @``, a tab, a carriage return or an apostrophe gets one leading
    apostrophe (OWASP's advice for CSV injection); strip exactly one leading
    ``'`` from such a cell to read the value back (:func:`csv_value`)."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r", "'"):
        return "'" + text
    return text


def csv_value(cell: str) -> str:
    """The value of a cell written by :func:`csv_cell`."""
    return cell[1:] if cell[:1] == "'" else cell


def apparatus_rows(
    doc: TeiDocument, witnesses: Sequence[TeiWitness], units: Sequence[TeiUnit]
) -> Iterable[list[str]]:
    """One row per variant site and copy reading it (``CSV_COLUMNS``): ``site`` is
    1-based within the unit; ``start``/``end`` are 0-based character offsets into
    the unit's canonical text, ``end`` exclusive."""
    derived = {w.siglum: w.derived_from for w in witnesses}
    for unit in units:
        locator = unit.locator or unit.label
        for number, site in enumerate(unit.sites, start=1):
            lemma = unit.canonical[site.start : site.end]
            for siglum, reading in sorted(site.readings.items()):
                yield [
                    csv_cell(v)
                    for v in (
                        doc.slug,
                        unit.key,
                        locator,
                        number,
                        site.start,
                        site.end,
                        site.type,
                        siglum,
                        reading,
                        "yes" if reading == lemma else "no",
                        site.decision,
                        site.decision_reason,
                        "yes" if site.tie else "",
                        "yes" if site.likely_ocr else "",
                        derived.get(siglum, ""),
                    )
                ]


def apparatus_csv(
    doc: TeiDocument, witnesses: Sequence[TeiWitness], units: Sequence[TeiUnit]
) -> str:
    """The apparatus table as CSV text, starting with a byte order mark (U+FEFF):
    Excel and WPS read a CSV without one in the system's legacy code page
    (GBK on Chinese Windows) and garble UTF-8 Chinese; with it they read UTF-8."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(apparatus_rows(doc, witnesses, units))
    return out.getvalue()


# --- from the database ----------------------------------------------------------------------


def load_collation(document) -> tuple[TeiDocument, list[TeiWitness], list[TeiUnit]]:
    """A document's collation as plain data, in four queries (sources, units,
    readings, sites with their decisions), whatever its size."""
    from .models import Reading, Unit, VariantSite

    sources = list(document.sources.order_by("siglum").defer("original", "text"))
    sigla = {s.pk: s.siglum for s in sources}
    witnesses = [
        TeiWitness(
            siglum=s.siglum,
            title=s.title,
            kind=s.kind,
            publication=s.publication,
            published=s.published,
            url=s.url,
            derived_from=sigla.get(s.derived_from_id, ""),
        )
        for s in sources
    ]
    readings: dict[int, dict[str, str]] = {}
    positions: dict[int, list[tuple[int, int]]] = {}
    rows = Reading.objects.filter(source__document=document).values_list(
        "unit_id", "source_id", "text", "position"
    )
    for unit_id, source_id, text, position in rows:
        readings.setdefault(unit_id, {})[sigla[source_id]] = text
        positions.setdefault(source_id, []).append((position, unit_id))
    edges: dict[int, dict[str, str]] = {}
    for source_id, found in positions.items():
        first, last = min(found)[1], max(found)[1]
        siglum = sigla[source_id]
        edges.setdefault(first, {})[siglum] = "start"
        edges.setdefault(last, {})[siglum] = "both" if first == last else "end"
    sites: dict[int, list[TeiSite]] = {}
    for site in (
        VariantSite.objects.filter(unit__document=document)
        .select_related("decision")
        .order_by("unit_id", "index")
    ):
        sites.setdefault(site.unit_id, []).append(
            TeiSite(
                start=site.start,
                end=site.end,
                type=site.type,
                readings=dict(site.readings),
                canonical_reading=site.canonical_reading,
                tie=site.tie,
                likely_ocr=site.likely_ocr,
                decision=site.decision.action if site.decision else "",
                decision_reason=site.decision.reason if site.decision else "",
            )
        )
    units = [
        TeiUnit(
            key=u.key,
            kind=u.kind,
            canonical=u.canonical,
            readings=readings.get(u.pk, {}),
            sites=sites.get(u.pk, []),
            label=u.label,
            level=u.level,
            locator=getattr(u, "locator", "") or "",
            edges=edges.get(u.pk, {}),
        )
        for u in Unit.objects.filter(document=document).in_order()
    ]
    doc = TeiDocument(
        slug=document.slug,
        title=document.title,
        issuers=document.issuers,
        number=document.number,
        date=document.date,
        metadata=document.metadata or {},
    )
    return doc, witnesses, units
