"""BAM – Bilan / Accompagnement Mobilité (seed 000, fiche Cap Métiers F 1.13, août 2021).

Rules declared here: BAM-01, BAM-02, BAM-03, BAM-04.

Choices where the seed and SPEC are silent:

* Version "2021-08" (date of the fiche).
* "90 jours maximum": read as 90 calendar days (inclusive end date), as SPEC §2.
  SPEC numbers no rule for this duration (BAM-01..BAM-04 are about the public, the
  phases and the reports), so the end at term is recorded under the dispositif's
  key: ``regle_terme="BAM"``.
* The seed's lists (public, objectives, minimum content of the rapport de
  positionnement initial) are truncated; the rapport sections in
  ``vocabulaire.RUBRIQUES_LIVRABLES`` are a provider's usual ones.
* BAM-03: the carnet de suivi lists every action of the parcours mobilité (a paid
  service is written there with its cost and the aids that may cover it); it is a
  required deliverable of that phase. Group actions (micro-collectif) take at most
  6 participants.
* BAM-01: the dispositif flags QPV and rural residents for particular attention;
  whether a bénéficiaire lives there is known by the bénéficiaire record.
* No suspension, no renewal, no entretien gap limit; payment schedule from the marché.
"""

from __future__ import annotations

from datetime import date

from .parcours import Phase
from .regle_dispositif import RegleDispositif

CLE = "BAM"
SOURCE = "seeds/000_041b7a3fd51d803e.txt"

#: BAM-02: reasons for ending the prestation right after the bilan initial.
MOTIFS_FIN_APRES_BILAN_INITIAL = (
    ("absence_frein_mobilite", "Le diagnostic ne révèle pas de frein à la mobilité"),
    (
        "permis_b_ecole_classique",
        "Besoin du seul permis B en établissement classique (aide au permis, AIF, CPF)",
    ),
)

PHASES = (
    Phase(
        cle="bilan_initial",
        libelle="Bilan initial",
        entretiens_individuels_min=1,
        livrables=("rapport_positionnement_initial",),
        motifs_fin_anticipee=MOTIFS_FIN_APRES_BILAN_INITIAL,
        regles=("BAM-02",),
        description=(
            "Bilan individuel mené par le référent mobilité, conclu par le rapport de positionnement initial."
        ),
    ),
    Phase(
        cle="parcours_mobilite",
        libelle="Parcours mobilité",
        entretiens_individuels_min=2,
        livrables=("carnet_de_suivi",),
        taille_max_collectif=6,
        regles=("BAM-03",),
        description="Au moins deux entretiens individuels ; actions en micro-collectif de 6 personnes au plus.",
    ),
    Phase(
        cle="bilan_final",
        libelle="Bilan final",
        entretiens_individuels_min=1,
        livrables=("rapport_positionnement_final",),
        regles=("BAM-04",),
        description="Entretien individuel conclu par le rapport de positionnement final.",
    ),
)

V2021_08 = RegleDispositif(
    cle=CLE,
    version="2021-08",
    nom="Bilan / Accompagnement Mobilité",
    source=SOURCE,
    valable_du=date(2021, 8, 1),
    valable_au=None,
    phases=PHASES,
    phases_ordonnees=True,
    # 90 calendar days; no rule id in SPEC: the key stands for it.
    duree_max_jours=90,
    regle_terme="BAM",
    # BAM-01
    signale_qpv_rural=True,
    echeancier=None,
)

VERSIONS = (V2021_08,)
