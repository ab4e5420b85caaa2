from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClausesConfig(AppConfig):
    name = "clauses"
    verbose_name = _("Documents")

    def ready(self):
        from django.db.models import ForeignObject, IntegerField

        from .lookups import AnyOf

        # Integer columns only (ids, positions, n-gram hashes): on a JSON
        # field, "any" stays a key name.
        IntegerField.register_lookup(AnyOf)
        ForeignObject.register_lookup(AnyOf)  # ids of the related rows
