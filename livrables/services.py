"""Transmitting a deliverable: guard → atomic → journal → notify (LIV-01..05)."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from comptes.notifications import notifier
from livrables.models import Livrable
from prestations.exceptions import ActionRefusee
from prestations.models import Etat, TypeEvenement
from prestations.services import journaliser
from prestations.workflow import actualiser_echeances, verifier_acteur_prestataire

TAILLE_MAX = 10 * 1024 * 1024


def livrables_prevus(prestation) -> list[tuple[str, str]]:
    """The deliverables of the case's rule set (required and optional), in phase order."""
    regle = prestation.regle
    cles = []
    for phase in regle.phases:
        for cle in (*phase.livrables, *phase.livrables_optionnels):
            if cle not in cles:
                cles.append(cle)
    from prestations.dispositifs import LIVRABLES

    return [(cle, LIVRABLES.get(cle, cle)) for cle in cles]


def transmettre_livrable(acteur, prestation, *, type: str, fichier) -> Livrable:
    """Store the PDF, timestamp its transmission and notify the prescripteur (LIV-05)."""
    verifier_acteur_prestataire(acteur, prestation)
    if prestation.etat in (Etat.ATTENTE_REFERENT,):
        raise ActionRefusee("Un référent doit d'abord être désigné.")
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
    with transaction.atomic():
        version = (
            Livrable.objects.select_for_update()
            .filter(prestation=prestation, type=type)
            .aggregate(v=Max("version"))["v"]
            or 0
        ) + 1
        livrable = Livrable(
            prestation=prestation,
            type=type,
            version=version,
            nom_original=(getattr(fichier, "name", "") or f"{type}.pdf")[:200],
            taille=len(contenu),
            empreinte=hashlib.sha256(contenu).hexdigest(),
            transmis_le=timezone.now(),
            depose_par=acteur.user,
        )
        livrable.fichier.save(f"{type}.pdf", fichier, save=False)
        livrable.save()
        ldc = prestation.lettre_de_commande
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
        actualiser_echeances(prestation)
    return livrable
