"""Writing a case's obligations as ``Echeance`` rows: ``synchroniser``.

Every action on a case (``prestations.verrou``) and every automatic end of the sweep
calls it, for one case or a batch, in a constant number of queries. It reads the
cases' facts (if not already loaded), their rows and their notices, asks
``regles.obligations`` what each case owes, then:

- a new obligation gets a row;
- an obligation met gets its row honoured (at the time it was met);
- an open row that no longer matches any obligation (the gap restarted with a new
  entretien, the end date moved with a renewal, the case ended) is honoured if it was
  met, else cancelled;
- a closed row is never written again, except a cancelled one whose obligation applies
  again because its case was reopened (an automatic end undone, SPEC §4);

and stores each case's next deadline, the one the lists sort on. Each open row is
stamped with the case's facts version (``Prestation.version_faits``): while the case
keeps that version, the sweep can trust the row without reloading the facts.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import prefetch_related_objects
from django.utils import timezone

from commun.ecriture import update_rows
from prestations import faits
from prestations.echeances.notices import notices_des_dossiers
from prestations.echeances.regles import obligations, relations_lues
from prestations.models import Echeance, Prestation
from prestations.models.echeances import TYPES_AUTOMATIQUES, EtatEcheance, TypeEcheance

#: What a rewrite changes on an existing row.
CHAMPS_REECRITS = [
    "regle",
    "libelle",
    "depart_le",
    "due_le",
    "alertes",
    "prochaine_action_le",
    "version_faits",
    "etat",
    "honoree_le",
    "annulee_le",
    "modifie_le",
]


def synchroniser(prestations: list[Prestation], maintenant: datetime.datetime | None = None) -> dict[int, list]:
    """Make the cases' rows match their obligations as of ``maintenant`` (now by default),
    write them, and store each case's next deadline. Returns case id → its rows."""
    maintenant = maintenant or timezone.now()
    prestations = list(prestations)
    ids = [p.pk for p in prestations]
    # The version the rows are computed at: the cases' as the database has them now,
    # after the caller's writes (its copies may predate them).
    versions = dict(Prestation.objects.filter(pk__in=ids).values_list("pk", "version_faits"))
    # The facts as the database has them now too (the caller has just changed them), those
    # the rules read of each case.
    for prestation in prestations:
        for relation in faits.RELATIONS:
            getattr(prestation, "_prefetched_objects_cache", {}).pop(relation, None)
    for relations in {relations_lues(p) for p in prestations}:
        prefetch_related_objects([p for p in prestations if relations_lues(p) == relations], *relations)
    notices = notices_des_dossiers(prestations)
    lignes = defaultdict(dict)
    for ligne in Echeance.objects.filter(prestation__in=ids):
        lignes[ligne.prestation_id][(ligne.type, ligne.cle)] = ligne
    nouvelles, modifiees = [], []
    for prestation in prestations:
        prestation.version_faits = versions[prestation.pk]
        voulues = obligations(prestation, maintenant, notices[prestation.pk])
        for ligne in reconcilier(prestation, lignes[prestation.pk], voulues, maintenant):
            (modifiees if ligne.pk else nouvelles).append(ligne)
        prestation.prochaine_echeance, prestation.prochaine_echeance_libelle = prochaine_echeance(
            lignes[prestation.pk].values()
        )
    instant = timezone.now()
    for ligne in modifiees:
        ligne.modifie_le = instant
    Echeance.objects.bulk_create(nouvelles)
    update_rows(Echeance, modifiees, CHAMPS_REECRITS)
    update_rows(Prestation, prestations, ["prochaine_echeance", "prochaine_echeance_libelle"])
    return {pk: list(par_cle.values()) for pk, par_cle in lignes.items()}


def reconcilier(prestation, existantes: dict, voulues, maintenant) -> list[Echeance]:
    """The rows to write for the case's rows ``existantes`` ((type, clé) → row, gaining
    the new ones) to match its obligations ``voulues``."""
    voulues = {(o.type, o.cle): o for o in voulues}
    a_ecrire = []
    for cle, obligation in voulues.items():
        ligne = existantes.get(cle)
        if ligne is None:
            ligne = existantes[cle] = Echeance(prestation=prestation, type=obligation.type, cle=obligation.cle)
        elif ligne.etat == EtatEcheance.ANNULEE and prestation.est_ouverte:
            ligne.rouvrir()  # the case was reopened (an automatic end undone): it owes this again
        elif not ligne.est_ouverte:
            continue
        ligne.prendre(obligation, prestation.version_faits)
        if obligation.honoree_le is not None:
            ligne.honorer(obligation.honoree_le)
        a_ecrire.append(ligne)
    for cle, ligne in existantes.items():
        if cle not in voulues and ligne.est_ouverte:
            clore_sans_objet(ligne, prestation, maintenant)
            a_ecrire.append(ligne)
    return a_ecrire


def clore_sans_objet(ligne: Echeance, prestation, maintenant) -> None:
    """Close an open row that matches no obligation any more: honoured if it was met, else
    cancelled. Only the MOV-10 gap of a case still running is met by what replaced it (an
    entretien held after the one that started it); any other vanished row is void: a
    contractualisation that never took place because the case was interrupted first, an
    end date moved by a renewal, the gap of a case that ended."""
    honoree = None
    if ligne.type == TypeEcheance.ECART_ENTRETIENS and prestation.est_ouverte:
        depuis = datetime.date.fromisoformat(ligne.cle)
        suivants = [e for e in faits.entretiens_tenus(prestation) if e.jour > depuis]
        honoree = suivants[0].debut if suivants else None
    if honoree is not None:
        ligne.honorer(honoree)
    else:
        ligne.annuler(maintenant)


def prochaine_echeance(lignes) -> tuple[datetime.date | None, str]:
    """The next deadline a person must act on among a case's rows, as the lists show it:
    its last day (Europe/Paris) and its label."""
    a_faire = [e for e in lignes if e.est_ouverte and e.type not in TYPES_AUTOMATIQUES]
    if not a_faire:
        return None, ""
    prochaine = min(a_faire, key=lambda e: e.due_le)
    return prochaine.dernier_jour, f"{prochaine.libelle} ({prochaine.regle})"[:200]
