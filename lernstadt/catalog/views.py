from django.http import HttpResponse


def home(r, *a, **k):
    return HttpResponse()


search = map_view = offer_detail = offer_calendar = provider_detail = home
