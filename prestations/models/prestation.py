"""The prestation: the case run by the prestataire, a state machine.

States are the same for every dispositif; the phases inside ``en_cours`` come from
the dispositif's rule set (``phase`` holds the key of the current one), so adding a
dispositif adds no state and no branch here (DESIGN principle 2).

- attente_referent → a_contractualiser (a référent is designated, MOV-04);
- a_contractualiser → en_cours (contract signed, MOV-05) or refusee (not signed, MOV-06);
- en_cours: passer_phase (order and minimum entretiens from the rule set), renouveler (MOV-08);
- en_cours → suivi_emploi (positive outcome of a dispositif with follow-up, MOV-13) → terminee;
- en_cours → terminee (outcome recorded, early end after the BAM bilan initial, BAM-02);
- a_contractualiser / en_cours → interrompue (abandon, exclusion PMA-04, MOV-10, other, SOR-04).
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from prestations.models.commandes import LettreDeCommande
from prestations.models.version import declencheur_du_dossier


class Etat(models.TextChoices):
    ATTENTE_REFERENT = "attente_referent", "En attente de référent"
    A_CONTRACTUALISER = "a_contractualiser", "À contractualiser"
    EN_COURS = "en_cours", "En cours"
    SUIVI_EMPLOI = "suivi_emploi", "Suivi dans l'emploi"
    TERMINEE = "terminee", "Terminée"
    INTERROMPUE = "interrompue", "Interrompue"
    REFUSEE = "refusee", "Refusée"


ETATS_OUVERTS = (Etat.ATTENTE_REFERENT, Etat.A_CONTRACTUALISER, Etat.EN_COURS, Etat.SUIVI_EMPLOI)
ETATS_FINAUX = (Etat.TERMINEE, Etat.INTERROMPUE, Etat.REFUSEE)


class PrestationQuerySet(models.QuerySet):
    def visible_par(self, acteur):
        """Principle 5: the prestations of the lettres de commande the acteur may see."""
        ldc = LettreDeCommande.objects.visible_par(acteur)
        return self.filter(lettre_de_commande__in=ldc)

    def ouvertes(self):
        return self.filter(etat__in=ETATS_OUVERTS)

    def pour_liste(self):
        return self.select_related(
            "lettre_de_commande",
            "lettre_de_commande__beneficiaire",
            "lettre_de_commande__marche__prestataire",
            "referent",
        )


@pghistory.track(exclude=["version_faits"])
class Prestation(ConcurrentTransitionMixin, models.Model):
    """The case run by the prestataire. Its state changes only through transitions,
    called by ``prestations.workflow`` (never by setting ``etat``)."""

    lettre_de_commande = models.OneToOneField(LettreDeCommande, on_delete=models.PROTECT, related_name="prestation")
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="prestations_suivies",
        verbose_name="référent",
    )
    etat = FSMField("état", default=Etat.ATTENTE_REFERENT, choices=Etat.choices, protected=True)
    phase = models.CharField("phase en cours", max_length=40, blank=True)
    date_debut = models.DateField("date de début")
    date_fin = models.DateField("date de fin", null=True, blank=True)
    contractualisee_le = models.DateField("contractualisée le", null=True, blank=True)
    contrat_signe = models.BooleanField("contrat d'accompagnement signé", null=True, blank=True)
    date_reprise = models.DateField("début de l'emploi ou de la formation", null=True, blank=True)
    terminee_le = models.DateField("terminée le", null=True, blank=True)
    motif_fin = models.CharField("motif de fin", max_length=60, blank=True)
    nombre_renouvellements = models.PositiveSmallIntegerField("renouvellements", default=0)
    prochaine_echeance = models.DateField("prochaine échéance", null=True, blank=True, db_index=True)
    prochaine_echeance_libelle = models.CharField("prochaine échéance (libellé)", max_length=200, blank=True)
    #: Incremented by PostgreSQL triggers (``prestations.models.version``) whenever the case
    #: or one of its facts (entretiens, suspensions, périodes en entreprise, livrables)
    #: changes; never written by the application. An échéance row computed at this version
    #: is still what the rules say, so the sweep re-checks it without reloading the facts.
    version_faits = models.BigIntegerField("version des faits", default=0, db_default=0, editable=False)
    cree_le = models.DateTimeField("créée le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifiée le", auto_now=True)

    objects = PrestationQuerySet.as_manager()

    class Meta:
        verbose_name = "prestation"
        indexes = [models.Index(fields=["etat"]), models.Index(fields=["referent", "etat"])]
        triggers = [declencheur_du_dossier()]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_fin__isnull=True) | Q(date_fin__gte=models.F("date_debut")),
                name="prestation_fin_apres_debut",
            )
        ]

    def __str__(self):
        return f"Prestation {self.lettre_de_commande.numero}"

    @property
    def regle(self):
        return self.lettre_de_commande.regle

    @property
    def phase_regle(self):
        return self.regle.phase(self.phase) if self.phase else None

    @property
    def est_ouverte(self) -> bool:
        return self.etat in ETATS_OUVERTS

    # --- Transitions (the guards with their messages live in prestations.workflow) ---

    @transition(field=etat, source=Etat.ATTENTE_REFERENT, target=Etat.A_CONTRACTUALISER)
    def designer_premier_referent(self):
        """MOV-04: the first référent designated; the case waits for its contractualisation."""

    @transition(field=etat, source=Etat.A_CONTRACTUALISER, target=Etat.EN_COURS)
    def contractualiser(self, le, phase):
        """MOV-05: the contrat d'accompagnement is signed; the first working phase starts."""
        self.contractualisee_le = le
        self.contrat_signe = True
        self.phase = phase

    @transition(field=etat, source=Etat.A_CONTRACTUALISER, target=Etat.REFUSEE)
    def refuser(self, le):
        """MOV-06: the bénéficiaire does not sign; the prestation ends as refused."""
        self.contractualisee_le = le
        self.contrat_signe = False
        self.terminee_le = le
        self.motif_fin = "refus"

    @transition(field=etat, source=Etat.EN_COURS, target=Etat.EN_COURS)
    def passer_phase(self, phase):
        self.phase = phase

    @transition(field=etat, source=Etat.EN_COURS, target=Etat.EN_COURS)
    def renouveler(self, nouvelle_date_fin):
        """MOV-08: renewed once, for 6 months, by the prescripteur."""
        self.date_fin = nouvelle_date_fin
        self.nombre_renouvellements += 1

    @transition(field=etat, source=Etat.EN_COURS, target=Etat.SUIVI_EMPLOI)
    def entrer_en_suivi(self, date_reprise, phase):
        """MOV-13: after a positive outcome, 3 months of follow-up in the job or training."""
        self.date_reprise = date_reprise
        self.phase = phase

    @transition(field=etat, source=[Etat.EN_COURS, Etat.SUIVI_EMPLOI], target=Etat.TERMINEE)
    def terminer(self, le, motif):
        self.terminee_le = le
        self.motif_fin = motif

    @transition(field=etat, source=Etat.INTERROMPUE, target=Etat.EN_COURS)
    def reprendre(self):
        """An automatic end the facts logged afterwards show wrong is undone (SPEC §4, MOV-10)."""
        self.terminee_le = None
        self.motif_fin = ""

    @transition(field=etat, source=[Etat.A_CONTRACTUALISER, Etat.EN_COURS], target=Etat.INTERROMPUE)
    def interrompre(self, le, motif):
        """Abandon, exclusion (PMA-04), re-orientation, MOV-10 or another interruption (SOR-04)."""
        self.terminee_le = le
        self.motif_fin = motif
