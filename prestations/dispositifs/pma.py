"""PMA – Plateforme mobilité départementale (seed 001, Plateforme Mobilité de l'Allier, CD 03).

Rules declared here: PMA-01, PMA-02, PMA-03, PMA-04.

Choices where the seed and SPEC are silent:

* Version "2022": the marché with the conseil départemental runs "depuis 2022".
* Duration: set by each marché (``duree_fixee_par_marche``). SPEC numbers no rule
  for it (PMA-01..PMA-04 are about eligibility and exclusion), so the end at term
  is recorded under the dispositif's key: ``regle_terme="PMA"``.
* Phases: eligibilité (checked on the prescription data, no entretien required),
  bilan (one individual entretien at least, producing a diagnostic mobilité),
  accompagnement (one individual entretien at least, closed by a bilan de fin de
  parcours). Deliverable names are the provider's usual ones.
* PMA-03: a French level not assessed ("inconnu") blocks the entry until it is
  assessed (no re-orientation proposed yet); A1 blocks and suggests FLE.
  Any failed criterion allows a re-orientation (FLE, TUS, Mobi'lab, other) decided
  with the référent's agreement and recorded by the workflow.
* PMA-04: the seed says the exclusion follows a consultation of "le référent ou le
  financeur" (one of them suffices); SPEC writes "and": the seed prevails.
* No suspension, no renewal; payment schedule from the marché.
"""

from __future__ import annotations

from datetime import date

from .eligibilite import NiveauFrancaisMinimum, PrerequisProjet, PublicsEligibles
from .parcours import Phase, RegleExclusion
from .regle_dispositif import RegleDispositif

CLE = "PMA"
SOURCE = "seeds/001_4b9a11fe76d47e9d.txt"

#: PMA-03: where an ineligible bénéficiaire may be re-oriented.
REORIENTATIONS = [
    ("fle", "Formation FLE (français langue étrangère)"),
    ("tus", "TUS"),
    ("mobilab", "Mobi'lab"),
    ("autre", "Autre orientation"),
]

PHASES = (
    Phase(
        cle="eligibilite",
        libelle="Vérification de l'éligibilité",
        regles=("PMA-01", "PMA-02", "PMA-03"),
        description="Public, projet professionnel accompagné, démarches engagées, niveau de français A2.",
    ),
    Phase(
        cle="bilan",
        libelle="Bilan mobilité",
        entretiens_individuels_min=1,
        livrables=("diagnostic_mobilite",),
        description="Diagnostic des freins à la mobilité au regard du projet professionnel.",
    ),
    Phase(
        cle="accompagnement",
        libelle="Accompagnement mobilité",
        entretiens_individuels_min=1,
        livrables=("bilan_parcours_mobilite",),
        regles=("PMA-04",),
        description="Actions pour lever les freins à la mobilité identifiés.",
    ),
)

V2022 = RegleDispositif(
    cle=CLE,
    version="2022",
    nom="Plateforme mobilité départementale",
    source=SOURCE,
    valable_du=date(2022, 1, 1),
    valable_au=None,
    phases=PHASES,
    phases_ordonnees=True,
    duree_max_jours=None,
    duree_fixee_par_marche=True,
    # The marché's duration; no rule id in SPEC: the key stands for it.
    regle_terme="PMA",
    criteres_eligibilite=(
        # PMA-01: "jeunes de moins de 26 ans accompagnés par une mission locale".
        PublicsEligibles(
            regle="PMA-01",
            statuts=("rsa", "jeune_mission_locale", "demandeur_emploi", "salarie_chantier_insertion"),
            age_max_par_statut=(("jeune_mission_locale", 26),),
        ),
        # PMA-02
        PrerequisProjet(regle="PMA-02"),
        # PMA-03
        NiveauFrancaisMinimum(regle="PMA-03", minimum="A2", reorientation_si_insuffisant="fle"),
    ),
    reorientations=tuple(REORIENTATIONS),
    # PMA-04
    exclusion=RegleExclusion(consultation=("referent", "financeur"), au_moins_un=True, regle="PMA-04"),
    echeancier=None,
)

VERSIONS = (V2022,)
