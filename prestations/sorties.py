"""Classification of an outcome (sortie) as positive or not (SPEC §Outcomes, SOR-01..SOR-04).

Pure Python: no model, no database. The référent enters the facts of the outcome
(:class:`FaitsSortie`); :func:`valider_faits_sortie` refuses missing or contradictory
facts with a :class:`~django.core.exceptions.ValidationError` keyed by field, and
:func:`classer_sortie` returns a :class:`Classement` (positive or not, which rule,
and a French sentence shown to the référent).

The positive categories are the keys of
:data:`prestations.dispositifs.vocabulaire.SORTIES_POSITIVES` ("emploi", "formation",
"entreprise"); the payment milestones (PAY-03 job/business, PAY-04 early positive
outcome) and the follow-up in employment (MOV-13) read them.

Sources: SPEC SOR-01..SOR-04, and the MOV cahier des charges ("Issue positive de la
prestation": "CDD 3 mois minimum temps plein ou > à 78h, CDI temps plein ou > à 78
heures, tous contrats aidés"; "durée totale minimum de 160 heures à raison d'un
minimum de 20 heures par semaine ... dispensée en continu ... à l'exception des
périodes de fermeture de l'organisme pour congés, convention AFPR"; "est exclue ...
la création d'une entreprise sous le statut d'auto-entrepreneur").

Thresholds (all inclusive/exclusive choices are the texts'):

* SOR-01: "more than 78 hours a month" is strict: 78 h part-time is **not**
  positive, 78.01 h is. "At least 3 months" is inclusive: 3 months is positive,
  2.9 months is not. Full-time is the legal duration, 35 h a week = 151.67 h a
  month (art. L3121-27 code du travail).
* SOR-02: at least 160 hours in total (inclusive) AND at least 20 hours a week
  (inclusive) AND continuous; or an AFPR convention whatever its length.
* SOR-03: creation or takeover, except under the micro-entrepreneur regime.
* SOR-04: every other end is not positive; each keeps its own reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import TextChoices

from prestations.dispositifs.vocabulaire import SORTIES_POSITIVES

__all__ = [
    "DUREE_CONTRAT_MAX_MOIS",
    "DUREE_MIN_CDD_MOIS",
    "FORMATION_HEURES_HEBDO_MAX",
    "FORMATION_HEURES_HEBDO_MIN",
    "FORMATION_HEURES_TOTAL_MIN",
    "HEURES_MENSUELLES_MAX",
    "HEURES_MENSUELLES_TEMPS_PLEIN",
    "HEURES_MENSUELLES_TEMPS_PLEIN_MIN",
    "SEUIL_HEURES_MENSUELLES",
    "TYPES_ISSUE_POSITIVE_POSSIBLE",
    "Classement",
    "FaitsSortie",
    "FormeEntreprise",
    "NatureEntreprise",
    "TypeContrat",
    "TypeSortie",
    "categorie_sortie_positive",
    "classer_sortie",
    "valider_faits_sortie",
]


# ---------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------


class TypeSortie(TextChoices):
    """Kind of outcome entered by the référent.

    The first three may be positive (SOR-01 job, SOR-02 training, SOR-03 business),
    depending on the facts. The others are never positive (SOR-04) and each is a
    distinct, reportable reason (IND-01 counts refusals and abandonments apart).
    """

    EMPLOI = "emploi", "Emploi"  # SOR-01
    FORMATION = "formation", "Formation"  # SOR-02
    CREATION_ENTREPRISE = "creation_entreprise", "Création ou reprise d'entreprise"  # SOR-03
    TERME_SANS_EMPLOI = "terme_sans_emploi", "Terme atteint sans emploi"  # SOR-04
    ABANDON = "abandon", "Abandon"  # SOR-04
    REFUS = "refus", "Refus du bénéficiaire"  # SOR-04
    INTERRUPTION = "interruption", "Interruption"  # SOR-04
    INTERRUPTION_ECART_ENTRETIENS = (  # SOR-04, MOV-10
        "interruption_ecart_entretiens",
        "Interruption : plus de 14 jours sans entretien (MOV-10)",
    )
    EXCLUSION = "exclusion", "Exclusion (PMA-04)"  # SOR-04
    REORIENTATION = "reorientation", "Réorientation (PMA-03)"  # SOR-04
    FIN_ANTICIPEE = "fin_anticipee", "Fin après le bilan initial (BAM-02)"  # SOR-04


#: Outcome kinds that may be positive, depending on the facts (SOR-01..SOR-03).
TYPES_ISSUE_POSITIVE_POSSIBLE: frozenset[str] = frozenset(
    {TypeSortie.EMPLOI.value, TypeSortie.FORMATION.value, TypeSortie.CREATION_ENTREPRISE.value}
)

#: Outcome kind → key of SORTIES_POSITIVES (SOR-01 → "emploi", SOR-02 → "formation",
#: SOR-03 → "entreprise").
_CATEGORIES: dict[str, str] = {
    TypeSortie.EMPLOI.value: "emploi",
    TypeSortie.FORMATION.value: "formation",
    TypeSortie.CREATION_ENTREPRISE.value: "entreprise",
}
assert set(_CATEGORIES.values()) == set(SORTIES_POSITIVES), "SOR-01..SOR-03 must match SORTIES_POSITIVES"
assert set(_CATEGORIES) == TYPES_ISSUE_POSITIVE_POSSIBLE


def categorie_sortie_positive(type_sortie: str) -> str | None:
    """Key of SORTIES_POSITIVES this outcome kind counts under when it is positive.

    ``"emploi"`` (SOR-01), ``"formation"`` (SOR-02), ``"entreprise"`` (SOR-03), or
    ``None`` for the kinds that are never positive (SOR-04). It says nothing about
    whether a given outcome *is* positive: use :func:`classer_sortie` for that.
    """
    return _CATEGORIES.get(str(type_sortie)) if type_sortie is not None else None


class TypeContrat(TextChoices):
    """Employment contract of a job outcome (SOR-01).

    * ``cdi``: contrat à durée indéterminée. Positive when full-time or more than
      78 h a month. It has no duration (entering one is refused).
    * ``cdd``: contrat à durée déterminée (including CDD saisonnier, CDD d'usage).
      Positive when at least 3 months AND (full-time or more than 78 h a month).
    * ``contrat_aide``: "tous contrats aidés" (SOR-01) are positive whatever their
      length and hours. Counted as contrat aidé: the contracts whose employer
      receives a State aid for that very hire, i.e. the Parcours emploi compétences
      (PEC, CUI-CAE, non-market sector), the CUI-CIE (market sector), and the
      insertion contracts of the SIAE (CDDI of ateliers et chantiers d'insertion and
      entreprises d'insertion, missions of an entreprise de travail temporaire
      d'insertion). An ordinary CDD/CDI only helped by a hiring bonus (aide à
      l'embauche, emploi franc) is not a contrat aidé: enter it as CDD/CDI.
      Duration and hours are optional (checked if entered).
    * ``interim``: mission d'intérim (contrat de mission). Choice of this provider:
      it is a fixed-term contract in law (art. L1251-1 s.), so it is treated like a
      CDD: the duration entered is the length of the mission(s) contracted at the
      time of the outcome, at least 3 months and full-time or more than 78 h a month.
    * ``alternance``: contrat d'apprentissage or de professionnalisation. In law it is
      a CDD (or a CDI beginning with the apprenticeship/professionalisation period),
      not a contrat aidé in the SOR-01 sense despite its hiring aids; it is treated
      like a CDD: the duration entered is the length of the contract (or of the
      alternance period for a CDI), at least 3 months and full-time or more than 78 h
      a month (training time in the school counts as working time).
    * ``autre``: any other arrangement (e.g. vacation, portage salarial). Not one of
      the contracts listed by SOR-01, so never positive; if it is in fact a CDD or a
      CDI, enter it as such.
    """

    CDI = "cdi", "CDI"
    CDD = "cdd", "CDD"
    CONTRAT_AIDE = "contrat_aide", "Contrat aidé (PEC, CIE, ...)"
    INTERIM = "interim", "Mission d'intérim"
    ALTERNANCE = "alternance", "Contrat d'apprentissage ou de professionnalisation"
    AUTRE = "autre", "Autre"


#: Contracts judged on their duration like a CDD (SOR-01; see :class:`TypeContrat`).
_CONTRATS_A_DUREE: frozenset[str] = frozenset(
    {TypeContrat.CDD.value, TypeContrat.INTERIM.value, TypeContrat.ALTERNANCE.value}
)
#: Contracts whose working time must be known to classify the outcome (SOR-01).
_CONTRATS_A_HORAIRE: frozenset[str] = _CONTRATS_A_DUREE | {TypeContrat.CDI.value}


class FormeEntreprise(TextChoices):
    """Legal form of the business created or taken over (SOR-03).

    A micro-entrepreneur (formerly "auto-entrepreneur") is legally an entreprise
    individuelle under the micro-social regime; it is kept apart because SOR-03
    excludes it. ``entreprise_individuelle`` therefore means an EI *outside* that
    regime (régime réel).
    """

    MICRO_ENTREPRENEUR = "micro_entrepreneur", "Micro-entrepreneur / auto-entrepreneur"
    ENTREPRISE_INDIVIDUELLE = "entreprise_individuelle", "Entreprise individuelle (hors micro)"
    SOCIETE = "societe", "Société (SARL, SAS, EURL, SASU…)"


class NatureEntreprise(TextChoices):
    """Creation of a new business or takeover of an existing one (SOR-03).

    Kept as a field separate from :class:`FormeEntreprise` because a takeover can be
    done in any legal form. Both are positive alike; the micro-entrepreneur
    exclusion applies to both (SPEC SOR-03 "creation or takeover ..., except as
    auto-entrepreneur").
    """

    CREATION = "creation", "Création"
    REPRISE = "reprise", "Reprise d'une entreprise existante"


# ---------------------------------------------------------------------------
# Thresholds
# ---------------------------------------------------------------------------

#: SOR-01: a CDD (and intérim, alternance) must last at least 3 months (inclusive).
DUREE_MIN_CDD_MOIS = Decimal("3")
#: SOR-01: part-time must be *more than* 78 hours a month (strict).
SEUIL_HEURES_MENSUELLES = Decimal("78")
#: Legal full-time: 35 h a week × 52 / 12 (art. L3121-27 code du travail).
HEURES_MENSUELLES_TEMPS_PLEIN = Decimal("151.67")
#: "Temps plein" with fewer monthly hours than this is contradictory (151.67 h
#: minus a tolerance for rounding: 151 h).
HEURES_MENSUELLES_TEMPS_PLEIN_MIN = Decimal("151")
#: Ceiling on contractual monthly hours: the absolute weekly maximum is 48 h (art.
#: L3121-20), i.e. 48 × 31 / 7 ≈ 212.6 h in a 31-day month; 220 h leaves a margin.
#: More is a typing error.
HEURES_MENSUELLES_MAX = Decimal("220")
#: Longest contract duration accepted (10 years): beyond is a typing error.
DUREE_CONTRAT_MAX_MOIS = Decimal("120")
#: SOR-02 thresholds (both inclusive).
FORMATION_HEURES_TOTAL_MIN = Decimal("160")
FORMATION_HEURES_HEBDO_MIN = Decimal("20")
#: Weekly training hours above the legal weekly maximum of work (48 h) are a typing error.
FORMATION_HEURES_HEBDO_MAX = Decimal("48")


# ---------------------------------------------------------------------------
# Facts and result
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FaitsSortie:
    """Facts of an outcome as entered by the référent.

    Job fields (SOR-01): ``type_contrat``, ``duree_contrat_mois`` (months, int or
    Decimal; required for CDD, intérim and alternance; forbidden for a CDI),
    ``temps_plein`` (True/False/None = unknown), ``heures_mensuelles`` (contractual
    hours a month).

    Training fields (SOR-02): ``formation_heures_total``, ``formation_heures_hebdo``,
    ``formation_continue`` (True when given without interruption, closures of the
    training body for holidays excepted), ``convention_afpr`` (Action de formation
    préalable au recrutement).

    Business fields (SOR-03): ``forme_entreprise``, ``nature_entreprise``.

    ``motif``: free text (detail of the reason, re-orientation target, ...).
    """

    type_sortie: str
    date_sortie: date | None
    type_contrat: str | None = None
    duree_contrat_mois: Decimal | int | None = None
    temps_plein: bool | None = None
    heures_mensuelles: Decimal | int | None = None
    formation_heures_total: Decimal | int | None = None
    formation_heures_hebdo: Decimal | int | None = None
    formation_continue: bool | None = None
    convention_afpr: bool = False
    forme_entreprise: str | None = None
    nature_entreprise: str | None = None
    motif: str = ""


@dataclass(frozen=True)
class Classement:
    """Result of :func:`classer_sortie`.

    ``categorie`` is the SORTIES_POSITIVES key ("emploi", "formation", "entreprise")
    when the outcome is positive, else ``None``. ``regle`` is the rule applied
    ("SOR-01".."SOR-04"); ``explication`` is a French sentence for the référent.
    """

    positive: bool
    categorie: str | None
    regle: str
    explication: str


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------

_CHAMPS_EMPLOI = ("type_contrat", "duree_contrat_mois", "temps_plein", "heures_mensuelles")
_CHAMPS_FORMATION = ("formation_heures_total", "formation_heures_hebdo", "formation_continue", "convention_afpr")
_CHAMPS_ENTREPRISE = ("forme_entreprise", "nature_entreprise")

MESSAGE_HORS_EMPLOI = "Ces informations ne concernent pas une sortie en emploi."
MESSAGE_HORS_FORMATION = "Ces informations ne concernent pas une sortie en formation."
MESSAGE_HORS_ENTREPRISE = "Ces informations ne concernent pas une création ou reprise d'entreprise."


class _Erreurs:
    def __init__(self) -> None:
        self.par_champ: dict[str, list[str]] = {}

    def ajouter(self, champ: str, message: str) -> None:
        self.par_champ.setdefault(champ, []).append(message)


def _renseigne(faits: FaitsSortie, champ: str) -> bool:
    valeur = getattr(faits, champ)
    if champ == "convention_afpr":
        return bool(valeur)
    return valeur is not None and valeur != ""


def _nombre(valeur: object) -> Decimal | None:
    """A Decimal from an int, Decimal, float or numeric string; None if not a number."""
    if isinstance(valeur, bool):
        return None
    if isinstance(valeur, Decimal):
        return valeur if valeur.is_finite() else None
    if isinstance(valeur, int):
        return Decimal(valeur)
    if isinstance(valeur, float | str):
        try:
            nombre = Decimal(str(valeur).strip().replace(",", "."))
        except InvalidOperation:
            return None
        return nombre if nombre.is_finite() else None
    return None


def _nombre_valide(
    faits: FaitsSortie, champ: str, erreurs: _Erreurs, *, maximum: Decimal | None, unite: str
) -> Decimal | None:
    """Read a positive number field; record an error and return None when invalid."""
    valeur = getattr(faits, champ)
    if valeur is None or valeur == "":
        return None
    nombre = _nombre(valeur)
    if nombre is None:
        erreurs.ajouter(champ, "Saisissez un nombre.")
        return None
    if nombre <= 0:
        erreurs.ajouter(champ, "Saisissez un nombre strictement positif.")
        return None
    if maximum is not None and nombre > maximum:
        erreurs.ajouter(champ, f"Saisissez au plus {_fr(maximum)} {unite}.")
        return None
    return nombre


def _fr(nombre: Decimal) -> str:
    """French rendering of a number: 2.9 → "2,9", 151.67 → "151,67", 3.0 → "3"."""
    texte = format(nombre, "f")
    if "." in texte:
        texte = texte.rstrip("0").rstrip(".")
    return texte.replace(".", ",")


def _choix(faits: FaitsSortie, champ: str, choices: type[TextChoices], erreurs: _Erreurs) -> str | None:
    valeur = getattr(faits, champ)
    if valeur is None or valeur == "":
        return None
    if str(valeur) not in choices.values:
        erreurs.ajouter(champ, f"Valeur inconnue : « {valeur} ».")
        return None
    return str(valeur)


def valider_faits_sortie(faits: FaitsSortie) -> None:
    """Refuse missing or contradictory facts (SOR-01..SOR-04).

    Raises ``ValidationError({champ: [message français, ...], ...})`` listing every
    problem found; returns None when the facts can be classified.
    """
    erreurs = _Erreurs()

    type_sortie = _choix(faits, "type_sortie", TypeSortie, erreurs)
    if faits.type_sortie is None or faits.type_sortie == "":
        erreurs.ajouter("type_sortie", "Indiquez le type de sortie.")

    if faits.date_sortie is None:
        erreurs.ajouter("date_sortie", "Indiquez la date de sortie.")
    elif isinstance(faits.date_sortie, datetime) or not isinstance(faits.date_sortie, date):
        erreurs.ajouter("date_sortie", "Saisissez une date.")

    # Fields belonging to another kind of outcome are contradictory.
    if type_sortie is not None:
        if type_sortie != TypeSortie.EMPLOI:
            for champ in _CHAMPS_EMPLOI:
                if _renseigne(faits, champ):
                    erreurs.ajouter(champ, MESSAGE_HORS_EMPLOI)
        if type_sortie != TypeSortie.FORMATION:
            for champ in _CHAMPS_FORMATION:
                if _renseigne(faits, champ):
                    erreurs.ajouter(champ, MESSAGE_HORS_FORMATION)
        if type_sortie != TypeSortie.CREATION_ENTREPRISE:
            for champ in _CHAMPS_ENTREPRISE:
                if _renseigne(faits, champ):
                    erreurs.ajouter(champ, MESSAGE_HORS_ENTREPRISE)

    if type_sortie == TypeSortie.EMPLOI:
        _valider_emploi(faits, erreurs)
    elif type_sortie == TypeSortie.FORMATION:
        _valider_formation(faits, erreurs)
    elif type_sortie == TypeSortie.CREATION_ENTREPRISE:
        _valider_entreprise(faits, erreurs)

    if erreurs.par_champ:
        raise ValidationError(erreurs.par_champ)


def _valider_emploi(faits: FaitsSortie, erreurs: _Erreurs) -> None:
    """SOR-01: the contract, its duration and its working time must be known and coherent."""
    type_contrat = _choix(faits, "type_contrat", TypeContrat, erreurs)
    if faits.type_contrat is None or faits.type_contrat == "":
        erreurs.ajouter("type_contrat", "Indiquez le type de contrat de travail.")

    _nombre_valide(faits, "duree_contrat_mois", erreurs, maximum=DUREE_CONTRAT_MAX_MOIS, unite="mois")
    heures = _nombre_valide(faits, "heures_mensuelles", erreurs, maximum=HEURES_MENSUELLES_MAX, unite="heures par mois")
    if faits.temps_plein is not None and not isinstance(faits.temps_plein, bool):
        erreurs.ajouter("temps_plein", "Indiquez oui ou non.")

    if type_contrat == TypeContrat.CDI and faits.duree_contrat_mois not in (None, ""):
        erreurs.ajouter("duree_contrat_mois", "Un CDI n'a pas de durée : laissez ce champ vide.")
    if type_contrat in _CONTRATS_A_DUREE and faits.duree_contrat_mois in (None, ""):
        libelle = TypeContrat(type_contrat).label
        erreurs.ajouter("duree_contrat_mois", f"Indiquez la durée du contrat en mois ({libelle}).")

    # Working time: "temps plein" is the legal duration, 151.67 h a month.
    if heures is not None and faits.temps_plein is True and heures < HEURES_MENSUELLES_TEMPS_PLEIN_MIN:
        erreurs.ajouter(
            "heures_mensuelles",
            f"Un temps plein représente {_fr(HEURES_MENSUELLES_TEMPS_PLEIN)} heures par mois (35 heures par "
            f"semaine) : {_fr(heures)} heures par mois est un temps partiel.",
        )
    if heures is not None and faits.temps_plein is False and heures >= HEURES_MENSUELLES_TEMPS_PLEIN:
        erreurs.ajouter(
            "heures_mensuelles",
            f"Un temps partiel compte moins de {_fr(HEURES_MENSUELLES_TEMPS_PLEIN)} heures par mois : "
            f"{_fr(heures)} heures par mois est un temps plein.",
        )
    if type_contrat in _CONTRATS_A_HORAIRE and faits.heures_mensuelles in (None, ""):
        if faits.temps_plein is None:
            erreurs.ajouter(
                "heures_mensuelles",
                "Indiquez si le contrat est à temps plein ou son nombre d'heures par mois.",
            )
        elif faits.temps_plein is False:
            erreurs.ajouter("heures_mensuelles", "Indiquez le nombre d'heures par mois de ce temps partiel.")


def _valider_formation(faits: FaitsSortie, erreurs: _Erreurs) -> None:
    """SOR-02: hours (total, weekly) and continuity must be known unless there is an AFPR."""
    if not isinstance(faits.convention_afpr, bool):
        erreurs.ajouter("convention_afpr", "Indiquez oui ou non.")
    total = _nombre_valide(faits, "formation_heures_total", erreurs, maximum=None, unite="heures")
    hebdo = _nombre_valide(
        faits, "formation_heures_hebdo", erreurs, maximum=FORMATION_HEURES_HEBDO_MAX, unite="heures par semaine"
    )
    if faits.formation_continue is not None and not isinstance(faits.formation_continue, bool):
        erreurs.ajouter("formation_continue", "Indiquez oui ou non.")
    if total is not None and hebdo is not None and hebdo > total:
        erreurs.ajouter(
            "formation_heures_hebdo",
            f"Le nombre d'heures par semaine ({_fr(hebdo)}) dépasse la durée totale de la formation "
            f"({_fr(total)} heures).",
        )
    if faits.convention_afpr is True:
        return  # SOR-02: an AFPR convention is positive whatever its length.
    if faits.formation_heures_total in (None, ""):
        erreurs.ajouter("formation_heures_total", "Indiquez la durée totale de la formation en heures.")
    if faits.formation_heures_hebdo in (None, ""):
        erreurs.ajouter("formation_heures_hebdo", "Indiquez le nombre d'heures de formation par semaine.")
    if faits.formation_continue is None:
        erreurs.ajouter(
            "formation_continue",
            "Indiquez si la formation est dispensée en continu (hors fermetures de l'organisme pour congés).",
        )


def _valider_entreprise(faits: FaitsSortie, erreurs: _Erreurs) -> None:
    """SOR-03: the legal form (micro-entrepreneur or not) and creation/takeover must be known."""
    _choix(faits, "forme_entreprise", FormeEntreprise, erreurs)
    if faits.forme_entreprise in (None, ""):
        erreurs.ajouter("forme_entreprise", "Indiquez la forme juridique de l'entreprise.")
    _choix(faits, "nature_entreprise", NatureEntreprise, erreurs)
    if faits.nature_entreprise in (None, ""):
        erreurs.ajouter("nature_entreprise", "Indiquez s'il s'agit d'une création ou d'une reprise d'entreprise.")


# ---------------------------------------------------------------------------
# Classification
# ---------------------------------------------------------------------------


def classer_sortie(faits: FaitsSortie) -> Classement:
    """Classify an outcome (SOR-01..SOR-04) after :func:`valider_faits_sortie`.

    Raises ``ValidationError`` when the facts are missing or contradictory.
    """
    valider_faits_sortie(faits)
    type_sortie = TypeSortie(str(faits.type_sortie))
    if type_sortie == TypeSortie.EMPLOI:
        return _classer_emploi(faits)
    if type_sortie == TypeSortie.FORMATION:
        return _classer_formation(faits)
    if type_sortie == TypeSortie.CREATION_ENTREPRISE:
        return _classer_entreprise(faits)
    # SOR-04: every other end is a distinct, non-positive reason.
    return Classement(
        positive=False,
        categorie=None,
        regle="SOR-04",
        explication=f"Sortie non positive : {type_sortie.label}.",
    )


def _positive(categorie: str, explication: str) -> Classement:
    regle = {"emploi": "SOR-01", "formation": "SOR-02", "entreprise": "SOR-03"}[categorie]
    return Classement(positive=True, categorie=categorie, regle=regle, explication=explication)


def _non_positive(regle: str, explication: str) -> Classement:
    return Classement(positive=False, categorie=None, regle=regle, explication=explication)


def _classer_emploi(faits: FaitsSortie) -> Classement:
    """SOR-01: CDD ≥ 3 months (intérim, alternance alike) and CDI, full-time or > 78 h a month; any contrat aidé."""
    type_contrat = TypeContrat(str(faits.type_contrat))
    if type_contrat == TypeContrat.CONTRAT_AIDE:
        return _positive("emploi", "Sortie positive : tout contrat aidé est une reprise d'emploi positive (SOR-01).")
    if type_contrat == TypeContrat.AUTRE:
        return _non_positive(
            "SOR-01",
            "Sortie non positive : seuls un CDD, un CDI ou un contrat aidé comptent comme reprise d'emploi "
            "positive (SOR-01) ; s'il s'agit en fait d'un CDD ou d'un CDI, corrigez le type de contrat.",
        )

    heures = _nombre(faits.heures_mensuelles) if faits.heures_mensuelles not in (None, "") else None
    temps_plein = faits.temps_plein is True or (heures is not None and heures >= HEURES_MENSUELLES_TEMPS_PLEIN)
    if temps_plein:
        horaire_ok, horaire = True, "à temps plein"
    else:
        assert heures is not None  # guaranteed by valider_faits_sortie
        horaire_ok = heures > SEUIL_HEURES_MENSUELLES
        horaire = f"à temps partiel de {_fr(heures)} heures par mois"

    libelle = {
        TypeContrat.CDI: "CDI",
        TypeContrat.CDD: "CDD",
        TypeContrat.INTERIM: "mission d'intérim",
        TypeContrat.ALTERNANCE: "contrat en alternance",
    }[type_contrat]

    if type_contrat in _CONTRATS_A_DUREE:
        duree = _nombre(faits.duree_contrat_mois)
        assert duree is not None  # guaranteed by valider_faits_sortie
        sujet = f"{libelle} de {_fr(duree)} mois {horaire}"
        if duree < DUREE_MIN_CDD_MOIS:
            return _non_positive(
                "SOR-01",
                f"Sortie non positive : {sujet} ; un contrat à durée déterminée doit durer au moins "
                f"{_fr(DUREE_MIN_CDD_MOIS)} mois (SOR-01).",
            )
    else:
        sujet = f"{libelle} {horaire}"

    if not horaire_ok:
        return _non_positive(
            "SOR-01",
            f"Sortie non positive : {sujet} ; il faut un temps plein ou plus de "
            f"{_fr(SEUIL_HEURES_MENSUELLES)} heures par mois (SOR-01).",
        )
    if type_contrat in _CONTRATS_A_DUREE:
        condition = (
            f"au moins {_fr(DUREE_MIN_CDD_MOIS)} mois, à temps plein ou plus de "
            f"{_fr(SEUIL_HEURES_MENSUELLES)} heures par mois"
        )
    else:
        condition = f"temps plein ou plus de {_fr(SEUIL_HEURES_MENSUELLES)} heures par mois"
    return _positive("emploi", f"Sortie positive : {sujet} ({condition}, SOR-01).")


def _classer_formation(faits: FaitsSortie) -> Classement:
    """SOR-02: ≥ 160 h in total at ≥ 20 h a week, continuous; or an AFPR convention."""
    if faits.convention_afpr:
        return _positive(
            "formation",
            "Sortie positive : entrée en formation dans le cadre d'une convention AFPR (SOR-02).",
        )
    total = _nombre(faits.formation_heures_total)
    hebdo = _nombre(faits.formation_heures_hebdo)
    assert total is not None and hebdo is not None  # guaranteed by valider_faits_sortie
    sujet = f"formation de {_fr(total)} heures à {_fr(hebdo)} heures par semaine"
    manques = []
    if total < FORMATION_HEURES_TOTAL_MIN:
        manques.append(f"au moins {_fr(FORMATION_HEURES_TOTAL_MIN)} heures au total")
    if hebdo < FORMATION_HEURES_HEBDO_MIN:
        manques.append(f"au moins {_fr(FORMATION_HEURES_HEBDO_MIN)} heures par semaine")
    if faits.formation_continue is not True:
        sujet += ", non dispensée en continu"
        manques.append("une formation dispensée en continu (hors fermetures de l'organisme pour congés)")
    if manques:
        return _non_positive(
            "SOR-02",
            f"Sortie non positive : {sujet} ; il faut {', '.join(manques)}, ou une convention AFPR (SOR-02).",
        )
    return _positive(
        "formation",
        f"Sortie positive : {sujet}, en continu (au moins {_fr(FORMATION_HEURES_TOTAL_MIN)} heures à "
        f"{_fr(FORMATION_HEURES_HEBDO_MIN)} heures par semaine ou plus, SOR-02).",
    )


def _classer_entreprise(faits: FaitsSortie) -> Classement:
    """SOR-03: creation or takeover of a business, except as micro-entrepreneur (auto-entrepreneur)."""
    forme = FormeEntreprise(str(faits.forme_entreprise))
    nature = NatureEntreprise(str(faits.nature_entreprise))
    action = "création" if nature == NatureEntreprise.CREATION else "reprise"
    if forme == FormeEntreprise.MICRO_ENTREPRENEUR:
        return _non_positive(
            "SOR-03",
            f"Sortie non positive : {action} d'entreprise sous le statut de micro-entrepreneur "
            "(auto-entrepreneur) ; le cahier des charges exclut ce statut, la prestation n'est pas réputée "
            "réalisée dans ce cas (SOR-03).",
        )
    return _positive(
        "entreprise",
        f"Sortie positive : {action} d'entreprise ({forme.label}) (SOR-03).",
    )
