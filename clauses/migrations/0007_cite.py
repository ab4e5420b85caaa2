"""Unit.locator (issue 11): the unit's place in the document's own labels,
filled for every existing unit from its tree (clauses.text.locator)."""

from django.db import migrations, models

from clauses.text.locator import unit_locators


def fill_locators(apps, schema_editor):
    Document = apps.get_model("clauses", "Document")
    Unit = apps.get_model("clauses", "Unit")
    for document in Document.objects.all().iterator():
        units = list(
            Unit.objects.filter(document=document)
            .order_by("order")
            .only("pk", "parent_id", "kind", "label", "key", "canonical")
        )
        found = unit_locators(
            units, (document.metadata or {}).get("covering_title") or "", document.title
        )
        for unit in units:
            unit.locator = found[unit.pk]
        Unit.objects.bulk_update(units, ["locator"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("clauses", "0006_fingerprint_alignments_import_jobs"),
    ]

    operations = [
        migrations.AddField(
            model_name="unit",
            name="locator",
            field=models.CharField(blank=True, max_length=200, verbose_name="locator"),
        ),
        migrations.RunPython(fill_locators, migrations.RunPython.noop),
    ]
