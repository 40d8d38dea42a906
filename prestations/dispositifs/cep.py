"""CEP – Conseil en évolution professionnelle (seed 003, arrêté du 29 mars 2019).

Rules declared here: CEP-01, CEP-02, LIV-04 (CEP part).

Choices where the seed and SPEC are silent:

* Version "2019-03", in force from the date of the arrêté (29 March 2019).
* No maximum duration, hence no end date (no ``regle_terme``), no renewal, no
  suspension (nothing to protect: there is no term and no entretien gap limit).
* CEP-01: the two levels are not necessarily consecutive and each may be delivered
  alone: ``phases_ordonnees=False`` and neither level is mandatory by itself (the
  workflow requires at least one).
* CEP-02 / LIV-04: niveau 2 produces the plan d'action, delivered inside the
  document de synthèse (its required deliverable); niveau 1 may produce the
  optional fiche de premier niveau.
* Payment schedule: from the marché.
"""

from __future__ import annotations

from datetime import date

from .parcours import Phase
from .regle_dispositif import RegleDispositif

CLE = "CEP"
SOURCE = "seeds/003_96c302839eb791b1.txt"

PHASES = (
    Phase(
        cle="niveau_1",
        libelle="Niveau 1 – Accueil individualisé",
        entretiens_individuels_min=1,
        livrables_optionnels=("fiche_niveau_1",),
        obligatoire=False,
        regles=("CEP-01", "LIV-04"),
        description="Expression de la demande, premier niveau d'information, identification des acteurs.",
    ),
    Phase(
        cle="niveau_2",
        libelle="Niveau 2 – Accompagnement personnalisé",
        entretiens_individuels_min=1,
        livrables=("document_synthese",),
        obligatoire=False,
        regles=("CEP-01", "CEP-02", "LIV-04"),
        description=(
            "Clarification du besoin et plan d'action : étapes, objectifs intermédiaires, actions, dispositifs "
            "à mobiliser, démarches personnelles, plan de financement, calendrier prévisionnel."
        ),
    ),
)

V2019_03 = RegleDispositif(
    cle=CLE,
    version="2019-03",
    nom="Conseil en évolution professionnelle",
    source=SOURCE,
    valable_du=date(2019, 3, 29),
    valable_au=None,
    phases=PHASES,
    # CEP-01
    phases_ordonnees=False,
    duree_max_jours=None,
    echeancier=None,
)

VERSIONS = (V2019_03,)
