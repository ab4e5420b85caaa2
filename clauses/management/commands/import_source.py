"""Import one copy of a document from a file."""

import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from clauses.ingest import SourceMeta, import_source, preview_import
from clauses.models import Document, Source
from clauses.text.pipeline import IngestError


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(
            _("--published %(value)s is not a date YYYY-MM-DD") % {"value": repr(value)}
        ) from exc


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
        parser.add_argument("--kind", default=Source.Kind.OTHER, choices=Source.Kind.values)
        parser.add_argument("--publication", default="")
        parser.add_argument("--published", type=_date, help="YYYY-MM-DD")
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
            "--dry-run",
            action="store_true",
            help="write nothing: print as JSON what the import would do (units, report, "
            "every canonical reading it would change)",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("cannot read %(path)s: %(reason)s") % {"path": path, "reason": exc.strerror}
            ) from exc
        document = None
        if options["document"]:
            document = Document.objects.filter(slug=options["document"]).first()
            if document is None:
                raise CommandError(
                    _("no document with slug %(slug)s") % {"slug": repr(options["document"])}
                )
        meta = SourceMeta(
            siglum=options["siglum"],
            title=options["title"],
            kind=options["kind"],
            publication=options["publication"],
            published=options["published"],
            url=options["url"],
            filename=path.name,
        )
        kwargs = {
            "document": document,
            "accept_cuts": options["accept_cuts"],
            "derived_from": options["derived_from"] or None,
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
            verb = "created" if result.created_document else "added to"
            self.stdout.write(
                f"{path.name}: source {source.siglum}, {units} units, {verb} {source.document.slug}"
            )
            if result.relation is not None:
                r = result.relation
                self.stdout.write(
                    f"{r.from_document.slug} is a later version of {r.to_document.slug}"
                )
