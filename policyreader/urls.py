"""Top-level URLs. The reading pages live in clauses.urls, mounted at the root."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("clauses.urls")),
    path("", include("annotations.urls")),
    path("studies/", include("studies.urls")),
]

# Error answers that work without the database, in the request's language
# (JSON for the API); 503 with Retry-After while the database is down.
handler400 = "policyreader.errors.bad_request"
handler404 = "policyreader.errors.page_not_found"
handler500 = "policyreader.errors.server_error"
