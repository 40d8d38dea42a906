import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from prestations.echeances.balayage import balayer


class Command(BaseCommand):
    help = "Run the deadline sweep as of a date (replay a day), or now."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", help="AAAA-MM-JJ : balayer comme si l'on était ce jour-là (à 23:59, Europe/Paris)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Dire ce qui serait fait, sans rien écrire ni envoyer."
        )

    def handle(self, *args, date=None, dry_run=False, **options):
        if date:
            try:
                jour = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"Date invalide : {date!r} (format attendu AAAA-MM-JJ).") from None
            maintenant = timezone.make_aware(datetime.datetime.combine(jour, datetime.time(23, 59)))
        else:
            maintenant = timezone.now()
        resultat = balayer(maintenant, simulation=dry_run)
        prefixe = "[simulation] " if dry_run else ""
        for action in resultat.actions:
            self.stdout.write(f"{prefixe}{action}")
        self.stdout.write(
            f"{prefixe}Balayage au {timezone.localtime(maintenant):%d/%m/%Y %H:%M} : "
            f"{resultat.examinees} échéance(s) examinée(s), {resultat.avertissements} avertissement(s), "
            f"{resultat.depassements} dépassement(s), {resultat.transitions} transition(s) automatique(s), "
            f"{resultat.honorees} honorée(s), en {resultat.duree_ms} ms."
            + (" Rien n'a été écrit ni envoyé." if dry_run else "")
        )
