"""Recompute every unit's consensus text and variant sites."""

from django.core.management.base import BaseCommand, CommandError

from clauses.collation import recollate
from clauses.models import Document, Unit


class Command(BaseCommand):
    help = (
        "Re-collate every unit of one document (or of all). The last line reads "
        "'collated U units, R readings in S.SSS s' (the collation engine alone)."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", nargs="?", help="the document's slug (default: all)")

    def handle(self, *args, **options):
        documents = Document.objects.order_by("slug")
        if options["slug"]:
            documents = documents.filter(slug=options["slug"])
            if not documents.exists():
                raise CommandError(f"no document with slug {options['slug']!r}")
        units = readings = changed = 0
        seconds = 0.0
        for document in documents:
            stats = recollate(Unit.objects.filter(document=document).in_order())
            self.stdout.write(
                f"{document.slug}: {stats.units} units, {stats.changed} canonical texts changed"
            )
            units += stats.units
            readings += stats.readings
            seconds += stats.seconds
            changed += stats.changed
        self.stdout.write(f"collated {units} units, {readings} readings in {seconds:.3f} s")
