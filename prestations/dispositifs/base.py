"""Building blocks of the dispositif catalogue (SPEC §2): rules are data.

Every dispositif (MOV, BCA, BAM, PMA, CEP, ...) is one or more frozen
:class:`RegleDispositif` versions declared in its own module. The workflow code
(lettre de commande, phases, échéances, jalons) only reads these objects; it never
tests which dispositif it is dealing with. Adding a dispositif means adding a
module that declares a :class:`RegleDispositif` and listing it in the registry
(``prestations/dispositifs/__init__.py``).

Conventions used throughout (written once here, relied upon everywhere):

* **Dates are calendar dates**, every duration is in calendar days unless its name
  says otherwise (``..._heures``, ``..._mois``, ``..._minutes``).
* **Periods are inclusive**: a prestation of N days starting on ``debut`` ends on
  ``debut + (N - 1)`` days, its last day (MOV-07: 180 days from 2026-03-01 end on
  2026-08-27). A period of N *months* starting on ``debut`` ends the day before the
  same day-number N months later (1 March + 2 months → 30 April); when that
  day-number does not exist in the target month, it ends on the last day of that
  month (31 January + 1 month → 28/29 February). See :func:`fin_de_periode_mois`.
* **Deadlines count from a reference date that is day 0** (as art. 641 of the code
  de procédure civile: "le jour de l'acte ne compte pas"): "within 7 days of the
  start date" means on or before ``debut + 7``; "day 5" is ``debut + 5``. An
  obligation is breached once its last allowed day is over, i.e. on
  ``date_limite + 1`` (see :class:`Delai`).
* Amounts are :class:`~decimal.Decimal`, rounded to the cent with ROUND_HALF_UP.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

# ---------------------------------------------------------------------------
# Vocabulary shared by every dispositif
# ---------------------------------------------------------------------------

#: Bénéficiaire status at prescription (PMA-01 reads it). Keys are stored values.
STATUTS: dict[str, str] = {
    "demandeur_emploi": "Demandeur d'emploi",
    "rsa": "Bénéficiaire du RSA",
    "jeune_mission_locale": "Jeune de moins de 26 ans accompagné par une mission locale",
    "salarie_chantier_insertion": "Salarié en chantier d'insertion",
    "autre": "Autre situation",
}

#: CECRL levels in increasing order, plus "inconnu" (not assessed) (PMA-03).
NIVEAUX_FRANCAIS: tuple[str, ...] = ("A1", "A2", "B1", "B2", "C1", "C2")
NIVEAU_FRANCAIS_INCONNU = "inconnu"
CHOIX_NIVEAUX_FRANCAIS: tuple[tuple[str, str], ...] = (
    *((niveau, niveau) for niveau in NIVEAUX_FRANCAIS),
    (NIVEAU_FRANCAIS_INCONNU, "Non évalué"),
)

#: Positive outcome kinds (SOR-01 job, SOR-02 training, SOR-03 business); payment
#: milestones (PAY-03, PAY-04) and the follow-up (MOV-13) are restricted to some of them.
SORTIES_POSITIVES: dict[str, str] = {
    "emploi": "Reprise d'emploi",
    "formation": "Entrée en formation",
    "entreprise": "Création ou reprise d'entreprise",
}

#: Every deliverable a dispositif may require, key → French label (LIV-01..LIV-05).
LIVRABLES: dict[str, str] = {
    "contrat_accompagnement": "Contrat d'accompagnement",
    "bilan_intermediaire": "Bilan intermédiaire",
    "bilan_final": "Bilan final",
    "synthese_bilan_competences": "Synthèse du bilan de compétences approfondi",
    "rapport_positionnement_initial": "Rapport de positionnement initial",
    "carnet_de_suivi": "Carnet de suivi",
    "rapport_positionnement_final": "Rapport de positionnement final",
    "diagnostic_mobilite": "Diagnostic mobilité",
    "bilan_parcours_mobilite": "Bilan de fin de parcours mobilité",
    "fiche_niveau_1": "Fiche de premier niveau de conseil",
    "document_synthese": "Document de synthèse",
}

#: Sections each deliverable's PDF must contain (LIV-05 renders them from the case
#: data). Taken from the seeds; where a seed is truncated (BAM, seed 000) or silent
#: (PMA, BCA) the sections are the ones a French provider would expect.
RUBRIQUES_LIVRABLES: dict[str, tuple[str, ...]] = {
    # MOV-05: seed 004, "Entretien de contractualisation".
    "contrat_accompagnement": (
        "Objectif, déroulement, contenu et méthode de travail de la prestation",
        "Engagements réciproques du bénéficiaire et du prestataire",
    ),
    # LIV-01
    "bilan_intermediaire": (
        "Actions déjà engagées dans la recherche d'emploi",
        "Pistes d'emploi identifiées",
    ),
    # LIV-02
    "bilan_final": (
        "Acquis de la prestation",
        "Actions restant à mettre en œuvre",
        "Calendrier associé",
    ),
    # BCA-02: the four phases' outcome (seed 002, "formalisation d'un projet professionnel
    # et d'un parcours de retour à l'emploi").
    "synthese_bilan_competences": (
        "Atouts et freins à surmonter",
        "Pistes professionnelles identifiées",
        "Confrontation des pistes au marché du travail",
        "Projet professionnel formalisé",
        "Parcours de retour à l'emploi",
    ),
    # BAM-02 (the seed's list "comporte a minima :" is truncated).
    "rapport_positionnement_initial": (
        "Situation de mobilité et freins identifiés",
        "Conclusions du diagnostic",
        "Préconisation : parcours mobilité ou sortie après le bilan initial",
    ),
    # BAM-03
    "carnet_de_suivi": (
        "Actions, services et dispositifs du parcours mobilité",
        "Services payants : coût et aides mobilisables",
    ),
    # BAM-04
    "rapport_positionnement_final": (
        "Conclusions de l'entretien de bilan final",
        "Freins levés et freins restants",
        "Autonomie de mobilité acquise",
    ),
    "diagnostic_mobilite": (
        "Situation de mobilité et freins identifiés",
        "Projet professionnel et besoins de mobilité",
        "Plan d'accompagnement proposé",
    ),
    "bilan_parcours_mobilite": (
        "Actions réalisées",
        "Freins levés et freins restants",
        "Suites à donner",
    ),
    # LIV-04 (seed 003, §2.3, second paragraph).
    "fiche_niveau_1": (
        "Demande du bénéficiaire",
        "Clarification du besoin",
        "Informations délivrées",
        "Décision de poursuivre ou non l'accompagnement",
        "Orientation proposée",
    ),
    # LIV-04 and CEP-02 (the plan d'action).
    "document_synthese": (
        "Services dont le bénéficiaire a bénéficié",
        "Description du projet d'évolution professionnelle",
        "Stratégies envisagées",
        "Plan d'action : étapes et objectifs intermédiaires",
        "Actions à conduire",
        "Dispositifs et prestations à mobiliser",
        "Démarches personnelles",
        "Plan de financement",
        "Calendrier prévisionnel",
        "Parcours de développement des compétences envisagé",
    ),
}

#: Proofs a payment milestone may require (PAY-01..PAY-05), beyond the deliverables
#: of :data:`LIVRABLES` (a deliverable key is also a valid proof key).
PIECES_JUSTIFICATIVES: dict[str, str] = {
    "lettre_de_commande": "Lettre de commande signée",
    "emargement_bilan_intermediaire": "Feuille d'émargement jointe au bilan intermédiaire",
    "emargement_bilan_final": "Feuille d'émargement jointe au bilan final",
    "contrat_travail": "Contrat de travail",
    "promesse_embauche": "Promesse d'embauche",
    "bulletin_salaire": "Bulletin de salaire du mois considéré",
    "certificat_presence_emploi": "Certificat de présence dans l'emploi à la date considérée",
    "preuve_creation_entreprise": "Justificatif de création ou de reprise d'entreprise",
    "preuve_existence_entreprise": "Justificatif de l'existence de l'entreprise à la date considérée",
    "attestation_entree_formation": "Attestation d'entrée en stage de formation",
}


def libelle_piece(cle: str) -> str:
    """French label of a proof or deliverable key."""
    return PIECES_JUSTIFICATIVES.get(cle) or LIVRABLES[cle]


Choix = tuple[str, str]


class DispositifInconnu(KeyError):
    """No such dispositif, version, or no version in force on a date.

    Subclasses :class:`KeyError` so that ``except KeyError`` still works, but prints
    its French message without the quotes ``KeyError`` adds.
    """

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


# ---------------------------------------------------------------------------
# Date arithmetic (no dateutil)
# ---------------------------------------------------------------------------


def ajouter_jours(jour: date, jours: int) -> date:
    return jour + timedelta(days=jours)


def ajouter_mois(jour: date, mois: int) -> date:
    """Same day-number ``mois`` calendar months later (or earlier when negative).

    When that day does not exist in the target month, the last day of the target
    month is returned (31 August + 6 months → 28 or 29 February).
    """
    index = jour.year * 12 + (jour.month - 1) + mois
    annee, mois_zero = divmod(index, 12)
    dernier_jour = calendar.monthrange(annee, mois_zero + 1)[1]
    return date(annee, mois_zero + 1, min(jour.day, dernier_jour))


def fin_de_periode_mois(debut: date, mois: int) -> date:
    """Last day (inclusive) of a period of ``mois`` calendar months starting on ``debut``.

    1 March + 2 months ends on 30 April. When the same day-number does not exist in
    the target month the period ends on the last day of that month: 31 January
    + 1 month ends on 28 (or 29) February, not on the 27th.
    """
    if mois < 1:
        raise ValueError("Une période en mois dure au moins un mois.")
    cible = ajouter_mois(debut, mois)
    if cible.day != debut.day:  # day-number clamped: the period runs to the month's end
        return cible
    return cible - timedelta(days=1)


def _jours_couverts(periodes: Iterable[tuple[date, date]]) -> set[date]:
    jours: set[date] = set()
    for debut, fin in periodes:
        if fin < debut:
            raise ValueError(f"Période invalide : le {fin:%d/%m/%Y} précède le {debut:%d/%m/%Y}.")
        jours.update(debut + timedelta(days=n) for n in range((fin - debut).days + 1))
    return jours


def jours_nets(depuis: date, jusqu_a: date, periodes_exclues: Iterable[tuple[date, date]] = ()) -> int:
    """Calendar days in ``(depuis, jusqu_a]`` not covered by any excluded period.

    ``periodes_exclues`` are inclusive ``(debut, fin)`` ranges (suspensions, périodes
    en entreprise); overlapping ranges are counted once. Used by MOV-10.
    """
    if jusqu_a <= depuis:
        return 0
    exclus = _jours_couverts(periodes_exclues)
    return sum(1 for n in range(1, (jusqu_a - depuis).days + 1) if depuis + timedelta(days=n) not in exclus)


def duree_jours(debut: date, fin: date) -> int:
    """Number of days of the inclusive period ``[debut, fin]``."""
    return (fin - debut).days + 1


# ---------------------------------------------------------------------------
# Deadlines and running rules
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Delai:
    """A deadline of ``jours`` calendar days after a reference date (day 0).

    The obligation is met on time when it happens on or before :meth:`date_limite`
    (``reference + jours``); it is breached from :meth:`date_depassement` on (the day
    after, i.e. once day ``jours`` is over). Warnings are due on the days listed in
    ``alertes_jours`` (``reference + n``).

    MOV-03 reads "warning at day 5, breach at day 7" as: warning on ``debut + 5``;
    the contractualisation may still take place on ``debut + 7``; the breach is
    established, and notified, when day 7 has passed without it (``debut + 8``).
    """

    jours: int
    regle: str
    alertes_jours: tuple[int, ...] = ()

    def __post_init__(self):
        if self.jours < 0 or any(not 0 <= a <= self.jours for a in self.alertes_jours):
            raise ValueError(f"{self.regle} : délai ou jours d'alerte incohérents.")

    def date_limite(self, reference: date) -> date:
        return reference + timedelta(days=self.jours)

    def date_depassement(self, reference: date) -> date:
        return self.date_limite(reference) + timedelta(days=1)

    def dates_alerte(self, reference: date) -> tuple[date, ...]:
        return tuple(reference + timedelta(days=n) for n in self.alertes_jours)

    def est_depasse(self, reference: date, le: date) -> bool:
        """True when, on ``le``, the obligation is overdue (if not yet met)."""
        return le > self.date_limite(reference)


@dataclass(frozen=True)
class Renouvellement:
    """How many times, and for how long, the prescripteur may renew at term (MOV-08).

    The renewal period starts the day after the current end date and lasts
    ``duree_mois`` calendar months (inclusive convention, :func:`fin_de_periode_mois`):
    an end on 27 August 2026 renewed for 6 months becomes 27 February 2027; an end
    on 28 February 2026 becomes 31 August 2026.
    """

    nombre_max: int
    duree_mois: int
    regle: str = "MOV-08"

    def nouvelle_date_fin(self, fin_actuelle: date) -> date:
        return fin_de_periode_mois(fin_actuelle + timedelta(days=1), self.duree_mois)


@dataclass(frozen=True)
class LimiteSuspension:
    """Maximum length of one suspension motif.

    ``cumulee=False``: each suspension for this motif lasts at most ``max_jours``
    consecutive days. ``cumulee=True``: all suspensions for this motif over the
    prestation total at most ``max_jours`` days.
    """

    motif: str
    libelle: str
    max_jours: int
    cumulee: bool


@dataclass(frozen=True)
class RegleSuspension:
    """Allowed suspensions (MOV-09) and whether they postpone the end date (MOV-07).

    A suspension is an inclusive date range. The workflow should merge adjacent
    suspensions of the same motif before checking them, so that two back-to-back
    illness suspensions cannot exceed the consecutive-day limit.
    """

    limites: tuple[LimiteSuspension, ...]
    reporte_date_fin: bool
    regle: str = "MOV-09"

    def limite(self, motif: str) -> LimiteSuspension | None:
        return next((lim for lim in self.limites if lim.motif == motif), None)

    def choix_motifs(self) -> list[Choix]:
        return [(lim.motif, lim.libelle) for lim in self.limites]

    def verifier(self, motif: str, debut: date, fin: date, deja_pris_jours: int = 0) -> list[str]:
        """French error messages for a suspension ``[debut, fin]`` (empty list: allowed).

        ``deja_pris_jours``: days already taken for this motif during the prestation
        (only read for cumulative limits).
        """
        if fin < debut:
            return ["La date de fin de la suspension précède sa date de début."]
        limite = self.limite(motif)
        if limite is None:
            motifs = ", ".join(lim.libelle.lower() for lim in self.limites)
            return [f"Motif de suspension non prévu par le dispositif ({self.regle}) : motifs admis : {motifs}."]
        jours = duree_jours(debut, fin)
        if limite.cumulee and deja_pris_jours + jours > limite.max_jours:
            return [
                f"Suspension pour {limite.libelle.lower()} : {deja_pris_jours + jours} jours au total, "
                f"au-delà des {limite.max_jours} jours autorisés ({self.regle})."
            ]
        if not limite.cumulee and jours > limite.max_jours:
            return [
                f"Suspension pour {limite.libelle.lower()} : {jours} jours consécutifs, "
                f"au-delà des {limite.max_jours} jours consécutifs autorisés ({self.regle})."
            ]
        return []


@dataclass(frozen=True)
class EcartEntretiens:
    """Maximum gap between two consecutive entretiens (MOV-10).

    The gap is counted in calendar days after the last entretien, not counting days
    of suspension (``neutralise_suspensions``) and of période en entreprise
    (``neutralise_periodes_entreprise``). A gap of exactly ``max_jours`` is allowed;
    the prestation ends when it exceeds ``max_jours``. Warnings to the référent
    when the net gap reaches each of ``alertes_jours`` without a new entretien.
    """

    max_jours: int
    alertes_jours: tuple[int, ...]
    neutralise_suspensions: bool = True
    neutralise_periodes_entreprise: bool = True
    regle: str = "MOV-10"

    def ecart(self, dernier_entretien: date, le: date, periodes_exclues: Iterable[tuple[date, date]] = ()) -> int:
        """Net days elapsed since ``dernier_entretien`` on ``le``.

        ``periodes_exclues``: the suspensions and périodes en entreprise to neutralise
        (the caller passes only those this rule neutralises).
        """
        return jours_nets(dernier_entretien, le, periodes_exclues)

    def depasse(self, ecart: int) -> bool:
        return ecart > self.max_jours

    def alertes_atteintes(self, ecart: int) -> tuple[int, ...]:
        """Warning thresholds reached by ``ecart`` (the workflow sends each once)."""
        return tuple(a for a in self.alertes_jours if ecart >= a)


@dataclass(frozen=True)
class CadenceEntretiens:
    """Expected entretien frequency in some phases (MOV-11).

    Weeks are civil weeks (Monday to Sunday), identified by their Monday. A week is
    checked only when it lies entirely within the period and contains no excluded
    day (suspension, période en entreprise): a week the bénéficiaire was partly
    unavailable is never flagged. A week is compliant with at least ``nombre_min``
    qualifying entretiens (individual, face-to-face, ``duree_min_minutes`` or more:
    the caller passes only the dates of qualifying entretiens).
    """

    phases: tuple[str, ...]
    periode_jours: int = 7
    nombre_min: int = 1
    duree_min_minutes: int = 30
    individuel: bool = True
    face_a_face: bool = True
    regle: str = "MOV-11"

    def semaines_sans_entretien(
        self,
        debut: date,
        fin: date,
        dates_entretiens: Iterable[date],
        periodes_exclues: Iterable[tuple[date, date]] = (),
    ) -> list[date]:
        """Mondays of the checked civil weeks of ``[debut, fin]`` lacking entretiens."""
        exclus = _jours_couverts(periodes_exclues)
        entretiens = list(dates_entretiens)
        lundi = debut + timedelta(days=(7 - debut.weekday()) % 7)
        manquantes = []
        while lundi + timedelta(days=6) <= fin:
            semaine = [lundi + timedelta(days=n) for n in range(7)]
            if not exclus.intersection(semaine):
                nombre = sum(1 for d in entretiens if semaine[0] <= d <= semaine[-1])
                if nombre < self.nombre_min:
                    manquantes.append(lundi)
            lundi += timedelta(days=7)
        return manquantes


@dataclass(frozen=True)
class RegleEntreprise:
    """Période(s) en entreprise (MOV-12): count and length, before the end of a phase.

    Lengths are inclusive day counts: 1 to 6 weeks = 7 to 42 days.
    """

    nombre_min: int
    duree_min_jours: int
    duree_max_jours: int
    avant_fin_de_phase: str
    regle: str = "MOV-12"

    def verifier_duree(self, debut: date, fin: date) -> list[str]:
        if fin < debut:
            return ["La date de fin de la période en entreprise précède sa date de début."]
        jours = duree_jours(debut, fin)
        if not self.duree_min_jours <= jours <= self.duree_max_jours:
            return [
                f"La période en entreprise dure {jours} jours : elle doit durer de {self.duree_min_jours} "
                f"à {self.duree_max_jours} jours ({self.regle})."
            ]
        return []


@dataclass(frozen=True)
class SuiviEmploi:
    """Follow-up after a positive outcome (MOV-13).

    During ``duree_mois`` months from the first day of the job or training: one
    entretien (phone or in person) in the first week (days 0 to 6), then one in each
    month. Read as four windows for 3 months: week 1, the rest of month 1, month 2,
    month 3 (a provider holds a monthly point besides the first-week call).
    """

    duree_mois: int
    premier_entretien_jours: int
    entretiens_par_mois: int
    modalites: tuple[str, ...]
    sorties: tuple[str, ...]
    regle: str = "MOV-13"
    phase: str = "suivi_emploi"  # the phase of the rule set the follow-up runs in

    def fenetres(self, date_reprise: date) -> list[tuple[date, date]]:
        """Inclusive windows in which one entretien each is expected."""
        premiere_semaine_fin = date_reprise + timedelta(days=self.premier_entretien_jours - 1)
        fenetres = [(date_reprise, premiere_semaine_fin)]
        debut = premiere_semaine_fin + timedelta(days=1)
        for mois in range(1, self.duree_mois + 1):
            fin = fin_de_periode_mois(date_reprise, mois)
            if fin >= debut:
                fenetres.append((debut, fin))
            debut = fin + timedelta(days=1)
        return fenetres

    def date_fin(self, date_reprise: date) -> date:
        return fin_de_periode_mois(date_reprise, self.duree_mois)


@dataclass(frozen=True)
class RegleExclusion:
    """Exclusion of a non-assiduous bénéficiaire (PMA-04).

    The exclusion needs the consultation of at least one of ``consultation`` (the
    PMA seed says "après concertation avec le référent *ou* le financeur"), unless
    the absences are justified; the decision is recorded.
    """

    consultation: tuple[str, ...]
    au_moins_un: bool
    regle: str = "PMA-04"


class Reference(StrEnum):
    DEBUT = "debut"
    FIN = "fin"


@dataclass(frozen=True)
class EcheanceLivrable:
    """When a deliverable is due, relative to the start or the end of the prestation.

    ``date_limite = (fin_de_periode_mois(reference, mois) if mois else reference) + jours``:
    LIV-01 (end of month 2) is ``Reference.DEBUT, mois=2``; LIV-02 (within 7 days
    after the end) is ``Reference.FIN, jours=7``. ``emargement`` names the proof of
    attendance that must accompany it (EMA-01), if any.
    """

    livrable: str
    reference: Reference
    regle: str
    mois: int = 0
    jours: int = 0
    emargement: str | None = None
    signature_beneficiaire: bool = True

    def date_limite(self, debut: date, fin: date | None) -> date | None:
        base = debut if self.reference == Reference.DEBUT else fin
        if base is None:
            return None
        if self.mois:
            base = fin_de_periode_mois(base, self.mois)
        return base + timedelta(days=self.jours)


@dataclass(frozen=True)
class Phase:
    """One phase of a dispositif.

    ``livrables`` are required at the end of the phase, ``livrables_optionnels`` may
    be produced. ``obligatoire=False``: the phase may be skipped (MOV follow-up only
    after a positive outcome; CEP levels). ``motifs_fin_anticipee``: reasons for
    which the prestation may end right after this phase (BAM-02).
    ``taille_max_collectif``: maximum participants in a group action (BAM-03).
    ``close_par_la_signature``: the phase is the contractualisation itself: signing the
    contract (MOV-05) completes it and the case opens in the next phase.
    """

    cle: str
    libelle: str
    entretiens_individuels_min: int = 0
    livrables: tuple[str, ...] = ()
    livrables_optionnels: tuple[str, ...] = ()
    obligatoire: bool = True
    motifs_fin_anticipee: tuple[Choix, ...] = ()
    taille_max_collectif: int | None = None
    regles: tuple[str, ...] = ()
    description: str = ""
    close_par_la_signature: bool = False

    @property
    def fin_anticipee_possible(self) -> bool:
        return bool(self.motifs_fin_anticipee)


# ---------------------------------------------------------------------------
# Payment schedule (PAY-01..PAY-05)
# ---------------------------------------------------------------------------


class Declencheur(StrEnum):
    """What makes a payment milestone claimable (besides its proofs, PAY-05)."""

    PIECES = "pieces"  # as soon as the proofs are attached (PAY-01)
    FIN_PRESTATION = "fin_prestation"  # the prestation has reached its term (PAY-02)
    MAINTIEN_EMPLOI = "maintien_emploi"  # ``delai_mois`` months of continued employment (PAY-03)
    SORTIE_POSITIVE_ANTICIPEE = "sortie_positive_anticipee"  # positive outcome before the term (PAY-04)


@dataclass(frozen=True)
class Preuve:
    """One required proof, satisfied by any one of ``pieces`` (alternatives).

    ``types_sortie``: the proof is only required for these positive outcome kinds
    (empty: whatever the outcome).
    """

    pieces: tuple[str, ...]
    types_sortie: tuple[str, ...] = ()

    def satisfaite(self, pieces_fournies: Iterable[str]) -> bool:
        return bool(set(self.pieces) & set(pieces_fournies))

    @property
    def libelle(self) -> str:
        return " ou ".join(libelle_piece(p) for p in self.pieces)


def preuve(*pieces: str, sorties: tuple[str, ...] = ()) -> Preuve:
    return Preuve(pieces=pieces, types_sortie=sorties)


@dataclass(frozen=True)
class Jalon:
    """A payment milestone; percentages are cumulative (of the marché unit price HT)."""

    cle: str
    libelle: str
    pourcentage_cumule: Decimal
    regle: str
    preuves: tuple[Preuve, ...] = ()
    declencheur: Declencheur = Declencheur.PIECES
    types_sortie: tuple[str, ...] = ()  # empty: any case; else only for these outcomes
    delai_mois: int | None = None  # MAINTIEN_EMPLOI: months of continued employment
    description: str = ""

    def __post_init__(self):
        if not isinstance(self.pourcentage_cumule, Decimal):
            raise TypeError(f"Jalon {self.cle} : le pourcentage doit être un Decimal.")
        if not Decimal(0) < self.pourcentage_cumule <= Decimal(100):
            raise ValueError(f"Jalon {self.cle} : pourcentage cumulé hors de ]0 ; 100].")
        for p in self.preuves:
            for piece in p.pieces:
                if piece not in PIECES_JUSTIFICATIVES and piece not in LIVRABLES:
                    raise ValueError(f"Jalon {self.cle} : pièce inconnue « {piece} ».")

    def s_applique(self, type_sortie: str | None) -> bool:
        return not self.types_sortie or type_sortie in self.types_sortie

    def preuves_requises(self, type_sortie: str | None = None) -> tuple[Preuve, ...]:
        return tuple(p for p in self.preuves if not p.types_sortie or type_sortie in p.types_sortie)

    def preuves_manquantes(self, pieces_fournies: Iterable[str], type_sortie: str | None = None) -> list[Preuve]:
        fournies = set(pieces_fournies)
        return [p for p in self.preuves_requises(type_sortie) if not p.satisfaite(fournies)]

    def pieces_completes(self, pieces_fournies: Iterable[str], type_sortie: str | None = None) -> bool:
        """PAY-05: a milestone is claimable only when all its proofs are attached."""
        return self.s_applique(type_sortie) and not self.preuves_manquantes(pieces_fournies, type_sortie)


CENTIME = Decimal("0.01")


def _decimal(valeur: Decimal | int | str) -> Decimal:
    if isinstance(valeur, float):
        raise TypeError("Montant en float refusé : utilisez Decimal ou une chaîne.")
    return valeur if isinstance(valeur, Decimal) else Decimal(str(valeur))


def montant_cumule(jalon: Jalon, prix_unitaire_ht: Decimal | int | str) -> Decimal:
    """Cumulative amount due once ``jalon`` is reached, rounded to the cent (half up)."""
    brut = _decimal(prix_unitaire_ht) * jalon.pourcentage_cumule / Decimal(100)
    return brut.quantize(CENTIME, rounding=ROUND_HALF_UP)


def montant_du(jalon: Jalon, prix_unitaire_ht: Decimal | int | str, deja_du: Decimal | int | str = 0) -> Decimal:
    """Amount this milestone pays: cumulative % × unit price − already due (PAY-01..04).

    The cumulative amount is rounded to the cent (ROUND_HALF_UP) before the
    subtraction, so the milestones of a schedule always add up to the rounded
    total. Never negative: a milestone whose cumulative amount is already covered
    (PAY-02 after PAY-04, both 90 %) pays nothing.
    """
    reste = montant_cumule(jalon, prix_unitaire_ht) - _decimal(deja_du)
    return max(reste, Decimal("0.00")).quantize(CENTIME, rounding=ROUND_HALF_UP)


def valider_echeancier(jalons: Iterable[Jalon]) -> tuple[Jalon, ...]:
    """Check a schedule (a dispositif's or a marché's): unique keys, reaches 100 %."""
    jalons = tuple(jalons)
    if not jalons:
        raise ValueError("Un échéancier comporte au moins un jalon.")
    cles = [j.cle for j in jalons]
    if len(set(cles)) != len(cles):
        raise ValueError("Les clés des jalons d'un échéancier doivent être uniques.")
    if max(j.pourcentage_cumule for j in jalons) != Decimal(100):
        raise ValueError("Un échéancier doit atteindre 100 % cumulés.")
    return jalons


#: Schedule used when neither the dispositif nor the marché gives one: one milestone
#: paying 100 % once the prestation has reached its term, on the signed lettre de
#: commande (the gestionnaire financier still validates it, PAY-05).
ECHEANCIER_PAR_DEFAUT: tuple[Jalon, ...] = (
    Jalon(
        cle="solde",
        libelle="Paiement à l'achèvement de la prestation",
        pourcentage_cumule=Decimal("100"),
        regle="PAY-05",
        preuves=(preuve("lettre_de_commande"),),
        declencheur=Declencheur.FIN_PRESTATION,
        description="Échéancier par défaut, en l'absence d'échéancier fixé par le marché.",
    ),
)


# ---------------------------------------------------------------------------
# Eligibility (PMA-01..03, BCA-01)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FaitsEligibilite:
    """What the prescripteur knows about the bénéficiaire at prescription.

    ``statut`` is a key of :data:`STATUTS`; ``niveau_francais`` a CECRL level of
    :data:`NIVEAUX_FRANCAIS` or ``"inconnu"``; ``mois_inscription``: months of
    registration with France Travail (``None``: unknown or not registered).
    """

    statut: str
    age: int | None = None
    niveau_francais: str = NIVEAU_FRANCAIS_INCONNU
    projet_professionnel_defini: bool = False
    suivi_par_professionnel_insertion: bool = False
    demarches_engagees: bool = False
    mois_inscription: int | None = None

    def __post_init__(self):
        if self.statut not in STATUTS:
            raise ValueError(f"Statut inconnu : « {self.statut} ».")
        if self.niveau_francais not in (*NIVEAUX_FRANCAIS, NIVEAU_FRANCAIS_INCONNU):
            raise ValueError(f"Niveau de français inconnu : « {self.niveau_francais} ».")


@dataclass(frozen=True)
class Ineligibilite:
    """A blocking eligibility failure, with the rule and a French explanation."""

    regle: str
    code: str
    message: str
    reorientation_possible: bool = False
    reorientation_suggeree: str | None = None


@dataclass(frozen=True)
class Avertissement:
    """A non-blocking remark shown to the prescripteur (e.g. BCA-01)."""

    regle: str
    code: str
    message: str


@dataclass(frozen=True)
class Critere:
    """An eligibility criterion: parameterised data with a check. Subclass it."""

    regle: str

    def verifier(self, faits: FaitsEligibilite) -> list[Ineligibilite]:
        return []

    def avertir(self, faits: FaitsEligibilite) -> list[Avertissement]:
        return []


@dataclass(frozen=True)
class PublicsEligibles(Critere):
    """Only the listed statuts are eligible; ``age_max_par_statut``: age must be below.

    PMA-01: "jeunes de moins de 26 ans": age ≤ 25, i.e. below 26.
    """

    statuts: tuple[str, ...] = ()
    age_max_par_statut: tuple[tuple[str, int], ...] = ()  # (statut, age that must not be reached)
    reorientation_possible: bool = True

    def verifier(self, faits: FaitsEligibilite) -> list[Ineligibilite]:
        if faits.statut not in self.statuts:
            publics = ", ".join(STATUTS[s].lower() for s in self.statuts)
            return [
                Ineligibilite(
                    regle=self.regle,
                    code="public",
                    message=(
                        f"La situation du bénéficiaire ({STATUTS[faits.statut].lower()}) ne fait pas partie "
                        f"des publics éligibles : {publics}."
                    ),
                    reorientation_possible=self.reorientation_possible,
                )
            ]
        for statut, age_limite in self.age_max_par_statut:
            if faits.statut != statut:
                continue
            if faits.age is None:
                return [
                    Ineligibilite(
                        regle=self.regle,
                        code="age_inconnu",
                        message=(
                            f"L'âge du bénéficiaire doit être connu : ce public n'est éligible "
                            f"qu'avant {age_limite} ans."
                        ),
                        reorientation_possible=False,
                    )
                ]
            if faits.age >= age_limite:
                return [
                    Ineligibilite(
                        regle=self.regle,
                        code="age",
                        message=(
                            f"Le bénéficiaire a {faits.age} ans : les jeunes accompagnés par une mission "
                            f"locale ne sont éligibles qu'avant {age_limite} ans."
                        ),
                        reorientation_possible=self.reorientation_possible,
                    )
                ]
        return []


@dataclass(frozen=True)
class PrerequisProjet(Critere):
    """Defined professional project, insertion professional, concrete steps (PMA-02)."""

    reorientation_possible: bool = True

    def verifier(self, faits: FaitsEligibilite) -> list[Ineligibilite]:
        manques = []
        if not faits.projet_professionnel_defini:
            manques.append(
                (
                    "projet_professionnel",
                    "Le bénéficiaire doit avoir un projet professionnel défini à l'entrée dans le dispositif.",
                )
            )
        if not faits.suivi_par_professionnel_insertion:
            manques.append(
                (
                    "suivi_insertion",
                    "Le projet professionnel doit être accompagné par un professionnel de l'insertion "
                    "(assistant de service social, conseiller France Travail, mission locale, "
                    "conseiller en insertion professionnelle).",
                )
            )
        if not faits.demarches_engagees:
            manques.append(
                (
                    "demarches",
                    "Des démarches concrètes doivent déjà avoir été engagées (recherche d'emploi dans le "
                    "secteur visé, inscription à France Travail, recherche ou inscription en formation…).",
                )
            )
        return [
            Ineligibilite(self.regle, code, message, reorientation_possible=self.reorientation_possible)
            for code, message in manques
        ]


@dataclass(frozen=True)
class NiveauFrancaisMinimum(Critere):
    """Minimum CECRL French level (PMA-03). Not assessed ("inconnu") fails too."""

    minimum: str = "A2"
    reorientation_si_insuffisant: str | None = "fle"

    def verifier(self, faits: FaitsEligibilite) -> list[Ineligibilite]:
        if faits.niveau_francais == NIVEAU_FRANCAIS_INCONNU:
            return [
                Ineligibilite(
                    regle=self.regle,
                    code="niveau_francais_inconnu",
                    message=(
                        f"Le niveau de français du bénéficiaire n'est pas connu : faites-le évaluer, "
                        f"le niveau {self.minimum} du CECRL est requis."
                    ),
                    reorientation_possible=False,
                )
            ]
        if NIVEAUX_FRANCAIS.index(faits.niveau_francais) < NIVEAUX_FRANCAIS.index(self.minimum):
            return [
                Ineligibilite(
                    regle=self.regle,
                    code="niveau_francais",
                    message=(
                        f"Le niveau de français du bénéficiaire ({faits.niveau_francais}) est inférieur au "
                        f"niveau {self.minimum} requis pour exprimer son projet et suivre le parcours."
                    ),
                    reorientation_possible=True,
                    reorientation_suggeree=self.reorientation_si_insuffisant,
                )
            ]
        return []


@dataclass(frozen=True)
class AncienneteInscriptionConseillee(Critere):
    """Warn (never block) below ``mois_min`` months of registration (BCA-01).

    Unknown registration (``None``) gives no warning: co-traitants (APEC, missions
    locales) may prescribe to people they follow who need not be registered.
    """

    mois_min: int = 6

    def avertir(self, faits: FaitsEligibilite) -> list[Avertissement]:
        if faits.mois_inscription is not None and faits.mois_inscription < self.mois_min:
            return [
                Avertissement(
                    regle=self.regle,
                    code="anciennete_inscription",
                    message=(
                        f"Le bénéficiaire a moins de {self.mois_min} mois d'inscription "
                        f"({faits.mois_inscription} mois) : ce dispositif est prescrit principalement après "
                        f"{self.mois_min} mois d'inscription."
                    ),
                )
            ]
        return []


# ---------------------------------------------------------------------------
# The rule set
# ---------------------------------------------------------------------------

_CLE = re.compile(r"^[A-Z][A-Z0-9_]*$")


@dataclass(frozen=True)
class RegleDispositif:
    """One version of a dispositif's rules. Read by the workflow, never branched on.

    ``None`` always means "the dispositif has no such rule": no renewal, no
    suspension, no contractualisation deadline, no entretien gap limit, etc.

    Duration: ``duree_max_jours`` calendar days (inclusive, see :meth:`date_fin`), or
    ``duree_fixee_par_marche`` (the marché gives the duration), or neither (no end date).
    """

    cle: str
    version: str
    nom: str
    source: str
    valable_du: date
    valable_au: date | None
    phases: tuple[Phase, ...]
    phases_ordonnees: bool = True
    duree_max_jours: int | None = None
    duree_fixee_par_marche: bool = False
    duree_indicative_heures: int | None = None
    renouvellement: Renouvellement | None = None
    suspension: RegleSuspension | None = None
    delai_contractualisation: Delai | None = None
    delai_copie_contrat_heures: int | None = None
    delai_information_refus_heures: int | None = None
    delai_information_interruption_heures: int | None = 48  # LIV-03
    ecart_entretiens: EcartEntretiens | None = None
    cadence_entretiens: CadenceEntretiens | None = None
    periode_entreprise: RegleEntreprise | None = None
    suivi_emploi: SuiviEmploi | None = None
    echeances_livrables: tuple[EcheanceLivrable, ...] = ()
    echeancier: tuple[Jalon, ...] | None = None
    criteres_eligibilite: tuple[Critere, ...] = ()
    reorientations: tuple[Choix, ...] = ()
    exclusion: RegleExclusion | None = None
    signale_qpv_rural: bool = False
    notes: str = field(default="", repr=False)

    def __post_init__(self):
        erreurs = []
        if not _CLE.match(self.cle):
            erreurs.append("clé invalide")
        if self.valable_au is not None and self.valable_au < self.valable_du:
            erreurs.append("valable_au précède valable_du")
        if not self.phases:
            erreurs.append("aucune phase")
        cles_phases = [p.cle for p in self.phases]
        if len(set(cles_phases)) != len(cles_phases):
            erreurs.append("clés de phase en double")
        if self.duree_fixee_par_marche and self.duree_max_jours is not None:
            erreurs.append("durée à la fois fixée par le dispositif et par le marché")
        if self.duree_max_jours is not None and self.duree_max_jours < 1:
            erreurs.append("durée maximale invalide")
        livrables = [lv for p in self.phases for lv in (*p.livrables, *p.livrables_optionnels)]
        livrables += [e.livrable for e in self.echeances_livrables]
        erreurs += [f"livrable inconnu « {lv} »" for lv in livrables if lv not in LIVRABLES]
        phases_citees = list(self.cadence_entretiens.phases if self.cadence_entretiens else ())
        if self.periode_entreprise:
            phases_citees.append(self.periode_entreprise.avant_fin_de_phase)
        if self.suivi_emploi:
            phases_citees.append(self.suivi_emploi.phase)
        erreurs += [f"phase inconnue « {p} »" for p in phases_citees if p not in cles_phases]
        if self.echeancier is not None:
            try:
                valider_echeancier(self.echeancier)
            except ValueError as exc:
                erreurs.append(str(exc))
        if erreurs:
            raise ValueError(f"Dispositif {self.cle} version {self.version} : " + " ; ".join(erreurs) + ".")

    # -- identity -----------------------------------------------------------

    @property
    def libelle(self) -> str:
        """``"MOV – Mobilisation vers l'emploi"`` (form choices, documents)."""
        return f"{self.cle} – {self.nom}"

    def __str__(self) -> str:
        return f"{self.libelle} (version {self.version})"

    def est_en_vigueur(self, le: date) -> bool:
        return self.valable_du <= le and (self.valable_au is None or le <= self.valable_au)

    # -- duration -----------------------------------------------------------

    def date_fin(self, debut: date, duree_marche_jours: int | None = None) -> date | None:
        """Last day of the prestation, inclusive (PRE-01, MOV-07).

        A prestation of N days starting on ``debut`` ends on ``debut + (N - 1)`` days:
        MOV, 180 days from 2026-03-01, ends on 2026-08-27. When the duration is set by
        the marché (PMA), ``duree_marche_jours`` is required; otherwise it is ignored
        (the dispositif's own duration prevails). ``None`` when the dispositif has no
        end date (CEP).
        """
        if self.duree_fixee_par_marche:
            if duree_marche_jours is None:
                raise ValueError(
                    f"La durée du dispositif {self.cle} est fixée par le marché : "
                    "renseignez la durée du marché pour calculer la date de fin."
                )
            duree = duree_marche_jours
        else:
            duree = self.duree_max_jours
        if duree is None:
            return None
        if duree < 1:
            raise ValueError("La durée d'une prestation est d'au moins un jour.")
        return debut + timedelta(days=duree - 1)

    def date_fin_renouvellement(self, fin_actuelle: date, renouvellements_effectues: int = 0) -> date:
        """New end date after a renewal at term (MOV-08); ValueError when not allowed."""
        if self.renouvellement is None:
            raise ValueError(f"Le dispositif {self.cle} ne prévoit pas de renouvellement.")
        if renouvellements_effectues >= self.renouvellement.nombre_max:
            raise ValueError(
                f"Le dispositif {self.cle} ne peut être renouvelé que {self.renouvellement.nombre_max} fois "
                f"({self.renouvellement.regle})."
            )
        return self.renouvellement.nouvelle_date_fin(fin_actuelle)

    # -- phases and deliverables -------------------------------------------

    @property
    def cles_phases(self) -> tuple[str, ...]:
        return tuple(p.cle for p in self.phases)

    def phase(self, cle: str) -> Phase:
        for p in self.phases:
            if p.cle == cle:
                return p
        raise KeyError(f"Le dispositif {self.cle} n'a pas de phase « {cle} ».")

    def phase_suivante(self, cle: str) -> Phase | None:
        """Next phase in declared order (``None`` after the last one).

        Only meaningful when ``phases_ordonnees`` (CEP-01: CEP levels are not).
        """
        index = self.cles_phases.index(cle)
        return self.phases[index + 1] if index + 1 < len(self.phases) else None

    def livrables_requis(self) -> tuple[str, ...]:
        """Required deliverables of every phase, in phase order."""
        return tuple(lv for p in self.phases for lv in p.livrables)

    def echeance_livrable(self, livrable: str) -> EcheanceLivrable | None:
        return next((e for e in self.echeances_livrables if e.livrable == livrable), None)

    # -- eligibility --------------------------------------------------------

    def verifier_eligibilite(self, faits: FaitsEligibilite) -> list[Ineligibilite]:
        """Blocking eligibility failures (empty list: eligible)."""
        return [i for c in self.criteres_eligibilite for i in c.verifier(faits)]

    def avertissements(self, faits: FaitsEligibilite) -> list[Avertissement]:
        """Non-blocking remarks to show the prescripteur before prescribing."""
        return [a for c in self.criteres_eligibilite for a in c.avertir(faits)]


def echeancier_effectif(regle: RegleDispositif, echeancier_marche: Iterable[Jalon] | None = None) -> tuple[Jalon, ...]:
    """The payment schedule that applies to a prestation.

    The dispositif's own schedule when it declares one (MOV, PAY-01..04: it is
    regulatory, a marché schedule is then ignored); otherwise the marché's schedule;
    otherwise :data:`ECHEANCIER_PAR_DEFAUT`.
    """
    if regle.echeancier is not None:
        return regle.echeancier
    if echeancier_marche is not None:
        return valider_echeancier(echeancier_marche)
    return ECHEANCIER_PAR_DEFAUT
