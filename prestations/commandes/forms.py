from django import forms

from commun.bornes import longueur
from commun.forms import StyledFormMixin
from commun.widgets import DateInput
from comptes.models import Role, User
from prestations import dispositifs
from prestations.commandes import services
from prestations.models import LettreDeCommande, Orientation


class LettreDeCommandeForm(StyledFormMixin, forms.Form):
    """The guided LdC form. Field checks only; the rules (PRE-01, PMA-01..03) live in
    ``prestations.commandes.services.verifier_prescription`` and come back as field errors."""

    dispositif = forms.ChoiceField(
        label="Dispositif",
        error_messages={"required": "Choisissez le dispositif.", "invalid_choice": "Dispositif inconnu."},
    )
    marche = forms.ModelChoiceField(
        label="Marché (prestataire)",
        queryset=None,
        empty_label="— Choisissez le marché —",
        error_messages={
            "required": "Choisissez le marché sous lequel la prestation est commandée.",
            "invalid_choice": "Ce marché n'est pas disponible pour ce bénéficiaire à cette date.",
        },
    )
    date_debut = forms.DateField(
        label="Date de début",
        widget=DateInput(),
        error_messages={"required": "Indiquez la date de début.", "invalid": "Saisissez une date valide (jj/mm/aaaa)."},
    )
    accord_beneficiaire = forms.BooleanField(
        label="Le bénéficiaire a donné son accord pour cette prestation", required=False
    )
    motivation = forms.CharField(
        label="Motivation de la prescription",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=longueur(LettreDeCommande, "motivation"),
        help_text="Ce qui motive la prescription : situation, attentes, freins identifiés.",
        error_messages={"max_length": "La motivation ne peut dépasser %(limit_value)d caractères."},
    )

    def __init__(self, *args, marches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dispositif"].choices = [("", "— Choisissez le dispositif —"), *dispositifs.choix()]
        self.fields["marche"].queryset = marches
        self.fields["marche"].label_from_instance = lambda m: (
            f"{m.prestataire.nom} — {m.reference} ({m.get_dispositif_display()}, jusqu'au {m.date_fin:%d/%m/%Y})"
        )

    def clean(self):
        cleaned = super().clean()
        marche, dispositif = cleaned.get("marche"), cleaned.get("dispositif")
        if marche and (refus := services.dispositif_different(marche, dispositif)):
            self.add_error("marche", refus)
        return cleaned


class ReorientationForm(StyledFormMixin, forms.Form):
    """PMA-03: re-orientation recorded when an eligibility criterion fails."""

    orientation = forms.ChoiceField(
        label="Orientation proposée",
        choices=[("", "— Choisissez —"), *Orientation.choices],
        error_messages={"required": "Choisissez l'orientation proposée."},
    )
    precision = forms.CharField(label="Précision (structure, action)", required=False, max_length=200)
    nom_referent = forms.CharField(label="Référent de parcours ayant donné son accord", required=False, max_length=200)
    accord_referent = forms.BooleanField(label="Le référent de parcours a donné son accord", required=False)


class DesignationReferentForm(StyledFormMixin, forms.Form):
    referent = forms.ModelChoiceField(
        label="Référent",
        queryset=User.objects.none(),
        empty_label="— Choisissez un référent —",
        error_messages={
            "required": "Choisissez le référent.",
            "invalid_choice": "Choisissez un référent de votre structure.",
        },
    )

    def __init__(self, *args, prestataire, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referent"].queryset = User.objects.filter(
            memberships__organisation=prestataire,
            memberships__role__in=[Role.REFERENT, Role.RESPONSABLE],
            memberships__active=True,
            is_active=True,
        ).distinct()
