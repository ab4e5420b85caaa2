"""Variant sites leave 30% of each page free.

Every import adds the new copy's reading to each site of the units it touches
(``readings || {siglum: reading}``): with room on the page, PostgreSQL writes
the new row version beside the old one without touching the indexes (a HOT
update). Measured on the 20th copy of a 200 KB document: the two UPDATEs of
its sites took 0.28 s with full pages, 0.12 s with this setting
(``bench/ingest.py``). Applies to pages written from now on.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("clauses", "0010_deferred_site_index")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE clauses_variantsite SET (fillfactor = 70)",
            reverse_sql="ALTER TABLE clauses_variantsite RESET (fillfactor)",
        )
    ]
