"""Import reports in words a person reads: what each clean-up rule did."""

from __future__ import annotations

from django.utils.translation import gettext as _


def _n(value) -> str:
    return f"{value:,}"


def describe(entry: dict) -> str:
    """One sentence for one rule's entry of a source's import report."""
    rule, count, detail = entry["rule"], entry["count"], entry.get("detail", {})
    n = _n(count)
    match rule:
        case "decode":
            return _("decoded %(bytes)s bytes as %(encoding)s: %(n)s characters") % {
                "bytes": _n(detail.get("bytes", 0)),
                "encoding": detail.get("encoding", "?"),
                "n": n,
            }
        case "strip_invisible":
            return _("removed %(n)s invisible characters (byte-order marks, zero-width spaces)") % {
                "n": n
            }
        case "normalize_line_endings":
            return _("normalized %(n)s Windows or old Mac line endings") % {"n": n}
        case "remove_pinyin_glosses":
            return _("removed %(g)s pinyin glosses after %(n)s characters") % {
                "g": _n(detail.get("glosses", count)),
                "n": n,
            }
        case "remove_junk_parentheticals":
            return _("removed %(n)s parentheses holding only emoji or symbols") % {"n": n}
        case "strip_markdown_marks":
            return _("removed %(n)s Markdown heading marks") % {"n": n}
        case "convert_traditional":
            return _("converted traditional → simplified: %(n)s characters") % {"n": n}
        case "unify_punctuation":
            return _("unified %(n)s half-width punctuation marks to full width") % {"n": n}
        case "trim_line_edges":
            return _("trimmed white space at the edges of %(n)s lines") % {"n": n}
        case "cut_before_start":
            return _("cut %(n)s characters before the start of the document") % {"n": n}
        case "cut_after_end":
            if not count:
                return _("the document runs to the end of the file")
            return _(
                "cut %(n)s characters after the end of the document (it ends at: %(line)s)"
            ) % {
                "n": n,
                "line": detail.get("line", ""),
            }
        case "remove_furniture":
            return _(
                "removed %(n)s lines of furniture: title, dateline, page continuation markers"
            ) % {"n": n}
        case "remove_spaces_between_chinese":
            return _("removed %(n)s spaces between Chinese characters") % {"n": n}
        case "join_broken_lines":
            return _("joined %(n)s lines broken by page or column breaks") % {"n": n}
        case "attach_paragraph":
            return _("attached %(n)s unlabelled paragraphs to the clause before them") % {"n": n}
        case "align_units":
            if detail.get("similarity") is None:
                return _("created %(new)s canonical units: the first copy of this document") % {
                    "new": _n(detail.get("new", 0))
                }
            return _(
                "aligned %(n)s units to the document (similarity %(sim)s): "
                "%(matched)s matched, %(new)s new"
            ) % {
                "n": n,
                "sim": f"{detail['similarity']:.0%}",
                "matched": _n(detail.get("matched", 0)),
                "new": _n(detail.get("new", 0)),
            }
    return f"{rule}: {n}"


def describe_report(report: list[dict]) -> list[dict]:
    return [{**entry, "sentence": describe(entry)} for entry in report]
