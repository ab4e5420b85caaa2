from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("import/", views.import_view, name="import"),
    path("documents/<slug:slug>/", views.document, name="document"),
    path("documents/<slug:slug>/export.json", views.export_json, name="export_json"),
    path("documents/<slug:slug>/u/<str:key>/", views.unit, name="unit"),
    path("documents/<slug:slug>/sources/<str:siglum>/", views.source, name="source"),
    path(
        "documents/<slug:slug>/sources/<str:siglum>/original",
        views.source_original,
        name="source_original",
    ),
]
