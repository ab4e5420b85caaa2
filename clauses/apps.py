from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClausesConfig(AppConfig):
    name = "clauses"
    verbose_name = _("Documents")
