"""Vocabulary shared by every dispositif: the keys stored in the database and their
French labels.

What lives here (grep a rule id to land on its line):

* :data:`STATUTS`: the bénéficiaire's situation at prescription (PMA-01);
* :data:`NIVEAUX_FRANCAIS`, :data:`CHOIX_NIVEAUX_FRANCAIS`: CECRL levels (PMA-03);
* :data:`SORTIES_POSITIVES`: positive outcome kinds (SOR-01, SOR-02, SOR-03), read by
  PAY-03, PAY-04 and MOV-13;
* :data:`LIVRABLES`, :data:`RUBRIQUES_LIVRABLES`: deliverables and the sections of
  their PDF (LIV-01..LIV-05, MOV-05, BCA-02, BAM-02..BAM-04, CEP-02);
* :data:`PIECES_JUSTIFICATIVES`, :func:`libelle_piece`: proofs of the payment
  milestones (PAY-01..PAY-05);
* :class:`DispositifInconnu`: the registry's error.

No import from the rest of the package: every other module may import this one.
"""

from __future__ import annotations

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


#: A form choice: (stored value, French label).
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
