"""The case journal and the PMA-03 re-orientations."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from comptes.models import Organisation
from prestations.models.commandes import LettreDeCommande
from prestations.models.marches import Marche


class TypeEvenement(models.TextChoices):
    LDC_EMISE = "ldc_emise", "Lettre de commande émise"
    LDC_TRANSMISE = "ldc_transmise", "Lettre de commande transmise au prestataire"
    REFERENT_DESIGNE = "referent_designe", "Référent désigné"
    REFERENT_CHANGE = "referent_change", "Référent changé"
    REORIENTATION = "reorientation", "Réorientation"
    CONTRACTUALISATION = "contractualisation", "Contractualisation"
    REFUS_CONTRAT = "refus_contrat", "Contrat non signé"
    ENTRETIEN = "entretien", "Entretien"
    PHASE = "phase", "Changement de phase"
    SUSPENSION = "suspension", "Suspension"
    FIN_SUSPENSION = "fin_suspension", "Fin de suspension"
    PERIODE_ENTREPRISE = "periode_entreprise", "Période en entreprise"
    SORTIE = "sortie", "Sortie"
    INTERRUPTION = "interruption", "Interruption"
    REPRISE = "reprise", "Reprise après une fin automatique"
    FIN_ANTICIPEE = "fin_anticipee", "Fin anticipée"
    RENOUVELLEMENT = "renouvellement", "Renouvellement"
    SUIVI_CLOS = "suivi_clos", "Fin du suivi dans l'emploi"
    SESSION_COLLECTIVE = "session_collective", "Session collective"
    ACTION_PARCOURS = "action_parcours", "Action du parcours"
    LIVRABLE = "livrable", "Livrable transmis"
    DOCUMENT = "document", "Document"
    SIGNATURE = "signature", "Signature"
    EMARGEMENT = "emargement", "Émargement"


class Evenement(models.Model):
    """The domain journal: the human timeline of a case (who, organisation, when, what)."""

    type = models.CharField("type", max_length=40, choices=TypeEvenement.choices)
    lettre_de_commande = models.ForeignKey(
        LettreDeCommande, on_delete=models.CASCADE, null=True, blank=True, related_name="evenements"
    )
    beneficiaire = models.ForeignKey(
        "beneficiaires.Beneficiaire", on_delete=models.CASCADE, null=True, blank=True, related_name="evenements"
    )
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    survenu_le = models.DateTimeField("survenu le", auto_now_add=True, db_index=True)
    message = models.TextField("message")
    donnees = models.JSONField("données", default=dict, blank=True)

    class Meta:
        verbose_name = "événement"
        ordering = ["-survenu_le", "-pk"]

    def __str__(self):
        return f"{self.get_type_display()} – {self.survenu_le:%d/%m/%Y %H:%M}"


class Orientation(models.TextChoices):
    FLE = "fle", "Formation FLE (français langue étrangère)"
    TUS = "tus", "TUS"
    MOBILAB = "mobilab", "Mobi'lab"
    AUTRE = "autre", "Autre orientation"


class Reorientation(models.Model):
    """PMA-03: when an eligibility criterion fails, the bénéficiaire is re-oriented (FLE,
    TUS, Mobi'lab or other) with the agreement of the référent de parcours; recorded here."""

    beneficiaire = models.ForeignKey(
        "beneficiaires.Beneficiaire", on_delete=models.PROTECT, related_name="reorientations"
    )
    dispositif = models.CharField("dispositif refusé", max_length=10)
    marche = models.ForeignKey(Marche, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    motifs = models.JSONField("critères non remplis", default=list)
    orientation = models.CharField("orientation proposée", max_length=20, choices=Orientation.choices)
    precision = models.CharField("précision", max_length=200, blank=True)
    accord_referent = models.BooleanField("accord du référent de parcours")
    nom_referent = models.CharField("référent de parcours", max_length=200)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField("enregistrée le", auto_now_add=True)

    class Meta:
        verbose_name = "réorientation"
        ordering = ["-cree_le"]
        constraints = [models.CheckConstraint(condition=Q(accord_referent=True), name="reorientation_accord_referent")]

    def __str__(self):
        return f"Réorientation {self.get_orientation_display()} – {self.beneficiaire}"
