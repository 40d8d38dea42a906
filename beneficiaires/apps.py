from django.apps import AppConfig


class BeneficiairesConfig(AppConfig):
    name = "beneficiaires"
    verbose_name = "Bénéficiaires"
