"""MOV – Mobilisation vers l'emploi (seed 004, Pôle emploi, août 2010).

Rules declared here: MOV-03, MOV-05, MOV-06, MOV-07, MOV-08, MOV-09, MOV-10, MOV-11,
MOV-12, MOV-13, LIV-01, LIV-02, LIV-03, PAY-01..PAY-04.

Choices where the seed and SPEC are silent:

* Phases: the seed has two phases (diagnostic, parcours) framed by the
  contractualisation entretien and the suivi dans l'emploi; the four are declared
  in that order. The suivi dans l'emploi is not mandatory: it only follows a
  positive outcome (MOV-13) and may start before the term (early job).
* The seed asks for "un bilan correspondant à chacune des deux phases": the bilan
  intermédiaire (LIV-01) closes phase 1, the bilan final (LIV-02) closes phase 2.
* PAY-02 is paid "à l'issue du sixième mois", i.e. at the term of the 180-day
  prestation (declencheur FIN_PRESTATION), not on the calendar day 6 months later.
* PAY-03's proofs read "contrat de travail + (bulletin de salaire du mois
  considéré ou certificat de présence)" for a job; "justificatif de création ou
  reprise + justificatif d'existence à la date considérée" for a business.
* MOV-08 "au terme": the renewal is decided in the last 30 days before the end date,
  end date included; the prescripteur is asked on the first of them.
* Warnings nobody sets a day for: 3 days before a deliverable's deadline (LIV-01,
  LIV-02); 2 days before a follow-up window closes, never before it opens (MOV-13).

Every number of the rules above is written once, below; the rule parts
(``delais.py``, ``parcours.py``) turn them into dates.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .delais import Delai, EcartEntretiens, EcheanceLivrable, Reference, Renouvellement, SuiviEmploi
from .paiement import Declencheur, Jalon, preuve
from .parcours import CadenceEntretiens, LimiteSuspension, Phase, RegleEntreprise, RegleSuspension
from .regle_dispositif import RegleDispositif

CLE = "MOV"
SOURCE = "seeds/004_b976a0778df58c82.txt"

PHASES = (
    Phase(
        cle="contractualisation",
        libelle="Contractualisation",
        close_par_la_signature=True,
        entretiens_individuels_min=1,
        livrables=("contrat_accompagnement",),
        regles=("MOV-03", "MOV-05", "MOV-06"),
        description=(
            "Entretien de contractualisation dans les 7 jours calendaires suivant la date de début : "
            "signature du contrat d'accompagnement par le bénéficiaire et le référent."
        ),
    ),
    Phase(
        cle="phase_1",
        libelle="Phase 1 – Identification et analyse des difficultés (diagnostic)",
        entretiens_individuels_min=1,
        livrables=("bilan_intermediaire",),
        regles=("MOV-11", "LIV-01"),
        description="Diagnostic complémentaire au PPAE : atouts, faiblesses, existence d'un projet professionnel.",
    ),
    Phase(
        cle="phase_2",
        libelle="Phase 2 – Construction et mise en œuvre du parcours",
        entretiens_individuels_min=1,
        livrables=("bilan_final",),
        regles=("MOV-11", "MOV-12", "LIV-02"),
        description=(
            "Étape 1 : solutions aux difficultés sociales et personnelles ; étape 2 : cibles professionnelles "
            "et période en entreprise ; étape 3 : accompagnement vers l'emploi."
        ),
    ),
    Phase(
        cle="suivi_emploi",
        libelle="Suivi dans l'emploi ou la formation",
        obligatoire=False,
        regles=("MOV-13",),
        description="Après une issue positive, pendant 3 mois : un entretien la première semaine puis un par mois.",
    ),
)

ECHEANCIER = (
    Jalon(
        cle="entree",
        libelle="Entrée en prestation (30 %)",
        pourcentage_cumule=Decimal("30"),
        regle="PAY-01",
        preuves=(
            preuve("lettre_de_commande"),
            preuve("contrat_accompagnement"),
            preuve("bilan_intermediaire"),
            preuve("emargement_bilan_intermediaire"),
        ),
        declencheur=Declencheur.PIECES,
    ),
    Jalon(
        cle="fin",
        libelle="Fin de prestation (60 %, 90 % cumulés)",
        pourcentage_cumule=Decimal("90"),
        regle="PAY-02",
        preuves=(preuve("bilan_final"), preuve("emargement_bilan_final")),
        declencheur=Declencheur.FIN_PRESTATION,
    ),
    Jalon(
        cle="maintien_emploi",
        libelle="Maintien dans l'emploi à 3 mois (10 %, 100 % cumulés)",
        pourcentage_cumule=Decimal("100"),
        regle="PAY-03",
        preuves=(
            preuve("contrat_travail", sorties=("emploi",)),
            preuve("bulletin_salaire", "certificat_presence_emploi", sorties=("emploi",)),
            preuve("preuve_creation_entreprise", sorties=("entreprise",)),
            preuve("preuve_existence_entreprise", sorties=("entreprise",)),
        ),
        declencheur=Declencheur.MAINTIEN_EMPLOI,
        types_sortie=("emploi", "entreprise"),
        delai_mois=3,
    ),
    Jalon(
        cle="sortie_anticipee",
        libelle="Sortie positive avant le terme (90 % cumulés)",
        pourcentage_cumule=Decimal("90"),
        regle="PAY-04",
        preuves=(
            preuve("contrat_travail", "promesse_embauche", sorties=("emploi",)),
            preuve("preuve_creation_entreprise", sorties=("entreprise",)),
            preuve("attestation_entree_formation", sorties=("formation",)),
        ),
        declencheur=Declencheur.SORTIE_POSITIVE_ANTICIPEE,
        types_sortie=("emploi", "entreprise", "formation"),
    ),
)

V2010_08 = RegleDispositif(
    cle=CLE,
    version="2010-08",
    nom="Mobilisation vers l'emploi",
    source=SOURCE,
    valable_du=date(2010, 8, 1),
    valable_au=None,
    phases=PHASES,
    phases_ordonnees=True,
    # MOV-07: 180 calendar days, never postponed; the prestation ends at term under MOV-07.
    duree_max_jours=180,
    regle_terme="MOV-07",
    # MOV-08: renewable once, for 6 months, by the prescripteur, in the last 30 days.
    renouvellement=Renouvellement(nombre_max=1, duree_mois=6, jours_avant_terme=30, regle="MOV-08"),
    # MOV-09 (and MOV-07: no postponement of the end date).
    suspension=RegleSuspension(
        limites=(
            LimiteSuspension(motif="maladie", libelle="Maladie", max_jours=14, cumulee=False),
            LimiteSuspension(motif="conges", libelle="Congés", max_jours=35, cumulee=True),
        ),
        reporte_date_fin=False,
        regle="MOV-09",
    ),
    # MOV-03
    delai_contractualisation=Delai(jours=7, alertes_jours=(5,), regle="MOV-03"),
    # MOV-05 / MOV-06
    delai_copie_contrat_heures=48,
    delai_information_refus_heures=48,
    # LIV-03
    delai_information_interruption_heures=48,
    # MOV-10
    ecart_entretiens=EcartEntretiens(max_jours=14, alertes_jours=(10, 13), regle="MOV-10"),
    # MOV-11
    cadence_entretiens=CadenceEntretiens(
        phases=("phase_1", "phase_2"), periode_jours=7, nombre_min=1, duree_min_minutes=30, regle="MOV-11"
    ),
    # MOV-12
    periode_entreprise=RegleEntreprise(
        nombre_min=1, duree_min_jours=7, duree_max_jours=42, avant_fin_de_phase="phase_2", regle="MOV-12"
    ),
    # MOV-13 (warning 2 days before a window closes)
    suivi_emploi=SuiviEmploi(
        duree_mois=3,
        premier_entretien_jours=7,
        entretiens_par_mois=1,
        modalites=("telephone", "presentiel"),
        sorties=("emploi", "formation"),
        regle="MOV-13",
        phase="suivi_emploi",
        alerte_jours_avant_fin_fenetre=2,
    ),
    echeances_livrables=(
        # LIV-01: end of month 2, with the feuille d'émargement; warning 3 days before.
        EcheanceLivrable(
            livrable="bilan_intermediaire",
            reference=Reference.DEBUT,
            mois=2,
            regle="LIV-01",
            emargement="emargement_bilan_intermediaire",
            alerte_jours_avant=3,
        ),
        # LIV-02: within 7 calendar days after the end, with the feuille d'émargement;
        # warning 3 days before.
        EcheanceLivrable(
            livrable="bilan_final",
            reference=Reference.FIN,
            jours=7,
            regle="LIV-02",
            emargement="emargement_bilan_final",
            alerte_jours_avant=3,
        ),
    ),
    echeancier=ECHEANCIER,
)

VERSIONS = (V2010_08,)
