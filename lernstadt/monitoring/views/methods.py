"""The methods page: how the monitoring calculates, and how it protects small groups."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from lernstadt.monitoring.disclosure import default_minimum


@require_safe
def methods(request: HttpRequest) -> HttpResponse:
    return render(request, "monitoring/methods.html", {"minimum": default_minimum()})
