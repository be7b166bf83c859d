"""The staff area for the monitoring (Django admin at /verwaltung/).

Goals, indicators (with their texts), targets, measures and areas are edited here;
the import history and the observations are read-only, because only importers write
them (a changed number must come with its source file). Leaver records are not shown:
they are single persons, if pseudonymous, and only their aggregates are needed.

Two pages of the education office hang on the import history
(:mod:`lernstadt.monitoring.staff`): "Datei importieren" and "Datenreport erstellen".
"""

from datetime import timedelta
from typing import Any

from django.contrib import admin
from django.db.models import Count, Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path

from lernstadt.monitoring import staff
from lernstadt.monitoring.models import (
    Area,
    Boundary,
    Goal,
    ImportRun,
    Indicator,
    Measure,
    Observation,
    Target,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and details to look at; adding, changing and deleting are the importers' job."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    show_full_result_count = False  # the census brings 10,000 municipalities


class MeasureInline(admin.TabularInline):
    model = Measure
    fields = ["title_de", "responsible", "status"]
    extra = 0


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ["order", "code", "title_de", "indicator_count", "measure_count"]
    list_display_links = ["code", "title_de"]
    list_editable = ["order"]
    search_fields = ["code", "title_de", "title_en", "statement_de"]
    fieldsets = [
        (None, {"fields": ["code", "order"]}),
        ("Deutsch", {"fields": ["title_de", "statement_de"]}),
        ("Englisch", {"fields": ["title_en", "statement_en"]}),
    ]
    inlines = [MeasureInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Goal]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                indicator_total=Count("indicators", distinct=True),
                measure_total=Count("measures", distinct=True),
            )
        )

    @admin.display(description="Indikatoren", ordering="indicator_total")
    def indicator_count(self, goal: Goal) -> int:
        return int(getattr(goal, "indicator_total", 0))

    @admin.display(description="Maßnahmen", ordering="measure_total")
    def measure_count(self, goal: Goal) -> int:
        return int(getattr(goal, "measure_total", 0))


class TargetInline(admin.TabularInline):
    model = Target
    fields = ["area", "year", "direction", "value", "goal", "note"]
    autocomplete_fields = ["area"]
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name_de", "unit", "direction", "level", "open_sdg_id", "update_cycle"]
    list_filter = ["direction", "level", "unit", "goals"]
    search_fields = [
        "code",
        "name_de",
        "name_en",
        "definition_de",
        "meaning_de",
        "open_sdg_id",
        "source",
    ]
    filter_horizontal = ["goals"]
    fieldsets = [
        (None, {"fields": ["code", "name_de", "name_en", "goals"]}),
        ("Definition", {"fields": ["definition_de", "definition_en", "numerator", "denominator"]}),
        ("Erklärung für alle", {"fields": ["meaning_de", "meaning_en", "easy_de"]}),
        ("Werte", {"fields": ["unit", "decimals", "direction", "level", "disaggregations"]}),
        ("Herkunft", {"fields": ["source", "licence", "update_cycle", "open_sdg_id"]}),
        ("Geheimhaltung", {"fields": ["min_count"]}),
    ]
    inlines = [TargetInline]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["indicator", "area", "year", "direction", "value", "goal"]
    list_filter = ["direction", "year", "goal"]
    search_fields = ["indicator__code", "indicator__name_de", "area__code", "area__name"]
    autocomplete_fields = ["indicator", "area"]
    list_select_related = ["indicator", "area", "goal"]


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["title_de", "goal", "responsible", "status"]
    list_filter = ["status", "goal"]
    list_editable = ["status"]
    search_fields = ["title_de", "title_en", "description_de", "responsible"]
    list_select_related = ["goal"]


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    """The import history: who loaded which file when, and how much it brought."""

    list_display = [
        "started_at",
        "format",
        "source",
        "rows",
        "observations",
        "loaded_by",
        "duration",
    ]
    list_filter = ["format"]
    search_fields = ["source", "by", "user__username"]
    date_hierarchy = "started_at"
    list_select_related = ["user"]
    fields = ["format", "source", "started_at", "finished_at", "rows", "observations", "user", "by"]
    change_list_template = "admin/monitoring/importrun/change_list.html"

    @admin.display(description="Geladen von", ordering="by")
    def loaded_by(self, run: ImportRun) -> str:
        return run.by or (run.user.get_username() if run.user else "")

    @admin.display(description="Dauer")
    def duration(self, run: ImportRun) -> str:
        if run.finished_at is None:
            return "nicht beendet"
        seconds = max(run.finished_at - run.started_at, timedelta(0)).total_seconds()
        return f"{seconds:.1f} s".replace(".", ",")

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        buttons = {
            "can_import": request.user.has_perm(staff.IMPORT_PERMISSION),
            "can_report": request.user.has_perm(staff.REPORT_PERMISSION),
        }
        return super().changelist_view(request, {**(extra_context or {}), **buttons})

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        own = [
            path("import/", wrap(staff.import_view), name="monitoring_importrun_import"),
            path("report/", wrap(staff.report_view), name="monitoring_report"),
            path(
                "report/<int:year>/<str:name>",
                wrap(staff.report_file_view),
                name="monitoring_report_file",
            ),
        ]
        return own + super().get_urls()


@admin.register(Observation)
class ObservationAdmin(ReadOnlyAdmin):
    list_display = [
        "indicator",
        "area",
        "period",
        "breakdown",
        "value",
        "numerator",
        "denominator",
        "provisional",
        "confidential",
    ]
    list_filter = ["period", "area__level", "confidential", "provisional", "indicator"]
    search_fields = ["indicator__code", "area__code", "area__name", "breakdown"]
    list_select_related = ["indicator", "area"]
    # Hundreds of thousands of rows: no second COUNT(*) over the whole table per page.
    show_full_result_count = False


@admin.register(Boundary)
class BoundaryAdmin(ReadOnlyAdmin):
    """Which areas have an outline for maps, from which file; the geometry is not shown."""

    list_display = ["area", "vintage", "source", "attribution"]
    list_filter = ["area__level", "vintage"]
    search_fields = ["area__code", "area__name"]
    list_select_related = ["area"]
    fields = ["area", "vintage", "source", "attribution", "run"]
