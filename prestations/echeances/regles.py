"""What a case owes, and when (DESIGN principle 3, SPEC §4): ``obligations()``.

A pure function of the case, its facts (entretiens, suspensions, périodes en entreprise,
deliverables, prefetched by the caller), the notices the prescripteur was sent, and the
moment ``maintenant``. It reads every delay from the case's rule set; nothing here
queries the database or writes. ``ecriture.synchroniser`` turns its result into
``Echeance`` rows; the sweep (``balayage``) re-checks a due row against it.

Time (principle 4): day-based rules fall at midnight, Europe/Paris; "48 hours" is 48
real hours, counted in UTC.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from prestations import faits
from prestations.dispositifs import LIVRABLES
from prestations.models import Etat, Prestation
from prestations.models.echeances import TypeEcheance


def minuit(jour: datetime.date) -> datetime.datetime:
    """Start of ``jour`` in Europe/Paris, as an aware datetime (DST-safe)."""
    return datetime.datetime.combine(jour, datetime.time.min, tzinfo=timezone.get_default_timezone())


@dataclass(frozen=True)
class Notice:
    """A notice the prescripteur was written (``comptes.Notification``, e-mail row): when
    it was written, and when it was sent (None: still in the outbox)."""

    cree_le: datetime.datetime
    envoyee_le: datetime.datetime | None


@dataclass(frozen=True)
class Obligation:
    """One dated obligation of a case: the row ``synchroniser`` writes for it."""

    type: str
    cle: str
    regle: str
    libelle: str
    depart_le: datetime.datetime
    due_le: datetime.datetime
    alertes: tuple[datetime.datetime, ...] = ()
    honoree_le: datetime.datetime | None = None


#: The prescripteur's notices a 48-hour rule reads, by notice key (``avis.cle_du_dossier``):
#: each starts its rule's clock.
NOTICES = {
    "contrat_signe": TypeEcheance.COPIE_CONTRAT,  # MOV-05
    "contrat_refuse": TypeEcheance.INFORMATION_REFUS,  # MOV-06
    "interruption": TypeEcheance.INFORMATION_INTERRUPTION,  # LIV-03
}

#: The notices whose sending meets their rule (MOV-06, LIV-03: inform the prescripteur).
#: The contract's notice only starts MOV-05's clock: the copy is the signed contrat
#: d'accompagnement, met when it is transmitted (``livrables``), not by an e-mail saying so.
HONOREES_PAR_L_ENVOI = ("contrat_refuse", "interruption")

#: The contract whose signed copy MOV-05 sends.
CONTRAT = "contrat_accompagnement"


def relations_lues(prestation: Prestation) -> tuple[str, ...]:
    """The facts ``obligations`` reads of this case: all of them (``faits.RELATIONS``) while
    it is open; once it is closed, only its deliverables (LIV-02, and LIV-03's notice)."""
    return faits.RELATIONS if prestation.est_ouverte else ("livrables",)


def obligations(prestation: Prestation, maintenant: datetime.datetime, notices: dict[str, Notice]) -> list[Obligation]:
    """The dated obligations of a case as of ``maintenant``. ``notices``: the case's notices
    to the prescripteur by key (``NOTICES``)."""
    le = timezone.localdate(maintenant)
    return [
        *_contractualisation(prestation),
        *_informations(prestation, notices),
        *_ecart_entretiens(prestation, le),
        *_fin_de_prestation(prestation),
        *_livrables(prestation),
        *_livrables_interruption(prestation, notices),
        *_suivi_emploi(prestation, le),
    ]


def transmissions(prestation) -> dict[str, datetime.datetime]:
    """Each deliverable kind's first transmission to the prescripteur (``livrables.Livrable``)."""
    premieres: dict[str, datetime.datetime] = {}
    for livrable in prestation.livrables.all():
        if livrable.transmis_le is not None:
            premieres[livrable.type] = min(livrable.transmis_le, premieres.get(livrable.type, livrable.transmis_le))
    return premieres


def a_temps(moment: datetime.datetime | None, due_le: datetime.datetime) -> datetime.datetime | None:
    """``moment`` if it meets a deadline due at ``due_le``; a late transmission meets nothing:
    the row stays open and the sweep records its breach."""
    return moment if moment is not None and moment < due_le else None


def _contractualisation(prestation):
    """MOV-03: the contractualisation within the rule set's delay, with its warnings."""
    delai = prestation.regle.delai_contractualisation
    if delai is None or not (
        prestation.etat in (Etat.ATTENTE_REFERENT, Etat.A_CONTRACTUALISER) or prestation.contractualisee_le
    ):
        return
    debut = prestation.date_debut
    yield Obligation(
        type=TypeEcheance.CONTRACTUALISATION,
        cle=debut.isoformat(),
        regle=delai.regle,
        libelle=f"Contractualisation à faire au plus tard le {delai.date_limite(debut):%d/%m/%Y}",
        depart_le=minuit(debut),
        due_le=minuit(delai.date_depassement(debut)),
        alertes=tuple(minuit(j) for j in delai.dates_alerte(debut)),
        honoree_le=minuit(prestation.contractualisee_le) if prestation.contractualisee_le else None,
    )


def _informations(prestation, notices):
    """MOV-05 / MOV-06 / LIV-03: the prescripteur is informed within the hours the rule
    set gives (real hours, principle 4), from the notice written at the event. MOV-06 and
    LIV-03 are met when the e-mail is sent; MOV-05 when the signed contrat d'accompagnement
    is transmitted, in time."""
    regle = prestation.regle
    attendues = []
    if prestation.contrat_signe is True and prestation.contractualisee_le and regle.delai_copie_contrat_heures:
        attendues.append(
            ("contrat_signe", "MOV-05", "Copie du contrat au prescripteur", regle.delai_copie_contrat_heures)
        )
    if prestation.contrat_signe is False and regle.delai_information_refus_heures:
        attendues.append(
            ("contrat_refuse", "MOV-06", "Information du prescripteur", regle.delai_information_refus_heures)
        )
    if prestation.etat == Etat.INTERROMPUE and regle.delai_information_interruption_heures:
        attendues.append(
            ("interruption", "LIV-03", "Information du prescripteur", regle.delai_information_interruption_heures)
        )
    for cle, regle_id, libelle, heures in attendues:
        notice = notices.get(cle)
        depart = notice.cree_le if notice else minuit(prestation.terminee_le or prestation.contractualisee_le)
        due_le = depart.astimezone(datetime.UTC) + datetime.timedelta(hours=heures)
        if cle in HONOREES_PAR_L_ENVOI:
            honoree_le = notice.envoyee_le if notice else None
        else:
            honoree_le = a_temps(transmissions(prestation).get(CONTRAT), due_le)
        yield Obligation(
            type=NOTICES[cle],
            cle=cle,
            regle=regle_id,
            libelle=f"{libelle} sous {heures} heures",
            depart_le=depart,
            due_le=due_le,
            honoree_le=honoree_le,
        )


def _ecart_entretiens(prestation, le):
    """MOV-10: the next entretien before the net gap exceeds the rule set's maximum
    (suspensions and périodes en entreprise not counted), warnings at its thresholds."""
    ecart = prestation.regle.ecart_entretiens
    if ecart is None or prestation.etat != Etat.EN_COURS:
        return
    depuis = faits.debut_de_l_ecart(prestation, le)
    exclues = faits.periodes_exclues(
        prestation, suspensions=ecart.neutralise_suspensions, periodes=ecart.neutralise_periodes_entreprise
    )
    yield Obligation(
        type=TypeEcheance.ECART_ENTRETIENS,
        cle=depuis.isoformat(),
        regle=ecart.regle,
        libelle=f"Prochain entretien au plus tard le {ecart.date_limite(depuis, exclues):%d/%m/%Y}",
        depart_le=minuit(depuis),
        due_le=minuit(ecart.date_depassement(depuis, exclues)),
        alertes=tuple(minuit(jour) for jour in ecart.dates_alerte(depuis, exclues)),
    )


def _fin_de_prestation(prestation):
    """The end at term (MOV-07, BCA-02…); MOV-08: the prescripteur is warned when the
    renewal window opens, while a renewal is still possible."""
    regle = prestation.regle
    if prestation.etat != Etat.EN_COURS or not prestation.date_fin:
        return
    alertes = ()
    renouvellement = regle.renouvellement
    if renouvellement is not None and prestation.nombre_renouvellements < renouvellement.nombre_max:
        alertes = (minuit(renouvellement.fenetre(prestation.date_fin)[0]),)
    yield Obligation(
        type=TypeEcheance.FIN_PRESTATION,
        cle=prestation.date_fin.isoformat(),
        regle=regle.regle_terme,
        libelle=f"Fin de la prestation le {prestation.date_fin:%d/%m/%Y}",
        depart_le=minuit(prestation.date_debut),
        due_le=minuit(prestation.date_fin + datetime.timedelta(days=1)),
        alertes=alertes,
    )


def _livrables(prestation):
    """LIV-01 / LIV-02: deliverables due at a date of the rule set, met when transmitted
    (``livrables.Livrable``). An interrupted case falls under LIV-03 instead."""
    if prestation.etat in (Etat.ATTENTE_REFERENT, Etat.REFUSEE, Etat.INTERROMPUE):
        return
    transmis = transmissions(prestation)
    sortie = prestation.date_reprise or prestation.terminee_le  # the accompaniment ended (an outcome)
    fin_effective = sortie or prestation.date_fin
    for echeance in prestation.regle.echeances_livrables:
        limite = echeance.date_limite(prestation.date_debut, fin_effective)
        if limite is None:
            continue
        if sortie and echeance.reference == "debut" and limite > sortie:
            continue  # the accompaniment ended before this deliverable was due: the final one replaces it
        due_le = minuit(limite + datetime.timedelta(days=1))
        yield Obligation(
            type=TypeEcheance.BILAN_INTERMEDIAIRE if echeance.reference == "debut" else TypeEcheance.BILAN_FINAL,
            cle=echeance.livrable,
            regle=echeance.regle,
            libelle=f"{LIVRABLES[echeance.livrable]} à transmettre au plus tard le {limite:%d/%m/%Y}",
            depart_le=minuit(prestation.date_debut),
            due_le=due_le,
            alertes=(minuit(echeance.date_alerte(prestation.date_debut, fin_effective)),),
            honoree_le=a_temps(transmis.get(echeance.livrable), due_le),
        )


def livrables_des_phases_faites(prestation) -> tuple[str, ...]:
    """LIV-03: the required deliverables of the phases the case had completed when it was
    interrupted: those before its current phase, for a rule set whose phases follow each
    other. (CEP's levels have no order: a level is not "done" by starting another; its
    deliverables fall under the rule set's own deadlines.)"""
    regle = prestation.regle
    if not regle.phases_ordonnees or prestation.phase not in regle.cles_phases:
        return ()
    faites = regle.phases[: regle.cles_phases.index(prestation.phase)]
    return tuple(dict.fromkeys(lv for phase in faites for lv in phase.livrables))


def _livrables_interruption(prestation, notices):
    """LIV-03: on interruption, the deliverables of the phases done go to the prescripteur
    within the rule set's hours (signed or not), from the interruption notice; met when
    the last of them is transmitted, in time."""
    heures = prestation.regle.delai_information_interruption_heures
    if prestation.etat != Etat.INTERROMPUE or not heures:
        return
    attendus = livrables_des_phases_faites(prestation)
    if not attendus:
        return
    notice = notices.get("interruption")
    depart = notice.cree_le if notice else minuit(prestation.terminee_le)
    due_le = depart.astimezone(datetime.UTC) + datetime.timedelta(hours=heures)
    transmis = transmissions(prestation)
    dates = [transmis.get(lv) for lv in attendus]
    noms = ", ".join(LIVRABLES[lv].lower() for lv in attendus)
    yield Obligation(
        type=TypeEcheance.LIVRABLES_INTERRUPTION,
        cle="livrables",
        regle="LIV-03",
        libelle=f"Livrables des phases réalisées ({noms}) à transmettre sous {heures} heures",
        depart_le=depart,
        due_le=due_le,
        honoree_le=a_temps(max(dates), due_le) if all(dates) else None,
    )


def _suivi_emploi(prestation, le):
    """MOV-13: one follow-up entretien in each window of the rule set."""
    suivi = prestation.regle.suivi_emploi
    if prestation.etat != Etat.SUIVI_EMPLOI or suivi is None:
        return
    for fenetre in faits.suivi_emploi_attendu(prestation, le):
        tenu = fenetre["entretien"]
        alerte = suivi.date_alerte(fenetre["debut"], fenetre["fin"])
        yield Obligation(
            type=TypeEcheance.SUIVI_EMPLOI,
            cle=fenetre["debut"].isoformat(),
            regle=suivi.regle,
            libelle=f"Entretien de suivi entre le {fenetre['debut']:%d/%m/%Y} et le {fenetre['fin']:%d/%m/%Y}",
            depart_le=minuit(fenetre["debut"]),
            due_le=minuit(fenetre["fin"] + datetime.timedelta(days=1)),
            alertes=(minuit(alerte),),
            honoree_le=tenu.debut if tenu else None,
        )
