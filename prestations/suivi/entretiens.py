"""Entretiens, phases and group sessions (EMA-01, BCA-02, BAM-03, CEP-01)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext

from commun.exceptions import ActionNonPrevue, ActionRefusee
from prestations import faits
from prestations.journal import journaliser
from prestations.models import Entretien, Etat, Prestation, SessionCollective, TypeEntretien, TypeEvenement
from prestations.suivi import fins_automatiques
from prestations.suivi.gardes import ROLES_PRESTATAIRE, aujourd_hui, creer, verifier_acteur_prestataire
from prestations.verrou import verrouiller


def verifier_entretien(acteur, prestation: Prestation, le=None) -> None:
    """An entretien is logged on a case in progress or in its follow-up (EMA-01, MOV-13), or
    on a case its MOV-10 gap ended a few days ago: held in time, it undoes the end (SPEC §4)."""
    verifier_acteur_prestataire(acteur, prestation)
    if fins_automatiques.reprise_possible(prestation, aujourd_hui(le)):
        return
    if prestation.etat not in (Etat.EN_COURS, Etat.SUIVI_EMPLOI):
        raise ActionRefusee(
            f"On ne saisit pas d'entretien sur une prestation « {prestation.get_etat_display().lower()} »."
            + (" Enregistrez d'abord la contractualisation." if prestation.etat == Etat.A_CONTRACTUALISER else "")
        )


def enregistrer_entretien(
    acteur,
    prestation,
    *,
    debut,
    duree_minutes,
    type=TypeEntretien.INDIVIDUEL,
    modalite,
    presence,
    phase="",
    compte_rendu="",
    toujours_en_emploi=None,
    session=None,
):
    """Log an entretien that took place (EMA-01 attendance). Past or today, never future."""
    verifier_acteur_prestataire(acteur, prestation)
    with verrouiller(prestation) as p:
        verifier_entretien(acteur, p)
        if p.etat == Etat.INTERROMPUE:  # ended by its MOV-10 gap, within the grace period
            limite = fins_automatiques.dernier_jour_permis(p)
            if limite is None or timezone.localtime(debut).date() > limite:
                raise ValidationError(
                    {
                        "debut": f"La prestation a pris fin le {p.terminee_le:%d/%m/%Y} faute d'entretien "
                        f"({p.regle.ecart_entretiens.regle}) : seul un entretien tenu au plus tard le "
                        f"{limite:%d/%m/%Y} l'annule."
                        if limite
                        else "La prestation est interrompue."
                    }
                )
            fins_automatiques.annuler_interruption_pour_ecart(acteur, p, debut)
        phase = phase or p.phase
        atteintes = {ph.cle for ph in faits.progression_phases(p) if ph.atteinte}
        if phase not in atteintes:
            raise ValidationError({"phase": "Cette phase n'a pas encore commencé."})
        if p.etat == Etat.SUIVI_EMPLOI and toujours_en_emploi is None:
            raise ValidationError(
                {"toujours_en_emploi": "Indiquez si la personne est toujours en emploi ou en formation (MOV-13)."}
            )
        if p.etat == Etat.EN_COURS and toujours_en_emploi is not None:
            raise ValidationError({"toujours_en_emploi": "Ne concerne que le suivi dans l'emploi (MOV-13)."})
        entretien = creer(
            Entretien,
            prestation=p,
            debut=debut,
            duree_minutes=duree_minutes,
            type=type,
            modalite=modalite,
            presence=presence,
            phase=phase,
            compte_rendu=compte_rendu,
            toujours_en_emploi=toujours_en_emploi,
            session=session,
            auteur=acteur.user,
        )
        journaliser(
            TypeEvenement.ENTRETIEN,
            acteur=acteur,
            ldc=p.lettre_de_commande,
            message=f"Entretien {entretien.get_type_display().lower()} {entretien.get_modalite_display().lower()} "
            f"du {timezone.localtime(debut):%d/%m/%Y à %H:%M} ({duree_minutes} min) — "
            f"{entretien.get_presence_display().lower()}.",
            entretien=entretien.pk,
        )
    return entretien


def verifier_passage_de_phase(acteur, prestation: Prestation, le=None) -> None:
    """Ordered phases (BCA-02, BAM-03): the next one opens once the current one has its
    minimum of individual entretiens; CEP levels open in any order (CEP-01)."""
    verifier_acteur_prestataire(acteur, prestation)
    if prestation.etat != Etat.EN_COURS:
        raise ActionRefusee("Le changement de phase se fait sur une prestation en cours.")
    regle = prestation.regle
    if not regle.phases_ordonnees:
        return
    suivante = regle.phase_suivante(prestation.phase)
    if suivante is None or not suivante.obligatoire:
        raise ActionNonPrevue("C'est la dernière phase : enregistrez la sortie pour terminer la prestation.")
    courante = next(ph for ph in faits.progression_phases(prestation) if ph.cle == prestation.phase)
    if not courante.complete:
        regles = ", ".join(regle.phase(prestation.phase).regles)
        exige = ngettext("%(n)d entretien individuel", "%(n)d entretiens individuels", courante.minimum) % {
            "n": courante.minimum
        }
        tenus = ngettext("%(n)d tenu", "%(n)d tenus", courante.entretiens) % {"n": courante.entretiens}
        raise ActionRefusee(
            f"La phase « {courante.libelle} » demande au moins {exige} avec le référent ({tenus}) "
            f"avant de passer à la suivante ({regles or regle.cle}).",
            regles,
        )


def passer_phase(acteur, prestation, cible: str | None = None):
    """Move to the next phase when the rule set allows it (``verifier_passage_de_phase``);
    a CEP level is chosen by its key (``cible``)."""
    verifier_acteur_prestataire(acteur, prestation)
    regle = prestation.regle
    with verrouiller(prestation) as p:
        verifier_passage_de_phase(acteur, p)
        if regle.phases_ordonnees:
            suivante = regle.phase_suivante(p.phase)
            if cible and cible != suivante.cle:
                raise ActionRefusee(f"Les phases se suivent dans l'ordre : la prochaine est « {suivante.libelle} ».")
            cible = suivante.cle
        elif not cible or cible == p.phase or cible not in regle.cles_phases:
            # CEP-01: any other level of the rule set (an unknown key is a field error, not a 500).
            raise ValidationError({"cible": "Choisissez une autre phase de ce dispositif."})
        ancienne = regle.phase(p.phase).libelle
        p.passer_phase(cible)
        journaliser(
            TypeEvenement.PHASE,
            acteur=acteur,
            ldc=p.lettre_de_commande,
            message=f"Passage de « {ancienne} » à « {regle.phase(cible).libelle} ».",
            phase=cible,
        )
    return p


def creer_session(acteur, *, titre, debut, duree_minutes, modalite, taille_max=None):
    """A group session of the acteur's structure (EMA-01: attendance per participant)."""
    if acteur.role not in ROLES_PRESTATAIRE:
        raise PermissionDenied("Seul un prestataire organise une session collective.")
    return creer(
        SessionCollective,
        organisation=acteur.organisation,
        titre=titre,
        debut=debut,
        duree_minutes=duree_minutes,
        modalite=modalite,
        taille_max=taille_max,
        animateur=acteur.user,
    )


def ajouter_participant(acteur, session: SessionCollective, prestation, *, presence):
    """Add a bénéficiaire of the organisation to a session, with their attendance; a
    collective entretien is logged on their case. A BAM micro-collectif (or any session
    with a maximum) refuses one participant too many (BAM-03: 6 at most)."""
    if session.organisation_id != acteur.organisation.pk:
        raise PermissionDenied("Cette session appartient à une autre structure.")
    with transaction.atomic():
        session = SessionCollective.objects.select_for_update().get(pk=session.pk)
        if session.participations.filter(prestation=prestation).exists():
            raise ValidationError({"prestation": "Ce bénéficiaire participe déjà à cette session."})
        maximum = min(
            (
                m
                for m in (
                    session.taille_max,
                    prestation.regle.phase(prestation.phase).taille_max_collectif if prestation.phase else None,
                )
                if m
            ),
            default=None,
        )
        nombre = session.participations.count()
        if maximum is not None and nombre >= maximum:
            raise ActionRefusee(f"La session compte déjà {nombre} participants : {maximum} au plus (BAM-03).", "BAM-03")
        return enregistrer_entretien(
            acteur,
            prestation,
            debut=session.debut,
            duree_minutes=session.duree_minutes,
            type=TypeEntretien.COLLECTIF,
            modalite=session.modalite,
            presence=presence,
            compte_rendu=f"Session collective : {session.titre}",
            session=session,
        )
