"""Print a document with every unit, reading and variant as JSON."""

import json

from django.core.management.base import BaseCommand, CommandError

from clauses.export import document_export
from clauses.models import Document


class Command(BaseCommand):
    help = "Export a document (the same JSON as /documents/<slug>/export.json)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--format", default="json", choices=["json"])

    def handle(self, *args, **options):
        document = Document.objects.filter(slug=options["slug"]).first()
        if document is None:
            raise CommandError(f"no document with slug {options['slug']!r}")
        self.stdout.write(json.dumps(document_export(document), ensure_ascii=False, indent=1))
