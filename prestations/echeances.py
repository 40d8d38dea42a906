"""The deadline engine (SPEC §4, issue 5).

``obligations(prestation, maintenant)`` derives a case's dated obligations from its
rule set and its facts; ``synchroniser`` writes them as ``Echeance`` rows whenever a
case event changes them; ``balayer(maintenant)`` is the periodic sweep: it claims the
due rows (partial index, ``SKIP LOCKED``), re-checks each against the current case
data, sends the warning or breach notice, applies the automatic transition (MOV-10,
end of term) and records the run. Running it twice, or on two workers at once, sends
nothing twice and applies nothing twice: rows are claimed under lock, their state
moves forward only, and every notice has a unique key.

Time (principle 4): day-based rules fall at midnight, Europe/Paris; "48 hours" is
48 real hours.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import gc
import logging
import queue
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Prefetch
from django.utils import timezone

from comptes.models import Canal, Membership, Notification, Role
from comptes.notifications import ecrire_notifications, lignes_de_notification, notifier
from config.ecriture_en_masse import mettre_a_jour
from prestations import faits
from prestations.models import Etat, Prestation
from prestations.models.echeances import (
    ETATS_OUVERTS,
    TYPES_AUTOMATIQUES,
    Balayage,
    Echeance,
    EtatEcheance,
    TypeEcheance,
)

HEURES_INFORMATION = 48
logger = logging.getLogger(__name__)

#: Due rows handled in one transaction by the sweep (see ``_traiter_lot``).
TAILLE_LOT = 500


def minuit(jour: datetime.date) -> datetime.datetime:
    """Start of ``jour`` in Europe/Paris, as an aware datetime (DST-safe; what
    ``make_aware`` does, with the settings' cached zone instead of a per-call lookup)."""
    return datetime.datetime.combine(jour, datetime.time.min, tzinfo=timezone.get_default_timezone())


#: By kind of obligation: who gets its warnings, and the automatic transition its breach
#: applies (the référent and none unless said here).
_DESTINATAIRES_ALERTE = {
    TypeEcheance.COPIE_CONTRAT: "prestataire",
    TypeEcheance.INFORMATION_REFUS: "prestataire",
    TypeEcheance.INFORMATION_INTERRUPTION: "prestataire",
    TypeEcheance.FIN_PRESTATION: "prescripteur",
}
_TRANSITIONS = {
    TypeEcheance.ECART_ENTRETIENS: "interrompre_pour_ecart",  # MOV-10
    TypeEcheance.FIN_PRESTATION: "terminer_au_terme",  # MOV-07, BCA-02, BAM
}


@dataclass
class Obligation:
    type: str
    cle: str
    regle: str
    libelle: str
    depart_le: datetime.datetime
    due_le: datetime.datetime
    alertes: list[datetime.datetime] = field(default_factory=list)
    honoree_le: datetime.datetime | None = None

    @property
    def destinataires_alerte(self) -> str:
        return _DESTINATAIRES_ALERTE.get(self.type, "referent")

    @property
    def transition(self) -> str | None:
        return _TRANSITIONS.get(self.type)

    @classmethod
    def de_la_ligne(cls, ligne: Echeance) -> Obligation:
        """The obligation a row was computed from (still what the rules say while the
        case's facts version is the row's)."""
        return cls(
            type=ligne.type,
            cle=ligne.cle,
            regle=ligne.regle,
            libelle=ligne.libelle,
            depart_le=ligne.depart_le,
            due_le=ligne.due_le,
            alertes=list(ligne.alertes),
        )


def _jour_ou_ecart_atteint(prestation, depuis, seuil, exclues):
    """First day on which the net gap since ``depuis`` reaches ``seuil`` (MOV-10)."""
    jour, net = depuis, 0
    while net < seuil:
        jour += datetime.timedelta(days=1)
        if not any(d <= jour <= f for d, f in exclues):
            net += 1
    return jour


def notices_email(prestations) -> None:
    """Attach to each prestation its case e-mail notices (cle → Notification), in one query."""
    par_cle = {}
    cles = [f"prestation:{p.pk}:" for p in prestations]
    if cles:
        from django.db.models import Q

        filtre = Q()
        for prefixe in cles:
            filtre |= Q(cle__startswith=prefixe)
        for notification in Notification.objects.filter(filtre, canal=Canal.EMAIL).order_by("cree_le"):
            par_cle.setdefault(notification.cle, notification)
    for prestation in prestations:
        prestation._notices_email = {
            cle.rsplit(":", 1)[1]: n for cle, n in par_cle.items() if cle.startswith(f"prestation:{prestation.pk}:")
        }


#: The case notices the rules read (``workflow._notifier_prescripteur`` sends them to the
#: lettre's prescripteur, and to nobody else).
_CLES_NOTICES = ("contrat_signe", "contrat_refuse", "interruption")


def _cle_notice(prestation, cle: str) -> tuple[int, str]:
    return prestation.lettre_de_commande.prescripteur_id, f"prestation:{prestation.pk}:{cle}"


def _notices_du_prescripteur(prestations) -> None:
    """``_notice`` for many cases at once: the prescripteur's notices, in one query on the
    outbox's unique index (recipient, channel, key)."""
    prestations = list(prestations)
    cles = {_cle_notice(p, cle): (p, cle) for p in prestations for cle in _CLES_NOTICES}
    for p in prestations:
        p.__dict__.setdefault("_notices_prescripteur", {}).update(dict.fromkeys(_CLES_NOTICES))
    if not cles:
        return
    table = Notification._meta.db_table
    # What the rules read of a notice: when it was written and sent (the rest left unread).
    trouvees = Notification.objects.raw(
        f"SELECT n.id, n.destinataire_id, n.cle, n.cree_le, n.envoyee_le "
        f"FROM {table} n JOIN unnest(%s::bigint[], %s::text[]) AS k(destinataire_id, cle) "
        "ON n.destinataire_id = k.destinataire_id AND n.cle = k.cle WHERE n.canal = %s",
        [[d for d, _ in cles], [c for _, c in cles], Canal.EMAIL],
    )
    for notification in trouvees:
        p, cle = cles[(notification.destinataire_id, notification.cle)]
        p._notices_prescripteur[cle] = notification


def _notice(prestation, cle):
    """The case's e-mail notice ``cle`` (None if it was never written).

    Looked up by exact key for the lettre's prescripteur, the only recipient of these
    notices, through the outbox's unique index; one not found that way is searched by key
    prefix over the whole outbox (``notices_email``), as before."""
    if hasattr(prestation, "_notices_email"):
        return prestation._notices_email.get(cle)
    if cle not in prestation.__dict__.get("_notices_prescripteur", {}):
        _notices_du_prescripteur([prestation])
    notice = prestation._notices_prescripteur.get(cle)
    if notice is not None:
        return notice
    notices_email([prestation])
    return prestation._notices_email.get(cle)


#: The 48-hour rows a case notice meets (MOV-05, MOV-06, LIV-03), by notice key.
_ECHEANCES_DES_NOTICES = {
    "contrat_signe": TypeEcheance.COPIE_CONTRAT,
    "contrat_refuse": TypeEcheance.INFORMATION_REFUS,
    "interruption": TypeEcheance.INFORMATION_INTERRUPTION,
}


def honorer_a_l_envoi(sender, notification, **kwargs) -> None:
    """MOV-05 / MOV-06 / LIV-03: the notice to the prescripteur is sent: its 48-hour row is
    honoured at the time of sending, at once, rather than at the next sweep after its due
    time (``comptes.notifications.notification_envoyee``)."""
    prefixe, _, reste = notification.cle.partition(":")
    prestation_id, _, cle = reste.partition(":")
    if prefixe != "prestation" or cle not in _ECHEANCES_DES_NOTICES or not prestation_id.isdigit():
        return
    with transaction.atomic():
        Echeance.objects.ouvertes().filter(
            prestation_id=int(prestation_id),
            prestation__lettre_de_commande__prescripteur_id=notification.destinataire_id,
            type=_ECHEANCES_DES_NOTICES[cle],
            cle=cle,
        ).update(
            etat=EtatEcheance.HONOREE,
            honoree_le=notification.envoyee_le,
            prochaine_action_le=None,
            modifie_le=timezone.now(),
        )


def obligations(prestation: Prestation, maintenant: datetime.datetime) -> list[Obligation]:
    """The dated obligations of a case as of ``maintenant``, from its rule set and facts."""
    regle = prestation.regle
    le = timezone.localdate(maintenant)
    resultat: list[Obligation] = []

    # MOV-03: contractualisation within 7 calendar days of the start date; warning day 5.
    delai = regle.delai_contractualisation
    if delai is not None and (
        prestation.etat in (Etat.ATTENTE_REFERENT, Etat.A_CONTRACTUALISER) or prestation.contractualisee_le
    ):
        resultat.append(
            Obligation(
                type=TypeEcheance.CONTRACTUALISATION,
                cle=prestation.date_debut.isoformat(),
                regle=delai.regle,
                libelle=f"Contractualisation à faire avant le {delai.date_limite(prestation.date_debut):%d/%m/%Y}",
                depart_le=minuit(prestation.date_debut),
                due_le=minuit(delai.date_depassement(prestation.date_debut)),
                alertes=[minuit(j) for j in delai.dates_alerte(prestation.date_debut)],
                honoree_le=minuit(prestation.contractualisee_le) if prestation.contractualisee_le else None,
            )
        )

    # MOV-05 / MOV-06 / LIV-03: the prescripteur is informed within 48 hours (the rule set
    # says which of these notices the dispositif has, and their delay).
    informations = []
    if prestation.contrat_signe is True and prestation.contractualisee_le and regle.delai_copie_contrat_heures:
        informations.append(
            (
                TypeEcheance.COPIE_CONTRAT,
                "contrat_signe",
                "MOV-05",
                "Copie du contrat au prescripteur",
                regle.delai_copie_contrat_heures,
            )
        )
    if prestation.contrat_signe is False and regle.delai_information_refus_heures:
        informations.append(
            (
                TypeEcheance.INFORMATION_REFUS,
                "contrat_refuse",
                "MOV-06",
                "Information du prescripteur",
                regle.delai_information_refus_heures,
            )
        )
    if prestation.etat == Etat.INTERROMPUE and regle.delai_information_interruption_heures:
        informations.append(
            (
                TypeEcheance.INFORMATION_INTERRUPTION,
                "interruption",
                "LIV-03",
                "Information du prescripteur",
                regle.delai_information_interruption_heures,
            )
        )
    for type_, cle, regle_id, libelle, heures in informations:
        notice = _notice(prestation, cle)
        depart = notice.cree_le if notice else minuit(prestation.terminee_le or prestation.contractualisee_le)
        resultat.append(
            Obligation(
                type=type_,
                cle=cle,
                regle=regle_id,
                libelle=f"{libelle} sous {heures} heures",
                depart_le=depart,
                # Real hours (principle 4): computed in UTC, never on the Paris wall clock.
                due_le=depart.astimezone(datetime.UTC) + datetime.timedelta(hours=heures),
                honoree_le=notice.envoyee_le if notice else None,
            )
        )

    if prestation.etat == Etat.EN_COURS:
        # MOV-10: more than 14 net days between two entretiens ends the prestation.
        ecart = regle.ecart_entretiens
        if ecart is not None:
            depuis = faits.dernier_entretien(prestation, le) or prestation.contractualisee_le or prestation.date_debut
            exclues = faits.periodes_exclues(
                prestation, suspensions=ecart.neutralise_suspensions, periodes=ecart.neutralise_periodes_entreprise
            )
            limite = _jour_ou_ecart_atteint(prestation, depuis, ecart.max_jours + 1, exclues)
            resultat.append(
                Obligation(
                    type=TypeEcheance.ECART_ENTRETIENS,
                    cle=depuis.isoformat(),
                    regle=ecart.regle,
                    libelle=f"Prochain entretien au plus tard le {limite - datetime.timedelta(days=1):%d/%m/%Y}",
                    depart_le=minuit(depuis),
                    due_le=minuit(limite),
                    alertes=[
                        minuit(_jour_ou_ecart_atteint(prestation, depuis, a, exclues)) for a in ecart.alertes_jours
                    ],
                )
            )
        # MOV-07 / BCA-02 / BAM: the prestation ends at its end date; MOV-08: the
        # prescripteur is asked 30 days before whether to renew.
        if prestation.date_fin:
            alertes = []
            if regle.renouvellement is not None and prestation.nombre_renouvellements < regle.renouvellement.nombre_max:
                alertes.append(minuit(prestation.date_fin - datetime.timedelta(days=29)))
            resultat.append(
                Obligation(
                    type=TypeEcheance.FIN_PRESTATION,
                    cle=prestation.date_fin.isoformat(),
                    regle="MOV-07" if regle.renouvellement else (regle.phases[-1].regles[:1] or (regle.cle,))[0],
                    libelle=f"Fin de la prestation le {prestation.date_fin:%d/%m/%Y}",
                    depart_le=minuit(prestation.date_debut),
                    due_le=minuit(prestation.date_fin + datetime.timedelta(days=1)),
                    alertes=alertes,
                )
            )

    # LIV-01 / LIV-02: deliverables due at a date of the rule set (end of month 2 for the
    # bilan intermédiaire, 7 days after the end for the bilan final); honoured when the
    # deliverable is transmitted (``livrables.Livrable``). An interrupted case falls under
    # LIV-03 instead (the deliverables of the phases done, with the 48-hour notice).
    if prestation.etat not in (Etat.ATTENTE_REFERENT, Etat.REFUSEE, Etat.INTERROMPUE):
        transmis = {}
        for livrable in prestation.livrables.all():
            transmis.setdefault(livrable.type, livrable.transmis_le)
            transmis[livrable.type] = min(transmis[livrable.type], livrable.transmis_le)
        fin_effective = prestation.date_reprise or prestation.terminee_le or prestation.date_fin
        for echeance in regle.echeances_livrables:
            limite = echeance.date_limite(prestation.date_debut, fin_effective)
            if limite is None:
                continue
            if prestation.terminee_le and echeance.reference == "debut" and limite > prestation.terminee_le:
                continue  # the case ended before this deliverable was due
            from prestations.dispositifs import LIVRABLES

            resultat.append(
                Obligation(
                    type=TypeEcheance.BILAN_INTERMEDIAIRE
                    if echeance.reference == "debut"
                    else TypeEcheance.BILAN_FINAL,
                    cle=echeance.livrable,
                    regle=echeance.regle,
                    libelle=f"{LIVRABLES.get(echeance.livrable, echeance.livrable)} à transmettre au plus tard "
                    f"le {limite:%d/%m/%Y}",
                    depart_le=minuit(prestation.date_debut),
                    due_le=minuit(limite + datetime.timedelta(days=1)),
                    alertes=[minuit(limite - datetime.timedelta(days=3))],
                    honoree_le=transmis.get(echeance.livrable),
                )
            )

    # MOV-13: one follow-up entretien in the first week, then one a month.
    if prestation.etat == Etat.SUIVI_EMPLOI:
        for fenetre in faits.suivi_emploi_attendu(prestation, le):
            tenu = fenetre["entretien"]
            resultat.append(
                Obligation(
                    type=TypeEcheance.SUIVI_EMPLOI,
                    cle=fenetre["debut"].isoformat(),
                    regle="MOV-13",
                    libelle=f"Entretien de suivi entre le {fenetre['debut']:%d/%m/%Y} et le {fenetre['fin']:%d/%m/%Y}",
                    depart_le=minuit(fenetre["debut"]),
                    due_le=minuit(fenetre["fin"] + datetime.timedelta(days=1)),
                    alertes=[minuit(max(fenetre["debut"], fenetre["fin"] - datetime.timedelta(days=2)))],
                    honoree_le=tenu.debut if tenu else None,
                )
            )
    return resultat


# --- Writing the rows -----------------------------------------------------------------


def _prochaine_action(ligne: Echeance) -> datetime.datetime | None:
    if ligne.etat not in ETATS_OUVERTS:
        return None
    restantes = sorted(ligne.alertes)[ligne.alertes_envoyees :]
    return min([*restantes, ligne.due_le])


def _honoree_par_la_suite(ligne: Echeance, prestation: Prestation) -> datetime.datetime | None:
    """When an open row matches no obligation any more: the time it was met, else None.

    Only the MOV-10 gap is met by what replaced it (an entretien held after the one that
    started it). Any other vanished row is void, not met: a contractualisation that never
    took place because the case was interrupted first, a gap or an end date of a case
    that ended, an end date moved by a renewal."""
    if ligne.type != TypeEcheance.ECART_ENTRETIENS or getattr(ligne, "sans_fait_nouveau", False):
        # The gap row was computed from the last entretien held (entretiens are recorded
        # once held, never in advance): while no fact changed since, none followed it.
        return None
    depuis = datetime.date.fromisoformat(ligne.cle)
    suivants = [e for e in faits.entretiens_tenus(prestation) if e.jour > depuis]
    return suivants[0].debut if suivants else None


def _clore_sans_objet(ligne: Echeance, prestation: Prestation, maintenant: datetime.datetime) -> bool:
    """Close an open row that no longer matches any obligation: honoured if it was met,
    else cancelled. Returns True when honoured."""
    honoree = _honoree_par_la_suite(ligne, prestation)
    if honoree is not None:
        ligne.etat, ligne.honoree_le = EtatEcheance.HONOREE, honoree
    else:
        ligne.etat, ligne.annulee_le = EtatEcheance.ANNULEE, maintenant
    ligne.prochaine_action_le, ligne.version_faits = None, None
    return honoree is not None


def _reconcilier(
    prestation: Prestation, existantes: dict, maintenant: datetime.datetime, closes: frozenset | set = frozenset()
) -> list[Echeance]:
    """The rows to write for the case's open rows to match its obligations; ``existantes``
    (``(type, clé)`` → row) gains the new rows. A closed row is either in ``existantes``
    or only its key in ``closes``: it is never written again."""
    voulues = {(o.type, o.cle): o for o in obligations(prestation, maintenant)}
    a_ecrire = []
    for cle, obligation in voulues.items():
        if cle in closes:
            continue
        ligne = existantes.get(cle)
        if ligne is None:
            ligne = existantes[cle] = Echeance(prestation=prestation, type=obligation.type, cle=obligation.cle)
        elif not ligne.est_ouverte:
            continue
        ligne.regle, ligne.libelle = obligation.regle, obligation.libelle
        ligne.depart_le, ligne.due_le, ligne.alertes = obligation.depart_le, obligation.due_le, obligation.alertes
        if obligation.honoree_le is not None:
            ligne.etat, ligne.honoree_le = EtatEcheance.HONOREE, obligation.honoree_le
        # Only an open row is vouched for at the case's version: one reopened by hand is
        # recomputed by the sweep.
        ligne.version_faits = prestation.version_faits if ligne.est_ouverte else None
        ligne.prochaine_action_le = _prochaine_action(ligne)
        a_ecrire.append(ligne)
    for cle, ligne in existantes.items():
        if cle not in voulues and ligne.est_ouverte:
            _clore_sans_objet(ligne, prestation, maintenant)
            a_ecrire.append(ligne)
    return a_ecrire


def synchroniser(prestation: Prestation, maintenant: datetime.datetime | None = None) -> list[Echeance]:
    """Make the case's open rows match its obligations (called by every workflow action).

    A new obligation creates a row; an obligation met is honoured; an open row that no
    longer matches any obligation (the gap restarted with a new entretien, the end date
    moved with a renewal, the case ended) is honoured if it was met, else cancelled.
    Returns all the case's rows."""
    maintenant = maintenant or timezone.now()
    # The version the rows are computed at: the case's as the database has it now, after
    # the caller's writes (its own copy may predate them).
    prestation.version_faits = Prestation.objects.filter(pk=prestation.pk).values_list("version_faits", flat=True)[0]
    existantes = {(e.type, e.cle): e for e in Echeance.objects.filter(prestation=prestation)}
    for ligne in _reconcilier(prestation, existantes, maintenant):
        ligne.save()
    return list(existantes.values())


def prochaine_echeance(lignes) -> tuple[datetime.date | None, str]:
    """The next deadline a person must act on among a case's rows, as the lists show it:
    its last day (Europe/Paris) and its label."""
    a_faire = [e for e in lignes if e.est_ouverte and e.type not in TYPES_AUTOMATIQUES]
    if not a_faire:
        return None, ""
    prochaine = min(a_faire, key=lambda e: e.due_le)
    dernier_jour = timezone.localtime(prochaine.due_le - datetime.timedelta(seconds=1)).date()
    return dernier_jour, f"{prochaine.libelle} ({prochaine.regle})"[:200]


def synchroniser_en_lot(prestations: list[Prestation], maintenant: datetime.datetime, champs: list[str] = ()) -> None:
    """``synchroniser`` (and the next deadline the lists sort on) for many cases at once,
    in a constant number of queries: used by the sweep after its automatic transitions,
    whose changes to the cases (``champs``) are written in the same UPDATE as their next
    deadline."""
    if not prestations:
        return
    _notices_du_prescripteur(prestations)  # the notices just written date the 48-hour rows
    # The versions the rows were vouched for at are the cases' as the caller read them,
    # before its transitions; the rewritten rows are vouched for at the versions after.
    lues = {p.pk: p.version_faits for p in prestations}
    par_cas, closes = _lignes_des_cas(list(lues))
    for lignes in par_cas.values():
        for ligne in lignes.values():
            ligne.sans_fait_nouveau = ligne.version_faits == lues[ligne.prestation_id]
    # The facts of the cases still open or with a row computed before a change; of the
    # others, the deliverables only (what the rules read of a closed case).
    a_relire = [
        p
        for p in prestations
        if p.est_ouverte or any(not e.sans_fait_nouveau for e in par_cas[p.pk].values() if e.est_ouverte)
    ]
    faits.precharger(a_relire)
    faits.precharger(prestations, relations=("livrables",))
    nouvelles, modifiees = [], []
    for prestation in prestations:
        for ligne in _reconcilier(prestation, par_cas[prestation.pk], maintenant, closes[prestation.pk]):
            (modifiees if ligne.pk else nouvelles).append(ligne)
        prestation.prochaine_echeance, prestation.prochaine_echeance_libelle = prochaine_echeance(
            par_cas[prestation.pk].values()
        )
    # The cases first: the version their facts are at once written (the database keeps
    # it) is the one the rows just computed are vouched for at.
    versions = mettre_a_jour(
        Prestation,
        prestations,
        [*champs, "prochaine_echeance", "prochaine_echeance_libelle"],
        relire="version_faits",
    )
    for prestation in prestations:
        prestation.version_faits = versions[prestation.pk]
    for ligne in [*nouvelles, *modifiees]:
        if ligne.version_faits is not None:  # an open row
            ligne.version_faits = versions[ligne.prestation_id]
    Echeance.objects.bulk_create(nouvelles)
    _enregistrer(modifiees, CHAMPS_DU_BALAYAGE + CHAMPS_DE_L_OBLIGATION)


#: What no engine code reads of a row it rewrites (its creation and last-change times):
#: left unread, a few thousand dates fewer to decode per sweep.
_NON_LUS = ("cree_le", "modifie_le")


def _lignes_des_cas(prestation_ids: list[int]) -> tuple[dict[int, dict], dict[int, set]]:
    """The cases' open rows as the engine rewrites them (case → ``(type, clé)`` → row),
    and the keys of their other rows (case → keys): closed for good, their key is all the
    engine reads of them. A row the outbox honours between the two queries is closed:
    its open copy, read first, is dropped."""
    cles = defaultdict(set)
    ouvertes = list(Echeance.objects.ouvertes().filter(prestation__in=prestation_ids).defer(*_NON_LUS))
    for prestation_id, type_, cle in (
        Echeance.objects.filter(prestation__in=prestation_ids)
        .exclude(etat__in=ETATS_OUVERTS)
        .values_list("prestation_id", "type", "cle")
    ):
        cles[prestation_id].add((type_, cle))
    par_cas: dict[int, dict] = defaultdict(dict)
    for ligne in ouvertes:
        if (ligne.type, ligne.cle) not in cles[ligne.prestation_id]:
            par_cas[ligne.prestation_id][(ligne.type, ligne.cle)] = ligne
    return par_cas, cles


# --- The sweep ------------------------------------------------------------------------


def _destinataires(prestation, qui: str):
    ldc = prestation.lettre_de_commande
    if qui == "prescripteur":
        return [ldc.prescripteur]
    if qui == "referent" and prestation.referent_id:
        return [prestation.referent]
    lot = _LOT.get()
    if lot is not None:
        return lot.responsables(ldc.marche.prestataire_id)
    return [
        m.user
        for m in Membership.objects.filter(
            organisation_id=ldc.marche.prestataire_id, role=Role.RESPONSABLE, active=True
        ).select_related("user")
    ]


def _lien(prestation) -> str:
    from prestations import workflow

    return workflow.lien(prestation)


def _nom(prestation) -> str:
    beneficiaire = prestation.lettre_de_commande.beneficiaire
    return f"{beneficiaire.prenom} {beneficiaire.nom}"


def _noms(users) -> str:
    return ", ".join(sorted(u.email for u in users))


def _notifier(destinataires, **avis) -> None:
    """``notifier``, or within a batch of the sweep, the same rows written with the batch."""
    lot = _LOT.get()
    if lot is None:
        notifier(destinataires, **avis)
    else:
        lot.notifier(destinataires, **avis)


def _avertir(ligne: Echeance, prestation, maintenant, obligation: Obligation) -> str:
    numero = ligne.alertes_envoyees + 1
    jours = (timezone.localdate(ligne.due_le) - timezone.localdate(maintenant)).days
    destinataires = _destinataires(prestation, obligation.destinataires_alerte)
    _notifier(
        destinataires,
        cle=f"echeance:{ligne.pk}:alerte:{numero}",
        organisation=prestation.lettre_de_commande.marche.prestataire,
        sujet=f"{obligation.libelle} — {prestation.lettre_de_commande.numero}",
        corps=f"{obligation.libelle} ({obligation.regle}) : il reste {jours} jour(s). Dossier de {_nom(prestation)}.",
        lien=_lien(prestation),
    )
    ligne.alertes_envoyees = numero
    ligne.etat = EtatEcheance.AVERTIE
    ligne.avertie_le = maintenant
    return f"avertissement n° {numero} à {_noms(destinataires)}"


def _depasser(ligne: Echeance, prestation, maintenant, obligation: Obligation) -> bool:
    """Breach: notice to the prescripteur, the référent and whoever got the warnings (the
    prestataire's responsables for the platform's own notices), then the automatic transition."""
    from prestations import workflow

    transition = obligation.transition is not None
    le, lot = timezone.localdate(maintenant), _LOT.get()
    if transition and lot is not None:  # written with the batch (``_Lot.clore``)
        lot.clotures.append(workflow.clore(prestation, obligation.transition, le=le, regle=obligation.regle))
    elif obligation.transition == "interrompre_pour_ecart":
        workflow.interrompre_automatiquement(prestation, le=le, regle=obligation.regle, maintenant=maintenant)
    elif obligation.transition == "terminer_au_terme":
        workflow.terminer_au_terme(prestation, le=le, maintenant=maintenant)
    ldc = prestation.lettre_de_commande
    if obligation.type == TypeEcheance.FIN_PRESTATION:
        # A normal end at term, not a failure: the prescripteur was told by the workflow;
        # the référent learns the case is closed.
        _notifier(
            _destinataires(prestation, "referent"),
            cle=f"echeance:{ligne.pk}:depassement",
            organisation=ldc.marche.prestataire,
            sujet=f"Prestation arrivée à son terme — {ldc.numero}",
            corps=f"La prestation de {_nom(prestation)} a pris fin à son terme, le {prestation.date_fin:%d/%m/%Y} "
            f"({obligation.regle}), sans sortie positive enregistrée.",
            lien=_lien(prestation),
        )
        ligne.etat = EtatEcheance.ECHUE
        ligne.echue_le = maintenant
        return transition
    destinataires = {
        u.pk: u
        for u in _destinataires(prestation, "prescripteur")
        + _destinataires(prestation, "referent")
        + _destinataires(prestation, obligation.destinataires_alerte)
    }
    _notifier(
        list(destinataires.values()),
        cle=f"echeance:{ligne.pk}:depassement",
        organisation=ldc.marche.prestataire,
        sujet=f"Échéance dépassée : {obligation.libelle} — {ldc.numero}",
        corps=f"{obligation.libelle} ({obligation.regle}) : échéance dépassée le "
        f"{timezone.localtime(ligne.due_le):%d/%m/%Y à %H:%M}."
        + (" La prestation a pris fin automatiquement." if transition else ""),
        lien=_lien(prestation),
    )
    ligne.etat = EtatEcheance.ECHUE
    ligne.echue_le = maintenant
    return transition


_SUITES = {"interrompre_pour_ecart": ", prestation interrompue", "terminer_au_terme": ", prestation terminée"}


def _noter(compteurs: Balayage, ligne: Echeance, prestation, action: str) -> None:
    """What the sweep did (or, in a simulation, would do) with a row, for the operator."""
    actions = getattr(compteurs, "actions", None)
    if actions is not None:
        actions.append(f"{prestation.lettre_de_commande.numero} — {ligne.libelle} ({ligne.regle}) : {action}")


def a_jour(ligne: Echeance, prestation: Prestation) -> bool:
    """Whether the row was computed from the case's facts as they are now (its facts
    version is the case's): nothing the rules read has changed since."""
    return ligne.version_faits is not None and ligne.version_faits == prestation.version_faits


def _obligation(ligne: Echeance, prestation: Prestation, maintenant: datetime.datetime) -> Obligation | None:
    """The re-check: the obligation the row stands for now, or None if the case no longer
    has it. A row computed at the case's current facts version is what the rules say,
    except whether a 48-hour notice was sent since (the outbox is read again); any other
    row is recomputed from the case's facts (``obligations``)."""
    if a_jour(ligne, prestation):
        obligation = Obligation.de_la_ligne(ligne)
        if ligne.type in TYPES_AUTOMATIQUES:
            notice = _notice(prestation, ligne.cle)
            obligation.honoree_le = notice.envoyee_le if notice else None
        return obligation
    faits.precharger([prestation])
    obligation = next(
        (o for o in obligations(prestation, maintenant) if (o.type, o.cle) == (ligne.type, ligne.cle)), None
    )
    if obligation is not None:
        # The row takes what the facts say now (a suspension recorded without its row
        # rewritten moves the due time) and is vouched for at the case's version.
        ligne.regle, ligne.libelle = obligation.regle, obligation.libelle
        ligne.depart_le, ligne.due_le, ligne.alertes = obligation.depart_le, obligation.due_le, obligation.alertes
        ligne.version_faits, ligne.recalculee = prestation.version_faits, True
    return obligation


def _agir(ligne: Echeance, prestation, maintenant: datetime.datetime, compteurs: Balayage) -> None:
    """Re-check a claimed row against its (locked) case and act: honour, cancel, breach
    (notice, automatic transition) or warn; the row's new state is left to write."""
    obligation = _obligation(ligne, prestation, maintenant)
    if obligation is not None and obligation.honoree_le is not None:
        ligne.etat, ligne.honoree_le = EtatEcheance.HONOREE, obligation.honoree_le
        compteurs.honorees += 1
        _noter(compteurs, ligne, prestation, f"honorée le {timezone.localtime(ligne.honoree_le):%d/%m/%Y %H:%M}")
    elif obligation is None:  # the case changed meanwhile: nothing to act on any more
        if _clore_sans_objet(ligne, prestation, maintenant):
            compteurs.honorees += 1
            _noter(compteurs, ligne, prestation, "honorée")
        else:
            _noter(compteurs, ligne, prestation, "annulée (sans objet)")
    elif maintenant >= ligne.due_le:
        transition = _depasser(ligne, prestation, maintenant, obligation)
        compteurs.depassements += 1
        compteurs.transitions += transition
        suite = _SUITES.get(obligation.transition, "") if transition else ""
        _noter(compteurs, ligne, prestation, f"dépassement notifié{suite}")
    else:
        while (
            ligne.alertes_envoyees < len(ligne.alertes) and sorted(ligne.alertes)[ligne.alertes_envoyees] <= maintenant
        ):
            _noter(compteurs, ligne, prestation, _avertir(ligne, prestation, maintenant, obligation))
            compteurs.avertissements += 1
    ligne.prochaine_action_le = _prochaine_action(ligne)
    if not ligne.est_ouverte:
        ligne.version_faits = None


def traiter(ligne_id: int, maintenant: datetime.datetime, compteurs: Balayage) -> None:
    """Handle one due row: lock its case, claim the row (skip it if done meanwhile), re-check, act.

    The case is locked before the row, as every workflow action does (``workflow._verrou``
    locks the case, then rewrites its rows): two sweeps working on two rows of one case
    queue on the case instead of each holding a row the other's transition must rewrite
    (a deadlock, or a stale copy of the other's row written back)."""
    prestation_id = Echeance.objects.filter(pk=ligne_id).values_list("prestation_id", flat=True).first()
    if prestation_id is None:
        return
    with transaction.atomic():
        prestation = (
            faits.charger(
                Prestation.objects.select_for_update(of=("self",)).select_related(
                    "lettre_de_commande__beneficiaire",
                    "lettre_de_commande__marche",
                    "lettre_de_commande__prescripteur",
                    "referent",
                )
            )
            .filter(pk=prestation_id)
            .first()
        )
        ligne = (
            Echeance.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=ligne_id, etat__in=ETATS_OUVERTS, prochaine_action_le__lte=maintenant)
            .first()
        )
        if prestation is None or ligne is None:  # done meanwhile by another sweep
            return
        compteurs.examinees += 1
        _agir(ligne, prestation, maintenant, compteurs)
        ligne.save()


# --- The sweep in batches ----------------------------------------------------------------
#
# The sweep handles its due rows by batches of ``TAILLE_LOT``, one transaction each, with
# the same steps as ``traiter`` (lock the cases, claim the rows with SKIP LOCKED, re-check
# each row against its case, act) and the same code to act (``_agir``); what changes is
# the number of queries: the cases, their facts (entretiens, suspensions, périodes), their
# notices and the prestataires' responsables are read once per batch, and the rows' new
# states and the warning and breach notices are written once per batch. Automatic
# transitions are applied by the workflow's own ``clore`` and written for the whole batch
# by ``workflow.ecrire_clotures``.
#
# Batches run on ``settings.ECHEANCES_CONNEXIONS`` connections at once, one thread each
# (``_balayer``): while one batch waits for PostgreSQL, another does its Python work. All
# the rows of a case are in one batch, so two batches never lock the same case; each
# batch counts what it did apart, added to the run's counters at the end.


class _Lot:
    """What one batch shares: the responsables read once, and the writes kept for the end."""

    def __init__(self, prestations: dict):
        self.prestations = prestations
        self._responsables: dict[int, list] = {}
        self.lignes: dict[int, list[Echeance]] = defaultdict(list)
        self.avis: list[Notification] = []
        self.clotures: list = []  # automatic ends applied in memory (``workflow.clore``)

    def responsables(self, organisation_id: int) -> list:
        if organisation_id not in self._responsables:
            organisations = {p.lettre_de_commande.marche.prestataire_id for p in self.prestations.values()}
            organisations = (organisations | {organisation_id}) - set(self._responsables)
            for organisation in organisations:
                self._responsables[organisation] = []
            for m in Membership.objects.filter(
                organisation_id__in=organisations, role=Role.RESPONSABLE, active=True
            ).select_related("user"):
                self._responsables[m.organisation_id].append(m.user)
        return list(self._responsables[organisation_id])

    def notifier(self, destinataires, **avis) -> None:
        """The rows ``comptes.notifications.notifier`` writes for a notice a rule requires
        (both channels, whatever the preferences, no digest), written with the batch."""
        if not avis.get("obligatoire", True):
            notifier(destinataires, **avis)
            return
        self.avis.extend(lignes_de_notification(destinataires, **avis))

    def clore(self, maintenant: datetime.datetime) -> None:
        """Write the automatic ends applied so far: each case's handled rows first (the row
        that breached stays échue), then the cases, their sorties, journal entries, notices
        and échéances, a query or so each for all of them."""
        from prestations import workflow

        if not self.clotures:
            return
        _enregistrer_traitees([ligne for c in self.clotures for ligne in self.lignes.pop(c.prestation.pk, [])])
        workflow.ecrire_clotures(self.clotures, maintenant)
        self.clotures = []

    def ecrire(self, prestation_id: int | None = None) -> None:
        """Write the rows handled so far (only those of ``prestation_id`` if given: before
        the case is acted on again), and at the end of the batch, the notices."""
        if prestation_id is not None:
            _enregistrer_traitees(self.lignes.pop(prestation_id, []))
            return
        _enregistrer_traitees([ligne for lignes in self.lignes.values() for ligne in lignes])
        self.lignes.clear()
        if self.avis:
            ecrire_notifications(self.avis)
            self.avis = []


_LOT: contextvars.ContextVar[_Lot | None] = contextvars.ContextVar("lot_d_echeances", default=None)


#: What the sweep changes on a row it acts on (``_agir``).
CHAMPS_DU_BALAYAGE = [
    "etat",
    "alertes_envoyees",
    "avertie_le",
    "echue_le",
    "honoree_le",
    "annulee_le",
    "prochaine_action_le",
    "version_faits",
]


#: What a re-check from the facts may change besides (``_obligation``).
CHAMPS_DE_L_OBLIGATION = ["regle", "libelle", "depart_le", "due_le", "alertes"]


def _enregistrer(lignes: list[Echeance], champs: list[str] | None = None) -> None:
    """``save()`` of many rows in one UPDATE (only ``champs`` if given; ``auto_now``
    included)."""
    mettre_a_jour(Echeance, lignes, champs)


def _enregistrer_traitees(lignes: list[Echeance]) -> None:
    """The rows the sweep acted on: their state, and for those recomputed from the facts,
    the obligation's dates and label too."""
    _enregistrer([e for e in lignes if not getattr(e, "recalculee", False)], CHAMPS_DU_BALAYAGE)
    _enregistrer([e for e in lignes if getattr(e, "recalculee", False)], CHAMPS_DU_BALAYAGE + CHAMPS_DE_L_OBLIGATION)


def _cas(queryset):
    """The cases as the sweep reads them: lettre, bénéficiaire, marché, prestataire,
    prescribing organisation and prescripteur, référent. Their facts are read only for
    the cases that need them (``faits.precharger``): a row computed at the case's current
    facts version is re-checked without them."""
    return (
        queryset.select_related(*_LIES)
        .defer(*[chemin for lie, gardes in _LIES.items() for chemin in _sauf(lie, gardes)])
        .prefetch_related(*[Prefetch(chemin, queryset=lecture()) for chemin, lecture in _PARTAGES.items()])
    )


#: What the sweep reads of the objects of a case's own (``select_related``), the rest of
#: their columns left unread: names in the notices, keys of the rule set and of the
#: recipients. Reading a column left out costs a query per case, which the pinned query
#: counts of the tests would show.
_LIES = {
    "lettre_de_commande": {"numero", "dispositif", "regle_version"},
    "lettre_de_commande__beneficiaire": {"nom", "prenom"},
}


def _utilisateurs():
    from comptes.models import User

    return User.objects.only("email", "first_name", "last_name")


def _marches():
    from prestations.models import Marche

    return Marche.objects.select_related("prestataire").only("reference", "prestataire__nom")


def _organisations():
    from comptes.models import Organisation

    return Organisation.objects.only("nom")


#: The objects many cases of a batch share (a few marchés, organisations and users for
#: hundreds of cases): read once per batch (``prefetch_related``), one instance each,
#: instead of once per case; with the columns the sweep reads.
_PARTAGES = {
    "lettre_de_commande__marche": _marches,
    "lettre_de_commande__organisation_prescriptrice": _organisations,
    "lettre_de_commande__prescripteur": _utilisateurs,
    "referent": _utilisateurs,
}


def _sauf(chemin: str, gardes: set[str]) -> list[str]:
    """The columns of the object at ``chemin`` to leave unread: all but ``gardes``, its
    primary key and the relations the sweep follows."""
    modele = Prestation
    for nom in chemin.split("__"):
        modele = modele._meta.get_field(nom).related_model
    suivies = {
        c.removeprefix(f"{chemin}__").split("__")[0] for c in [*_LIES, *_PARTAGES] if c.startswith(f"{chemin}__")
    }
    return [
        f"{chemin}__{champ.name}"
        for champ in modele._meta.concrete_fields
        if not champ.primary_key and champ.name not in gardes and champ.name not in suivies
    ]


def _traiter_lot(lot: list[tuple[int, int]], maintenant: datetime.datetime, compteurs: Balayage) -> bool:
    """Handle a batch of due rows ``(row id, case id)`` in one transaction, as ``traiter``
    would one by one. Returns False, with nothing written and the counters as they were,
    if anything failed: the caller then hands the rows to ``traiter`` one at a time."""
    avant = (
        compteurs.examinees,
        compteurs.avertissements,
        compteurs.depassements,
        compteurs.transitions,
        compteurs.honorees,
        len(compteurs.actions),
    )
    jeton = None
    try:
        with transaction.atomic():
            # The cases first, in id order (two sweeps queue on them instead of deadlocking),
            # then the rows still due, skipping those another sweep holds.
            prestations = {
                p.pk: p
                for p in _cas(
                    Prestation.objects.select_for_update(of=("self",)).filter(pk__in={pid for _, pid in lot})
                ).order_by("pk")
            }
            lignes = {
                e.pk: e
                for e in Echeance.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk__in=[pk for pk, _ in lot], etat__in=ETATS_OUVERTS, prochaine_action_le__lte=maintenant)
                .defer(*_NON_LUS)
            }
            # The facts of the cases changed since their rows were computed, and the
            # 48-hour notices of those and of the rows that wait for one: once per batch.
            cas_des_lignes = [
                (e, prestations[e.prestation_id]) for e in lignes.values() if e.prestation_id in prestations
            ]
            a_recalculer = {p.pk: p for e, p in cas_des_lignes if not a_jour(e, p)}
            faits.precharger(a_recalculer.values())
            _notices_du_prescripteur(
                {p.pk: p for e, p in cas_des_lignes if p.pk in a_recalculer or e.type in TYPES_AUTOMATIQUES}.values()
            )
            ecrit = _Lot(prestations)
            jeton = _LOT.set(ecrit)
            # Cases an automatic transition rewrote in this batch: the case is read again
            # once after each transition, and each of its rows still to handle is read
            # again, as ``traiter`` would (the transition rewrote all its open rows).
            changees, reecrites = set(), set()
            for ligne_id, prestation_id in lot:
                ligne, prestation = lignes.get(ligne_id), prestations.get(prestation_id)
                if prestation_id in reecrites:
                    ecrit.clore(maintenant)
                    if prestation_id in changees:
                        prestation = _cas(Prestation.objects.filter(pk=prestation_id)).first()
                        prestations[prestation_id] = prestation
                        changees.discard(prestation_id)
                    ligne = (
                        Echeance.objects.filter(
                            pk=ligne_id, etat__in=ETATS_OUVERTS, prochaine_action_le__lte=maintenant
                        )
                        .defer(*_NON_LUS)
                        .first()
                    )
                if prestation is None or ligne is None:  # done meanwhile by another sweep
                    continue
                ecrit.ecrire(prestation_id)  # its rows handled before are written before it is acted on
                compteurs.examinees += 1
                transitions = compteurs.transitions
                _agir(ligne, prestation, maintenant, compteurs)
                ecrit.lignes[prestation_id].append(ligne)
                if compteurs.transitions > transitions:
                    changees.add(prestation_id)
                    reecrites.add(prestation_id)
            ecrit.clore(maintenant)
            ecrit.ecrire()
    except Exception:  # noqa: BLE001 - rolled back; the rows are handled one by one instead
        logger.warning("Lot de %s échéances annulé, repris échéance par échéance.", len(lot), exc_info=True)
        (
            compteurs.examinees,
            compteurs.avertissements,
            compteurs.depassements,
            compteurs.transitions,
            compteurs.honorees,
            nombre,
        ) = avant
        del compteurs.actions[nombre:]
        return False
    finally:
        if jeton is not None:
            _LOT.reset(jeton)
    return True


def connexions_du_balayage() -> int:
    """The connections a sweep works on: ``settings.ECHEANCES_CONNEXIONS``, or only the
    caller's inside a transaction (other connections would not see its uncommitted rows)."""
    return 1 if transaction.get_connection().in_atomic_block else settings.ECHEANCES_CONNEXIONS


def decouper(dues: list[tuple[int, int]], connexions: int) -> list[list[tuple[int, int]]]:
    """The batches of a sweep's due rows ``(row id, case id)``: of at most ``TAILLE_LOT``
    rows, as many as a multiple of ``connexions`` (all of them busy until the end, none
    left to finish a last batch alone), of even sizes."""
    nombre = -(-len(dues) // TAILLE_LOT)
    nombre = -(-nombre // connexions) * connexions
    return _lots(dues, -(-len(dues) // max(nombre, 1)))


def _lots(dues: list[tuple[int, int]], taille: int) -> list[list[tuple[int, int]]]:
    """Batches of ``taille`` rows in the sweep's order, all rows of a case in one batch."""
    lots: list[list[tuple[int, int]]] = []
    lot_du_cas: dict[int, int] = {}
    for ligne_id, prestation_id in dues:
        if prestation_id not in lot_du_cas:
            if not lots or len(lots[-1]) >= taille:
                lots.append([])
            lot_du_cas[prestation_id] = len(lots) - 1
        lots[lot_du_cas[prestation_id]].append((ligne_id, prestation_id))
    return lots


def balayer(maintenant: datetime.datetime | None = None, *, simulation: bool = False, limite: int = 5000) -> Balayage:
    """One sweep as of ``maintenant`` (replayable for any date). With ``simulation`` the
    whole sweep is rolled back at the end: the returned counters say what it would do,
    and ``actions`` lists it row by row. A row whose handling fails is logged and left due
    for the next sweep: it never stops the rows behind it. Outside a transaction, the
    batches run on ``settings.ECHEANCES_CONNEXIONS`` connections at once; inside one
    (its rows would be invisible to other connections), on the caller's."""
    maintenant = maintenant or timezone.now()
    debut = time.monotonic()
    compteurs = Balayage(maintenant=maintenant, debut=timezone.now(), simulation=simulation)
    compteurs.actions = []
    dues = list(
        Echeance.objects.dues(maintenant).order_by("prochaine_action_le").values_list("pk", "prestation_id")[:limite]
    )
    with _sans_ramasse_miettes():
        if simulation:
            # The whole sweep in one transaction, rolled back at the end: each row sees
            # what the rows before it did, as in a real sweep; nothing is kept, and the
            # e-mails queued after commit are never queued.
            with transaction.atomic():
                _balayer(dues, maintenant, compteurs)
                transaction.set_rollback(True)
        else:
            _balayer(dues, maintenant, compteurs)
    compteurs.duree_ms = int((time.monotonic() - debut) * 1000)
    if not simulation:
        compteurs.save()
    return compteurs


@contextlib.contextmanager
def _sans_ramasse_miettes():
    """Python's cycle collector paused while the sweep works: it reads and writes tens of
    thousands of objects, each batch freed by reference counting when done, and a full
    collection pass over the worker's heap every few thousand allocations costs more than
    the work itself. Collected once, at the end."""
    actif = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if actif:
            gc.enable()
            gc.collect(1)


def _balayer(dues, maintenant, compteurs: Balayage) -> None:
    connexions = connexions_du_balayage()
    lots = decouper(dues, connexions)
    partiels = [_compteurs_du_lot(compteurs) for _ in lots]
    connexions = min(connexions, len(lots))
    if connexions <= 1:  # one connection asked for, one batch, or inside the caller's transaction
        for lot, partiel in zip(lots, partiels, strict=True):
            _traiter_un_lot(lot, maintenant, partiel)
    else:
        file: queue.SimpleQueue = queue.SimpleQueue()
        for element in zip(lots, partiels, strict=True):
            file.put(element)
        fils = [
            threading.Thread(target=_ouvrier, args=(file, maintenant), name=f"balayage-{n}", daemon=True)
            for n in range(1, connexions)
        ]
        for fil in fils:
            fil.start()
        _ouvrier(file, maintenant, fermer=False)  # this thread takes batches too, on its own connection
        for fil in fils:
            fil.join()
    for partiel in partiels:  # in the sweep's order, whatever thread handled the batch
        for nom in _COMPTEURS:
            setattr(compteurs, nom, getattr(compteurs, nom) + getattr(partiel, nom))
        compteurs.actions.extend(partiel.actions)


#: What ``Balayage`` counts.
_COMPTEURS = ("examinees", "avertissements", "depassements", "transitions", "honorees")


def _compteurs_du_lot(compteurs: Balayage) -> Balayage:
    """The counters of one batch, added to the sweep's once every batch is done."""
    partiel = Balayage(maintenant=compteurs.maintenant, debut=compteurs.debut, simulation=compteurs.simulation)
    partiel.actions = []
    return partiel


def _ouvrier(file: queue.SimpleQueue, maintenant: datetime.datetime, *, fermer: bool = True) -> None:
    """Take batches from ``file`` until it is empty, each on this thread's connection
    (closed at the end, unless it is the caller's)."""
    try:
        while True:
            try:
                lot, partiel = file.get_nowait()
            except queue.Empty:
                return
            _traiter_un_lot(lot, maintenant, partiel)
    except Exception:  # noqa: BLE001 - the other threads take the batches left; rows not done stay due
        logger.exception("Balayage : un fil de traitement s'est arrêté, ses lots restants passent aux autres.")
    finally:
        if fermer:
            connections.close_all()  # this thread's connections only


def _traiter_un_lot(lot, maintenant, compteurs: Balayage) -> None:
    if len(lot) > 1 and _traiter_lot(lot, maintenant, compteurs):
        return
    _traiter_un_a_un([ligne_id for ligne_id, _ in lot], maintenant, compteurs)


def _traiter_un_a_un(lignes: list[int], maintenant, compteurs: Balayage) -> None:
    for ligne_id in lignes:
        try:
            traiter(ligne_id, maintenant, compteurs)
        except Exception:  # noqa: BLE001 - one bad row must not stop the engine
            logger.exception("Échéance %s : échec du traitement, reprise au prochain balayage.", ligne_id)
            compteurs.actions.append(f"Échéance n° {ligne_id} : échec du traitement, reprise au prochain balayage.")
