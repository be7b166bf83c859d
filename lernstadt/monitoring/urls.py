from django.urls import path

from lernstadt.monitoring import downloads
from lernstadt.monitoring.views import comparison, goals, indicator, maps, methods

app_name = "monitoring"

urlpatterns = [
    path("", goals.dashboard, name="dashboard"),
    path("ziele/<slug:code>/", goals.goal_detail, name="goal"),
    path("indikatoren/<str:code>/", indicator.indicator_detail, name="indicator"),
    path("karten/<str:code>/", maps.map_detail, name="indicator_map"),
    path("vergleich/", comparison.compare, name="compare"),
    path("methoden/", methods.methods, name="methods"),
    path("daten/<str:code>.csv", downloads.indicator_csv, name="indicator_csv"),
    path(
        "daten/<str:code>/datenlexikon.csv",
        downloads.indicator_dictionary,
        name="indicator_dictionary",
    ),
    path("tabellen/<str:dataset>.csv", downloads.table_csv, name="table_csv"),
    path(
        "tabellen/<str:dataset>/datenlexikon.csv",
        downloads.table_dictionary,
        name="table_dictionary",
    ),
]
