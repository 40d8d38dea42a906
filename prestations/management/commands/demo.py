from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from comptes.demo import MOT_DE_PASSE_DEMO, UTILISATEURS, creer_monde_demo
from prestations.demo import creer_dossiers_demo, creer_marches_demo, creer_parcours_demo

REFUS_EN_PRODUCTION = (
    "Démo refusée : DEBUG est désactivé, cette instance est donc une instance de production. "
    "La démo crée des comptes, dont un super-utilisateur, avec le mot de passe public du README : "
    "n'importe qui pourrait s'y connecter. Elle ne doit pas être chargée sur une instance de production. "
    "Pour une instance de démonstration, relancez la commande avec --allow-in-production."
)


class Command(BaseCommand):
    help = "Create or refresh the demonstration data (idempotent). Refused with DEBUG off, unless allowed."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-in-production",
            action="store_true",
            help="Run with DEBUG off too (the demo accounts, a superuser among them, get the README's password).",
        )

    def handle(self, *args, allow_in_production=False, verbosity=1, **options):
        if not settings.DEBUG and not allow_in_production:
            raise CommandError(REFUS_EN_PRODUCTION)

        organisations = creer_monde_demo()
        marches = creer_marches_demo(organisations)
        dossiers = creer_dossiers_demo(organisations) + creer_parcours_demo(organisations)
        if verbosity == 0:  # `make run` prints its own one-line summary
            return
        nouvelles = (
            f"{dossiers} nouvelle lettre de commande" if dossiers <= 1 else f"{dossiers} nouvelles lettres de commande"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Démonstration : {len(organisations)} organisations, {len(UTILISATEURS)} comptes, "
                f"{len(marches)} marchés, {nouvelles}."
            )
        )
        for email, _prenom, _nom, _org, role in UTILISATEURS:
            self.stdout.write(f"  {role.label:<24} {email}")
        self.stdout.write(f"Mot de passe commun : {MOT_DE_PASSE_DEMO}")
