"""Deliverables (LIV-01..05): the documents of a case, transmitted to the prescripteur.

This first version stores the PDF the prestataire transmits (with its SHA-256 and the
time of transmission); rendering the deliverables from the case data comes next.
A transmitted file is never replaced: a correction is a new version (EMA-02).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from prestations.dispositifs import LIVRABLES
from prestations.models import Prestation
from prestations.models.version import declencheur_des_faits


def _chemin(instance, nom):
    return f"livrables/{instance.prestation_id}/{instance.type}-v{instance.version}.pdf"


class LivrableQuerySet(models.QuerySet):
    def visible_par(self, acteur):
        return self.filter(prestation__in=Prestation.objects.visible_par(acteur))


class Livrable(models.Model):
    prestation = models.ForeignKey(Prestation, on_delete=models.CASCADE, related_name="livrables")
    type = models.CharField("livrable", max_length=40, choices=sorted(LIVRABLES.items(), key=lambda c: c[1]))
    version = models.PositiveSmallIntegerField("version", default=1)
    fichier = models.FileField("fichier PDF", upload_to=_chemin)
    nom_original = models.CharField("nom du fichier déposé", max_length=200)
    taille = models.PositiveIntegerField("taille (octets)")
    empreinte = models.CharField("empreinte SHA-256", max_length=64)
    transmis_le = models.DateTimeField("transmis le")
    depose_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = LivrableQuerySet.as_manager()

    class Meta:
        verbose_name = "livrable"
        ordering = ["type", "-version"]
        triggers = [declencheur_des_faits()]
        constraints = [
            models.UniqueConstraint(fields=["prestation", "type", "version"], name="livrable_version_unique"),
        ]

    def __str__(self):
        return f"{self.get_type_display()} (v{self.version})"
