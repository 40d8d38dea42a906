"""Computed case facts: each a function of the case data and a date ``le``.

The case page, the lists, the deadline engine and the indicators read these same
functions. They expect a prestation whose relations are prefetched (``charger``) so a
page computes them without extra queries. The case's deadlines are its ``Echeance``
rows (``prestations.echeances``), never computed again here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from prestations.models import Etat, Prestation
from prestations.models.echeances import TYPES_AUTOMATIQUES

#: The relations of a case the rules read (entretiens, suspensions, périodes en entreprise,
#: deliverables): what ``charger`` prefetches, and what bumps the case's facts version
#: (``Prestation.version_faits``, triggers declared on each of these models).
RELATIONS = ("entretiens", "suspensions", "periodes_entreprise", "livrables")


def charger(queryset):
    """Prefetch what the facts and the rules read."""
    return queryset.prefetch_related(*RELATIONS)


def periodes_exclues(
    prestation: Prestation, *, suspensions=True, periodes=True
) -> list[tuple[datetime.date, datetime.date]]:
    exclues = []
    if suspensions:
        exclues += [(s.debut, s.fin) for s in prestation.suspensions.all()]
    if periodes:
        exclues += [(p.debut, p.fin) for p in prestation.periodes_entreprise.all()]
    return exclues


def entretiens_tenus(prestation: Prestation):
    """Entretiens that took place (bénéficiaire present), oldest first."""
    return sorted((e for e in prestation.entretiens.all() if e.a_eu_lieu), key=lambda e: e.debut)


def jours_restants(prestation: Prestation, le: datetime.date) -> int | None:
    """Calendar days left until the end date, the end date included (0 once passed)."""
    if prestation.date_fin is None:
        return None
    return max((prestation.date_fin - le).days + 1, 0)


def dernier_entretien(prestation: Prestation, le: datetime.date) -> datetime.date | None:
    jours = [e.jour for e in entretiens_tenus(prestation) if e.jour <= le]
    return max(jours) if jours else None


def debut_de_l_ecart(prestation: Prestation, le: datetime.date) -> datetime.date:
    """MOV-10: the day the gap between entretiens counts from: the last entretien held, else
    the contractualisation, else the start date."""
    return dernier_entretien(prestation, le) or prestation.contractualisee_le or prestation.date_debut


def ecart_net(prestation: Prestation, le: datetime.date) -> int | None:
    """MOV-10: net days since the last entretien (or the contractualisation), not counting
    suspension days and days of période en entreprise. None when the rule does not apply."""
    regle = prestation.regle.ecart_entretiens
    if regle is None or prestation.etat != Etat.EN_COURS:
        return None
    depuis = debut_de_l_ecart(prestation, le)
    exclues = periodes_exclues(
        prestation, suspensions=regle.neutralise_suspensions, periodes=regle.neutralise_periodes_entreprise
    )
    return regle.ecart(depuis, le, exclues)


def jours_depuis_dernier_entretien(prestation: Prestation, le: datetime.date) -> int | None:
    """Net gap where MOV-10 applies; plain calendar days otherwise."""
    net = ecart_net(prestation, le)
    if net is not None:
        return net
    dernier = dernier_entretien(prestation, le)
    return (le - dernier).days if dernier else None


def date_limite_ecart(prestation: Prestation, le: datetime.date) -> datetime.date | None:
    """MOV-10: the last day a new entretien keeps the prestation alive, as of ``le``."""
    regle = prestation.regle.ecart_entretiens
    if regle is None or prestation.etat != Etat.EN_COURS:
        return None
    exclues = periodes_exclues(
        prestation, suspensions=regle.neutralise_suspensions, periodes=regle.neutralise_periodes_entreprise
    )
    return regle.date_limite(debut_de_l_ecart(prestation, le), exclues)


def semaines_sans_entretien(prestation: Prestation, le: datetime.date) -> list[datetime.date]:
    """MOV-11: Mondays of the weeks of phases 1 and 2 without an individual face-to-face
    entretien of at least 30 minutes (weeks with suspension or période en entreprise days
    are not checked)."""
    cadence = prestation.regle.cadence_entretiens
    if cadence is None or prestation.contractualisee_le is None or not prestation.contrat_signe:
        return []
    fin = min(d for d in (le, prestation.date_fin, prestation.date_reprise, prestation.terminee_le) if d)
    dates = [e.jour for e in prestation.entretiens.all() if e.est_hebdomadaire_valable and e.phase in cadence.phases]
    return cadence.semaines_sans_entretien(prestation.contractualisee_le, fin, dates, periodes_exclues(prestation))


def jours_suspension_pris(prestation: Prestation, motif: str) -> int:
    return sum(s.jours for s in prestation.suspensions.all() if s.motif == motif)


def suspension_en_cours(prestation: Prestation, le: datetime.date):
    return next((s for s in prestation.suspensions.all() if s.debut <= le <= s.fin), None)


@dataclass(frozen=True)
class ProgressionPhase:
    cle: str
    libelle: str
    entretiens: int
    minimum: int
    courante: bool
    atteinte: bool

    @property
    def complete(self) -> bool:
        return self.entretiens >= self.minimum


def progression_phases(prestation: Prestation) -> list[ProgressionPhase]:
    """Each phase of the rule set with its individual entretiens held against its minimum."""
    regle = prestation.regle
    tenus = [e for e in entretiens_tenus(prestation) if e.type == "individuel"]
    phases = []
    cles = [p.cle for p in regle.phases]
    index_courante = cles.index(prestation.phase) if prestation.phase in cles else -1
    for index, phase in enumerate(regle.phases):
        nombre = sum(1 for e in tenus if e.phase == phase.cle)
        atteinte = nombre > 0 or phase.cle == prestation.phase
        if regle.phases_ordonnees:
            atteinte = atteinte or index <= index_courante
        phases.append(
            ProgressionPhase(
                cle=phase.cle,
                libelle=phase.libelle,
                entretiens=nombre,
                minimum=phase.entretiens_individuels_min,
                courante=phase.cle == prestation.phase,
                atteinte=atteinte,
            )
        )
    return phases


def suivi_emploi_attendu(prestation: Prestation, le: datetime.date) -> list[dict]:
    """MOV-13: the follow-up windows, each with the entretien held in it (if any)."""
    suivi = prestation.regle.suivi_emploi
    if suivi is None or prestation.date_reprise is None:
        return []
    entretiens = [
        e for e in entretiens_tenus(prestation) if e.phase == suivi.phase or e.jour >= prestation.date_reprise
    ]
    fenetres = []
    for debut, fin in suivi.fenetres(prestation.date_reprise):
        tenu = next((e for e in entretiens if debut <= e.jour <= fin), None)
        fenetres.append(
            {
                "debut": debut,
                "fin": fin,
                "entretien": tenu,
                "en_retard": tenu is None and le > fin,
                "a_venir": le < debut,
            }
        )
    return fenetres


@dataclass(frozen=True)
class EcheanceOuverte:
    """An open obligation of the case as the lists and the API show it (from its row)."""

    date: datetime.date
    libelle: str
    regle: str


def echeances_ouvertes(prestation: Prestation) -> list[EcheanceOuverte]:
    """The case's open obligations a person acts on, soonest first: its ``Echeance`` rows
    (prefetched as ``echeances``), the last allowed day of each."""
    lignes = sorted(
        (e for e in prestation.echeances.all() if e.est_ouverte and e.type not in TYPES_AUTOMATIQUES),
        key=lambda e: e.due_le,
    )
    return [EcheanceOuverte(e.dernier_jour, e.libelle, e.regle) for e in lignes]


@dataclass
class FaitsDossier:
    """Everything the case page shows at a glance."""

    le: datetime.date
    jours_restants: int | None
    jours_depuis_dernier_entretien: int | None
    ecart_net: int | None
    ecart_max: int | None
    date_limite_ecart: datetime.date | None
    semaines_sans_entretien: list[datetime.date]
    phases: list[ProgressionPhase]
    suspension_en_cours: object
    jours_maladie: int
    jours_conges: int
    suivi_emploi: list[dict]
    echeances: list[EcheanceOuverte] = field(default_factory=list)


def faits_dossier(prestation: Prestation, le: datetime.date) -> FaitsDossier:
    regle = prestation.regle
    return FaitsDossier(
        le=le,
        jours_restants=jours_restants(prestation, le),
        jours_depuis_dernier_entretien=jours_depuis_dernier_entretien(prestation, le),
        ecart_net=ecart_net(prestation, le),
        ecart_max=regle.ecart_entretiens.max_jours if regle.ecart_entretiens else None,
        date_limite_ecart=date_limite_ecart(prestation, le),
        semaines_sans_entretien=semaines_sans_entretien(prestation, le),
        phases=progression_phases(prestation),
        suspension_en_cours=suspension_en_cours(prestation, le),
        jours_maladie=jours_suspension_pris(prestation, "maladie"),
        jours_conges=jours_suspension_pris(prestation, "conges"),
        suivi_emploi=suivi_emploi_attendu(prestation, le),
        echeances=echeances_ouvertes(prestation),
    )
