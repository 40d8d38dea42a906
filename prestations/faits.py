"""Computed case facts: each a function of the case data and a date ``le``.

The case page, the lists, the deadline engine and the indicators read these same
functions. They expect a prestation whose ``entretiens``, ``suspensions`` and
``periodes_entreprise`` are prefetched (``charger``) so a page computes them without
extra queries.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models.query import QuerySet

from prestations.models import Etat, Prestation


def charger(queryset):
    """Prefetch what the facts read."""
    return queryset.prefetch_related("entretiens", "suspensions", "periodes_entreprise")


#: What ``precharger`` loads: the facts, and the deliverables the deadline rules read.
_RELATIONS = ("entretiens", "suspensions", "periodes_entreprise", "livrables")


def _lies(nom: str):
    """The rows of relation ``nom`` as the engine reads them (the entretiens without
    their report and creation time, which no rule reads)."""
    queryset = getattr(Prestation, nom).rel.related_model.objects.all()
    return queryset.defer("compte_rendu", "cree_le") if nom == "entretiens" else queryset


def precharger(prestations, relations: tuple[str, ...] = _RELATIONS) -> None:
    """``charger`` (and the deliverables) for cases already read, those whose facts are
    not loaded yet: one query per relation for all of them.

    What ``prefetch_related`` does, without its cost per case (a queryset cloned per
    case and relation): the deadline engine loads the facts of thousands of cases at once.
    Each case's ``entretiens.all()`` and the like then read the rows loaded here."""
    prestations = list(prestations)
    for nom in relations:
        a_charger = {p.pk: p for p in prestations if nom not in p.__dict__.get("_prefetched_objects_cache", {})}
        if not a_charger:
            continue
        modele = getattr(Prestation, nom).rel.related_model
        par_cas: dict[int, list] = {pk: [] for pk in a_charger}
        for objet in _lies(nom).filter(prestation_id__in=list(a_charger)):  # in the model's order
            par_cas[objet.prestation_id].append(objet)
        for pk, prestation in a_charger.items():
            resultat = QuerySet(model=modele)
            resultat._result_cache, resultat._prefetch_done = par_cas[pk], True
            prestation.__dict__.setdefault("_prefetched_objects_cache", {})[nom] = resultat


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


def ecart_net(prestation: Prestation, le: datetime.date) -> int | None:
    """MOV-10: net days since the last entretien (or the contractualisation), not counting
    suspension days and days of période en entreprise. None when the rule does not apply."""
    regle = prestation.regle.ecart_entretiens
    if regle is None or prestation.etat != Etat.EN_COURS:
        return None
    depuis = dernier_entretien(prestation, le) or prestation.contractualisee_le or prestation.date_debut
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
    ecart = ecart_net(prestation, le)
    if ecart is None:
        return None
    # The same days as ecart_net neutralises (MOV-10), as the rule set says.
    exclues = periodes_exclues(
        prestation, suspensions=regle.neutralise_suspensions, periodes=regle.neutralise_periodes_entreprise
    )
    jour, net = le, ecart
    while net < regle.max_jours:
        jour += datetime.timedelta(days=1)
        if not any(d <= jour <= f for d, f in exclues):
            net += 1
    return jour


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


@dataclass
class Echeance:
    date: datetime.date
    libelle: str
    regle: str


def prochaines_echeances(prestation: Prestation, le: datetime.date) -> list[Echeance]:
    """The case's next dated obligations, soonest first (the deadline engine builds on it)."""
    regle = prestation.regle
    echeances: list[Echeance] = []
    if prestation.etat == Etat.A_CONTRACTUALISER and regle.delai_contractualisation:
        delai = regle.delai_contractualisation
        echeances.append(Echeance(delai.date_limite(prestation.date_debut), "Contractualisation à faire", delai.regle))
    if prestation.etat == Etat.EN_COURS:
        limite = date_limite_ecart(prestation, le)
        if limite:
            echeances.append(Echeance(limite, "Prochain entretien au plus tard", regle.ecart_entretiens.regle))
        if prestation.date_fin:
            echeances.append(Echeance(prestation.date_fin, "Fin de la prestation", "MOV-07"))
    if prestation.etat == Etat.SUIVI_EMPLOI:
        for fenetre in suivi_emploi_attendu(prestation, le):
            if fenetre["entretien"] is None:
                echeances.append(Echeance(fenetre["fin"], "Entretien de suivi dans l'emploi", "MOV-13"))
                break
    return sorted(echeances, key=lambda e: e.date)


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
    echeances: list[Echeance] = field(default_factory=list)


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
        echeances=prochaines_echeances(prestation, le),
    )
