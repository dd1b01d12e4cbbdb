from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CyclesConfig(AppConfig):
    name = "kaohe.cycles"
    verbose_name = _("考核周期")

    def ready(self) -> None:
        # Registers rectification.overdue with kaohe.cycles.derived.
        from kaohe.cycles import rectification_derive  # noqa: F401
