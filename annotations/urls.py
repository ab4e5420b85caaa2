"""Notes, tags, flags, errata, the user's page and the Web Annotation API.

Mounted at the root by policyreader/urls.py (namespace ``annotations``).
"""

from django.urls import path

from . import api, views

app_name = "annotations"

urlpatterns = [
    # Notes
    path("notes/", views.notes, name="notes"),
    path("notes/<int:pk>/", views.note, name="note"),
    path("notes/<int:pk>/edit/", views.note_edit, name="note_edit"),
    path("notes/<int:pk>/delete/", views.note_delete, name="note_delete"),
    path("notes/<int:pk>/reply/", views.note_reply, name="note_reply"),
    path("notes/<int:pk>/reattach/", views.note_reattach, name="note_reattach"),
    path("documents/<slug:slug>/u/<str:key>/notes/", views.unit_notes, name="unit_notes"),
    path("documents/<slug:slug>/notes/anchors.json", views.note_anchors, name="note_anchors"),
    # Tags
    path("tags/", views.tags, name="tags"),
    path("tag-suggestions/", views.tag_suggestions, name="tag_suggestions"),
    path("tags/<str:name>/", views.tag, name="tag"),
    path("tags/<str:name>/rename/", views.tag_rename, name="tag_rename"),
    path("tags/<str:name>/merge/", views.tag_merge, name="tag_merge"),
    # Transcription-error flags and errata
    path(
        "documents/<slug:slug>/sites/<int:site_id>/flag/",
        views.flag_create,
        name="flag_create",
    ),
    path("flags/", views.flags, name="flags"),
    path("flags/<int:pk>/", views.flag, name="flag"),
    path("flags/<int:pk>/decide/", views.flag_decide, name="flag_decide"),
    path("flags/<int:pk>/withdraw/", views.flag_withdraw, name="flag_withdraw"),
    path("documents/<slug:slug>/sources/<str:siglum>/errata/", views.errata, name="errata"),
    path(
        "documents/<slug:slug>/sources/<str:siglum>/errata.csv",
        views.errata_csv,
        name="errata_csv",
    ),
    # The user's page and API tokens
    path("accounts/me/", views.account, name="account"),
    path("accounts/me/tokens/", views.token_create, name="token_create"),
    path("accounts/me/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    # Web Annotation Protocol and exports
    path("annotations/", api.container, name="api_container"),
    path("annotations/<int:pk>", api.annotation, name="api_annotation"),
    path("annotations/flags/<int:pk>", api.flag_annotation, name="api_flag"),
    path("documents/<slug:slug>/annotations.jsonld", api.export_jsonld, name="export_jsonld"),
    path("documents/<slug:slug>/annotations.csv", api.export_csv, name="export_csv"),
]
