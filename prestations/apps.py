from django.apps import AppConfig


class PrestationsConfig(AppConfig):
    name = "prestations"
    verbose_name = "Prestations"
