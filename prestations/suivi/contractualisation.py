"""Contractualisation (MOV-03, MOV-05, MOV-06): the first entretien and the contrat d'accompagnement."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from commun.exceptions import ActionRefusee
from prestations.avis import nom_beneficiaire, notifier_prescripteur
from prestations.journal import journaliser
from prestations.models import Entretien, Etat, Prestation, Sortie, TypeEntretien, TypeEvenement
from prestations.sorties import TypeSortie
from prestations.suivi.gardes import creer, verifier_acteur_prestataire
from prestations.verrou import verrouiller


def verifier_contractualisation(acteur, prestation: Prestation, le=None) -> None:
    """Who may record the contractualisation, and when (MOV-05)."""
    verifier_acteur_prestataire(acteur, prestation)
    if prestation.etat == Etat.ATTENTE_REFERENT:
        raise ActionRefusee("Un responsable doit d'abord désigner le référent.", "MOV-04")
    if prestation.etat != Etat.A_CONTRACTUALISER:
        raise ActionRefusee("La contractualisation est déjà enregistrée.", "MOV-05")


def contractualiser(
    acteur, prestation, *, debut, duree_minutes, modalite, signe: bool, compte_rendu="", phase=None, le=None
):
    """Record the contractualisation entretien and the contrat d'accompagnement.

    Signed (MOV-05): the prestation starts in the first working phase and the
    prescripteur is told; the copy of the signed contrat d'accompagnement must reach them
    within 48 hours of this notice (``livrables``: its transmission meets the deadline).
    Not signed (MOV-06): the prescripteur is informed and the prestation ends as *refusée*.
    The 7-day delay (MOV-03) is not a block: a late contractualisation is recorded and shown as such.

    ``phase``: for a rule set whose phases are not ordered (CEP-01: niveau 1 and niveau 2
    can each be delivered alone), the phase the accompaniment opens with; ignored otherwise.
    """
    verifier_acteur_prestataire(acteur, prestation)
    regle = prestation.regle
    premiere = regle.phases[0].cle
    if phase and not regle.phases_ordonnees:
        if phase not in regle.cles_phases:
            raise ValidationError({"phase": "Choisissez une phase de ce dispositif."})
        premiere = phase
    with verrouiller(prestation) as p:
        verifier_contractualisation(acteur, p)
        jour = timezone.localtime(debut).date()
        p.contractualisee_le = jour  # lets the entretien validate against the case
        entretien = creer(
            Entretien,
            prestation=p,
            debut=debut,
            duree_minutes=duree_minutes,
            type=TypeEntretien.INDIVIDUEL,
            modalite=modalite,
            phase=premiere,
            compte_rendu=compte_rendu,
            auteur=acteur.user,
        )
        delai = regle.delai_contractualisation
        retard = delai is not None and delai.est_depasse(p.date_debut, jour)
        mention = (
            f" hors délai ({delai.regle} : au plus tard le {delai.date_limite(p.date_debut):%d/%m/%Y})"
            if retard
            else ""
        )
        if signe:
            suivante = regle.phase_suivante(premiere) if regle.phase(premiere).close_par_la_signature else None
            p.contractualiser(jour, (suivante.cle if suivante else premiere))
            journaliser(
                TypeEvenement.CONTRACTUALISATION,
                acteur=acteur,
                ldc=p.lettre_de_commande,
                message=f"Contrat d'accompagnement signé le {jour:%d/%m/%Y}{mention} (MOV-05).",
                entretien=entretien.pk,
                hors_delai=retard,
            )
            notifier_prescripteur(
                p,
                cle="contrat_signe",
                sujet="Contrat d'accompagnement signé",
                corps=f"Le contrat d'accompagnement de {nom_beneficiaire(p)} a été signé le {jour:%d/%m/%Y}{mention}. "
                "Sa copie signée vous sera transmise sous 48 heures (MOV-05).",
            )
        else:
            p.refuser(jour)
            creer(
                Sortie,
                prestation=p,
                type=TypeSortie.REFUS,
                date_sortie=jour,
                motif=compte_rendu,
                positive=False,
                regle="SOR-04",
                explication="Le bénéficiaire n'a pas signé le contrat d'accompagnement (MOV-06).",
                auteur=acteur.user,
            )
            journaliser(
                TypeEvenement.REFUS_CONTRAT,
                acteur=acteur,
                ldc=p.lettre_de_commande,
                message=f"Le bénéficiaire n'a pas signé le contrat le {jour:%d/%m/%Y} : prestation refusée (MOV-06).",
            )
            notifier_prescripteur(
                p,
                cle="contrat_refuse",
                sujet="Contrat d'accompagnement non signé",
                corps=f"{nom_beneficiaire(p)} n'a pas signé le contrat d'accompagnement le {jour:%d/%m/%Y}. "
                "La prestation prend fin comme refusée (MOV-06).",
            )
    return p
