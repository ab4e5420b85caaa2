"""One line per document: slug, title, sigla."""

from django.core.management.base import BaseCommand

from clauses.models import Document


class Command(BaseCommand):
    help = "List documents: slug<TAB>title<TAB>sigla separated by commas."

    def handle(self, *args, **options):
        for doc in Document.objects.prefetch_related("sources").order_by("slug"):
            sigla = ",".join(s.siglum for s in doc.sources.all())
            self.stdout.write(f"{doc.slug}\t{doc.title}\t{sigla}")
