from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from livrables.certificat import generer

REFUS_EN_PRODUCTION = (
    "Certificat de démonstration refusé : DEBUG est désactivé. Une instance de production scelle ses documents "
    "avec son propre certificat (SCEAU_CERTIFICAT, SCEAU_CLE) ; pour une instance de démonstration, relancez "
    "la commande avec --allow-in-production."
)


class Command(BaseCommand):
    help = "Create the self-signed seal certificate of the demo under var/ if it is missing (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Replace an existing certificate.")
        parser.add_argument("--allow-in-production", action="store_true", help="Run with DEBUG off too.")

    def handle(self, *args, force=False, allow_in_production=False, verbosity=1, **options):
        certificat, cle = settings.SCEAU_CERTIFICAT, settings.SCEAU_CLE
        if certificat.exists() and cle.exists() and not force:
            if verbosity:
                self.stdout.write(f"Certificat de cachet présent : {certificat}")
            return
        if not settings.DEBUG and not allow_in_production:
            raise CommandError(REFUS_EN_PRODUCTION)
        generer(certificat, cle)
        if verbosity:
            self.stdout.write(self.style.SUCCESS(f"Certificat de cachet de démonstration créé : {certificat}"))
