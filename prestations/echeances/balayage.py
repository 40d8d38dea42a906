"""The deadline sweep (SPEC §4): ``balayer(maintenant)``, every 5 minutes (Celery beat).

1. The due rows are selected through the partial index ``echeance_a_traiter``, soonest
   first, and cut into batches of ``TAILLE_LOT`` rows, all the rows of a case in one
   batch.
2. Each batch is one transaction: its cases are locked (in id order: two sweeps queue
   instead of deadlocking), its rows claimed with ``SELECT … FOR UPDATE SKIP LOCKED``
   (a row another sweep holds is left to it) and re-checked against their case.
3. Each row is then honoured, cancelled, breached or warned (``Echeance`` transitions),
   with its notice; a breach whose rule ends the prestation (MOV-10, end at term) ends
   it through the workflow's own function (``suivi.fins_automatiques``), for all the
   cases of the batch at once.
4. A batch that fails is rolled back and its rows are handled one at a time, so that one
   bad row never stops the others; a row that still fails stays due for the next sweep.

Running it twice, or on two workers at once, sends nothing twice and applies nothing
twice: rows are claimed under lock, their state moves forward only, and every notice has
a unique key. ``simulation`` runs the whole sweep in one transaction rolled back at the
end (``manage.py echeances --dry-run``). Time is a parameter: a day can be replayed.

Re-checking a row (principle 3) costs nothing while the case's facts are those the row
was computed from (its ``version_faits`` equals the case's): the row is what the rules
say. Otherwise the case's facts are loaded and the obligation computed again.
"""

from __future__ import annotations

import datetime
import logging
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from commun.ecriture import update_rows
from comptes.models import Membership, Role
from comptes.notifications import notifier_plusieurs
from prestations import faits
from prestations.avis import lien, nom_beneficiaire
from prestations.echeances.ecriture import clore_sans_objet
from prestations.echeances.notices import notices_des_dossiers
from prestations.echeances.regles import HONOREES_PAR_L_ENVOI, Obligation, obligations
from prestations.models import Balayage, Echeance, Prestation
from prestations.models.echeances import ETATS_OUVERTS, TYPES_DEPUIS_UN_AVIS, EtatEcheance, TypeEcheance
from prestations.suivi import fins_automatiques

logger = logging.getLogger(__name__)

#: Due rows handled in one transaction.
TAILLE_LOT = 500
#: Due rows one sweep takes at most (a heavy day of a national instance fits in one run).
LIMITE = 50_000

#: The automatic end each kind of breach applies (``suivi.fins_automatiques``).
FINS_AUTOMATIQUES = {
    TypeEcheance.ECART_ENTRETIENS: fins_automatiques.interrompre_pour_ecart,  # MOV-10
    TypeEcheance.FIN_PRESTATION: fins_automatiques.terminer_au_terme,  # MOV-07, BCA-02…
}

#: What the operator reads of an automatic end (``manage.py echeances``).
SUITES_DES_FINS = {
    TypeEcheance.ECART_ENTRETIENS: "dépassement, prestation interrompue",
    TypeEcheance.FIN_PRESTATION: "terme atteint, prestation terminée",
}

#: Who is warned before a row falls due (the référent unless said here).
DESTINATAIRES_DES_ALERTES = {
    TypeEcheance.COPIE_CONTRAT: "responsables",
    TypeEcheance.INFORMATION_REFUS: "responsables",
    TypeEcheance.INFORMATION_INTERRUPTION: "responsables",
    TypeEcheance.LIVRABLES_INTERRUPTION: "responsables",
    TypeEcheance.FIN_PRESTATION: "prescripteur",  # MOV-08: the renewal is the prescripteur's
}


@dataclass
class Resultat:
    """What one sweep did (or, in a simulation, would do)."""

    maintenant: datetime.datetime
    simulation: bool = False
    examinees: int = 0
    avertissements: int = 0
    depassements: int = 0
    honorees: int = 0
    transitions: int = 0
    duree_ms: int = 0
    actions: list[str] = field(default_factory=list)  # one line per row, for the operator


def balayer(maintenant: datetime.datetime | None = None, *, simulation: bool = False, limite: int = LIMITE) -> Resultat:
    """One sweep as of ``maintenant`` (replayable for any date); recorded as a ``Balayage``
    unless ``simulation``."""
    maintenant = maintenant or timezone.now()
    debut, chrono = timezone.now(), time.monotonic()
    resultat = Resultat(maintenant=maintenant, simulation=simulation)
    dues = list(
        Echeance.objects.dues(maintenant).order_by("prochaine_action_le").values_list("pk", "prestation_id")[:limite]
    )
    if simulation:
        with transaction.atomic():
            for lot in lots(dues):
                _traiter(lot, maintenant, resultat)
            transaction.set_rollback(True)
    else:
        for lot in lots(dues):
            _traiter(lot, maintenant, resultat)
    resultat.duree_ms = int((time.monotonic() - chrono) * 1000)
    if not simulation:
        Balayage.objects.create(
            maintenant=maintenant,
            debut=debut,
            duree_ms=resultat.duree_ms,
            examinees=resultat.examinees,
            avertissements=resultat.avertissements,
            depassements=resultat.depassements,
            honorees=resultat.honorees,
            transitions=resultat.transitions,
        )
    return resultat


def lots(dues: list[tuple[int, int]], taille: int | None = None) -> list[list[tuple[int, int]]]:
    """Batches of at most ``taille`` (``TAILLE_LOT``) due rows ``(row id, case id)`` in the
    sweep's order, all the rows of a case in one batch."""
    taille = taille or TAILLE_LOT
    resultat: list[list[tuple[int, int]]] = []
    lot_du_cas: dict[int, int] = {}
    for ligne_id, prestation_id in dues:
        if prestation_id not in lot_du_cas:
            if not resultat or len(resultat[-1]) >= taille:
                resultat.append([])
            lot_du_cas[prestation_id] = len(resultat) - 1
        resultat[lot_du_cas[prestation_id]].append((ligne_id, prestation_id))
    return resultat


def _traiter(lot, maintenant, resultat: Resultat) -> None:
    """A batch; if it fails, its rows one at a time (a failing row stays due)."""
    try:
        traiter_lot(lot, maintenant, resultat)
        return
    except Exception:  # noqa: BLE001 - rolled back: the rows are handled one by one instead
        if len(lot) == 1:
            ligne_id = lot[0][0]
            logger.exception("Échéance %s : échec du traitement, reprise au prochain balayage.", ligne_id)
            resultat.actions.append(f"Échéance n° {ligne_id} : échec du traitement, reprise au prochain balayage.")
            return
        logger.warning("Lot de %s échéances annulé, repris échéance par échéance.", len(lot), exc_info=True)
    for ligne in lot:
        _traiter([ligne], maintenant, resultat)


def traiter_lot(lot: list[tuple[int, int]], maintenant: datetime.datetime, resultat: Resultat) -> None:
    """Handle due rows ``(row id, case id)`` in one transaction: lock their cases, claim the
    rows still due, re-check each against its case, act, write. ``resultat`` is only
    updated once everything is written."""
    with transaction.atomic():
        cas = {p.pk: p for p in _cas_du_lot({pid for _, pid in lot})}
        lignes = list(
            Echeance.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=[pk for pk, _ in lot], etat__in=ETATS_OUVERTS, prochaine_action_le__lte=maintenant)
            .order_by("prochaine_action_le", "pk")
        )
        lot_en_cours = _Lot(maintenant, cas, lignes)
        lot_en_cours.agir()
        lot_en_cours.ecrire()
    lot_en_cours.compter(resultat)


#: What the sweep reads of a case's lettre and bénéficiaire (the rest, addresses and
#: situation, is never read by the rules: left in the database).
COLONNES_DU_DOSSIER = [
    *(f.name for f in Prestation._meta.concrete_fields),
    "lettre_de_commande__numero",
    "lettre_de_commande__dispositif",
    "lettre_de_commande__regle_version",
    "lettre_de_commande__marche",
    "lettre_de_commande__prescripteur",
    "lettre_de_commande__organisation_prescriptrice",
    "lettre_de_commande__beneficiaire__prenom",
    "lettre_de_commande__beneficiaire__nom",
]


def _cas_du_lot(ids):
    """The batch's cases, locked in id order (two sweeps queue instead of deadlocking), with
    their lettre and bénéficiaire; what many cases share (a few marchés, prestataires,
    prescripteurs and référents for hundreds of cases) is read once per batch
    (``prefetch_related``), one instance each."""
    return (
        Prestation.objects.select_for_update(of=("self",))
        .select_related("lettre_de_commande__beneficiaire")
        .only(*COLONNES_DU_DOSSIER)
        .prefetch_related(
            "lettre_de_commande__marche__prestataire",
            "lettre_de_commande__prescripteur",
            "lettre_de_commande__organisation_prescriptrice",
            "referent",
        )
        .filter(pk__in=ids)
        .order_by("pk")
    )


class _Lot:
    """The work of one batch: the decision for each row, then the writes."""

    def __init__(self, maintenant, cas: dict[int, Prestation], lignes: list[Echeance]):
        self.maintenant, self.cas, self.lignes = maintenant, cas, lignes
        # The facts are loaded only for the cases whose rows were computed before their
        # last change; the prescripteur's notices for those and the 48-hour rows.
        a_recalculer = {e.prestation_id for e in lignes if e.version_faits != cas[e.prestation_id].version_faits}
        prefetch_related_objects([cas[pk] for pk in a_recalculer], *faits.RELATIONS)
        avec_notices = a_recalculer | {e.prestation_id for e in lignes if e.type in TYPES_DEPUIS_UN_AVIS}
        self.notices = notices_des_dossiers(cas[pk] for pk in avec_notices)
        self.traitees: list[Echeance] = []
        self.recalculees: set[int] = set()  # rows whose obligation the facts moved
        self.avis: list[dict] = []
        self.fins: dict[str, list[Prestation]] = {}
        self.comptes = Resultat(maintenant=maintenant)
        self._responsables: dict[int, list] | None = None

    def agir(self) -> None:
        for ligne in self.lignes:
            prestation = self.cas[ligne.prestation_id]
            if any(prestation in fins for fins in self.fins.values()):
                continue  # ended by a row before it in this batch: its rows are rewritten
            self.comptes.examinees += 1
            self._agir(ligne, prestation)
            self.traitees.append(ligne)

    def _agir(self, ligne: Echeance, prestation: Prestation) -> None:
        obligation = self._obligation(ligne, prestation)
        if obligation is None:  # the case changed meanwhile: nothing to act on any more
            clore_sans_objet(ligne, prestation, self.maintenant)
            honoree = ligne.etat == EtatEcheance.HONOREE
            self.comptes.honorees += honoree
            self._noter(ligne, prestation, "honorée" if honoree else "annulée (sans objet)")
        elif obligation.honoree_le is not None:
            ligne.honorer(obligation.honoree_le)
            self.comptes.honorees += 1
            self._noter(ligne, prestation, f"honorée le {timezone.localtime(ligne.honoree_le):%d/%m/%Y %H:%M}")
        elif self.maintenant >= ligne.due_le:
            self._depasser(ligne, prestation, obligation)
        else:
            while ligne.alerte_due(self.maintenant):
                self._avertir(ligne, prestation, obligation)

    def _obligation(self, ligne: Echeance, prestation: Prestation) -> Obligation | None:
        """The re-check: what the row stands for now, or None if the case no longer owes it."""
        if ligne.version_faits == prestation.version_faits:
            notice = (
                self.notices.get(prestation.pk, {}).get(ligne.cle)
                if ligne.type in TYPES_DEPUIS_UN_AVIS and ligne.cle in HONOREES_PAR_L_ENVOI
                else None
            )
            return Obligation(
                type=ligne.type,
                cle=ligne.cle,
                regle=ligne.regle,
                libelle=ligne.libelle,
                depart_le=ligne.depart_le,
                due_le=ligne.due_le,
                alertes=tuple(ligne.alertes),
                honoree_le=notice.envoyee_le if notice else None,
            )
        voulues = obligations(prestation, self.maintenant, self.notices.get(prestation.pk, {}))
        obligation = next((o for o in voulues if (o.type, o.cle) == (ligne.type, ligne.cle)), None)
        if obligation is not None:  # the facts moved the due time: act on what they say now
            ligne.prendre(obligation, prestation.version_faits)
            self.recalculees.add(ligne.pk)
        return obligation

    def _avertir(self, ligne, prestation, obligation) -> None:
        ligne.avertir(self.maintenant)
        jours = (timezone.localdate(ligne.due_le) - timezone.localdate(self.maintenant)).days
        destinataires = self._destinataires(prestation, DESTINATAIRES_DES_ALERTES.get(ligne.type, "referent"))
        ldc = prestation.lettre_de_commande
        self.avis.append(
            {
                "destinataires": destinataires,
                "cle": f"echeance:{ligne.pk}:alerte:{ligne.alertes_envoyees}",
                "organisation": ldc.marche.prestataire,
                "sujet": f"{obligation.libelle} — {ldc.numero}",
                "corps": f"{obligation.libelle} ({obligation.regle}) : {_reste(jours)}. "
                f"Dossier de {nom_beneficiaire(prestation)}.",
                "lien": lien(prestation),
            }
        )
        self.comptes.avertissements += 1
        self._noter(ligne, prestation, f"avertissement n° {ligne.alertes_envoyees} à {_emails(destinataires)}")

    def _depasser(self, ligne, prestation, obligation) -> None:
        """Breach: the rows whose rule ends the prestation end it (one notice, the end's);
        the others are notified to the prescripteur, the référent and whoever got the
        warnings."""
        ligne.depasser(self.maintenant)
        self.comptes.depassements += 1
        fin = FINS_AUTOMATIQUES.get(ligne.type)
        if fin is not None:
            self.fins.setdefault(ligne.type, []).append(prestation)
            self.comptes.transitions += 1
            self._noter(ligne, prestation, SUITES_DES_FINS[ligne.type])
            return
        ldc = prestation.lettre_de_commande
        destinataires = {
            u.pk: u
            for qui in ("prescripteur", "referent", DESTINATAIRES_DES_ALERTES.get(ligne.type, "referent"))
            for u in self._destinataires(prestation, qui)
        }
        self.avis.append(
            {
                "destinataires": list(destinataires.values()),
                "cle": f"echeance:{ligne.pk}:depassement",
                "organisation": ldc.marche.prestataire,
                "sujet": f"Échéance dépassée : {obligation.libelle} — {ldc.numero}",
                "corps": f"{obligation.libelle} ({obligation.regle}) : échéance dépassée le "
                f"{timezone.localtime(ligne.due_le):%d/%m/%Y à %H:%M}. Dossier de {nom_beneficiaire(prestation)}.",
                "lien": lien(prestation),
            }
        )
        self._noter(ligne, prestation, "dépassement notifié")

    def _destinataires(self, prestation, qui: str) -> list:
        ldc = prestation.lettre_de_commande
        if qui == "prescripteur":
            return [ldc.prescripteur]
        if qui == "referent":
            return [prestation.referent] if prestation.referent_id else []
        if self._responsables is None:  # the batch's prestataires' responsables, read once
            self._responsables = {}
            for m in Membership.objects.filter(
                organisation_id__in={p.lettre_de_commande.marche.prestataire_id for p in self.cas.values()},
                role=Role.RESPONSABLE,
                active=True,
            ).select_related("user"):
                self._responsables.setdefault(m.organisation_id, []).append(m.user)
        return self._responsables.get(ldc.marche.prestataire_id, [])

    def _noter(self, ligne, prestation, action: str) -> None:
        self.comptes.actions.append(
            f"{prestation.lettre_de_commande.numero} — {ligne.libelle} ({ligne.regle}) : {action}"
        )

    def ecrire(self) -> None:
        """The rows' new states, the notices, then the automatic ends (which rewrite their
        cases' rows, the breached one included, from the database)."""
        instant = timezone.now()
        for ligne in self.traitees:
            ligne.modifie_le = instant
        recalculees = [e for e in self.traitees if e.pk in self.recalculees]
        update_rows(Echeance, [e for e in self.traitees if e.pk not in self.recalculees], ETAT_DE_LA_LIGNE)
        update_rows(Echeance, recalculees, ETAT_DE_LA_LIGNE + OBLIGATION_DE_LA_LIGNE)
        notifier_plusieurs(self.avis)
        le = timezone.localdate(self.maintenant)
        for type_, prestations in self.fins.items():
            FINS_AUTOMATIQUES[type_](prestations, le=le, maintenant=self.maintenant)

    def compter(self, resultat: Resultat) -> None:
        for nom in ("examinees", "avertissements", "depassements", "honorees", "transitions"):
            setattr(resultat, nom, getattr(resultat, nom) + getattr(self.comptes, nom))
        resultat.actions.extend(self.comptes.actions)


#: What the sweep changes on a row it acts on; and on a row the facts made it compute again.
ETAT_DE_LA_LIGNE = [
    "etat",
    "alertes_envoyees",
    "avertie_le",
    "echue_le",
    "honoree_le",
    "annulee_le",
    "prochaine_action_le",
    "version_faits",
    "modifie_le",
]
OBLIGATION_DE_LA_LIGNE = ["regle", "libelle", "depart_le", "due_le", "alertes"]


def _reste(jours: int) -> str:
    if jours <= 0:
        return "dernier jour"
    return f"il reste {jours} jour{'s' if jours > 1 else ''}"


def _emails(users) -> str:
    return ", ".join(sorted(u.email for u in users))
