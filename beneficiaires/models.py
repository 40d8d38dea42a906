"""The bénéficiaire: the person a prescripteur orders a prestation for (SPEC §1).

Identity, contact, address (the département is derived from the commune), the
situation read by the eligibility rules (PMA-01..03, BCA-01) and the BAM-01 flags.
No NIR is ever stored (see :mod:`beneficiaires.validators`).
"""

from __future__ import annotations

import contextlib
from datetime import date

import pghistory
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from beneficiaires.normalisation import normaliser
from beneficiaires.validators import (
    normaliser_code_rome,
    normaliser_identifiant_ft,
    normaliser_telephone,
    valider_code_rome,
    valider_identifiant_ft,
    valider_sans_nir,
    valider_telephone,
)
from commun.bornes import texte_long
from comptes import acces
from comptes.models import Role

AGE_MINIMUM = 16
AGE_MAXIMUM = 99


class Civilite(models.TextChoices):
    MADAME = "madame", "Madame"
    MONSIEUR = "monsieur", "Monsieur"


class Statut(models.TextChoices):
    """Situation at prescription; the values are the keys of ``prestations.dispositifs.vocabulaire.STATUTS``."""

    DEMANDEUR_EMPLOI = "demandeur_emploi", "Demandeur d'emploi"
    RSA = "rsa", "Bénéficiaire du RSA"
    JEUNE_MISSION_LOCALE = "jeune_mission_locale", "Jeune suivi par une mission locale"
    SALARIE_CHANTIER_INSERTION = "salarie_chantier_insertion", "Salarié en chantier d'insertion"
    AUTRE = "autre", "Autre"


class CategorieDemandeur(models.TextChoices):
    """France Travail registration categories A to E."""

    A = "A", "A – sans emploi, en recherche active"
    B = "B", "B – activité réduite courte (78 h ou moins par mois)"
    C = "C", "C – activité réduite longue (plus de 78 h par mois)"
    D = "D", "D – sans emploi, non tenu de rechercher (formation, maladie…)"
    E = "E", "E – en emploi, non tenu de rechercher (contrat aidé, création d'entreprise…)"


class NiveauFrancais(models.TextChoices):
    """CECRL level (PMA-03 requires A2 at least)."""

    A1 = "A1", "A1 – introductif"
    A2 = "A2", "A2 – intermédiaire"
    B1 = "B1", "B1 – seuil"
    B2 = "B2", "B2 – avancé"
    C1 = "C1", "C1 – autonome"
    C2 = "C2", "C2 – maîtrise"
    INCONNU = "inconnu", "Non évalué"


class OuiNonInconnu(models.TextChoices):
    OUI = "oui", "Oui"
    NON = "non", "Non"
    INCONNU = "inconnu", "Ne sait pas"


#: Roles allowed to create and edit a bénéficiaire.
ROLES_ECRITURE = (Role.PRESCRIPTEUR, Role.ADMINISTRATEUR)


def _modele_lettre_de_commande():
    """The LdC model reached through ``Beneficiaire.lettres_de_commande``, or None while it does not exist."""
    try:
        return Beneficiaire._meta.get_field("lettres_de_commande").related_model
    except FieldDoesNotExist:
        return None


class BeneficiaireQuerySet(models.QuerySet):
    def visible_par(self, acteur):
        """Bénéficiaires an ``acteur`` may see (principle 5, scope first), read through the
        need-to-know table (``comptes.acces``).

        * administrateur: all;
        * prescripteur: those its organisation created, and those it issued a
          lettre de commande for;
        * responsable: those with a lettre de commande under a marché held by their
          prestataire; référent: those of the cases they are designated on;
        * financeur, gestionnaire financier: none (no identity, SPEC §1).

        The LdC conditions are subqueries (no join, no ``distinct``). Until the
        LdC model exists, only the prescripteur's own bénéficiaires are visible.
        """
        portee = acces.portee(acteur, acces.Donnee.BENEFICIAIRE)
        if portee == acces.Portee.AUCUN:
            return self.none()
        role = acteur.role
        organisation = acteur.organisation
        if role == Role.ADMINISTRATEUR:
            return self.all()
        ldc = _modele_lettre_de_commande()
        if role == Role.PRESCRIPTEUR:
            condition = Q(organisation=organisation)
            if ldc is not None:
                condition |= Q(
                    pk__in=ldc.objects.filter(organisation_prescriptrice=organisation).values("beneficiaire")
                )
            return self.filter(condition)
        if ldc is None:
            return self.none()
        if role in (Role.REFERENT, Role.RESPONSABLE):
            lettres = ldc.objects.filter(marche__prestataire=organisation)
            if portee == acces.Portee.DESIGNES:
                lettres = lettres.filter(prestation__referent=acteur.user)
            return self.filter(pk__in=lettres.values("beneficiaire"))
        return self.none()

    def rechercher(self, q: str = "", date_naissance: date | None = None, identifiant_ft: str = ""):
        """Filter by name (every word, partial, without accents or case), birth date, identifiant FT (prefix)."""
        queryset = self
        for mot in normaliser(q).split():
            condition = (
                Q(nom_normalise__contains=mot)
                | Q(prenom_normalise__contains=mot)
                | Q(nom_naissance_normalise__contains=mot)
            )
            if len(mot) == 8:
                condition |= Q(identifiant_ft=mot.upper())
            queryset = queryset.filter(condition)
        if date_naissance:
            queryset = queryset.filter(date_naissance=date_naissance)
        identifiant = "".join((identifiant_ft or "").split()).upper()
        if identifiant:
            queryset = queryset.filter(identifiant_ft__startswith=identifiant)
        return queryset


@pghistory.track()
class Beneficiaire(models.Model):
    # --- Identity
    civilite = models.CharField("civilité", max_length=10, choices=Civilite.choices)
    nom = models.CharField("nom d'usage", max_length=100, validators=[valider_sans_nir])
    prenom = models.CharField("prénom", max_length=100, validators=[valider_sans_nir])
    nom_naissance = models.CharField("nom de naissance", max_length=100, blank=True, validators=[valider_sans_nir])
    date_naissance = models.DateField("date de naissance")
    identifiant_ft = models.CharField(
        "identifiant France Travail",
        max_length=8,
        blank=True,
        validators=[valider_identifiant_ft],
        help_text="7 chiffres suivis d'une lettre ou d'un chiffre, ex. 1234567A. Jamais le numéro de sécurité sociale.",
    )

    # --- Contact and address
    email = models.EmailField("adresse e-mail", blank=True)
    telephone = models.CharField(
        "téléphone",
        max_length=14,
        blank=True,
        validators=[valider_telephone],
        help_text="Numéro français, ex. 06 12 34 56 78 ou +33 6 12 34 56 78.",
    )
    adresse = models.TextField(
        "adresse",
        blank=True,
        max_length=500,
        validators=[valider_sans_nir, *texte_long(500)["validators"]],
        help_text="Numéro et voie.",
    )
    commune = models.ForeignKey(
        "territoires.Commune", on_delete=models.PROTECT, related_name="beneficiaires", verbose_name="commune"
    )
    departement = models.ForeignKey(
        "territoires.Departement",
        on_delete=models.PROTECT,
        related_name="beneficiaires",
        verbose_name="département",
        editable=False,
    )

    # --- Situation (eligibility facts, PMA-01..03, BCA-01)
    statut = models.CharField("situation", max_length=30, choices=Statut.choices)
    categorie_demandeur = models.CharField(
        "catégorie de demandeur d'emploi",
        max_length=1,
        choices=CategorieDemandeur.choices,
        blank=True,
        help_text="Obligatoire pour un demandeur d'emploi, sans objet sinon.",
    )
    date_inscription_ft = models.DateField("date d'inscription à France Travail", null=True, blank=True)
    niveau_francais = models.CharField(
        "niveau de français (CECRL)", max_length=7, choices=NiveauFrancais.choices, default=NiveauFrancais.INCONNU
    )
    projet_professionnel = models.TextField(
        "projet professionnel",
        blank=True,
        max_length=2000,
        validators=[valider_sans_nir, *texte_long(2000)["validators"]],
    )
    code_rome = models.CharField(
        "code ROME du métier visé",
        max_length=5,
        blank=True,
        validators=[valider_code_rome],
        help_text="Une lettre et 4 chiffres, ex. K2110.",
    )
    projet_defini = models.BooleanField("projet professionnel défini", default=False)
    accompagnateur_insertion = models.CharField(
        "professionnel de l'insertion qui suit la personne",
        max_length=200,
        blank=True,
        validators=[valider_sans_nir],
        help_text="Nom et structure, ex. Mme Martin, mission locale de Moulins.",
    )
    demarches_engagees = models.TextField(
        "démarches déjà engagées",
        blank=True,
        max_length=2000,
        validators=[valider_sans_nir, *texte_long(2000)["validators"]],
        help_text="Les démarches concrètes.",
    )

    # --- BAM-01: residents of QPV and rural territories get particular attention
    qpv = models.CharField(
        "réside en quartier prioritaire (QPV)", max_length=7, choices=OuiNonInconnu.choices, default="inconnu"
    )
    territoire_rural = models.CharField(
        "réside en territoire rural", max_length=7, choices=OuiNonInconnu.choices, default="inconnu"
    )

    # --- Who and when
    organisation = models.ForeignKey(
        "comptes.Organisation",
        on_delete=models.PROTECT,
        related_name="beneficiaires",
        verbose_name="organisation prescriptrice",
    )
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="créé par",
    )
    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifié le", auto_now=True)

    # --- Search columns, kept by save() (see beneficiaires.normalisation)
    nom_normalise = models.CharField(max_length=100, editable=False, default="")
    prenom_normalise = models.CharField(max_length=100, editable=False, default="")
    nom_naissance_normalise = models.CharField(max_length=100, editable=False, default="")

    objects = BeneficiaireQuerySet.as_manager()

    class Meta:
        verbose_name = "bénéficiaire"
        ordering = ["nom_normalise", "prenom_normalise", "id"]
        indexes = [
            models.Index(fields=["date_naissance", "nom_normalise"], name="beneficiaire_naissance_nom"),
            models.Index(fields=["nom_normalise", "prenom_normalise", "id"], name="beneficiaire_tri"),
            models.Index(fields=["identifiant_ft"], name="beneficiaire_identifiant_ft"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(statut=Statut.DEMANDEUR_EMPLOI) & ~Q(categorie_demandeur=""))
                | (~Q(statut=Statut.DEMANDEUR_EMPLOI) & Q(categorie_demandeur="")),
                name="beneficiaire_categorie_si_demandeur_emploi",
                violation_error_message="La catégorie s'indique pour un demandeur d'emploi, et pour lui seul.",
            ),
        ]

    def __str__(self):
        return f"{self.prenom} {self.nom}"

    def save(self, *args, **kwargs):
        self._deriver_departement()
        self.nom_normalise = normaliser(self.nom)
        self.prenom_normalise = normaliser(self.prenom)
        self.nom_naissance_normalise = normaliser(self.nom_naissance)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {
                *update_fields,
                "departement",
                "nom_normalise",
                "prenom_normalise",
                "nom_naissance_normalise",
            }
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("beneficiaires:detail", args=[self.pk])

    def _deriver_departement(self):
        if self.commune_id:
            self.departement_id = self.commune.departement_id

    @property
    def nom_complet(self) -> str:
        return f"{self.get_civilite_display()} {self.prenom} {self.nom}".strip()

    @property
    def attention_particuliere(self) -> bool:
        """BAM-01: a resident of a QPV or of a rural territory is flagged for particular attention."""
        return OuiNonInconnu.OUI in (self.qpv, self.territoire_rural)

    def age(self, le: date) -> int:
        """Age in whole years on ``le`` (a person born on 29 February gets a year older on 1 March)."""
        naissance = self.date_naissance
        return le.year - naissance.year - ((le.month, le.day) < (naissance.month, naissance.day))

    def mois_inscription(self, le: date) -> int | None:
        """Whole months of registration with France Travail on ``le`` (None when unknown)."""
        debut = self.date_inscription_ft
        if debut is None or debut > le:
            return None
        return (le.year - debut.year) * 12 + le.month - debut.month - (le.day < debut.day)

    def clean(self):
        super().clean()
        self.nom = " ".join(self.nom.split())
        self.prenom = " ".join(self.prenom.split())
        self.nom_naissance = " ".join(self.nom_naissance.split())
        for champ, normaliser_champ in (
            ("identifiant_ft", normaliser_identifiant_ft),
            ("telephone", normaliser_telephone),
            ("code_rome", normaliser_code_rome),
        ):
            with contextlib.suppress(ValidationError):  # an invalid value is reported by the field validator
                setattr(self, champ, normaliser_champ(getattr(self, champ)))
        self._deriver_departement()

        erreurs = {}
        aujourdhui = timezone.localdate()
        if self.date_naissance:
            # The age is checked on the creation date: a bénéficiaire created at 99 may turn 100.
            reference = timezone.localdate(self.cree_le) if self.cree_le else aujourdhui
            if self.date_naissance > aujourdhui:
                erreurs["date_naissance"] = "La date de naissance ne peut pas être dans le futur."
            elif not AGE_MINIMUM <= self.age(reference) <= AGE_MAXIMUM:
                erreurs["date_naissance"] = (
                    f"Le bénéficiaire doit avoir entre {AGE_MINIMUM} et {AGE_MAXIMUM} ans "
                    f"(âge calculé : {self.age(reference)} ans)."
                )
        if self.date_inscription_ft:
            if self.date_inscription_ft > aujourdhui:
                erreurs["date_inscription_ft"] = (
                    "La date d'inscription à France Travail ne peut pas être dans le futur."
                )
            elif self.date_naissance and self.date_inscription_ft < self.date_naissance:
                erreurs["date_inscription_ft"] = "La date d'inscription précède la date de naissance."
        if self.statut == Statut.DEMANDEUR_EMPLOI and not self.categorie_demandeur:
            erreurs["categorie_demandeur"] = "Indiquez la catégorie d'inscription du demandeur d'emploi (A à E)."
        elif self.statut and self.statut != Statut.DEMANDEUR_EMPLOI and self.categorie_demandeur:
            erreurs["categorie_demandeur"] = (
                "La catégorie ne concerne que les demandeurs d'emploi : laissez-la vide pour cette situation."
            )
        if erreurs:
            raise ValidationError(erreurs)
