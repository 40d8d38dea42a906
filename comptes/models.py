"""Users, organisations and memberships (SPEC §1).

A user logs in with an e-mail address and may belong to several organisations;
each membership gives one role. The active membership is chosen after login and
kept in the session (see ``comptes.middleware``).
"""

from __future__ import annotations

import pghistory
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siret as stdnum_siret

from commun.bornes import texte_long


class TypeOrganisation(models.TextChoices):
    PRESCRIPTEUR = "prescripteur", "Prescripteur"
    PRESTATAIRE = "prestataire", "Prestataire"
    FINANCEUR = "financeur", "Financeur"
    PLATEFORME = "plateforme", "Plateforme"


class Role(models.TextChoices):
    PRESCRIPTEUR = "prescripteur", "Prescripteur"
    REFERENT = "referent", "Référent"
    RESPONSABLE = "responsable", "Responsable"
    GESTIONNAIRE_FINANCIER = "gestionnaire_financier", "Gestionnaire financier"
    FINANCEUR = "financeur", "Financeur"
    ADMINISTRATEUR = "administrateur", "Administrateur"


#: Which organisation type each role belongs to (SPEC §1).
TYPE_PAR_ROLE = {
    Role.PRESCRIPTEUR: TypeOrganisation.PRESCRIPTEUR,
    Role.REFERENT: TypeOrganisation.PRESTATAIRE,
    Role.RESPONSABLE: TypeOrganisation.PRESTATAIRE,
    Role.GESTIONNAIRE_FINANCIER: TypeOrganisation.FINANCEUR,
    Role.FINANCEUR: TypeOrganisation.FINANCEUR,
    Role.ADMINISTRATEUR: TypeOrganisation.PLATEFORME,
}


def valider_siret(value: str) -> None:
    try:
        stdnum_siret.validate(value)
    except StdnumError:
        raise ValidationError(
            "Le numéro SIRET « %(value)s » n'est pas valide (14 chiffres, clé de contrôle).",
            params={"value": value},
            code="siret",
        ) from None


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("L'adresse e-mail est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("adresse e-mail", unique=True)
    first_name = models.CharField("prénom", max_length=150, blank=True)
    last_name = models.CharField("nom", max_length=150, blank=True)
    is_active = models.BooleanField("actif", default=True)
    is_staff = models.BooleanField("accès à l'administration", default=False)
    date_joined = models.DateTimeField("inscrit le", default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "utilisateur"
        ordering = ["last_name", "first_name", "email"]

    def __str__(self):
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email


class OrganisationQuerySet(models.QuerySet):
    def visible_par(self, acteur):
        """Organisations an ``acteur`` may open: its own (principle 5, scope first).

        The platform administrator sees every organisation.
        """
        if acteur is None:
            return self.none()
        if acteur.role == Role.ADMINISTRATEUR:
            return self.all()
        return self.filter(pk=acteur.organisation.pk)


@pghistory.track()
class Organisation(models.Model):
    type = models.CharField("type", max_length=20, choices=TypeOrganisation.choices)
    nom = models.CharField("nom", max_length=200)
    siret = models.CharField("SIRET", max_length=14, unique=True, validators=[valider_siret])
    adresse = models.TextField("adresse", blank=True, **texte_long(500))
    email_contact = models.EmailField("e-mail de contact", blank=True)
    departements = models.ManyToManyField(
        "territoires.Departement", verbose_name="départements couverts", related_name="organisations", blank=True
    )
    active = models.BooleanField("active", default=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["nom"]
        verbose_name = "organisation"

    def __str__(self):
        return self.nom

    def clean(self):
        super().clean()
        if self.siret:
            self.siret = stdnum_siret.compact(self.siret)


@pghistory.track()
class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name="utilisateur")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name="organisation"
    )
    role = models.CharField("rôle", max_length=30, choices=Role.choices)
    active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        verbose_name = "appartenance"
        ordering = ["organisation__nom", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role"),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} — {self.organisation}"

    def clean(self):
        super().clean()
        if self.role and self.organisation_id:
            attendu = TYPE_PAR_ROLE[Role(self.role)]
            if self.organisation.type != attendu:
                raise ValidationError(
                    {
                        "role": f"Le rôle « {Role(self.role).label} » s'exerce dans une organisation de type "
                        f"« {TypeOrganisation(attendu).label} », or « {self.organisation} » est de type "
                        f"« {self.organisation.get_type_display()} »."
                    }
                )


class Canal(models.TextChoices):
    EMAIL = "email", "E-mail"
    IN_APP = "in_app", "Dans l'application"


class NotificationQuerySet(models.QuerySet):
    def email_a_envoyer(self):
        return self.filter(canal=Canal.EMAIL, envoyee_le__isnull=True, abandonnee=False)

    def non_lues(self, user):
        return self.filter(destinataire=user, canal=Canal.IN_APP, lue_le__isnull=True)


class Notification(models.Model):
    """Outbox row (DESIGN principle 6): written in the same transaction as the event,
    then sent by a task. ``cle`` makes a notice unique per recipient and channel."""

    # No index of its own: the unique constraint (destinataire, canal, clé) leads with it.
    destinataire = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications", db_index=False
    )
    #: A person without an account (a bénéficiaire asked to sign): the e-mail goes to this
    #: address; ``destinataire`` is then empty and the notice has no in-app row.
    adresse = models.EmailField("adresse (sans compte)", blank=True, default="", db_default="")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    canal = models.CharField("canal", max_length=10, choices=Canal.choices)
    cle = models.CharField("clé d'unicité", max_length=200)
    sujet = models.CharField("sujet", max_length=200)
    corps = models.TextField("message")
    lien = models.CharField("lien", max_length=300, blank=True)
    due_le = models.DateTimeField("due le", default=timezone.now)
    envoyee_le = models.DateTimeField("envoyée le", null=True, blank=True)
    lue_le = models.DateTimeField("lue le", null=True, blank=True)
    tentatives = models.PositiveSmallIntegerField("tentatives", default=0)
    erreur = models.TextField("dernière erreur", blank=True)
    abandonnee = models.BooleanField("abandonnée", default=False)
    obligatoire = models.BooleanField(
        "exigée par une règle", default=True, help_text="Les avis exigés par une règle ne peuvent pas être désactivés."
    )
    digest = models.BooleanField("envoyée dans le récapitulatif quotidien", default=False)
    cree_le = models.DateTimeField("créée le", auto_now_add=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = "notification"
        ordering = ["-cree_le", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["destinataire", "canal", "cle"], name="notification_unique"),
            models.UniqueConstraint(
                fields=["adresse", "canal", "cle"],
                condition=models.Q(destinataire__isnull=True),
                name="notification_unique_par_adresse",
            ),
            models.CheckConstraint(
                condition=models.Q(destinataire__isnull=False) | (~models.Q(adresse="") & models.Q(canal="email")),
                name="notification_destinataire_ou_adresse",
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_le"],
                name="notification_email_pending",
                condition=models.Q(canal="email", envoyee_le__isnull=True, abandonnee=False),
            ),
            models.Index(
                fields=["destinataire", "-cree_le"],
                name="notification_in_app_unread",
                condition=models.Q(canal="in_app", lue_le__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.get_canal_display()} → {self.destinataire or self.adresse} : {self.sujet}"

    @property
    def email(self) -> str:
        """Where the e-mail goes: the user's address, or the address of a person without an account."""
        return self.destinataire.email if self.destinataire_id else self.adresse


class PreferencesNotification(models.Model):
    """How a user wants the informative notices; notices a rule requires (48 h, breach,
    end, warnings) are always sent by e-mail and in the application."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="preferences_notification")
    email_informatif = models.BooleanField("recevoir les avis informatifs par e-mail", default=True)
    in_app_informatif = models.BooleanField("recevoir les avis informatifs dans l'application", default=True)
    recapitulatif_quotidien = models.BooleanField(
        "regrouper les e-mails informatifs dans un récapitulatif quotidien", default=False
    )

    class Meta:
        verbose_name = "préférences de notification"
        verbose_name_plural = "préférences de notification"

    def __str__(self):
        return f"Préférences de {self.user}"
