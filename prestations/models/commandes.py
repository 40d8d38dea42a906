"""Lettres de commande (PRE-01)."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q

from commun.bornes import texte_long
from comptes import acces
from comptes.models import Organisation, Role
from prestations import dispositifs
from prestations.models.marches import Marche  # noqa: F401


class LettreDeCommandeQuerySet(models.QuerySet):
    def visible_par(self, acteur):
        """Principle 5, read through the need-to-know table (``comptes.acces``).
        Prescripteurs: the LdC of their organisation; responsables: those received under
        their marchés; référents: those of the cases they are designated on; financeurs
        and gestionnaires financiers: none yet (no case-level data, SPEC §1)."""
        portee = acces.portee(acteur, acces.Donnee.DOSSIER)
        if portee == acces.Portee.AUCUN:
            return self.none()
        org = acteur.organisation
        if acteur.role == Role.ADMINISTRATEUR:
            return self.all()
        if acteur.role == Role.PRESCRIPTEUR:
            return self.filter(organisation_prescriptrice=org)
        if acteur.role in (Role.REFERENT, Role.RESPONSABLE):
            qs = self.filter(marche__prestataire=org)
            if portee == acces.Portee.DESIGNES:
                qs = qs.filter(prestation__referent=acteur.user)
            return qs
        return self.none()

    def pour_liste(self):
        return self.select_related(
            "beneficiaire",
            "beneficiaire__departement",
            "marche",
            "marche__prestataire",
            "organisation_prescriptrice",
            "prescripteur",
            "prestation",
            "prestation__referent",
        )


@pghistory.track()
class LettreDeCommande(models.Model):
    """PRE-01: issued by a prescripteur, under an active marché covering the bénéficiaire's
    département, with the bénéficiaire's agreement, a start date and the end date computed
    by the dispositif's rule set. It keeps the rule-set key and version it was issued under."""

    numero = models.CharField("numéro", max_length=20, unique=True, editable=False)
    beneficiaire = models.ForeignKey(
        "beneficiaires.Beneficiaire", on_delete=models.PROTECT, related_name="lettres_de_commande"
    )
    marche = models.ForeignKey(Marche, on_delete=models.PROTECT, related_name="lettres_de_commande")
    organisation_prescriptrice = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="lettres_emises", verbose_name="prescripteur (structure)"
    )
    prescripteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lettres_emises", verbose_name="prescripteur"
    )
    dispositif = models.CharField("dispositif", max_length=10)
    regle_version = models.CharField("version des règles", max_length=20)
    date_debut = models.DateField("date de début")
    date_fin = models.DateField("date de fin", null=True, blank=True)
    accord_beneficiaire = models.BooleanField("accord du bénéficiaire recueilli")
    accord_recueilli_le = models.DateTimeField("accord recueilli le")
    motivation = models.TextField("motivation", blank=True, **texte_long(4000))
    avertissements = models.JSONField("avertissements", default=list, blank=True)
    emise_le = models.DateTimeField("émise le", auto_now_add=True)

    objects = LettreDeCommandeQuerySet.as_manager()

    class Meta:
        verbose_name = "lettre de commande"
        verbose_name_plural = "lettres de commande"
        ordering = ["-emise_le", "-pk"]
        indexes = [models.Index(fields=["organisation_prescriptrice", "-emise_le"])]
        constraints = [
            models.CheckConstraint(condition=Q(accord_beneficiaire=True), name="ldc_accord_beneficiaire"),
            models.CheckConstraint(
                condition=Q(date_fin__isnull=True) | Q(date_fin__gte=models.F("date_debut")), name="ldc_fin_apres_debut"
            ),
        ]

    def __str__(self):
        return f"{self.numero} – {self.beneficiaire}"

    @property
    def regle(self):
        return dispositifs.regle(self.dispositif, self.regle_version)
