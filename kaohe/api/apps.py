from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kaohe.api"
    verbose_name = "API"
