"""Import reports in words a person reads: what each clean-up rule did."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from .text.schemes import SCHEMES

#: What each region of a file is, by its name (clauses.text.regions and the
#: pipeline): furniture kinds, metadata fields, reasons for a cut.
REGION_NAMES = {
    # furniture
    "info_table": gettext_lazy("gov.cn information table"),
    "page_title": gettext_lazy("page title"),
    "qr_code": gettext_lazy("QR-code line"),
    "page_tools": gettext_lazy("page tools (font size, print, close)"),
    "share": gettext_lazy("share line"),
    "source": gettext_lazy("source line"),
    "editor": gettext_lazy("editor line"),
    "breadcrumb": gettext_lazy("breadcrumb"),
    "related_links": gettext_lazy("related links"),
    "markdown_marker": gettext_lazy("Markdown marker"),
    "html_markup": gettext_lazy("stray HTML markup"),
    "running_head": gettext_lazy("running head"),
    "page_number": gettext_lazy("page number"),
    "continuation": gettext_lazy("page continuation marker"),
    "masthead": gettext_lazy("masthead"),
    "forum_chrome": gettext_lazy("forum page chrome"),
    "authorized_release": gettext_lazy("release line (受权发布)"),
    "lead_in": gettext_lazy("lead-in (全文如下)"),
    "copy_number": gettext_lazy("copy number (份号)"),
    "issuer_mark": gettext_lazy("issuer's mark (发文机关标志)"),
    "secrecy": gettext_lazy("secrecy mark"),
    "urgency": gettext_lazy("urgency mark"),
    # metadata
    "title": gettext_lazy("title"),
    "covering_title": gettext_lazy("title of the covering document"),
    "number": gettext_lazy("document number (文号)"),
    "issuers": gettext_lazy("issuing bodies (落款)"),
    "addressees": gettext_lazy("addressees (主送机关)"),
    "date": gettext_lazy("date (成文日期)"),
    "history": gettext_lazy("adoption and amendments (题注)"),
    "attachments": gettext_lazy("attachments (附件)"),
    "cc": gettext_lazy("copies to (抄送)"),
    "printed": gettext_lazy("printing line (印发)"),
    "note": gettext_lazy("note (附注)"),
    "signatory": gettext_lazy("signatory"),
    "published": gettext_lazy("date published"),
    "dateline": gettext_lazy("news dateline"),
    "subject": gettext_lazy("subject"),
    "index_number": gettext_lazy("index number (索引号)"),
    # cuts
    "before_document": gettext_lazy("before the document"),
    "after_agency_line": gettext_lazy("after the news agency's line (an unrelated article)"),
    "unrelated_article": gettext_lazy("an unrelated article"),
    "no_structure": gettext_lazy("no document found"),
    "cleanup": gettext_lazy("removed by a clean-up rule"),
}


def region_name(name: str) -> str:
    """A region's name in words (``after_agency_line`` → “after the news agency's line”)."""
    label = REGION_NAMES.get(name)
    return str(label) if label is not None else name


def scheme_description(name: str) -> str:
    """A scheme's description (``law`` → “law or regulation: …”), in the user's language."""
    for scheme in SCHEMES:
        if scheme.name == name:
            return _(scheme.description)
    return name


# The pipeline (framework-free) stores a scheme's English description as the
# example of its segment_by_scheme entry; it is translated when shown.
_DESCRIPTIONS = frozenset(scheme.description for scheme in SCHEMES)


def part_name(part: str) -> str:
    """A part of a file as people say it: "" or ``main`` the main part, ``cover``
    the covering document, ``att2`` attachment 2."""
    if not part or part == "main":
        return _("main part")
    if part == "cover":
        return _("covering document")
    if part.startswith("att") and part[3:].isdigit():
        return _("attachment %(n)s") % {"n": part[3:]}
    return part


def _n(value) -> str:
    return f"{value:,}"


def _lines(count: int) -> str:
    """“1 line”, “12 lines”: a second count in a sentence, in its own number."""
    return ngettext("%(n)s line", "%(n)s lines", count) % {"n": _n(count)}


def _units(count: int) -> str:
    """“1 unit”, “3 units” (a second count in a sentence)."""
    return ngettext("%(n)s unit", "%(n)s units", count) % {"n": _n(count)}


def _characters(count: int) -> str:
    """“1 character”, “9 characters” (a second count in a sentence)."""
    return ngettext("%(n)s character", "%(n)s characters", count) % {"n": _n(count)}


def _names(detail: dict) -> str:
    """The region names of a report entry, in words, with their Han characters."""
    han = detail.get("han") or {}
    names = [f"{region_name(name)} ({_n(count)})" for name, count in han.items()]
    return pgettext("list separator", ", ").join(names) or "—"


def describe(entry: dict) -> str:
    """One sentence for one rule's entry of a source's import report."""
    rule, count, detail = entry["rule"], entry["count"], entry.get("detail", {})
    n = _n(count)
    match rule:
        case "decode":
            if detail.get("format", "text") != "text":
                return ngettext(
                    "read the text of a %(format)s file of %(bytes)s bytes: %(n)s character",
                    "read the text of a %(format)s file of %(bytes)s bytes: %(n)s characters",
                    count,
                ) % {
                    "format": detail["format"].upper(),
                    "bytes": _n(detail.get("bytes", 0)),
                    "n": n,
                }
            return ngettext(
                "decoded %(bytes)s bytes as %(encoding)s: %(n)s character",
                "decoded %(bytes)s bytes as %(encoding)s: %(n)s characters",
                count,
            ) % {
                "bytes": _n(detail.get("bytes", 0)),
                "encoding": detail.get("encoding", "?"),
                "n": n,
            }
        case "fold_lookalike_ideographs":
            return ngettext(
                "folded %(n)s look-alike code point (Kangxi radical, compatibility "
                "ideograph) to the ordinary character",
                "folded %(n)s look-alike code points (Kangxi radicals, compatibility "
                "ideographs) to the ordinary characters",
                count,
            ) % {"n": n}
        case "fold_fullwidth_alphanumerics":
            return ngettext(
                "folded %(n)s full-width digit or letter to its ordinary form",
                "folded %(n)s full-width digits and letters to their ordinary form",
                count,
            ) % {"n": n}
        case "join_table_cells":
            return ngettext(
                "joined table cells copied one per line into %(n)s row",
                "joined table cells copied one per line into %(n)s rows",
                count,
            ) % {"n": n}
        case "metadata":
            return ngettext(
                "found %(n)s metadata field: %(names)s",
                "found %(n)s metadata fields: %(names)s",
                count,
            ) % {
                "n": n,
                "names": _names(detail),
            }
        case "table_of_contents":
            return ngettext(
                "set aside %(n)s line of the table of contents (目录)",
                "set aside %(n)s lines of the table of contents (目录)",
                count,
            ) % {"n": n}
        case "cut":
            return ngettext(
                "cut %(n)s passage outside the document: %(names)s",
                "cut %(n)s passages outside the document: %(names)s",
                count,
            ) % {
                "n": n,
                "names": _names(detail),
            }
        case "find_parts":
            return ngettext(
                "found %(n)s part (covering document, document, attachments)",
                "found %(n)s parts (covering document, document, attachments)",
                count,
            ) % {"n": n}
        case "segment_by_scheme":
            return ngettext(
                "%(part)s: numbered as %(scheme)s — %(n)s unit from %(lines)s",
                "%(part)s: numbered as %(scheme)s — %(n)s units from %(lines)s",
                count,
            ) % {
                "part": part_name(detail.get("part", "")),
                "scheme": scheme_description(detail.get("scheme", "")),
                "n": n,
                "lines": _lines(detail.get("lines", 0)),
            }
        case "read_damaged_labels":
            return ngettext(
                "read %(n)s damaged label from its place in the sequence",
                "read %(n)s damaged labels from their place in the sequence",
                count,
            ) % {"n": n}
        case "split_run_in_labels":
            return ngettext(
                "split %(n)s label run into the line before it",
                "split %(n)s labels run into the line before them",
                count,
            ) % {"n": n}
        case "labels_out_of_sequence":
            return ngettext(
                "kept %(n)s label that is out of sequence",
                "kept %(n)s labels that are out of sequence",
                count,
            ) % {"n": n}
        case "accounting":
            han = detail.get("han", {})
            return _(
                "Han characters: %(total)s in the file, %(reading)s in readings, "
                "%(metadata)s in metadata, %(furniture)s furniture, %(toc)s table of "
                "contents, %(cut)s cut — %(kept)s kept"
            ) % {
                "total": _n(han.get("total", 0)),
                "reading": _n(han.get("reading", 0)),
                "metadata": _n(han.get("metadata", 0)),
                "furniture": _n(han.get("furniture", 0)),
                "toc": _n(han.get("toc", 0)),
                "cut": _n(han.get("cut", 0)),
                "kept": f"{detail.get('kept', 1):.0%}",
            }
        case "strip_invisible":
            return ngettext(
                "removed %(n)s invisible character (byte-order mark, zero-width space)",
                "removed %(n)s invisible characters (byte-order marks, zero-width spaces)",
                count,
            ) % {"n": n}
        case "normalize_line_endings":
            return ngettext(
                "normalized %(n)s Windows or old Mac line ending",
                "normalized %(n)s Windows or old Mac line endings",
                count,
            ) % {"n": n}
        case "remove_pinyin_glosses":
            glosses = detail.get("glosses", count)
            return ngettext(
                "removed %(g)s pinyin gloss after %(chars)s",
                "removed %(g)s pinyin glosses after %(chars)s",
                glosses,
            ) % {
                "g": _n(glosses),
                "chars": _characters(count),
            }
        case "remove_junk_parentheticals":
            return ngettext(
                "removed %(n)s parenthesis holding only emoji or symbols",
                "removed %(n)s parentheses holding only emoji or symbols",
                count,
            ) % {"n": n}
        case "strip_markdown_marks":
            return ngettext(
                "removed %(n)s Markdown heading mark",
                "removed %(n)s Markdown heading marks",
                count,
            ) % {"n": n}
        case "convert_traditional":
            sentence = ngettext(
                "converted traditional → simplified: %(n)s character",
                "converted traditional → simplified: %(n)s characters",
                count,
            ) % {"n": n}
            if detail.get("orthography") in ("Taiwan", "Hong Kong"):
                sentence += "; " + _("the copy uses %(place)s orthography") % {
                    "place": _("Taiwan") if detail["orthography"] == "Taiwan" else _("Hong Kong")
                }
            if detail.get("vocabulary"):
                sentence += "; " + _("regional wording (not rewritten): %(words)s") % {
                    "words": "、".join(detail["vocabulary"][:12])
                }
            return sentence
        case "unify_punctuation":
            return ngettext(
                "unified %(n)s half-width punctuation mark to full width",
                "unified %(n)s half-width punctuation marks to full width",
                count,
            ) % {"n": n}
        case "trim_line_edges":
            return ngettext(
                "trimmed white space at the edges of %(n)s line",
                "trimmed white space at the edges of %(n)s lines",
                count,
            ) % {"n": n}
        case "cut_before_start":
            return ngettext(
                "cut %(n)s character before the start of the document",
                "cut %(n)s characters before the start of the document",
                count,
            ) % {"n": n}
        case "cut_after_end":
            if not count:
                return _("the document runs to the end of the file")
            return ngettext(
                "cut %(n)s character after the end of the document (it ends at: %(line)s)",
                "cut %(n)s characters after the end of the document (it ends at: %(line)s)",
                count,
            ) % {
                "n": n,
                "line": detail.get("line", ""),
            }
        case "remove_furniture":
            return ngettext(
                "set aside %(n)s piece of furniture: %(names)s",
                "set aside %(n)s pieces of furniture: %(names)s",
                count,
            ) % {
                "n": n,
                "names": _names(detail),
            }
        case "remove_spaces_between_chinese":
            return ngettext(
                "removed %(n)s space between Chinese characters",
                "removed %(n)s spaces between Chinese characters",
                count,
            ) % {"n": n}
        case "join_broken_lines":
            return ngettext(
                "joined %(n)s line broken by a page or column break",
                "joined %(n)s lines broken by page or column breaks",
                count,
            ) % {"n": n}
        case "attach_paragraph":
            return ngettext(
                "attached %(n)s unlabelled paragraph to the clause before it",
                "attached %(n)s unlabelled paragraphs to the clause before them",
                count,
            ) % {"n": n}
        case "align_units":
            if detail.get("similarity") is None:
                new = detail.get("new", 0)
                return ngettext(
                    "created %(new)s canonical unit: the first copy of this document",
                    "created %(new)s canonical units: the first copy of this document",
                    new,
                ) % {"new": _n(new)}
            line = ngettext(
                "aligned %(n)s unit to the document (similarity %(sim)s): "
                "%(matched)s matched, %(new)s new",
                "aligned %(n)s units to the document (similarity %(sim)s): "
                "%(matched)s matched, %(new)s new",
                count,
            ) % {
                "n": n,
                "sim": f"{detail['similarity']:.0%}",
                "matched": _n(detail.get("matched", 0)),
                "new": _n(detail.get("new", 0)),
            }
            if detail.get("moved"):
                line += _(
                    "; %(moved)s of the matched units printed out of the document's order"
                ) % {"moved": _n(detail["moved"])}
            return line
        case "canonical_changes":
            return ngettext(
                "changed %(n)s canonical reading by majority; added %(added)s; lacks %(lacking)s",
                "changed %(n)s canonical readings by majority; added %(added)s; lacks %(lacking)s",
                count,
            ) % {
                "n": n,
                "added": _units(len(detail.get("added") or [])),
                "lacking": _units(len(detail.get("lacking") or [])),
            }
    return f"{rule}: {n}"


# Rules whose examples are "name: text" with a region's name (the pipeline's
# _region_results), and the roles of a file's parts (find_parts' examples).
_REGION_RULES = frozenset({"remove_furniture", "metadata", "table_of_contents", "cut"})
_PART_ROLES = {"main": "main", "covering": "cover"}


def _example(rule: str, text: str) -> str:
    """One example of a report entry as shown: the pipeline's English words in it
    (a scheme's description, a region's name, a part's role) in the user's
    language; what it quotes from the file as it is."""
    if text in _DESCRIPTIONS:
        return _(text)
    if rule in _REGION_RULES:
        name, sep, rest = text.partition(": ")
        if sep and name in REGION_NAMES:
            return f"{region_name(name)}{pgettext('label colon', ':')}{rest}"
    if rule == "find_parts":
        role, _sep, rest = text.partition(" ")
        rest = " ".join(rest.split())
        if role in _PART_ROLES:
            return f"{part_name(_PART_ROLES[role])}{pgettext('label colon', ':')}{rest}"
        if role == "attachment":
            return rest or text
    return text


def _shown(entry: dict) -> dict:
    shown = {**entry, "sentence": describe(entry)}
    if entry.get("examples"):
        shown["examples"] = [_example(entry["rule"], e) for e in entry["examples"]]
    return shown


def describe_report(report: list[dict]) -> list[dict]:
    """Each entry of a source's import report with its ``sentence``, and its
    examples as :func:`_example` shows them."""
    return [_shown(entry) for entry in report]
