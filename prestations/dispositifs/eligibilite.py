"""Eligibility at prescription: the facts read, and the criteria that check them.

Each criterion names its rule id (grep the id to land here):

* :class:`PublicsEligibles`: eligible publics, age limit of the under-26s (PMA-01);
* :class:`PrerequisProjet`: defined project, insertion professional, concrete steps
  (PMA-02);
* :class:`NiveauFrancaisMinimum`: CECRL level A2 at least, re-orientation to FLE
  (PMA-03);
* :class:`AncienneteInscriptionConseillee`: a warning, never a block, below 6 months
  of registration (BCA-01).

A criterion returns blocking :class:`Ineligibilite` items (:meth:`Critere.verifier`)
or non-blocking :class:`Avertissement` items (:meth:`Critere.avertir`); a rule set
lists its criteria in ``RegleDispositif.criteres_eligibilite``. The values of the
criteria (publics, ages, levels, months) are set in the rule-set modules.
"""

from __future__ import annotations

from dataclasses import dataclass

from .vocabulaire import NIVEAU_FRANCAIS_INCONNU, NIVEAUX_FRANCAIS, STATUTS


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
