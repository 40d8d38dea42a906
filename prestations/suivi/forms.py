"""Forms of the case page (issue 4): field checks only, one per action.

The rules (MOV-05..MOV-13, BCA-02, BAM-02..04, PMA-04, CEP-01..02, SOR-01..04) live in
``prestations.suivi``; each form gathers the arguments of ONE action and the view
translates the action's errors back onto the form (DESIGN principles 1, 8).
"""

from __future__ import annotations

from django import forms
from django.utils import timezone

from commun.bornes import longueur
from commun.forms import StyledFormMixin
from commun.widgets import OUI_NON, DateHeureParisField, champ_date, champ_entier, maintenant_local, oui_non
from prestations.models import (
    ActionParcours,
    Entretien,
    Etat,
    Modalite,
    MotifSuspension,
    NatureAction,
    PeriodeEnEntreprise,
    Presence,
    Prestation,
    Renouvellement,
    Sortie,
    StatutAction,
    TypeEntretien,
)
from prestations.sorties import FormeEntreprise, NatureEntreprise, TypeContrat, TypeSortie


class SuiviForm(StyledFormMixin, forms.Form):
    """Base of the case forms: knows its prestation; ``donnees()`` gives the workflow kwargs."""

    def __init__(self, *args, prestation: Prestation | None = None, **kwargs):
        self.prestation = prestation
        super().__init__(*args, **kwargs)
        for champ in self.fields.values():
            if isinstance(champ.widget, forms.RadioSelect):
                champ.widget.attrs["class"] = "form-check-input"

    def donnees(self) -> dict:
        return dict(self.cleaned_data)


class ContractualisationForm(SuiviForm):
    """MOV-05 / MOV-06: the contractualisation entretien and whether the contract is signed."""

    debut = DateHeureParisField(label="Date et heure de l'entretien de contractualisation")
    duree_minutes = champ_entier("Durée (minutes)", minimum=5, maximum=480)
    modalite = forms.ChoiceField(label="Modalité", choices=Modalite.choices, initial=Modalite.PRESENTIEL)
    signe = forms.TypedChoiceField(
        label="Le bénéficiaire a-t-il signé le contrat d'accompagnement ?",
        choices=[("oui", "Oui, le contrat est signé (MOV-05)"), ("non", "Non, il refuse de signer (MOV-06)")],
        coerce=oui_non,
        widget=forms.RadioSelect,
        error_messages={"required": "Indiquez si le contrat est signé."},
    )
    compte_rendu = forms.CharField(
        label="Compte rendu",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=longueur(Entretien, "compte_rendu"),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"debut": maintenant_local(), "duree_minutes": 60})
        super().__init__(*args, **kwargs)
        self.fields["debut"].widget.attrs["max"] = maintenant_local()
        regle = self.prestation.regle if self.prestation is not None else None
        if regle is not None and not regle.phases_ordonnees:
            # CEP-01: each level can be delivered alone; the accompaniment opens with the chosen one.
            self.fields["phase"] = forms.ChoiceField(
                label="Phase d'entrée",
                choices=[(p.cle, p.libelle) for p in regle.phases],
                initial=regle.phases[0].cle,
                help_text="Les niveaux ne se suivent pas nécessairement (CEP-01).",
            )


class EntretienForm(SuiviForm):
    """An entretien that took place: past or today, never in the future (EMA-01 attendance)."""

    debut = DateHeureParisField(label="Date et heure", help_text="L'entretien a eu lieu : pas de date future.")
    duree_minutes = champ_entier("Durée (minutes)", minimum=5, maximum=480)
    type = forms.ChoiceField(label="Type d'entretien", choices=TypeEntretien.choices, initial=TypeEntretien.INDIVIDUEL)
    modalite = forms.ChoiceField(label="Modalité", choices=Modalite.choices, initial=Modalite.PRESENTIEL)
    phase = forms.ChoiceField(label="Phase", error_messages={"invalid_choice": "Cette phase n'a pas encore commencé."})
    presence = forms.ChoiceField(label="Présence", choices=Presence.choices, initial=Presence.PRESENT)
    toujours_en_emploi = forms.TypedChoiceField(
        label="La personne est-elle toujours en emploi ou en formation ?",
        choices=OUI_NON,
        coerce=oui_non,
        empty_value=None,
        help_text="Suivi dans l'emploi (MOV-13).",
        error_messages={"required": "Indiquez si la personne est toujours en emploi ou en formation (MOV-13)."},
    )
    compte_rendu = forms.CharField(
        label="Compte rendu",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=longueur(Entretien, "compte_rendu"),
    )

    def __init__(self, *args, phases=(), **kwargs):
        kwargs.setdefault("initial", {"debut": maintenant_local(), "duree_minutes": 45})
        super().__init__(*args, **kwargs)
        self.fields["debut"].widget.attrs["max"] = maintenant_local()
        self.fields["phase"].choices = [(p.cle, p.libelle) for p in phases]
        prestation = self.prestation
        if prestation is not None and prestation.phase and "phase" not in self.initial:
            self.initial["phase"] = prestation.phase
        if prestation is None or prestation.etat != Etat.SUIVI_EMPLOI:
            del self.fields["toujours_en_emploi"]

    def clean_debut(self):
        debut = self.cleaned_data["debut"]
        if debut > timezone.now():
            raise forms.ValidationError(
                "Un entretien se saisit une fois qu'il a eu lieu : la date ne peut pas être future."
            )
        return debut


class PhaseForm(SuiviForm):
    """CEP-01: levels not necessarily consecutive, the target is chosen. Ordered dispositifs
    post the form without ``cible`` (the rule set gives the next phase)."""

    cible = forms.ChoiceField(
        label="Phase à ouvrir", required=False, error_messages={"invalid_choice": "Choisissez une phase proposée."}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        prestation = self.prestation
        if prestation is not None and not prestation.regle.phases_ordonnees:
            self.fields["cible"].required = True
            self.fields["cible"].error_messages["required"] = "Choisissez la phase à ouvrir."
            self.fields["cible"].choices = [
                (p.cle, p.libelle) for p in prestation.regle.phases if p.cle != prestation.phase
            ]
        else:
            del self.fields["cible"]

    def donnees(self):
        return {"cible": self.cleaned_data.get("cible") or None}


class FinAnticipeeForm(SuiviForm):
    """BAM-02: end right after the phase, for one of the motifs of the rule set."""

    motif = forms.ChoiceField(
        label="Motif de la fin anticipée",
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez le motif.", "invalid_choice": "Choisissez l'un des motifs prévus."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        phase = self.prestation.phase_regle if self.prestation is not None else None
        self.fields["motif"].choices = list(phase.motifs_fin_anticipee) if phase else []


class SuspensionForm(SuiviForm):
    """MOV-09: illness up to 14 consecutive days, leave up to 35 days in total."""

    motif = forms.ChoiceField(
        label="Motif de la suspension",
        choices=[("", "— Choisissez —"), *MotifSuspension.choices],
        error_messages={"required": "Choisissez le motif de la suspension."},
    )
    debut = champ_date("Premier jour de la suspension")
    fin = champ_date("Dernier jour de la suspension")
    commentaire = forms.CharField(label="Commentaire", required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        regle = self.prestation.regle.suspension if self.prestation is not None else None
        if regle is not None:
            self.fields["motif"].choices = [("", "— Choisissez —")] + [
                (lim.motif, lim.libelle) for lim in regle.limites
            ]

    def clean(self):
        cleaned = super().clean()
        debut, fin = cleaned.get("debut"), cleaned.get("fin")
        if debut and fin and fin < debut:
            self.add_error("fin", "Le dernier jour doit suivre le premier.")
        return cleaned


class FinSuspensionForm(SuiviForm):
    fin = champ_date("Dernier jour effectif de la suspension")


class PeriodeEntrepriseForm(SuiviForm):
    """MOV-12: a company with a valid SIRET, 1 to 6 weeks, with a tutor."""

    entreprise = forms.CharField(
        label="Entreprise d'accueil", max_length=200, error_messages={"required": "Indiquez l'entreprise."}
    )
    siret = forms.CharField(
        label="SIRET",
        max_length=20,
        help_text="14 chiffres.",
        error_messages={"required": "Indiquez le SIRET de l'entreprise."},
    )
    debut = champ_date("Début de la période")
    fin = champ_date("Fin de la période")
    tuteur = forms.CharField(label="Nom du tuteur", max_length=200, error_messages={"required": "Indiquez le tuteur."})
    tuteur_fonction = forms.CharField(label="Fonction du tuteur", max_length=200, required=False)
    tuteur_contact = forms.CharField(label="Contact du tuteur", max_length=200, required=False)
    objectif = forms.CharField(
        label="Objectif de la période",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=longueur(PeriodeEnEntreprise, "objectif"),
    )

    def clean_siret(self):
        return "".join(self.cleaned_data["siret"].split())

    def clean(self):
        cleaned = super().clean()
        debut, fin = cleaned.get("debut"), cleaned.get("fin")
        if debut and fin and fin < debut:
            self.add_error("fin", "Le dernier jour doit suivre le premier.")
        return cleaned


#: The outcomes recorded by the sortie form; the others go through the interruption (SOR-04).
TYPES_SORTIE_FORMULAIRE = (
    TypeSortie.EMPLOI,
    TypeSortie.FORMATION,
    TypeSortie.CREATION_ENTREPRISE,
    TypeSortie.TERME_SANS_EMPLOI,
)
CHAMPS_PAR_TYPE = {
    TypeSortie.EMPLOI: ("employeur", "type_contrat", "duree_contrat_mois", "temps_plein", "heures_mensuelles"),
    TypeSortie.FORMATION: (
        "employeur",
        "formation_heures_total",
        "formation_heures_hebdo",
        "formation_continue",
        "convention_afpr",
    ),
    TypeSortie.CREATION_ENTREPRISE: ("employeur", "forme_entreprise", "nature_entreprise"),
    TypeSortie.TERME_SANS_EMPLOI: (),
}


def _decimal(label, *, help_text=""):
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_digits=7,
        decimal_places=2,
        help_text=help_text,
        localize=False,
        error_messages={"invalid": "Saisissez un nombre.", "min_value": "Saisissez un nombre positif."},
    )


class SortieForm(SuiviForm):
    """SOR-01..03: the facts of the outcome; ``prestations.sorties`` classifies them and refuses
    contradictions. Only the fields of the chosen type are sent (the others are hidden)."""

    type = forms.ChoiceField(
        label="Type de sortie",
        choices=[("", "— Choisissez —")] + [(t.value, t.label) for t in TYPES_SORTIE_FORMULAIRE],
        error_messages={"required": "Choisissez le type de sortie.", "invalid_choice": "Type de sortie inconnu."},
    )
    date_sortie = champ_date("Date de sortie", help_text="Premier jour de l'emploi, de la formation ou de l'activité.")
    employeur = forms.CharField(label="Employeur, organisme ou entreprise", required=False, max_length=200)
    # SOR-01
    type_contrat = forms.ChoiceField(
        label="Type de contrat", required=False, choices=[("", "— Choisissez —"), *TypeContrat.choices]
    )
    duree_contrat_mois = _decimal("Durée du contrat (mois)", help_text="Vide pour un CDI.")
    temps_plein = forms.TypedChoiceField(
        label="Temps plein ?", required=False, choices=OUI_NON, coerce=oui_non, empty_value=None
    )
    heures_mensuelles = _decimal("Heures par mois", help_text="Pour un temps partiel : plus de 78 heures (SOR-01).")
    # SOR-02
    formation_heures_total = _decimal("Durée totale de la formation (heures)")
    formation_heures_hebdo = _decimal("Heures de formation par semaine")
    formation_continue = forms.TypedChoiceField(
        label="Formation dispensée en continu ?", required=False, choices=OUI_NON, coerce=oui_non, empty_value=None
    )
    convention_afpr = forms.BooleanField(label="Convention AFPR", required=False)
    # SOR-03
    forme_entreprise = forms.ChoiceField(
        label="Forme de l'entreprise", required=False, choices=[("", "— Choisissez —"), *FormeEntreprise.choices]
    )
    nature_entreprise = forms.ChoiceField(
        label="Création ou reprise", required=False, choices=[("", "— Choisissez —"), *NatureEntreprise.choices]
    )
    motif = forms.CharField(
        label="Précisions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=longueur(Sortie, "motif"),
    )

    GROUPES = (
        ("emploi", "Emploi (SOR-01)", CHAMPS_PAR_TYPE[TypeSortie.EMPLOI][1:]),
        ("formation", "Formation (SOR-02)", CHAMPS_PAR_TYPE[TypeSortie.FORMATION][1:]),
        (
            "creation_entreprise",
            "Création ou reprise d'entreprise (SOR-03)",
            CHAMPS_PAR_TYPE[TypeSortie.CREATION_ENTREPRISE][1:],
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"date_sortie": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["type"].widget.attrs["data-sortie-type"] = "1"

    def groupes(self):
        """Field groups shown for each outcome type (a bit of JS shows only the chosen one)."""
        return [(cle, titre, [self[nom] for nom in noms]) for cle, titre, noms in self.GROUPES]

    def donnees(self):
        data = self.cleaned_data
        type_ = data["type"]
        champs = {"type": type_, "date_sortie": data["date_sortie"], "motif": data.get("motif", "")}
        for nom in CHAMPS_PAR_TYPE.get(type_, ()):
            valeur = data.get(nom)
            if nom == "convention_afpr":
                champs[nom] = bool(valeur)
            elif valeur not in (None, ""):
                champs[nom] = valeur
        return champs


class InterruptionForm(SuiviForm):
    """Abandon, exclusion (PMA-04), re-orientation or another interruption (SOR-04)."""

    type = forms.ChoiceField(
        label="Motif de l'interruption",
        error_messages={"required": "Choisissez le motif de l'interruption."},
    )
    motif = forms.CharField(
        label="Raison (détail)",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=longueur(Sortie, "motif"),
        error_messages={"required": "Expliquez la raison de l'interruption."},
    )
    date_sortie = champ_date("Date de l'interruption")
    consultation_referent = forms.BooleanField(label="Référent consulté (PMA-04)", required=False)
    consultation_financeur = forms.BooleanField(label="Financeur consulté (PMA-04)", required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"date_sortie": timezone.localdate()})
        super().__init__(*args, **kwargs)
        types = [TypeSortie.ABANDON, TypeSortie.INTERRUPTION, TypeSortie.REORIENTATION]
        exclusion = self.prestation.regle.exclusion if self.prestation is not None else None
        if exclusion is not None:
            types.insert(1, TypeSortie.EXCLUSION)
        else:
            del self.fields["consultation_referent"]
            del self.fields["consultation_financeur"]
        self.fields["type"].choices = [("", "— Choisissez —")] + [(t.value, t.label) for t in types]

    def clean_date_sortie(self):
        date_sortie = self.cleaned_data["date_sortie"]
        if date_sortie > timezone.localdate():
            raise forms.ValidationError("La date ne peut pas être future.")
        return date_sortie


class ClotureSuiviForm(SuiviForm):
    """MOV-13: close the follow-up (no field)."""


class RenouvellementForm(SuiviForm):
    """MOV-08: decided by the prescripteur, once, for 6 months."""

    motif = forms.CharField(
        label="Motif du renouvellement",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=longueur(Renouvellement, "motif"),
        error_messages={"required": "Motivez le renouvellement."},
    )


class ActionParcoursForm(SuiviForm):
    """BAM-03 carnet de suivi / CEP-02 plan d'action: one action of the parcours."""

    nature = forms.ChoiceField(
        label="Nature",
        error_messages={"required": "Choisissez la nature de l'action."},
    )
    libelle = forms.CharField(label="Intitulé", max_length=200, error_messages={"required": "Indiquez l'intitulé."})
    date_debut = champ_date("Début (prévu)", required=False)
    date_fin = champ_date("Fin (prévue)", required=False)
    intervenant = forms.CharField(label="Intervenant ou prestataire de l'action", required=False, max_length=200)
    cout = forms.DecimalField(
        label="Coût (€)",
        required=False,
        min_value=0,
        max_digits=9,
        decimal_places=2,
        help_text="Obligatoire pour un service payant (BAM-03).",
        error_messages={"invalid": "Saisissez un montant.", "min_value": "Saisissez un montant positif."},
    )
    aides_mobilisables = forms.CharField(label="Aides mobilisables", required=False, max_length=300)
    statut = forms.ChoiceField(label="Statut", choices=StatutAction.choices, initial=StatutAction.PREVUE)
    commentaire = forms.CharField(
        label="Commentaire",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=longueur(ActionParcours, "commentaire"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bam = [
            NatureAction.DIAGNOSTIC,
            NatureAction.ATELIER,
            NatureAction.SERVICE_PAYANT,
            NatureAction.AIDE_FINANCIERE,
            NatureAction.ORIENTATION,
        ]
        cep = [n for n in NatureAction if n not in bam]
        self.fields["nature"].choices = [
            ("", "— Choisissez —"),
            ("Carnet de suivi (BAM-03)", [(n.value, n.label) for n in bam]),
            ("Plan d'action (CEP-02)", [(n.value, n.label) for n in cep]),
        ]

    def donnees(self):
        data = dict(self.cleaned_data)
        for nom in ("intervenant", "aides_mobilisables", "commentaire"):
            data[nom] = data.get(nom) or ""
        return data


class StatutActionForm(SuiviForm):
    statut = forms.ChoiceField(label="Statut", choices=StatutAction.choices)


# --- Group sessions (EMA-01, BAM-03) ----------------------------------------------
