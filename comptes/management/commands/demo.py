from django.core.management.base import BaseCommand

from comptes.demo import MOT_DE_PASSE_DEMO, UTILISATEURS, creer_monde_demo


class Command(BaseCommand):
    help = "Create or refresh the demonstration data (idempotent)."

    def handle(self, *args, **options):
        from prestations.demo import creer_dossiers_demo, creer_marches_demo, creer_parcours_demo

        organisations = creer_monde_demo()
        marches = creer_marches_demo(organisations)
        dossiers = creer_dossiers_demo(organisations) + creer_parcours_demo(organisations)
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(organisations)} organisations, {len(UTILISATEURS)} comptes, {len(marches)} marchés, "
                f"{dossiers} nouvelle(s) lettre(s) de commande de démonstration."
            )
        )
        for email, _prenom, _nom, _org, role in UTILISATEURS:
            self.stdout.write(f"  {role.label:<24} {email}")
        self.stdout.write(f"Mot de passe commun : {MOT_DE_PASSE_DEMO}")
