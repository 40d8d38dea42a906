"""The actions of the parcours: the BAM carnet de suivi (BAM-03) and the CEP plan d'action (CEP-02)."""

from __future__ import annotations

from commun.exceptions import ActionRefusee
from prestations.journal import journaliser
from prestations.models import ActionParcours, Etat, Prestation, TypeEvenement
from prestations.suivi.gardes import creer, verifier_acteur_prestataire
from prestations.verrou import verrouiller


def verifier_action_parcours(acteur, prestation: Prestation, le=None) -> None:
    """BAM-03 / CEP-02: the carnet de suivi and the plan d'action are kept once the contract is
    signed and until the case is closed (not before the contractualisation, not after the end)."""
    verifier_acteur_prestataire(acteur, prestation)
    if prestation.etat not in (Etat.EN_COURS, Etat.SUIVI_EMPLOI):
        raise ActionRefusee("Les actions du parcours se saisissent sur une prestation en cours.")


def ajouter_action(acteur, prestation, **champs):
    """An action of the parcours (a paid service is recorded with its cost and aids, BAM-03)."""
    verifier_acteur_prestataire(acteur, prestation)
    with verrouiller(prestation) as p:
        verifier_action_parcours(acteur, p)
        action = creer(ActionParcours, prestation=p, auteur=acteur.user, **champs)
        journaliser(
            TypeEvenement.ACTION_PARCOURS,
            acteur=acteur,
            ldc=p.lettre_de_commande,
            message=f"Action ajoutée au parcours : {action.get_nature_display()} — {action.libelle}"
            + (f" ({action.cout} €)" if action.cout is not None else ""),
        )
    return action


def modifier_action(acteur, action: ActionParcours, **champs):
    """Update an action of the parcours (dates, status, cost...)."""
    # The case as it is now, not the copy cached on the action (it may predate a phase change).
    prestation = Prestation.objects.get(pk=action.prestation_id)
    verifier_acteur_prestataire(acteur, prestation)
    with verrouiller(prestation) as p:
        verifier_action_parcours(acteur, p)
        action = p.actions.get(pk=action.pk)
        for nom, valeur in champs.items():
            setattr(action, nom, valeur)
        action.full_clean()
        action.save()
        journaliser(
            TypeEvenement.ACTION_PARCOURS,
            acteur=acteur,
            ldc=p.lettre_de_commande,
            message=f"Action du parcours mise à jour : {action.libelle} — {action.get_statut_display().lower()}.",
        )
    return action
