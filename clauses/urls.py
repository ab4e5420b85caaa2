from django.urls import path

from . import views, views_compare, views_editor, views_export, views_search
from .views_reader import read as read_view

urlpatterns = [
    path("", views.home, name="home"),
    path("import/", views.import_view, name="import"),
    path("import/jobs/<int:pk>/", views.import_job, name="import_job"),
    path("documents/<slug:slug>/", views.document, name="document"),
    path("documents/<slug:slug>/export.json", views.export_json, name="export_json"),
    path("documents/<slug:slug>/export.tei.xml", views_export.export_tei, name="export_tei"),
    path(
        "documents/<slug:slug>/apparatus.csv",
        views_export.apparatus_csv_view,
        name="apparatus_csv",
    ),
    path("documents/<slug:slug>/u/<str:key>/", views_editor.unit, name="unit"),
    path("documents/<slug:slug>/u/<str:key>/cite.json", views_editor.cite_json, name="cite_json"),
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

# Versions compared clause by clause (新旧对照); relations between documents.
urlpatterns += [
    path("compare/", views_compare.compare_pick, name="compare_pick"),
    path("compare/<slug:old>/<slug:new>/", views_compare.compare, name="compare"),
    path(
        "compare/<slug:old>/<slug:new>/export.json",
        views_compare.compare_export,
        name="compare_export",
    ),
    path(
        "compare/<slug:old>/<slug:new>/corrections/",
        views_compare.compare_correct,
        name="compare_correct",
    ),
    path(
        "compare/<slug:old>/<slug:new>/corrections/<int:pk>/delete/",
        views_compare.compare_correction_delete,
        name="compare_correction_delete",
    ),
    path("documents/<slug:slug>/relations/", views_compare.document_relate, name="document_relate"),
    path(
        "documents/<slug:slug>/relations/<int:pk>/delete/",
        views_compare.document_relation_delete,
        name="document_relation_delete",
    ),
]

# Search of the texts: canonical texts, copies' readings, notes.
urlpatterns += [
    path("search/", views_search.search, name="search"),
    path("search.json", views_search.search_json, name="search_json"),
]
