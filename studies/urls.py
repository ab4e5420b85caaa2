"""Study sets (学习专题), mounted at /studies/ by policyreader/urls.py (namespace ``studies``)."""

from django.urls import path

from . import views

app_name = "studies"

urlpatterns = [
    path("", views.studies, name="list"),
    path("new/", views.study_new, name="new"),
    path("add/", views.study_add, name="add"),
    path("<int:pk>.json", views.study_json, name="json"),
    path("<int:pk>/", views.study_detail, name="detail"),
    path("<int:pk>/edit/", views.study_edit, name="edit"),
    path("<int:pk>/editors/", views.study_editors, name="editors"),
    path("<int:pk>/delete/", views.study_delete, name="delete"),
    path("<int:pk>/duplicate/", views.study_duplicate, name="duplicate"),
    path("<int:pk>/reorder/", views.study_reorder, name="reorder"),
    path("<int:pk>/items/<int:item_pk>/move/", views.item_move, name="item_move"),
    path("<int:pk>/items/<int:item_pk>/remove/", views.item_remove, name="item_remove"),
    path("<int:pk>/items/<int:item_pk>/edit/", views.item_edit, name="item_edit"),
    path("<int:pk>/print/", views.study_print, name="print"),
    path("<int:pk>/handout.docx", views.study_docx, name="docx"),
    path("<int:pk>/handout.pdf", views.study_pdf, name="pdf"),
    path("<int:pk>/signin-sheet/", views.study_signin, name="signin"),
]
