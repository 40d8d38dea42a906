"""The ends the deadline engine applies by itself (SPEC §4), one function per kind:

- ``interrompre_pour_ecart``: MOV-10, more net days without an entretien than the rule
  set allows (suspensions and périodes en entreprise not counted);
- ``terminer_au_terme``: the end date passed with no outcome recorded (MOV-07, BCA-02…;
  SOR-04 « terme atteint sans emploi »).

Each takes cases its caller holds locked (``verrou.prestation_verrouillee``): the sweep
passes the cases of a batch (``echeances.balayage``), a single case is a batch of one.
For each case it applies the transition, records the sortie and the journal entry, and
sends one notice per recipient saying what happened and what follows (the prescripteur:
LIV-03's information; the référent: the deliverables to transmit); then it writes them
all at once and rewrites the cases' échéances.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from commun.ecriture import update_rows
from commun.exceptions import ActionRefusee
from comptes.notifications import notifier_plusieurs
from prestations.avis import avis_prescripteur, cle_du_dossier, lien, nom_beneficiaire
from prestations.echeances.ecriture import synchroniser
from prestations.journal import journaliser, nouvel_evenement
from prestations.models import Echeance, Etat, EtatEcheance, Evenement, Prestation, Sortie, TypeEcheance, TypeEvenement
from prestations.sorties import TypeSortie


@dataclass
class Fin:
    """An automatic end applied to a case in memory, before it is written."""

    prestation: Prestation
    sortie: Sortie
    evenement: Evenement
    avis: list[dict]


def interrompre_pour_ecart(prestations: list[Prestation], *, le: datetime.date, maintenant=None) -> None:
    """MOV-10: each case ends as interrupted on ``le``, its gap between entretiens exceeded."""
    fins = []
    for p in prestations:
        ecart = p.regle.ecart_entretiens
        if p.etat != Etat.EN_COURS or ecart is None:
            raise ActionRefusee("La prestation n'est plus en cours.", "MOV-10")
        p.interrompre(le, TypeSortie.INTERRUPTION_ECART_ENTRETIENS)
        raison = (
            f"plus de {ecart.max_jours} jours se sont écoulés sans entretien, hors suspensions et périodes "
            f"en entreprise ({ecart.regle})"
        )
        fins.append(
            Fin(
                p,
                _sortie(
                    p,
                    TypeSortie.INTERRUPTION_ECART_ENTRETIENS,
                    le,
                    f"{raison[0].upper()}{raison[1:]}.",
                    "Interruption automatique",
                ),
                nouvel_evenement(
                    TypeEvenement.INTERRUPTION,
                    ldc=p.lettre_de_commande,
                    message=f"Prestation interrompue automatiquement le {le:%d/%m/%Y} : {raison}.",
                ),
                _avis(
                    p,
                    cle="interruption",
                    sujet="Interruption de la prestation",
                    fait=f"La prestation de {nom_beneficiaire(p)} a pris fin le {le:%d/%m/%Y} : {raison}.",
                ),
            )
        )
    _ecrire(fins, maintenant)


def terminer_au_terme(prestations: list[Prestation], *, le: datetime.date, maintenant=None) -> None:
    """The end at term: each case ends on its end date, no outcome recorded (SOR-04)."""
    fins = []
    for p in prestations:
        regle = p.regle.regle_terme
        if p.etat != Etat.EN_COURS or p.date_fin is None or le <= p.date_fin:
            raise ActionRefusee("La prestation n'est pas arrivée à son terme.", regle)
        p.terminer(p.date_fin, TypeSortie.TERME_SANS_EMPLOI)
        fins.append(
            Fin(
                p,
                _sortie(
                    p,
                    TypeSortie.TERME_SANS_EMPLOI,
                    p.date_fin,
                    "Terme atteint sans sortie positive enregistrée (SOR-04).",
                    "Fin automatique au terme",
                ),
                nouvel_evenement(
                    TypeEvenement.SORTIE,
                    ldc=p.lettre_de_commande,
                    message=f"Prestation terminée à son terme, le {p.date_fin:%d/%m/%Y} ({regle}).",
                ),
                _avis(
                    p,
                    cle="fin",
                    sujet="Fin de la prestation",
                    fait=f"La prestation de {nom_beneficiaire(p)} est arrivée à son terme le {p.date_fin:%d/%m/%Y} "
                    f"({regle}) sans sortie positive enregistrée.",
                ),
            )
        )
    _ecrire(fins, maintenant)


def _sortie(p, type_sortie, le, explication, motif) -> Sortie:
    return Sortie(
        prestation=p,
        type=type_sortie,
        date_sortie=le,
        positive=False,
        regle="SOR-04",
        explication=explication,
        motif=motif,
        auteur=p.referent or p.lettre_de_commande.prescripteur,
    )


def _avis(p, *, cle, sujet, fait) -> list[dict]:
    """One notice per recipient: the prescripteur learns what happened and that the
    deliverables of the phases done follow (LIV-03); the référent, what to transmit."""
    avis = [
        avis_prescripteur(p, cle=cle, sujet=sujet, corps=f"{fait} Les livrables des phases réalisées suivent (LIV-03).")
    ]
    if p.referent is not None:
        ldc = p.lettre_de_commande
        avis.append(
            {
                "destinataires": [p.referent],
                "cle": cle_du_dossier(p, cle),
                "organisation": ldc.marche.prestataire,
                "sujet": f"{sujet} — {ldc.numero}",
                "corps": f"{fait} Transmettez au prescripteur les livrables des phases réalisées (LIV-03).",
                "lien": lien(p),
            }
        )
    return avis


def _ecrire(fins: list[Fin], maintenant) -> None:
    """Write the ends applied in memory: sorties, journal, notices, the cases' new state,
    then their échéances."""
    if not fins:
        return
    Sortie.objects.bulk_create([f.sortie for f in fins])
    Evenement.objects.bulk_create([f.evenement for f in fins])
    notifier_plusieurs([avis for f in fins for avis in f.avis])
    instant = timezone.now()
    prestations = [f.prestation for f in fins]
    for p in prestations:
        p.modifie_le = instant
    update_rows(Prestation, prestations, ["etat", "terminee_le", "motif_fin", "modifie_le"])
    synchroniser(prestations, maintenant)


# --- An automatic MOV-10 end undone (SPEC §4) -------------------------------------------


def reprise_possible(prestation: Prestation, le: datetime.date) -> bool:
    """The case was ended by its MOV-10 gap at most ``delai_de_grace_jours`` days before
    ``le``: an entretien held inside the allowed gap and logged now still undoes the end."""
    ecart = prestation.regle.ecart_entretiens
    return (
        ecart is not None
        and prestation.etat == Etat.INTERROMPUE
        and prestation.motif_fin == TypeSortie.INTERRUPTION_ECART_ENTRETIENS
        and prestation.terminee_le is not None
        and le <= prestation.terminee_le + datetime.timedelta(days=ecart.delai_de_grace_jours)
    )


def dernier_jour_permis(prestation: Prestation) -> datetime.date | None:
    """The last day the breached MOV-10 gap allowed an entretien on (its row's last day)."""
    ligne = (
        Echeance.objects.filter(prestation=prestation, type=TypeEcheance.ECART_ENTRETIENS, etat=EtatEcheance.ECHUE)
        .order_by("-due_le")
        .first()
    )
    return ligne.dernier_jour if ligne else None


def annuler_interruption_pour_ecart(acteur, p: Prestation, entretien_debut: datetime.datetime) -> None:
    """Undo the automatic MOV-10 end of ``p`` (locked by the caller): the entretien held on
    ``entretien_debut`` was inside the allowed gap, only logged afterwards. The case runs
    again, its sortie is removed, its breached gap row is met after all; the journal says
    so and the prescripteur and the référent are told (SPEC §4)."""
    ecart = p.regle.ecart_entretiens
    fin = p.terminee_le
    p.reprendre()
    Sortie.objects.filter(prestation=p).delete()
    for ligne in Echeance.objects.filter(
        prestation=p, type=TypeEcheance.ECART_ENTRETIENS, etat=EtatEcheance.ECHUE, due_le__gt=entretien_debut
    ):
        ligne.honorer_apres_coup(entretien_debut)
        ligne.save()
    jour = timezone.localtime(entretien_debut)
    fait = (
        f"La fin automatique du {fin:%d/%m/%Y} ({ecart.regle}) est annulée : l'entretien du {jour:%d/%m/%Y}, "
        f"tenu dans le délai, a été saisi après coup. La prestation de {nom_beneficiaire(p)} reprend."
    )
    journaliser(TypeEvenement.REPRISE, acteur=acteur, ldc=p.lettre_de_commande, message=fait)
    avis = avis_prescripteur(p, cle=f"reprise:{fin:%Y%m%d}", sujet="Reprise de la prestation", corps=fait)
    destinataires = [*avis.pop("destinataires"), *([p.referent] if p.referent else [])]
    notifier_plusieurs([{**avis, "destinataires": destinataires}])
