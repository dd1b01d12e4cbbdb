from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgersConfig(AppConfig):
    name = "kaohe.ledgers"
    verbose_name = _("党建台账")

    def ready(self) -> None:
        # Registers the ledger.* derive codes with kaohe.cycles.derived.
        from kaohe.ledgers import derive  # noqa: F401
