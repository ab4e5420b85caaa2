"""Top-level URLs. The reading pages live in clauses.urls, mounted at the root."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("clauses.urls")),
    path("", include("annotations.urls")),
]
