"""What the deadline tests share: midnight in Paris, the sweep at a given moment, a case's
échéance rows and who got which notice."""

from __future__ import annotations

import datetime

from comptes.envoi import envoyer_emails_en_attente
from comptes.models import Canal, Notification
from prestations.echeances import balayage
from prestations.models import Evenement, Sortie
from prestations.models.echeances import Balayage, Echeance
from tests.prestations.dossiers import PARIS, jour

UNE_SECONDE = datetime.timedelta(seconds=1)
#: The e-mail addresses of the ``monde`` fixture's prescripteur, référent and responsable of X.
PRESCRIPTEUR, REFERENT, RESPONSABLE = "presc.a@exemple.test", "ref.x@exemple.test", "resp.x@exemple.test"


def minuit(date: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``date`` on the Paris wall clock (computed here, not by the engine)."""
    return datetime.datetime.combine(date, datetime.time.min, tzinfo=PARIS)


def balayer_a(time_machine, quand: datetime.datetime) -> Balayage:
    """The sweep as the beat schedule runs it at ``quand`` (the clock is there too)."""
    time_machine.move_to(quand, tick=False)
    return balayage.balayer(quand)


def ligne(prestation, type_, **filtres) -> Echeance:
    """The case's one échéance row of ``type_`` (matching ``filtres``)."""
    return Echeance.objects.get(prestation=prestation, type=type_, **filtres)


def avis(cle: str) -> set[tuple[str, str]]:
    """Who got the notice ``cle``, on which channel."""
    return set(Notification.objects.filter(cle=cle).values_list("destinataire__email", "canal"))


def deux_canaux(*emails: str) -> set[tuple[str, str]]:
    return {(e, canal) for e in emails for canal in (Canal.IN_APP, Canal.EMAIL)}


def compter() -> dict[str, int]:
    """The rows an action of the sweep writes: notices, journal entries, sorties."""
    return {
        "notifications": Notification.objects.count(),
        "evenements": Evenement.objects.count(),
        "sorties": Sortie.objects.count(),
    }


def cas_dus_au_jour_16(dossiers):
    """Three cases with something due at midnight on day 16: a MOV-03 breach, a MOV-10
    interruption, a MOV-10 warning."""
    sans_contrat, sans_entretien, avec_entretien = (dossiers.nouveau() for _ in range(3))
    sans_entretien = dossiers.en_cours(dossier=sans_entretien, copie_envoyee=True)
    avec_entretien = dossiers.en_cours(dossier=avec_entretien, copie_envoyee=True)
    dossiers.entretien(avec_entretien, jour(6))
    envoyer_emails_en_attente()
    return sans_contrat, sans_entretien, avec_entretien
