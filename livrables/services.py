"""Transmitting a deliverable: guard → atomic → journal → notify (LIV-01..05)."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from commun.exceptions import ActionRefusee
from comptes.notifications import notifier
from livrables.models import Livrable
from prestations.dispositifs import LIVRABLES
from prestations.journal import journaliser
from prestations.models import Etat, Prestation, TypeEvenement
from prestations.suivi.gardes import verifier_acteur_prestataire
from prestations.verrou import verrouiller

TAILLE_MAX = 10 * 1024 * 1024


def livrables_prevus(prestation) -> list[tuple[str, str]]:
    """The deliverables of the case's rule set (required and optional), in phase order."""
    regle = prestation.regle
    cles = []
    for phase in regle.phases:
        for cle in (*phase.livrables, *phase.livrables_optionnels):
            if cle not in cles:
                cles.append(cle)
    return [(cle, LIVRABLES.get(cle, cle)) for cle in cles]


def transmettre_livrable(acteur, prestation, *, type: str, fichier) -> Livrable:
    """Store the PDF, timestamp its transmission and notify the prescripteur (LIV-05).

    Concurrency: the case row is locked (``prestations.verrou``) before the next version
    is read, as every action locks its case first; simultaneous transmissions of
    one case therefore queue on that lock and get versions 1, 2, 3... without a gap or a
    duplicate. (Locking the deliverable rows instead locks nothing for the first version.)
    The guards are checked again on the locked row (the référent or the state may have
    changed while the request waited for it).

    The file and its row: the file is written under the lock, once its version (hence its
    name) is allotted, then the row is inserted in the same transaction. If anything
    fails before the commit is done (the journal, the notice, the deadline rows, the
    commit itself), the file just written is deleted and the error re-raised: a file is
    left on disk only with its row. The transaction is ``durable``: a caller cannot wrap
    this call in its own transaction (Django raises ``RuntimeError``), so this commit is
    the real one and no outer rollback can drop the row after the file was kept. The
    lock rewrites the case's échéances on leaving (LIV-01/LIV-02 honoured).
    Writing the file after the commit instead (``on_commit``) would risk the worse
    failure, a transmitted row without its file. What remains is a process killed
    between the write and the commit: an orphan file, never a row without its file."""
    verifier_transmission(acteur, prestation)
    prevus = dict(livrables_prevus(prestation))
    if type not in prevus:
        raise ValidationError({"type": "Ce livrable n'est pas prévu pour ce dispositif."})
    if fichier is None:
        raise ValidationError({"fichier": "Joignez le document au format PDF."})
    if fichier.size > TAILLE_MAX:
        raise ValidationError({"fichier": "Le fichier dépasse 10 Mo."})
    contenu = fichier.read()
    if not contenu.startswith(b"%PDF-"):
        raise ValidationError({"fichier": "Le fichier doit être un PDF."})
    fichier.seek(0)
    ecrit = None  # the storage name of the file once written, to delete on failure
    try:
        with transaction.atomic(durable=True), verrouiller(prestation) as verrouillee:
            verifier_transmission(acteur, verrouillee)
            version = (
                Livrable.objects.filter(prestation=verrouillee, type=type).aggregate(v=Max("version"))["v"] or 0
            ) + 1
            livrable = Livrable(
                prestation=verrouillee,
                type=type,
                version=version,
                nom_original=(getattr(fichier, "name", "") or f"{type}.pdf")[:200],
                taille=len(contenu),
                empreinte=hashlib.sha256(contenu).hexdigest(),
                transmis_le=timezone.now(),
                depose_par=acteur.user,
            )
            livrable.fichier.save(f"{type}.pdf", fichier, save=False)
            ecrit = livrable.fichier.name
            livrable.save()
            ldc = verrouillee.lettre_de_commande
            journaliser(
                TypeEvenement.LIVRABLE,
                acteur=acteur,
                ldc=ldc,
                message=f"{livrable.get_type_display()} (version {version}) transmis au prescripteur (LIV-05).",
                empreinte=livrable.empreinte,
            )
            notifier(
                [ldc.prescripteur],
                cle=f"livrable:{livrable.pk}",
                organisation=ldc.organisation_prescriptrice,
                sujet=f"{livrable.get_type_display()} transmis — {ldc.numero}",
                corps=f"{acteur.organisation.nom} vous transmet le document « {livrable.get_type_display()} » "
                f"(version {version}) de {ldc.beneficiaire.prenom} {ldc.beneficiaire.nom}.",
                lien=reverse("livrables:telecharger", args=[livrable.pk]),
            )
    except BaseException:
        if ecrit:
            livrable.fichier.storage.delete(ecrit)
        raise
    return livrable


def verifier_transmission(acteur, prestation: Prestation) -> None:
    """The référent of the case or a responsable transmits, once a référent is designated."""
    verifier_acteur_prestataire(acteur, prestation)
    if prestation.etat == Etat.ATTENTE_REFERENT:
        raise ActionRefusee("Un référent doit d'abord être désigné.", "MOV-04")
