"""The case lock: every function that changes a case takes it through ``verrouiller``.

An action locks the case row (``SELECT … FOR UPDATE``), checks that the case is still
what the user saw, applies its change, saves the case and rewrites its échéance rows
(``echeances.ecriture.synchroniser``), all in one transaction. Two concurrent actions
on one case queue on the lock; the second finds the case changed and is refused with a
clear message (``ActionRefusee``) instead of applying a stale change. The deadline
sweep locks its cases the same way (``echeances.balayage``).
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager

from django.db import transaction
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from commun.exceptions import ActionRefusee
from prestations import faits
from prestations.echeances.ecriture import synchroniser
from prestations.models import Prestation


def cas_verrouilles():
    """Cases to lock for the current transaction (``SELECT … FOR UPDATE`` of their rows
    only), with what actions, rules and notices read of their lettre."""
    return Prestation.objects.select_for_update(of=("self",)).select_related(
        "lettre_de_commande__marche__prestataire",
        "lettre_de_commande__beneficiaire",
        "lettre_de_commande__prescripteur",
        "lettre_de_commande__organisation_prescriptrice",
        "referent",
    )


def prestation_verrouillee(pk: int) -> Prestation:
    """The case row locked for the current transaction, its facts loaded."""
    return faits.charger(cas_verrouilles()).get(pk=pk)


@contextmanager
def verrouiller(prestation: Prestation, maintenant: datetime.datetime | None = None):
    """Lock the case for an action and yield the locked copy; on leaving, save it and
    rewrite its échéances as of ``maintenant`` (now by default)."""
    with transaction.atomic():
        verrouillee = prestation_verrouillee(prestation.pk)
        # The caller's copy must still be what the user saw: a concurrent transition (or
        # a double submission) that changed the state or the phase is a clear conflict.
        if verrouillee.etat != prestation.etat or verrouillee.phase != prestation.phase:
            raise ActionRefusee("La prestation a changé d'état entre-temps ; rechargez la page.")
        try:
            yield verrouillee
        except TransitionNotAllowed:
            raise ActionRefusee(f"Action impossible dans l'état « {verrouillee.get_etat_display()} ».") from None
        try:
            verrouillee.save()
        except ConcurrentTransition:
            raise ActionRefusee("La prestation a été modifiée en même temps ; rechargez la page.") from None
        synchroniser([verrouillee], maintenant)
