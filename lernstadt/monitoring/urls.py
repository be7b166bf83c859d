from django.urls import path

from lernstadt.monitoring import downloads, views

app_name = "monitoring"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("ziele/<slug:code>/", views.goal_detail, name="goal"),
    path("indikatoren/<str:code>/", views.indicator_detail, name="indicator"),
    path("karten/<str:code>/", views.map_detail, name="indicator_map"),
    path("vergleich/", views.compare, name="compare"),
    path("methoden/", views.methods, name="methods"),
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
