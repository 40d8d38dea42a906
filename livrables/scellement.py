"""Sealing a frozen version (EMA-02): rendered once as PDF/A (``rendu.final``), sealed
(``sceau.sceller``), stored byte for byte with its SHA-256. Called by the Celery task
queued after the last signature's commit (``livrables.tasks.sceller_livrable``), or at
the transmission if the worker has not run yet."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from livrables import documents, rendu, sceau, transmission
from livrables.models import Livrable


def sceller(livrable_id: int) -> Livrable:
    """Render the frozen version as PDF/A, seal it, store it byte for byte (idempotent: a
    sealed version is left as it is). The lettre de commande, once sealed, goes to the
    prescripteur at once (its acceptance)."""
    ecrit = None
    try:
        with transaction.atomic():
            livrable = Livrable.objects.select_for_update().select_related("prestation").get(pk=livrable_id)
            if livrable.est_pret or not livrable.est_fige:
                return livrable
            sceller_maintenant(livrable)
            ecrit = livrable.fichier.name
            if livrable.type == documents.LETTRE_DE_COMMANDE:
                transmission.transmettre_maintenant(None, livrable, livrable.prestation)
    except BaseException:
        if ecrit:
            livrable.fichier.storage.delete(ecrit)
        raise
    return livrable


def sceller_maintenant(livrable: Livrable) -> None:
    """Render, seal and store the final file of a frozen version (inside the caller's transaction)."""
    cachet = sceau.sceau()
    signatures = list(livrable.signatures.all())
    scan = None
    if livrable.scan:
        with livrable.scan.open("rb") as f:
            scan = f.read()
    pdf = rendu.final(
        livrable,
        signatures,
        organisation_sceau=cachet.organisation,
        horodate=bool(settings.SCEAU_HORODATAGE_URL),
        scan=scan,
    )
    scelle, horodate = sceau.sceller(pdf, raison=f"{livrable.get_type_display()} {livrable.reference}")
    livrable.taille = len(scelle)
    livrable.empreinte = hashlib.sha256(scelle).hexdigest()
    livrable.scelle_le = timezone.now()
    livrable.horodate = horodate
    livrable.nom_original = f"{livrable.type}-v{livrable.version}.pdf"
    livrable.fichier.save("document.pdf", ContentFile(scelle), save=False)
    livrable.save()
