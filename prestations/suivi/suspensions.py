"""Suspensions (MOV-07, MOV-09) and périodes en entreprise (MOV-12): the time the MOV-10 gap does not count."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

from commun.exceptions import ActionNonPrevue, ActionRefusee
from prestations.journal import journaliser
from prestations.models import Etat, PeriodeEnEntreprise, Prestation, Suspension, TypeEvenement
from prestations.suivi.gardes import creer, verifier_acteur_prestataire
from prestations.verrou import verrouiller


def verifier_suspension(acteur, prestation: Prestation, le=None) -> None:
    """MOV-09 is a rule of the rule set, not of every dispositif; a suspension is declared
    (or shortened) on a case in progress only."""
    verifier_acteur_prestataire(acteur, prestation)
    if prestation.regle.suspension is None:
        raise ActionNonPrevue(f"Le dispositif {prestation.regle.cle} ne prévoit pas de suspension.", "MOV-09")
    if prestation.etat != Etat.EN_COURS:
        raise ActionRefusee("Une suspension se déclare sur une prestation en cours.", "MOV-09")


def declarer_suspension(acteur, prestation, *, motif, debut, fin, commentaire=""):
    """MOV-09: illness up to 14 consecutive days, leave up to 35 days in total; the end
    date of the prestation does not move (MOV-07)."""
    verifier_acteur_prestataire(acteur, prestation)
    with verrouiller(prestation) as p:
        verifier_suspension(acteur, p)
        suspension = creer(
            Suspension, prestation=p, motif=motif, debut=debut, fin=fin, commentaire=commentaire, auteur=acteur.user
        )
        journaliser(
            TypeEvenement.SUSPENSION,
            acteur=acteur,
            ldc=p.lettre_de_commande,
            message=f"Suspension ({suspension.get_motif_display().lower()}) du {debut:%d/%m/%Y} au {fin:%d/%m/%Y}, "
            f"{ngettext('%(n)d jour', '%(n)d jours', suspension.jours) % {'n': suspension.jours}}, "
            "sans report de la date de fin (MOV-09).",
        )
    return suspension


def mettre_fin_suspension(acteur, suspension: Suspension, fin: datetime.date):
    """End a suspension earlier than declared; the prestation resumes for the remaining time."""
    # The case as it is now, not the copy cached on the suspension (it may predate a phase change).
    prestation = Prestation.objects.get(pk=suspension.prestation_id)
    verifier_acteur_prestataire(acteur, prestation)
    with verrouiller(prestation) as p:
        verifier_suspension(acteur, p)  # a closed case is not edited any more
        suspension = p.suspensions.get(pk=suspension.pk)
        if fin < suspension.debut or fin >= suspension.fin:
            raise ValidationError(
                {
                    "fin": f"La nouvelle fin doit être entre le {suspension.debut:%d/%m/%Y} "
                    f"et le {suspension.fin:%d/%m/%Y}."
                }
            )
        suspension.fin = fin
        suspension.full_clean()
        suspension.save()
        journaliser(
            TypeEvenement.FIN_SUSPENSION,
            acteur=acteur,
            ldc=p.lettre_de_commande,
            message=f"Fin de la suspension avancée au {fin:%d/%m/%Y} : la prestation reprend pour le temps restant.",
        )
    return suspension


def verifier_periode_entreprise(acteur, prestation: Prestation, le=None) -> None:
    """MOV-12 is a rule of the rule set: a période en entreprise takes place on a case in
    progress, before the end of the phase the rule names."""
    verifier_acteur_prestataire(acteur, prestation)
    regle = prestation.regle.periode_entreprise
    if regle is None:
        raise ActionNonPrevue(
            f"Le dispositif {prestation.regle.cle} ne prévoit pas de période en entreprise.", "MOV-12"
        )
    if prestation.etat != Etat.EN_COURS:
        raise ActionRefusee("Une période en entreprise s'enregistre sur une prestation en cours.", "MOV-12")
    cles = list(prestation.regle.cles_phases)
    limite = regle.avant_fin_de_phase
    if limite in cles and prestation.phase in cles and cles.index(prestation.phase) > cles.index(limite):
        raise ActionRefusee(
            f"La période en entreprise a lieu avant la fin de « {prestation.regle.phase(limite).libelle} » "
            f"({regle.regle}).",
            regle.regle,
        )


def enregistrer_periode_entreprise(acteur, prestation, **champs):
    """MOV-12: a période en entreprise of 1 to 6 weeks (the model checks its length)."""
    verifier_acteur_prestataire(acteur, prestation)
    with verrouiller(prestation) as p:
        verifier_periode_entreprise(acteur, p)
        periode = creer(PeriodeEnEntreprise, prestation=p, auteur=acteur.user, **champs)
        journaliser(
            TypeEvenement.PERIODE_ENTREPRISE,
            acteur=acteur,
            ldc=p.lettre_de_commande,
            message=f"Période en entreprise chez {periode.entreprise} du {periode.debut:%d/%m/%Y} au "
            f"{periode.fin:%d/%m/%Y} (tuteur : {periode.tuteur}) (MOV-12).",
        )
    return periode
