from django.urls import path

from . import views, views_editor, views_search
from .views_reader import read as read_view

urlpatterns = [
    path("", views.home, name="home"),
    path("import/", views.import_view, name="import"),
    path("import/jobs/<int:pk>/", views.import_job, name="import_job"),
    path("documents/<slug:slug>/", views.document, name="document"),
    path("documents/<slug:slug>/export.json", views.export_json, name="export_json"),
    path("documents/<slug:slug>/u/<str:key>/", views_editor.unit, name="unit"),
    path("documents/<slug:slug>/sources/<str:siglum>/", views.source, name="source"),
    path(
        "documents/<slug:slug>/sources/<str:siglum>/derived-from/",
        views.source_derived_from,
        name="source_derived_from",
    ),
    path(
        "documents/<slug:slug>/sources/<str:siglum>/original",
        views.source_original,
        name="source_original",
    ),
]

# Editors: decisions at variant sites, the discrepancy queue, source priority; history.
urlpatterns += [
    path(
        "documents/<slug:slug>/sites/<int:site_id>/decide/",
        views_editor.decide_site,
        name="decide_site",
    ),
    path("documents/<slug:slug>/queue/", views_editor.queue, name="queue"),
    path("documents/<slug:slug>/priority/", views_editor.priority, name="priority"),
    path("documents/<slug:slug>/history/", views_editor.history, name="history"),
]

# Readers: the canonical text and the copies side by side.
urlpatterns += [
    path("documents/<slug:slug>/read/", read_view, name="read"),
]

# Search of the texts: canonical texts, copies' readings, notes.
urlpatterns += [
    path("search/", views_search.search, name="search"),
    path("search.json", views_search.search_json, name="search_json"),
]
