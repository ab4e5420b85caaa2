from django.contrib import admin

from .models import Document, Reading, Source, Unit


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["slug", "title", "date", "number"]
    search_fields = ["title", "slug"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["siglum", "title", "document", "kind", "script", "imported_at"]
    list_filter = ["document", "kind", "script"]
    exclude = ["original", "text"]
    readonly_fields = ["checksum", "encoding", "report"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["key", "kind", "label", "document", "order"]
    list_filter = ["document", "kind"]


@admin.register(Reading)
class ReadingAdmin(admin.ModelAdmin):
    list_display = ["unit", "source", "raw_start", "raw_end"]
    list_filter = ["source__document", "source"]
    raw_id_fields = ["unit", "source"]
