from django.apps import AppConfig


class PrestationsConfig(AppConfig):
    name = "prestations"
    verbose_name = "Prestations"

    def ready(self):
        from comptes.envoi import notification_envoyee
        from prestations.echeances.notices import honorer_a_l_envoi

        notification_envoyee.connect(honorer_a_l_envoi, dispatch_uid="prestations.honorer_a_l_envoi")
