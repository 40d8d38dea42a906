"""French administrative reference data (départements, communes).

Shipped offline in ``territoires/data/`` (Licence Ouverte 2.0, see NOTICE there),
loaded by a data migration; nothing is downloaded at run time.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models


class Departement(models.Model):
    code = models.CharField("code", max_length=3, primary_key=True)
    nom = models.CharField("nom", max_length=100)
    region = models.CharField("code région", max_length=3, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "département"

    def __str__(self):
        return f"{self.code} – {self.nom}"


class Commune(models.Model):
    code_insee = models.CharField("code INSEE", max_length=5, primary_key=True)
    nom = models.CharField("nom", max_length=100, db_index=True)
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="communes")
    codes_postaux = ArrayField(models.CharField(max_length=5), default=list, blank=True)

    class Meta:
        ordering = ["nom"]
        verbose_name = "commune"
        indexes = [models.Index(fields=["departement", "nom"])]

    def __str__(self):
        return f"{self.nom} ({self.departement_id})"
