from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisciplineConfig(AppConfig):
    name = "kaohe.discipline"
    verbose_name = _("违纪案件")

    def ready(self) -> None:
        # Registers the `discipline.cases` fact with the cycles' registry of derived facts.
        from kaohe.discipline import derive  # noqa: F401
