from django.urls import path

from lernstadt.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.home, name="home"),
    path("suche/", views.search, name="search"),
    path("suche/vorschlaege/", views.suggestions, name="suggestions"),
    path("karte/", views.map_view, name="map"),
    path("angebote/<int:pk>/<slug:slug>/", views.offer_detail, name="offer"),
    path("angebote/<int:pk>/<slug:slug>/kalender.ics", views.offer_calendar, name="offer_ics"),
    path("einrichtungen/<int:pk>/<slug:slug>/", views.provider_detail, name="provider"),
]
