"""Marchés (SPEC §1)."""

from __future__ import annotations

from decimal import Decimal

import pghistory
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from comptes.models import Organisation, Role, TypeOrganisation
from prestations import dispositifs


def _choix_dispositifs():
    return dispositifs.choix()


class MarcheQuerySet(models.QuerySet):
    def visible_par(self, acteur):
        """Financeur and prestataire see their own marchés; prescripteurs see the marchés
        covering their départements (they prescribe under them); the administrator sees all."""
        if acteur is None:
            return self.none()
        org = acteur.organisation
        if acteur.role == Role.ADMINISTRATEUR:
            return self.all()
        if acteur.role in (Role.FINANCEUR, Role.GESTIONNAIRE_FINANCIER):
            return self.filter(financeur=org)
        if acteur.role in (Role.REFERENT, Role.RESPONSABLE):
            return self.filter(prestataire=org)
        if acteur.role == Role.PRESCRIPTEUR:
            return self.filter(departements__in=org.departements.all()).distinct()
        return self.none()

    def en_vigueur(self, le):
        return self.filter(actif=True, date_debut__lte=le, date_fin__gte=le)

    def couvrant(self, departement):
        return self.filter(departements=departement)


@pghistory.track()
class Marche(models.Model):
    """A marché (SPEC §1): one financeur, one prestataire, one dispositif, a territory,
    a period, a unit price HT and a VAT rate. Every LdC is issued under one."""

    reference = models.CharField("référence", max_length=50, unique=True)
    intitule = models.CharField("intitulé", max_length=200)
    financeur = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="marches_finances",
        limit_choices_to={"type": TypeOrganisation.FINANCEUR},
    )
    prestataire = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="marches_tenus",
        limit_choices_to={"type": TypeOrganisation.PRESTATAIRE},
    )
    dispositif = models.CharField("dispositif", max_length=10, choices=_choix_dispositifs)
    departements = models.ManyToManyField(
        "territoires.Departement", verbose_name="départements", related_name="marches"
    )
    date_debut = models.DateField("début")
    date_fin = models.DateField("fin")
    prix_unitaire_ht = models.DecimalField(
        "prix unitaire HT (€)", max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    taux_tva = models.DecimalField(
        "taux de TVA (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("20.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    duree_prestation_jours = models.PositiveIntegerField(
        "durée d'une prestation (jours)",
        null=True,
        blank=True,
        help_text="Obligatoire quand le dispositif laisse la durée au marché (PMA).",
    )
    echeancier = models.JSONField(
        "échéancier de paiement",
        default=list,
        blank=True,
        help_text='Jalons cumulés [{"libelle": …, "pourcentage_cumule": …}] ; vide = celui du dispositif '
        "(MOV) ou un jalon unique de 100 % à la fin.",
    )
    chevauchement_autorise = models.BooleanField(
        "chevauchement autorisé",
        default=False,
        help_text="Autorise un autre marché du même prestataire, dispositif et département sur la même période.",
    )
    actif = models.BooleanField("actif", default=True)

    objects = MarcheQuerySet.as_manager()

    class Meta:
        verbose_name = "marché"
        ordering = ["-date_debut", "reference"]
        constraints = [
            models.CheckConstraint(condition=Q(date_fin__gt=models.F("date_debut")), name="marche_fin_apres_debut"),
            models.CheckConstraint(condition=Q(prix_unitaire_ht__gt=0), name="marche_prix_positif"),
        ]

    def __str__(self):
        return f"{self.reference} – {self.intitule}"

    @property
    def regle(self):
        return dispositifs.regle_en_vigueur(self.dispositif, self.date_debut)

    def est_en_vigueur(self, le) -> bool:
        return self.actif and self.date_debut <= le <= self.date_fin

    def clean(self):
        super().clean()
        erreurs = {}
        if self.date_debut and self.date_fin and self.date_fin <= self.date_debut:
            erreurs["date_fin"] = "La fin du marché doit être postérieure à son début."
        if self.prix_unitaire_ht is not None and self.prix_unitaire_ht <= 0:
            erreurs["prix_unitaire_ht"] = "Le prix unitaire doit être supérieur à zéro."
        if self.financeur_id and self.financeur.type != TypeOrganisation.FINANCEUR:
            erreurs["financeur"] = "Choisissez une organisation de type financeur."
        if self.prestataire_id and self.prestataire.type != TypeOrganisation.PRESTATAIRE:
            erreurs["prestataire"] = "Choisissez une organisation de type prestataire."
        if self.dispositif and self.date_debut:
            try:
                regle = dispositifs.regle_en_vigueur(self.dispositif, self.date_debut)
            except dispositifs.DispositifInconnu as exc:
                erreurs["dispositif"] = str(exc)
            else:
                if regle.duree_fixee_par_marche and not self.duree_prestation_jours:
                    erreurs["duree_prestation_jours"] = (
                        f"Le dispositif {self.dispositif} laisse la durée au marché : indiquez-la."
                    )
        erreurs.update(self._erreurs_echeancier())
        if erreurs:
            raise ValidationError(erreurs)

    def _erreurs_echeancier(self) -> dict:
        if not self.echeancier:
            return {}
        message = (
            'L\'échéancier est une liste de jalons {"libelle", "pourcentage_cumule"} aux pourcentages '
            "cumulés croissants, le dernier à 100."
        )
        if not isinstance(self.echeancier, list):
            return {"echeancier": message}
        precedent = Decimal("0")
        for jalon in self.echeancier:
            try:
                pct = Decimal(str(jalon["pourcentage_cumule"]))
                libelle = str(jalon["libelle"]).strip()
            except (KeyError, TypeError, ArithmeticError, ValueError):
                return {"echeancier": message}
            if not libelle or pct <= precedent or pct > 100:
                return {"echeancier": message}
            precedent = pct
        if precedent != 100:
            return {"echeancier": message}
        return {}

    @staticmethod
    def chevauchements(*, prestataire, dispositif, departements, date_debut, date_fin, exclure_pk=None):
        """Other marchés of the same prestataire × dispositif on one of ``departements``
        whose period overlaps [date_debut, date_fin] (refused unless ``chevauchement_autorise``)."""
        qs = Marche.objects.filter(
            prestataire=prestataire,
            dispositif=dispositif,
            departements__in=departements,
            date_debut__lte=date_fin,
            date_fin__gte=date_debut,
            chevauchement_autorise=False,
        )
        if exclure_pk is not None:
            qs = qs.exclude(pk=exclure_pk)
        return qs.distinct()
