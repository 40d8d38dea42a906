"""Marchés, lettres de commande, prestations, their follow-up and the case journal.

The workflow reads each dispositif's rule set (``prestations.dispositifs``); no
code here branches on a dispositif key (DESIGN principle 2).
"""

from prestations.models.commandes import LettreDeCommande, LettreDeCommandeQuerySet
from prestations.models.echeances import Balayage, Echeance, EtatEcheance, TypeEcheance
from prestations.models.journal import Evenement, Orientation, Reorientation, TypeEvenement
from prestations.models.marches import Marche, MarcheQuerySet, _choix_dispositifs  # noqa: F401 (migrations)
from prestations.models.prestation import ETATS_FINAUX, ETATS_OUVERTS, Etat, Prestation, PrestationQuerySet
from prestations.models.suivi import (
    ActionParcours,
    Entretien,
    Modalite,
    MotifSuspension,
    NatureAction,
    PeriodeEnEntreprise,
    Presence,
    Renouvellement,
    SessionCollective,
    Sortie,
    StatutAction,
    Suspension,
    TypeEntretien,
)

__all__ = [
    "Balayage",
    "Echeance",
    "EtatEcheance",
    "TypeEcheance",
    "ETATS_FINAUX",
    "ETATS_OUVERTS",
    "ActionParcours",
    "Entretien",
    "Modalite",
    "MotifSuspension",
    "NatureAction",
    "PeriodeEnEntreprise",
    "Presence",
    "Renouvellement",
    "SessionCollective",
    "Sortie",
    "StatutAction",
    "Suspension",
    "TypeEntretien",
    "Etat",
    "Evenement",
    "LettreDeCommande",
    "LettreDeCommandeQuerySet",
    "Marche",
    "MarcheQuerySet",
    "Orientation",
    "Prestation",
    "PrestationQuerySet",
    "Reorientation",
    "TypeEvenement",
]
