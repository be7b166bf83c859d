from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "lernstadt.catalog"
    verbose_name = "Bildungsangebote"

    def ready(self) -> None:
        from lernstadt.catalog import signals  # noqa: F401  (connects the search index)
