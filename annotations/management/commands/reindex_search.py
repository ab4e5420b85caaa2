"""``manage.py reindex_search``: rewrite the search fields of every canonical text,
reading and note (after a change of ``clauses.text.search``'s folding rules).
It lives in ``annotations``, which may use ``clauses`` (not the other way round)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from annotations.models import Note
from clauses.models import Reading, Unit
from clauses.search_index import reindex


class Command(BaseCommand):
    help = "Rewrite the search index (folded text and character n-grams) of every text."

    def handle(self, *args, **options):
        with transaction.atomic():
            for model, field in ((Unit, "canonical"), (Reading, "text"), (Note, "body")):
                n = reindex(model, field)
                self.stdout.write(f"{model.__name__}: {n}")
