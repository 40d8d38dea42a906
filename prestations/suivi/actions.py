"""What an acteur may do on a case now, and why not: ``actions_possibles``.

Built from the very guards the actions call (``verifier_…`` of each module): an action
the guard lets through is possible; one it refuses with a rule (``ActionRefusee``) is
listed with the reason and the rule id, so the page says why beside it (a phase that
needs one more entretien, a renewal window not open yet); one the role may never do
(``PermissionDenied``) or the case's rule set does not have (``ActionNonPrevue``) is
left out. The case page (``views``) and ``GET /api/prestations/{id}/actions/`` read it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from commun.exceptions import ActionNonPrevue, ActionRefusee
from prestations.models import Etat, Prestation
from prestations.suivi import contractualisation, entretiens, fins, parcours, renouvellement, suspensions


@dataclass(frozen=True)
class ActionPossible:
    cle: str
    libelle: str
    permise: bool
    raison: str = ""
    regle: str = ""


@dataclass(frozen=True)
class _Action:
    cle: str
    libelle: str
    garde: Callable
    #: The states of the case in which the action belongs; a refusal in another state is
    #: not worth saying (an entretien on a closed case).
    etats: tuple[str, ...]


EN_COURS = (Etat.EN_COURS,)

ACTIONS = (
    _Action(
        "contractualisation",
        "Enregistrer la contractualisation",
        contractualisation.verifier_contractualisation,
        (Etat.ATTENTE_REFERENT, Etat.A_CONTRACTUALISER),
    ),
    _Action("entretien", "Enregistrer un entretien", entretiens.verifier_entretien, (Etat.EN_COURS, Etat.SUIVI_EMPLOI)),
    _Action("phase", "Passer à la phase suivante", entretiens.verifier_passage_de_phase, EN_COURS),
    _Action("fin_anticipee", "Terminer après cette phase", fins.verifier_fin_apres_phase, EN_COURS),
    _Action("suspension", "Déclarer une suspension", suspensions.verifier_suspension, EN_COURS),
    _Action("periode", "Enregistrer une période en entreprise", suspensions.verifier_periode_entreprise, EN_COURS),
    _Action("sortie", "Enregistrer la sortie", fins.verifier_sortie, EN_COURS),
    _Action(
        "interruption", "Interrompre la prestation", fins.verifier_interruption, (Etat.A_CONTRACTUALISER, *EN_COURS)
    ),
    _Action("cloture", "Clore le suivi dans l'emploi", fins.verifier_cloture_du_suivi, (Etat.SUIVI_EMPLOI,)),
    _Action("renouvellement", "Renouveler la prestation", renouvellement.verifier_renouvellement, EN_COURS),
    _Action(
        "action",
        "Ajouter une action au parcours",
        parcours.verifier_action_parcours,
        (Etat.EN_COURS, Etat.SUIVI_EMPLOI),
    ),
)


def actions_possibles(acteur, prestation: Prestation, le: datetime.date | None = None) -> list[ActionPossible]:
    """The actions of the case for this acteur on ``le`` (today by default), in page order."""
    resultat = []
    for action in ACTIONS:
        try:
            action.garde(acteur, prestation, le)
        except (PermissionDenied, ActionNonPrevue):
            continue
        except ActionRefusee as refus:
            if prestation.etat in action.etats:
                resultat.append(ActionPossible(action.cle, action.libelle, False, refus.message, refus.regle))
            continue
        resultat.append(ActionPossible(action.cle, action.libelle, True))
    return resultat
