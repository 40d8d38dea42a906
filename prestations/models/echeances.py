"""Deadlines are rows (DESIGN principle 3, SPEC §4).

Each dated obligation of a case is an ``Echeance``: its due time, the rule it comes
from, its warning times and its state. ``prochaine_action_le`` is the next moment the
sweep must look at the row (the next warning, then the due time); open rows are
selected through a partial index on it, claimed with ``SELECT … FOR UPDATE SKIP
LOCKED``, re-checked against the case data, acted upon and recorded.

The state moves only through the row's transitions (``avertir``, ``depasser``,
``honorer``, ``annuler``): à venir → avertie → échue, or honorée, or annulée.
"""

from __future__ import annotations

import datetime

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from prestations.models.prestation import Prestation


class TypeEcheance(models.TextChoices):
    CONTRACTUALISATION = "contractualisation", "Contractualisation"
    COPIE_CONTRAT = "copie_contrat", "Copie du contrat au prescripteur"
    INFORMATION_REFUS = "information_refus", "Information du prescripteur (contrat non signé)"
    ECART_ENTRETIENS = "ecart_entretiens", "Prochain entretien"
    FIN_PRESTATION = "fin_prestation", "Fin de la prestation"
    BILAN_INTERMEDIAIRE = "bilan_intermediaire", "Bilan intermédiaire"
    BILAN_FINAL = "bilan_final", "Transmission du bilan final"
    INFORMATION_INTERRUPTION = "information_interruption", "Information du prescripteur (interruption)"
    LIVRABLES_INTERRUPTION = "livrables_interruption", "Livrables des phases réalisées (interruption)"
    SUIVI_EMPLOI = "suivi_emploi", "Entretien de suivi dans l'emploi"


class EtatEcheance(models.TextChoices):
    A_VENIR = "a_venir", "À venir"
    AVERTIE = "avertie", "Avertie"
    ECHUE = "echue", "Échue"
    HONOREE = "honoree", "Honorée"
    ANNULEE = "annulee", "Annulée"


ETATS_OUVERTS = (EtatEcheance.A_VENIR, EtatEcheance.AVERTIE)

#: Obligations met by the platform's own notices to the prescripteur (MOV-06: the refusal;
#: LIV-03: the interruption): the outbox honours them when the e-mail goes out. They stay
#: out of the work queue and of the next deadline (nobody has anything to do); a breach is
#: still notified to the prestataire's responsables and shown on the case clocks.
TYPES_AUTOMATIQUES = (
    TypeEcheance.INFORMATION_REFUS,
    TypeEcheance.INFORMATION_INTERRUPTION,
)

#: Obligations whose clock starts from a notice to the prescripteur (those above, and
#: MOV-05: the signed contract's copy, due 48 hours after the contract notice, met when the
#: référent transmits it): the sweep reads the notices of their cases.
TYPES_DEPUIS_UN_AVIS = (*TYPES_AUTOMATIQUES, TypeEcheance.COPIE_CONTRAT)


class EcheanceQuerySet(models.QuerySet):
    def ouvertes(self):
        return self.filter(etat__in=ETATS_OUVERTS)

    def dues(self, maintenant):
        """The rows the sweep must act on now (served by the partial index)."""
        return self.filter(etat__in=ETATS_OUVERTS, prochaine_action_le__lte=maintenant)

    def visible_par(self, acteur):
        return self.filter(prestation__in=Prestation.objects.visible_par(acteur))

    def a_faire(self):
        """Open rows a person must act on (the platform's own notices excluded)."""
        return self.ouvertes().exclude(type__in=TYPES_AUTOMATIQUES)


class Echeance(FSMModelMixin, models.Model):
    # No index of its own: the unique constraint (prestation, type, clé) leads with it and
    # serves a case's rows (the sweep rewrites thousands of rows at midnight: every index
    # more is written as many times).
    prestation = models.ForeignKey(Prestation, on_delete=models.CASCADE, related_name="echeances", db_index=False)
    type = models.CharField("type", max_length=40, choices=TypeEcheance.choices)
    cle = models.CharField("clé", max_length=60, help_text="Distingue les occurrences (ex. date du dernier entretien).")
    regle = models.CharField("règle", max_length=10)
    libelle = models.CharField("libellé", max_length=200)
    depart_le = models.DateTimeField("point de départ")
    due_le = models.DateTimeField("échéance")
    alertes = ArrayField(models.DateTimeField(), default=list, blank=True, verbose_name="avertissements prévus")
    alertes_envoyees = models.PositiveSmallIntegerField("avertissements envoyés", default=0)
    prochaine_action_le = models.DateTimeField("prochaine action", null=True, blank=True)
    etat = FSMField("état", max_length=20, choices=EtatEcheance.choices, default=EtatEcheance.A_VENIR, protected=True)
    avertie_le = models.DateTimeField("avertie le", null=True, blank=True)
    echue_le = models.DateTimeField("échue le", null=True, blank=True)
    honoree_le = models.DateTimeField("honorée le", null=True, blank=True)
    annulee_le = models.DateTimeField("annulée le", null=True, blank=True)
    #: ``Prestation.version_faits`` when the row was last computed from the case's facts
    #: (None: unknown, the sweep recomputes it).
    version_faits = models.BigIntegerField("version des faits", null=True, blank=True, editable=False)
    cree_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)

    objects = EcheanceQuerySet.as_manager()

    class Meta:
        verbose_name = "échéance"
        ordering = ["due_le", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["prestation", "type", "cle"], name="echeance_unique_par_occurrence"),
        ]
        indexes = [
            models.Index(
                fields=["prochaine_action_le"],
                name="echeance_a_traiter",
                condition=Q(etat__in=["a_venir", "avertie"]),
            ),
        ]

    def __str__(self):
        return f"{self.libelle} ({self.regle}) — {self.get_etat_display()}"

    @property
    def est_ouverte(self) -> bool:
        return self.etat in ETATS_OUVERTS

    @property
    def dernier_jour(self):
        """The last day allowed (Europe/Paris): the day before the due midnight."""
        return timezone.localtime(self.due_le - datetime.timedelta(seconds=1)).date()

    def prendre(self, obligation, version_faits) -> None:
        """Take what the rules say now of this obligation (``echeances.regles.Obligation``):
        its rule, label, dates and warnings, vouched for at the case's facts version."""
        self.regle, self.libelle = obligation.regle, obligation.libelle
        self.depart_le, self.due_le, self.alertes = obligation.depart_le, obligation.due_le, list(obligation.alertes)
        self.version_faits = version_faits
        self.prochaine_action_le = self.prochaine_action()

    def prochaine_action(self):
        """The next moment the sweep must look at an open row: its next warning, else its
        due time."""
        restantes = sorted(self.alertes)[self.alertes_envoyees :]
        return min([*restantes, self.due_le])

    def alerte_due(self, maintenant) -> bool:
        return self.alertes_envoyees < len(self.alertes) and sorted(self.alertes)[self.alertes_envoyees] <= maintenant

    # --- Transitions --------------------------------------------------------------

    @transition(field=etat, source=ETATS_OUVERTS, target=EtatEcheance.AVERTIE)
    def avertir(self, maintenant) -> None:
        """One more warning sent."""
        self.alertes_envoyees += 1
        self.avertie_le = maintenant
        self.prochaine_action_le = self.prochaine_action()

    @transition(field=etat, source=ETATS_OUVERTS, target=EtatEcheance.ECHUE)
    def depasser(self, maintenant) -> None:
        """The due time passed with the obligation unmet: breached, for good."""
        self.echue_le = maintenant
        self._fermer()

    @transition(field=etat, source=ETATS_OUVERTS, target=EtatEcheance.HONOREE)
    def honorer(self, le) -> None:
        """The obligation was met, at ``le`` (its real time)."""
        self.honoree_le = le
        self._fermer()

    @transition(field=etat, source=ETATS_OUVERTS, target=EtatEcheance.ANNULEE)
    def annuler(self, maintenant) -> None:
        """The obligation no longer applies (the case ended, the date moved)."""
        self.annulee_le = maintenant
        self._fermer()

    @transition(field=etat, source=EtatEcheance.ECHUE, target=EtatEcheance.HONOREE)
    def honorer_apres_coup(self, le) -> None:
        """A breach the facts logged afterwards show was met in time (SPEC §4, MOV-10)."""
        self.honoree_le = le
        self._fermer()

    @transition(field=etat, source=EtatEcheance.ANNULEE, target=EtatEcheance.A_VENIR)
    def rouvrir(self) -> None:
        """The obligation applies again: its case was reopened (an automatic end undone).
        Its warnings already sent stay sent (their notices have unique keys)."""
        self.annulee_le = None

    def _fermer(self) -> None:
        self.prochaine_action_le = None
        self.version_faits = None


class Balayage(models.Model):
    """One run of the deadline sweep: when, for which date, what it did."""

    maintenant = models.DateTimeField("balayage pour")
    debut = models.DateTimeField("début")
    duree_ms = models.PositiveIntegerField("durée (ms)", default=0)
    examinees = models.PositiveIntegerField("échéances examinées", default=0)
    avertissements = models.PositiveIntegerField("avertissements", default=0)
    depassements = models.PositiveIntegerField("dépassements", default=0)
    honorees = models.PositiveIntegerField("honorées", default=0)
    transitions = models.PositiveIntegerField("transitions automatiques", default=0)
    simulation = models.BooleanField("simulation", default=False)

    class Meta:
        verbose_name = "balayage des échéances"
        ordering = ["-debut"]

    def __str__(self):
        return f"Balayage du {self.maintenant:%d/%m/%Y %H:%M}"
