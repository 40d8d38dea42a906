"""The renewal at term (MOV-08), decided by the prescripteur, never by the référent."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

from commun.exceptions import ActionNonPrevue, ActionRefusee
from comptes.notifications import notifier
from prestations.avis import cle_du_dossier, lien, nom_beneficiaire
from prestations.journal import journaliser
from prestations.models import Etat, Prestation, Renouvellement, TypeEvenement
from prestations.suivi.gardes import aujourd_hui, verifier_prescripteur
from prestations.verrou import verrouiller


def verifier_renouvellement(acteur, prestation: Prestation, le=None) -> None:
    """MOV-08: the prescripteur renews a case in progress, in the window before its end
    date the rule set gives (``Renouvellement.fenetre``), as many times as it allows."""
    verifier_prescripteur(acteur, prestation, "Seul le prescripteur décide du renouvellement (MOV-08).")
    regle = prestation.regle.renouvellement
    if regle is None:
        raise ActionNonPrevue(f"Le dispositif {prestation.regle.cle} ne prévoit pas de renouvellement.", "MOV-08")
    if prestation.etat != Etat.EN_COURS:
        raise ActionRefusee("Seule une prestation en cours peut être renouvelée.", regle.regle)
    if prestation.nombre_renouvellements >= regle.nombre_max:
        fois = ngettext("%(n)d fois", "%(n)d fois", regle.nombre_max) % {"n": regle.nombre_max}
        raise ActionNonPrevue(
            f"La prestation a déjà été renouvelée : le dispositif le permet {fois} ({regle.regle}).", regle.regle
        )
    debut, fin = regle.fenetre(prestation.date_fin)
    if not debut <= aujourd_hui(le) <= fin:
        raise ActionRefusee(
            f"Le renouvellement se décide au terme : du {debut:%d/%m/%Y} au {fin:%d/%m/%Y} "
            f"({regle.jours_avant_terme} derniers jours de la prestation).",
            regle.regle,
        )


def renouveler(acteur, prestation, *, motif, le=None):
    """MOV-08: at term, the prescripteur renews once, for the months of the rule set; the
    référent is told."""
    verifier_prescripteur(acteur, prestation, "Seul le prescripteur décide du renouvellement (MOV-08).")
    if not (motif or "").strip():
        raise ValidationError({"motif": "Motivez le renouvellement."})
    with verrouiller(prestation) as p:
        verifier_renouvellement(acteur, p, le)
        regle = p.regle
        try:
            nouvelle = regle.date_fin_renouvellement(p.date_fin, p.nombre_renouvellements)
        except ValueError as exc:
            raise ActionRefusee(str(exc), "MOV-08") from None
        ancienne = p.date_fin
        p.renouveler(nouvelle)
        Renouvellement.objects.create(
            prestation=p,
            ancienne_date_fin=ancienne,
            nouvelle_date_fin=nouvelle,
            motif=motif.strip(),
            decide_par=acteur.user,
        )
        duree = regle.renouvellement.duree_mois
        journaliser(
            TypeEvenement.RENOUVELLEMENT,
            acteur=acteur,
            ldc=p.lettre_de_commande,
            message=f"Renouvelée pour {duree} mois : fin reportée du {ancienne:%d/%m/%Y} au {nouvelle:%d/%m/%Y} "
            "(MOV-08).",
        )
        if p.referent:
            notifier(
                [p.referent],
                cle=cle_du_dossier(p, f"renouvellement:{p.nombre_renouvellements}"),
                organisation=p.lettre_de_commande.marche.prestataire,
                sujet=f"Prestation renouvelée — {p.lettre_de_commande.numero}",
                corps=f"Le prescripteur a renouvelé la prestation de {nom_beneficiaire(p)} "
                f"jusqu'au {nouvelle:%d/%m/%Y}.",
                lien=lien(p),
            )
    return p
