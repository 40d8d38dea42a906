"""BCA – Bilan de compétences approfondi (seed 002, note ANPE n° 2001-238 du 3 août 2001).

Rules declared here: BCA-01 (warning only), BCA-02.

Choices where the seed and SPEC are silent:

* Version "2001-07": the programme d'action personnalisé (PAP-ND) that created the
  BCA is in force since 1 July 2001.
* "Six semaines au maximum" = 42 calendar days (inclusive end date); the
  prestation ends at term under BCA-02 (``regle_terme``).
* Deliverable: the seed's last phase is the "formalisation d'un projet
  professionnel et d'un parcours de retour à l'emploi"; a provider hands it over as
  a written synthesis, ``synthese_bilan_competences``, due at the end of that phase.
  The contractualisation ends with a contrat d'accompagnement signed by the bénéficiaire
  and the référent (the individualised content of the bilan, its calendar and the
  commitments of each side), as for MOV (issue 14); unlike MOV, no rule sets a
  deadline for sending its copy to the prescripteur.
* No suspension (the bilan is intensive, 6 weeks), no renewal, no entretien gap
  limit: the seed provides none. Payment schedule: from the marché.
* BCA-01 never blocks a prescription: below 6 months of registration the
  prescripteur is warned; co-traitants (APEC, missions locales) may prescribe.
"""

from __future__ import annotations

from datetime import date

from .eligibilite import AncienneteInscriptionConseillee
from .parcours import Phase
from .regle_dispositif import RegleDispositif

CLE = "BCA"
SOURCE = "seeds/002_dc71f11992357326.txt"

PHASES = (
    Phase(
        cle="contractualisation",
        libelle="Contractualisation de l'accompagnement",
        close_par_la_signature=True,
        entretiens_individuels_min=1,
        livrables=("contrat_accompagnement",),
        regles=("BCA-02",),
        description="Analyse de la situation et élaboration du contenu individualisé de la prestation.",
    ),
    Phase(
        cle="investigation",
        libelle="Investigation du potentiel",
        entretiens_individuels_min=1,
        regles=("BCA-02",),
        description="Atouts, freins à surmonter, nouvelles pistes professionnelles.",
    ),
    Phase(
        cle="confrontation",
        libelle="Confrontation au marché du travail",
        entretiens_individuels_min=1,
        regles=("BCA-02",),
        description="Confrontation des pistes professionnelles au marché du travail.",
    ),
    Phase(
        cle="formalisation",
        libelle="Formalisation du projet",
        entretiens_individuels_min=1,
        livrables=("synthese_bilan_competences",),
        regles=("BCA-02",),
        description="Formalisation d'un projet professionnel et d'un parcours de retour à l'emploi.",
    ),
)

V2001_07 = RegleDispositif(
    cle=CLE,
    version="2001-07",
    nom="Bilan de compétences approfondi",
    source=SOURCE,
    valable_du=date(2001, 7, 1),
    valable_au=None,
    phases=PHASES,
    # BCA-02: four phases in this order, at most 6 weeks (about 20 hours).
    phases_ordonnees=True,
    duree_max_jours=42,
    regle_terme="BCA-02",
    duree_indicative_heures=20,
    # BCA-01
    criteres_eligibilite=(AncienneteInscriptionConseillee(regle="BCA-01", mois_min=6),),
    echeancier=None,
)

VERSIONS = (V2001_07,)
