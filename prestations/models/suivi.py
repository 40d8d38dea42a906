"""What the référent records on a case: entretiens, suspensions, périodes en entreprise,
sorties, renewals, group sessions and the actions of the parcours.

Each model validates its own rule in ``clean()`` (MOV-07, MOV-09, MOV-12, BAM-03...),
reading the limits from the dispositif's rule set; the services in
``prestations.workflow`` call ``full_clean()`` before saving.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from commun.bornes import texte_long
from comptes.models import Organisation, valider_siret
from prestations.models.prestation import Prestation
from prestations.models.version import declencheur_des_faits
from prestations.sorties import FormeEntreprise, NatureEntreprise, TypeContrat, TypeSortie


def _periode(obj) -> str:
    return f"du {obj.debut:%d/%m/%Y} au {obj.fin:%d/%m/%Y}"


def _hors_prestation(prestation: Prestation, debut: datetime.date, fin: datetime.date | None) -> str | None:
    """MOV-07: nothing is recorded outside the prestation's dates (the end date never moves)."""
    if debut < prestation.date_debut:
        return f"La prestation commence le {prestation.date_debut:%d/%m/%Y}."
    if prestation.date_fin and (fin or debut) > prestation.date_fin:
        return f"La prestation se termine le {prestation.date_fin:%d/%m/%Y} (MOV-07 : la date de fin ne recule pas)."
    return None


class TypeEntretien(models.TextChoices):
    INDIVIDUEL = "individuel", "Individuel"
    COLLECTIF = "collectif", "Collectif"


class Modalite(models.TextChoices):
    PRESENTIEL = "presentiel", "En présentiel"
    DISTANCE = "distance", "À distance (visio)"
    TELEPHONE = "telephone", "Par téléphone"


class Presence(models.TextChoices):
    PRESENT = "present", "Présent"
    ABSENT_EXCUSE = "absent_excuse", "Absent excusé"
    ABSENT = "absent", "Absent"


class MotifSuspension(models.TextChoices):
    MALADIE = "maladie", "Maladie"
    CONGES = "conges", "Congés"


class SessionCollective(models.Model):
    """An atelier collectif gathering bénéficiaires of one prestataire; attendance is
    recorded per participant as a collective ``Entretien`` on each case (EMA-01)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="sessions_collectives")
    titre = models.CharField("intitulé", max_length=200)
    debut = models.DateTimeField("date et heure")
    duree_minutes = models.PositiveSmallIntegerField(
        "durée (minutes)", validators=[MinValueValidator(15), MaxValueValidator(480)]
    )
    modalite = models.CharField("modalité", max_length=20, choices=Modalite.choices, default=Modalite.PRESENTIEL)
    taille_max = models.PositiveSmallIntegerField(
        "participants au plus", null=True, blank=True, help_text="BAM-03 : 6 au plus pour un micro-collectif."
    )
    animateur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "session collective"
        verbose_name_plural = "sessions collectives"
        ordering = ["-debut"]

    def __str__(self):
        return f"{self.titre} ({timezone.localtime(self.debut):%d/%m/%Y %H:%M})"


class Entretien(models.Model):
    """An entretien with the bénéficiaire, logged in the past (never in the future),
    with its attendance (EMA-01: the proof itself comes with the deliverables)."""

    prestation = models.ForeignKey(Prestation, on_delete=models.CASCADE, related_name="entretiens")
    debut = models.DateTimeField("date et heure")
    duree_minutes = models.PositiveSmallIntegerField(
        "durée (minutes)",
        validators=[
            MinValueValidator(5, "Une durée d'au moins 5 minutes."),
            MaxValueValidator(480, "8 heures au plus."),
        ],
    )
    type = models.CharField("type", max_length=20, choices=TypeEntretien.choices, default=TypeEntretien.INDIVIDUEL)
    modalite = models.CharField("modalité", max_length=20, choices=Modalite.choices, default=Modalite.PRESENTIEL)
    phase = models.CharField("phase", max_length=40)
    presence = models.CharField("présence", max_length=20, choices=Presence.choices, default=Presence.PRESENT)
    compte_rendu = models.TextField("compte rendu", blank=True, **texte_long(4000))
    session = models.ForeignKey(
        SessionCollective, on_delete=models.CASCADE, null=True, blank=True, related_name="participations"
    )
    toujours_en_emploi = models.BooleanField(
        "toujours en emploi ou en formation", null=True, blank=True, help_text="Suivi dans l'emploi (MOV-13)."
    )
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "entretien"
        ordering = ["-debut"]
        triggers = [declencheur_des_faits()]
        indexes = [models.Index(fields=["prestation", "debut"])]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "prestation"],
                condition=models.Q(session__isnull=False),
                name="entretien_une_participation_par_session",
            )
        ]

    def __str__(self):
        return f"Entretien du {timezone.localtime(self.debut):%d/%m/%Y %H:%M}"

    @property
    def jour(self) -> datetime.date:
        # The (cached) zone of the settings rather than timezone.localtime()'s per-call
        # lookup: read for every entretien of every case the deadline sweep loads.
        return self.debut.astimezone(timezone.get_default_timezone()).date()

    @property
    def a_eu_lieu(self) -> bool:
        return self.presence == Presence.PRESENT

    @property
    def est_hebdomadaire_valable(self) -> bool:
        """MOV-11: individual, face to face, at least 30 minutes, bénéficiaire present."""
        return (
            self.a_eu_lieu
            and self.type == TypeEntretien.INDIVIDUEL
            and self.modalite == Modalite.PRESENTIEL
            and self.duree_minutes >= 30
        )

    def clean(self):
        super().clean()
        if not (self.debut and self.prestation_id):
            return
        erreurs = {}
        if self.debut > timezone.now():
            erreurs["debut"] = "Un entretien se saisit une fois qu'il a eu lieu : la date ne peut pas être future."
        prestation = self.prestation
        jour = self.jour
        if jour < prestation.date_debut:
            erreurs["debut"] = f"La prestation commence le {prestation.date_debut:%d/%m/%Y}."
        elif prestation.date_fin and jour > prestation.date_fin and not prestation.date_reprise:
            erreurs["debut"] = f"La prestation s'est terminée le {prestation.date_fin:%d/%m/%Y} (MOV-07)."
        suspension = prestation.suspensions.filter(debut__lte=jour, fin__gte=jour).first()
        if suspension:
            erreurs["debut"] = (
                f"La prestation est suspendue ({suspension.get_motif_display().lower()}) {_periode(suspension)} "
                "(MOV-09) : pas d'entretien pendant une suspension."
            )
        if self.phase and self.phase not in prestation.regle.cles_phases:  # RegleDispositif.phase() raises
            erreurs["phase"] = "Cette phase n'existe pas pour ce dispositif."
        if erreurs:
            raise ValidationError(erreurs)


class Suspension(models.Model):
    """MOV-09: suspension without postponement of the end date (MOV-07)."""

    prestation = models.ForeignKey(Prestation, on_delete=models.CASCADE, related_name="suspensions")
    motif = models.CharField("motif", max_length=20, choices=MotifSuspension.choices)
    debut = models.DateField("début")
    fin = models.DateField("fin")
    commentaire = models.CharField("commentaire", max_length=300, blank=True)
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "suspension"
        ordering = ["debut"]
        triggers = [declencheur_des_faits()]
        constraints = [
            models.CheckConstraint(condition=models.Q(fin__gte=models.F("debut")), name="suspension_fin_apres_debut")
        ]

    def __str__(self):
        return f"Suspension ({self.get_motif_display()}) {_periode(self)}"

    @property
    def jours(self) -> int:
        return (self.fin - self.debut).days + 1

    def clean(self):
        super().clean()
        if not (self.debut and self.fin and self.prestation_id and self.motif):
            return
        if self.fin < self.debut:
            raise ValidationError({"fin": "La fin de la suspension doit suivre son début."})
        prestation = self.prestation
        regle = prestation.regle.suspension
        if regle is None:
            raise ValidationError(f"Le dispositif {prestation.regle.cle} ne prévoit pas de suspension.")
        if message := _hors_prestation(prestation, self.debut, self.fin):
            raise ValidationError({"fin" if self.debut >= prestation.date_debut else "debut": message})
        autres = prestation.suspensions.exclude(pk=self.pk)
        chevauche = autres.filter(debut__lte=self.fin, fin__gte=self.debut).first()
        if chevauche:
            raise ValidationError({"debut": f"Elle chevauche la suspension {_periode(chevauche)}."})
        periode = prestation.periodes_entreprise.filter(debut__lte=self.fin, fin__gte=self.debut).first()
        if periode:
            raise ValidationError({"debut": f"Elle chevauche la période en entreprise {_periode(periode)}."})
        entretien = [e for e in prestation.entretiens.all() if self.debut <= e.jour <= self.fin and e.a_eu_lieu]
        if entretien:
            raise ValidationError(
                {"debut": f"Un entretien a eu lieu le {entretien[0].jour:%d/%m/%Y} pendant cette période."}
            )
        meme_motif = [s for s in autres if s.motif == self.motif]
        deja_pris = sum(s.jours for s in meme_motif)
        debut, fin = self.debut, self.fin
        limite = regle.limite(self.motif)
        if limite is not None and not limite.cumulee:
            debut, fin = _periode_consecutive(debut, fin, meme_motif)
        erreurs = regle.verifier(self.motif, debut, fin, deja_pris)
        if erreurs:
            raise ValidationError({"fin": erreurs})


def _periode_consecutive(debut, fin, suspensions) -> tuple[datetime.date, datetime.date]:
    """MOV-09 "14 consecutive days": back-to-back suspensions of the same motif make one
    stretch (an illness of 10 days followed by a prolongation of 5 is 15 consecutive days)."""
    jour = datetime.timedelta(days=1)
    etendue = True
    while etendue:
        etendue = False
        for s in suspensions:
            if s.fin == debut - jour:
                debut, etendue = s.debut, True
            elif s.debut == fin + jour:
                fin, etendue = s.fin, True
    return debut, fin


class PeriodeEnEntreprise(models.Model):
    """MOV-12: 1 to 6 weeks in a company, before the end of phase 2."""

    prestation = models.ForeignKey(Prestation, on_delete=models.CASCADE, related_name="periodes_entreprise")
    entreprise = models.CharField("entreprise", max_length=200)
    siret = models.CharField("SIRET", max_length=14, validators=[valider_siret])
    debut = models.DateField("début")
    fin = models.DateField("fin")
    tuteur = models.CharField("tuteur", max_length=200)
    tuteur_fonction = models.CharField("fonction du tuteur", max_length=200, blank=True)
    tuteur_contact = models.CharField("contact du tuteur", max_length=200, blank=True)
    objectif = models.TextField("objectif", blank=True, **texte_long(2000))
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "période en entreprise"
        verbose_name_plural = "périodes en entreprise"
        ordering = ["debut"]
        triggers = [declencheur_des_faits()]
        constraints = [
            models.CheckConstraint(condition=models.Q(fin__gte=models.F("debut")), name="periode_fin_apres_debut")
        ]

    def __str__(self):
        return f"{self.entreprise} {_periode(self)}"

    def clean_fields(self, exclude=None):
        # MOV-12: a SIRET typed with spaces ("123 456 789 00012") is normalised before the
        # 14-character and checksum validators run (clean() comes after them).
        if self.siret:
            self.siret = "".join(self.siret.split())
        super().clean_fields(exclude=exclude)

    def clean(self):
        super().clean()
        if not (self.debut and self.fin and self.prestation_id):
            return
        if self.fin < self.debut:
            raise ValidationError({"fin": "La fin de la période doit suivre son début."})
        prestation = self.prestation
        regle = prestation.regle.periode_entreprise
        if regle is None:
            raise ValidationError(f"Le dispositif {prestation.regle.cle} ne prévoit pas de période en entreprise.")
        if message := _hors_prestation(prestation, self.debut, self.fin):
            raise ValidationError({"fin": message})
        erreurs = regle.verifier_duree(self.debut, self.fin)
        if erreurs:
            raise ValidationError({"fin": erreurs})
        autre = (
            prestation.periodes_entreprise.exclude(pk=self.pk).filter(debut__lte=self.fin, fin__gte=self.debut).first()
        )
        if autre:
            raise ValidationError({"debut": f"Elle chevauche la période chez {autre}."})
        suspension = prestation.suspensions.filter(debut__lte=self.fin, fin__gte=self.debut).first()
        if suspension:
            raise ValidationError({"debut": f"Elle chevauche la suspension {_periode(suspension)}."})


class Sortie(models.Model):
    """The outcome of the prestation, classified positive or not by SOR-01..04."""

    prestation = models.OneToOneField(Prestation, on_delete=models.CASCADE, related_name="sortie")
    type = models.CharField("type de sortie", max_length=40, choices=TypeSortie.choices)
    date_sortie = models.DateField("date")
    type_contrat = models.CharField("type de contrat", max_length=20, choices=TypeContrat.choices, blank=True)
    duree_contrat_mois = models.DecimalField(
        "durée du contrat (mois)", max_digits=5, decimal_places=1, null=True, blank=True
    )
    temps_plein = models.BooleanField("temps plein", null=True, blank=True)
    heures_mensuelles = models.DecimalField("heures par mois", max_digits=6, decimal_places=2, null=True, blank=True)
    formation_heures_total = models.DecimalField(
        "heures de formation", max_digits=7, decimal_places=1, null=True, blank=True
    )
    formation_heures_hebdo = models.DecimalField(
        "heures par semaine", max_digits=5, decimal_places=1, null=True, blank=True
    )
    formation_continue = models.BooleanField("formation continue", null=True, blank=True)
    convention_afpr = models.BooleanField("convention AFPR", default=False)
    forme_entreprise = models.CharField(
        "forme de l'entreprise", max_length=40, choices=FormeEntreprise.choices, blank=True
    )
    nature_entreprise = models.CharField(
        "création ou reprise", max_length=20, choices=NatureEntreprise.choices, blank=True
    )
    employeur = models.CharField("employeur, organisme ou entreprise", max_length=200, blank=True)
    motif = models.TextField("motif / précisions", blank=True, **texte_long(4000))
    consultation_referent = models.BooleanField("référent consulté", default=False)
    consultation_financeur = models.BooleanField("financeur consulté", default=False)
    positive = models.BooleanField("sortie positive")
    categorie = models.CharField("catégorie", max_length=20, blank=True)
    regle = models.CharField("règle", max_length=10)
    explication = models.TextField("explication")
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "sortie"

    def __str__(self):
        return f"{self.get_type_display()} le {self.date_sortie:%d/%m/%Y}"


class Renouvellement(models.Model):
    """MOV-08: decided by the prescripteur at term, once, for 6 months."""

    prestation = models.ForeignKey(Prestation, on_delete=models.CASCADE, related_name="renouvellements")
    ancienne_date_fin = models.DateField("fin initiale")
    nouvelle_date_fin = models.DateField("nouvelle fin")
    motif = models.TextField("motif", **texte_long(4000))
    decide_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "renouvellement"
        ordering = ["cree_le"]

    def __str__(self):
        return f"Renouvellement jusqu'au {self.nouvelle_date_fin:%d/%m/%Y}"


class NatureAction(models.TextChoices):
    # BAM carnet de suivi (BAM-03)
    DIAGNOSTIC = "diagnostic", "Diagnostic / évaluation"
    ATELIER = "atelier", "Atelier ou micro-collectif"
    SERVICE_PAYANT = "service_payant", "Service payant (location, réparation, auto-école…)"
    AIDE_FINANCIERE = "aide_financiere", "Demande d'aide financière"
    ORIENTATION = "orientation", "Orientation vers un partenaire"
    # CEP plan d'action (CEP-02)
    ETAPE = "etape", "Étape"
    OBJECTIF_INTERMEDIAIRE = "objectif_intermediaire", "Objectif intermédiaire"
    ACTION = "action", "Action à conduire"
    DISPOSITIF = "dispositif", "Dispositif à mobiliser"
    DEMARCHE_PERSONNELLE = "demarche_personnelle", "Démarche personnelle"
    FINANCEMENT = "financement", "Plan de financement"


class StatutAction(models.TextChoices):
    PREVUE = "prevue", "Prévue"
    EN_COURS = "en_cours", "En cours"
    REALISEE = "realisee", "Réalisée"
    ABANDONNEE = "abandonnee", "Abandonnée"


class ActionParcours(models.Model):
    """An action of the parcours: BAM carnet de suivi (BAM-03) or CEP plan d'action (CEP-02)."""

    prestation = models.ForeignKey(Prestation, on_delete=models.CASCADE, related_name="actions")
    nature = models.CharField("nature", max_length=30, choices=NatureAction.choices)
    libelle = models.CharField("intitulé", max_length=200)
    date_debut = models.DateField("début (prévu)", null=True, blank=True)
    date_fin = models.DateField("fin (prévue)", null=True, blank=True)
    intervenant = models.CharField("intervenant / prestataire de l'action", max_length=200, blank=True)
    cout = models.DecimalField(
        "coût (€)", max_digits=9, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    aides_mobilisables = models.CharField("aides mobilisables", max_length=300, blank=True)
    statut = models.CharField("statut", max_length=20, choices=StatutAction.choices, default=StatutAction.PREVUE)
    commentaire = models.TextField("commentaire", blank=True, **texte_long(4000))
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "action du parcours"
        verbose_name_plural = "actions du parcours"
        ordering = ["date_debut", "pk"]

    def __str__(self):
        return self.libelle

    def clean(self):
        super().clean()
        erreurs = {}
        if self.date_debut and self.date_fin and self.date_fin < self.date_debut:
            erreurs["date_fin"] = "La fin doit suivre le début."
        if self.nature == NatureAction.SERVICE_PAYANT:
            if self.cout is None:
                erreurs["cout"] = "Un service payant s'enregistre avec son coût (BAM-03)."
            if not self.aides_mobilisables.strip():
                erreurs["aides_mobilisables"] = "Indiquez les aides qui peuvent couvrir ce service (BAM-03)."
        if erreurs:
            raise ValidationError(erreurs)
