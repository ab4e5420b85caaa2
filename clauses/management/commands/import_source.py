"""Import one copy of a document from a file."""

import errno
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from clauses.forms import SourceMetaForm
from clauses.ingest import SourceMeta, import_source, preview_import
from clauses.models import Document, Source
from clauses.search_index import merge_pending_entries
from clauses.text.pipeline import IngestError


def _checked(options: dict) -> dict:
    """The copy's metadata checked as the import form checks it (the URL's scheme,
    the date, every length, the siglum); the first problem is one line."""
    form = SourceMetaForm(
        {
            "siglum": options["siglum"],
            "title": options["title"],
            "kind": options["kind"],
            "publication": options["publication"],
            "published": options["published"] or "",
            "url": options["url"],
        }
    )
    if form.is_valid():
        return form.cleaned_data
    name, errors = next(iter(form.errors.items()))
    value = options.get(name) or ""
    if name == "published":
        message = _("--published %(value)s is not a date YYYY-MM-DD") % {"value": repr(value)}
    elif name == "kind":
        # Checked here, not by argparse's choices, whose refusal is English.
        message = _("--kind %(value)s is not one of: %(choices)s") % {
            "value": repr(value),
            "choices": ", ".join(Source.Kind.values),
        }
    else:
        message = f"--{name}: {' '.join(dict.fromkeys(errors))}"
    raise CommandError(message.replace("\n", " "))


def _os_reason(exc: OSError) -> str:
    """Why a file cannot be read, in the user's language (the system's own
    ``strerror`` is English, whatever the interface language)."""
    reasons = {
        errno.ENOENT: _("there is no such file"),
        errno.EACCES: _("permission to read it is denied"),
        errno.EPERM: _("permission to read it is denied"),
        errno.EISDIR: _("it is a directory, not a file"),
        errno.ENOTDIR: _("a part of the path is not a directory"),
        errno.ENAMETOOLONG: _("the name is too long"),
        errno.ELOOP: _("the path has too many symbolic links"),
    }
    if exc.errno in reasons:
        return reasons[exc.errno]
    return _("the system refused (error %(code)s)") % {"code": exc.errno}


def _relation(result) -> dict | None:
    r = result.relation
    if r is None:
        return None
    return {"kind": r.kind, "from": r.from_document.slug, "to": r.to_document.slug}


class Command(BaseCommand):
    help = (
        "Import FILE as a new source. Without --document the document is identified by "
        "its content, or created. On failure: non-zero exit, a one-line reason, nothing written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--document", help="slug of the document the file is a copy of")
        parser.add_argument("--siglum", default="", help="a letter, or up to 4 letters and digits")
        parser.add_argument(
            "--title",
            default="",
            help="the copy's title; also the document's when the file gives none",
        )
        parser.add_argument(
            "--kind",
            default=Source.Kind.OTHER,
            metavar="{" + ",".join(Source.Kind.values) + "}",
            help="what kind of copy it is",
        )
        parser.add_argument("--publication", default="")
        parser.add_argument("--published", default="", help="YYYY-MM-DD")
        parser.add_argument("--url", default="")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument(
            "--accept-cuts",
            action="store_true",
            help="import even when less than 90%% of the file's Han characters are kept",
        )
        parser.add_argument(
            "--derived-from",
            default="",
            metavar="SIGLUM",
            help="the copy of the document this one was made from: it will not vote",
        )
        parser.add_argument(
            "--version-of",
            default="",
            metavar="SLUG",
            help="the text is a new document, the later version of the document SLUG",
        )
        parser.add_argument(
            "--earlier-version-of",
            default="",
            metavar="SLUG",
            help="the text is a new document, the earlier version of the document SLUG",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="write nothing: print as JSON what the import would do (units, report, "
            "every canonical reading it would change)",
        )

    def handle(self, *args, **options):
        checked = _checked(options)
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("cannot read %(path)s: %(reason)s") % {"path": path, "reason": _os_reason(exc)}
            ) from exc
        document = None
        if options["document"]:
            document = Document.objects.filter(slug=options["document"]).first()
            if document is None:
                raise CommandError(
                    _("no document with slug %(slug)s") % {"slug": repr(options["document"])}
                )
        version_of = None
        if options["version_of"] and options["earlier_version_of"]:
            raise CommandError(
                _("--version-of and --earlier-version-of exclude each other: one version")
            )
        version_slug = options["version_of"] or options["earlier_version_of"]
        if version_slug:
            if document is not None:
                raise CommandError(
                    _("--document and --version-of exclude each other: a copy, or a new version")
                )
            version_of = Document.objects.filter(slug=version_slug).first()
            if version_of is None:
                raise CommandError(
                    _("no document with slug %(slug)s") % {"slug": repr(version_slug)}
                )
        meta = SourceMeta.from_fields(checked, filename=path.name[:255])
        kwargs = {
            "document": document,
            "accept_cuts": options["accept_cuts"],
            "derived_from": options["derived_from"] or None,
            "version_of": version_of,
            "version_later": not options["earlier_version_of"],
        }
        try:
            if options["dry_run"]:
                preview = preview_import(data, meta, **kwargs)
            else:
                result = import_source(data, meta, **kwargs)
        except IngestError as exc:
            raise CommandError(str(exc)) from exc
        if options["dry_run"]:
            self.stdout.write(json.dumps(preview.as_json(), ensure_ascii=False))
            return
        merge_pending_entries()  # committed: the search indexes take its entries now
        source = result.source
        units = source.readings.count()
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "document": source.document.slug,
                        "siglum": source.siglum,
                        "units": units,
                        "created": result.created_document,
                        "metadata": source.document.metadata,
                        "accounting": source.accounting,
                        "format": source.format,
                        "relation": _relation(result),
                        "similar_document": result.similar.slug if result.similar else None,
                        "derived_from": source.derived_from.siglum if source.derived_from else None,
                        "changes": [
                            {k: c[k] for k in ("unit", "before", "after")} for c in result.changes
                        ],
                        "report": {"rules": source.report, "accounting": source.accounting},
                    },
                    ensure_ascii=False,
                )
            )
        else:
            values = {
                "file": path.name,
                "siglum": source.siglum,
                "units": units,
                "slug": source.document.slug,
            }
            if result.created_document:
                line = _("%(file)s: source %(siglum)s, %(units)s units, created %(slug)s")
            else:
                line = _("%(file)s: source %(siglum)s, %(units)s units, added to %(slug)s")
            self.stdout.write(line % values)
            if result.similar is not None:
                self.stdout.write(
                    _(
                        "“%(title)s” (%(slug)s) has nearly the same text (similarity %(sim)s) "
                        "under another title: if this file is a copy of it, an administrator "
                        "can delete the new document (/admin/) and the file be imported with "
                        "--document %(slug)s"
                    )
                    % {
                        "title": result.similar.title,
                        "slug": result.similar.slug,
                        "sim": f"{result.similar_share:.0%}",
                    }
                )
            if result.changes:
                keys = [c["unit"] for c in result.changes[:20]]
                names = dict(
                    source.document.units.filter(key__in=keys).values_list("key", "locator")
                )
                self.stdout.write(
                    _("changed the canonical text of %(n)s units: %(units)s")
                    % {
                        "n": len(result.changes),
                        "units": "、".join(names.get(k) or k for k in keys)
                        + (" …" if len(result.changes) > 20 else ""),
                    }
                )
            if result.derived_proposal:
                self.stdout.write(
                    _(
                        "it agrees with copy %(siglum)s almost everywhere: if it was made "
                        "from it, mark it --derived-from %(siglum)s (or on the source page)"
                    )
                    % {"siglum": result.derived_proposal.get("siglum", "?")}
                )
            if result.relation is not None:
                r = result.relation
                self.stdout.write(
                    _("%(later)s is a later version of %(earlier)s")
                    % {"later": r.from_document.slug, "earlier": r.to_document.slug}
                )
