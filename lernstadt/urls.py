from django.contrib import admin
from django.urls import include, path

from lernstadt.api import api

admin.site.site_header = "lernstadt – Verwaltung"
admin.site.site_title = "lernstadt"

urlpatterns = [
    path("", include("lernstadt.catalog.urls")),
    path("api/v1/", api.urls),
    path("monitoring/", include("lernstadt.monitoring.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("verwaltung/", admin.site.urls),
]
