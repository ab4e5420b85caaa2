from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClausesConfig(AppConfig):
    name = "clauses"
    verbose_name = _("Documents")

    def ready(self):
        from django.db.models import Field, ForeignObject

        from .lookups import AnyOf

        Field.register_lookup(AnyOf)
        ForeignObject.register_lookup(AnyOf)  # ids of the related rows
