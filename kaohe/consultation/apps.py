from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationConfig(AppConfig):
    name = "kaohe.consultation"
    verbose_name = _("征求意见")
