from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeasuresConfig(AppConfig):
    name = "kaohe.measures"
    verbose_name = _("考核办法与评分细则")
