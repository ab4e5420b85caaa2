"""Import the bundled demo corpus; a second run changes nothing."""

import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clauses.ingest import SourceMeta, import_source, read_prepared
from clauses.models import Source
from clauses.search_index import merge_pending_entries
from clauses.text.pipeline import IngestError

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"


class Command(BaseCommand):
    help = (
        "Import the demo corpus (clauses/demo): "
        "four copies of the 2024 Opinion, one of the 2017 Plan."
    )

    def handle(self, *args, **options):
        manifest = json.loads((DEMO_DIR / "manifest.json").read_text(encoding="utf-8"))
        for entry in manifest["sources"]:
            data = (DEMO_DIR / entry["file"]).read_bytes()
            prepared = read_prepared(data, entry["file"])
            existing = Source.objects.filter(checksum=prepared.checksum).first()
            if existing:
                self.stdout.write(
                    f"{entry['file']}: already source {existing.siglum} of {existing.document.slug}"
                )
                continue
            meta = SourceMeta(
                siglum=entry["siglum"],
                title=entry["title"],
                kind=entry["kind"],
                publication=entry["publication"],
                published=date.fromisoformat(entry["published"]) if entry["published"] else None,
                filename=entry["file"],
            )
            try:
                # The demo copies are kept exactly as collected, unrelated news
                # articles and all (see clauses/demo/README.md): their cuts are
                # known, so the accounting gate does not stop them.
                result = import_source(data, meta, prepared=prepared, accept_cuts=True)
            except IngestError as exc:
                raise CommandError(f"{entry['file']}: {exc}") from exc
            self.stdout.write(
                f"{entry['file']}: source {result.source.siglum} of {result.source.document.slug}, "
                f"{len(prepared.units)} units ({result.new_units} new)"
            )
        merge_pending_entries()  # the copies' search entries into the indexes
