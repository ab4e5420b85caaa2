from django.contrib import admin

from .models import ApiToken, Flag, Note, Tag


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "created"]
    search_fields = ["name"]


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ["pk", "unit", "author", "visibility", "orphaned", "created"]
    list_filter = ["visibility", "orphaned", "unit__document"]
    raw_id_fields = ["unit", "parent", "author"]
    filter_horizontal = ["tags"]


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ["pk", "source", "unit", "reading", "proposed", "state", "author", "created"]
    list_filter = ["state", "source__document"]
    raw_id_fields = ["unit", "source", "author", "decided_by", "decision"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "hint", "created", "last_used"]
    readonly_fields = ["digest", "hint", "created", "last_used"]
    raw_id_fields = ["user"]
