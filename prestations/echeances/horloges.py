"""What people see of the deadlines (issue 5), for the pages and the API alike.

- The « à traiter » work queue: every open échéance of the acteur's cases a person must
  act on, soonest first, with its age and what to do (``views_echeances``,
  ``GET /api/echeances/``).
- The clocks of one case: each échéance, what started it, the suspensions and périodes
  en entreprise that paused it, its state (case page, ``GET /api/prestations/{id}/echeances/``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from comptes.models import Role
from prestations.models.echeances import Echeance, TypeEcheance

#: What to do, per kind of échéance.
AIDE = {
    "contractualisation": "Recevoir le bénéficiaire et enregistrer la contractualisation.",
    "copie_contrat": "Faire signer le contrat d'accompagnement et le transmettre au prescripteur.",
    "information_refus": "Informer le prescripteur du refus de signer.",
    "information_interruption": "Informer le prescripteur et transmettre les livrables des phases réalisées.",
    "ecart_entretiens": "Tenir et saisir un entretien avec le bénéficiaire.",
    "fin_prestation": "Préparer la sortie ; le prescripteur décide d'un renouvellement.",
    "suivi_emploi": "Appeler ou recevoir la personne et saisir l'entretien de suivi.",
    "bilan_intermediaire": "Rédiger et transmettre le bilan intermédiaire.",
    "bilan_final": "Rédiger et transmettre le bilan final.",
    "livrables_interruption": "Transmettre au prescripteur les livrables des phases réalisées, signés ou non.",
}

#: Who has a work queue.
ROLES = (Role.REFERENT, Role.RESPONSABLE, Role.PRESCRIPTEUR, Role.ADMINISTRATEUR)


def echeances_a_traiter(acteur, *, en_retard: bool = False, maintenant=None):
    """The open échéances of the acteur's cases a person must act on, soonest first.

    A référent sees the cases they are designated on, a responsable all those of the
    structure (``comptes.acces``); ``en_retard`` keeps the ones already past their due time."""
    maintenant = maintenant or timezone.now()
    queryset = (
        Echeance.objects.visible_par(acteur)
        .a_faire()
        .select_related("prestation__lettre_de_commande__beneficiaire", "prestation__referent")
        .order_by("due_le", "pk")
    )
    if en_retard:
        queryset = queryset.filter(due_le__lte=maintenant)
    return queryset


@dataclass(frozen=True)
class Avancement:
    """Where an échéance stands as of a moment: « J+5 sur 7 », late or not, what to do."""

    jour: int
    total: int
    en_retard: bool
    aide: str

    @property
    def libelle(self) -> str:
        return f"J+{self.jour} sur {self.total}" if self.total > 0 else ""


def avancement(echeance: Echeance, maintenant: datetime.datetime | None = None) -> Avancement:
    maintenant = maintenant or timezone.now()
    depart = timezone.localdate(echeance.depart_le)
    due = timezone.localdate(echeance.due_le)
    return Avancement(
        jour=(timezone.localdate(maintenant) - depart).days,
        total=(due - depart).days - 1,
        en_retard=echeance.due_le <= maintenant,
        aide=AIDE.get(echeance.type, ""),
    )


@dataclass(frozen=True)
class Horloge:
    echeance: Echeance
    pauses: list  # Suspension and PeriodeEnEntreprise objects


def horloges(prestation) -> list[Horloge]:
    """Each échéance of the case, open ones first, soonest first: what started it, its due
    time, the suspensions and périodes en entreprise that paused it (MOV-10's gap), its
    state and when it was honoured or breached. Reads ``echeances``, ``suspensions`` and
    ``periodes_entreprise`` (prefetch them for a list)."""
    pauses = [*prestation.suspensions.all(), *prestation.periodes_entreprise.all()]
    resultat = []
    for echeance in sorted(prestation.echeances.all(), key=lambda e: (not e.est_ouverte, e.due_le)):
        debut, fin = timezone.localdate(echeance.depart_le), timezone.localdate(echeance.due_le)
        en_pause = echeance.type == TypeEcheance.ECART_ENTRETIENS
        resultat.append(Horloge(echeance, [p for p in pauses if p.debut <= fin and p.fin >= debut] if en_pause else []))
    return resultat
