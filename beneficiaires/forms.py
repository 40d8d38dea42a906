from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from beneficiaires.models import Beneficiaire
from beneficiaires.validators import normaliser_code_rome, normaliser_identifiant_ft, normaliser_telephone
from commun.forms import StyledFormMixin
from commun.widgets import DateInput
from territoires.champs import CommuneChoiceField, est_code_insee
from territoires.models import Commune
from territoires.views import chercher_communes

FORMATS_DATE = ["%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y", "%d-%m-%Y"]


class RechercheForm(StyledFormMixin, forms.Form):
    """Search the bénéficiaires an acteur can see (HTML list and API list share it)."""

    q = forms.CharField(label="Nom ou prénom", required=False, max_length=200)
    date_naissance = forms.DateField(
        label="Date de naissance",
        required=False,
        input_formats=FORMATS_DATE,
        widget=forms.DateInput(attrs={"placeholder": "jj/mm/aaaa", "inputmode": "numeric"}, format="%d/%m/%Y"),
        error_messages={"invalid": "Saisissez une date au format jj/mm/aaaa."},
    )
    identifiant_ft = forms.CharField(label="Identifiant France Travail", required=False, max_length=20)

    def criteres(self) -> dict:
        if not self.is_valid():
            return {}
        return {champ: valeur for champ, valeur in self.cleaned_data.items() if valeur}


class BeneficiaireForm(StyledFormMixin, forms.ModelForm):
    """Create or edit a bénéficiaire; the commune is picked by INSEE code (see the commune search)."""

    # Wider than the stored value: typed with spaces, or a NIR typed by mistake, gets its own message.
    identifiant_ft = forms.CharField(
        label="Identifiant France Travail",
        required=False,
        help_text=Beneficiaire._meta.get_field("identifiant_ft").help_text,
    )
    telephone = forms.CharField(
        label="Téléphone",
        required=False,
        help_text=Beneficiaire._meta.get_field("telephone").help_text,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    code_rome = forms.CharField(
        label="Code ROME du métier visé",
        required=False,
        help_text=Beneficiaire._meta.get_field("code_rome").help_text,
    )
    commune = CommuneChoiceField(
        label="Commune de résidence",
        queryset=Commune.objects.select_related("departement"),
        error_messages={
            "required": "Choisissez la commune de résidence dans la liste.",
            "invalid_choice": "Commune inconnue : cherchez-la puis choisissez-la dans la liste.",
        },
    )
    confirmer_doublon = forms.BooleanField(label="Je confirme qu'il s'agit d'une autre personne", required=False)

    class Meta:
        model = Beneficiaire
        fields = [
            "civilite",
            "nom",
            "prenom",
            "nom_naissance",
            "date_naissance",
            "identifiant_ft",
            "email",
            "telephone",
            "adresse",
            "commune",
            "statut",
            "categorie_demandeur",
            "date_inscription_ft",
            "niveau_francais",
            "projet_professionnel",
            "code_rome",
            "projet_defini",
            "accompagnateur_insertion",
            "demarches_engagees",
            "qpv",
            "territoire_rural",
        ]
        widgets = {
            "civilite": forms.RadioSelect,
            "qpv": forms.RadioSelect,
            "territoire_rural": forms.RadioSelect,
            "date_naissance": DateInput(attrs={"autocomplete": "bday"}),
            "date_inscription_ft": DateInput,
            "adresse": forms.Textarea(attrs={"rows": 2, "autocomplete": "street-address"}),
            "projet_professionnel": forms.Textarea(attrs={"rows": 3}),
            "demarches_engagees": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "civilite": {"required": "Indiquez la civilité."},
            "nom": {"required": "Saisissez le nom d'usage."},
            "prenom": {"required": "Saisissez le prénom."},
            "date_naissance": {
                "required": "Saisissez la date de naissance.",
                "invalid": "Saisissez une date valide (jj/mm/aaaa).",
            },
            "date_inscription_ft": {"invalid": "Saisissez une date valide (jj/mm/aaaa)."},
            "email": {"invalid": "Saisissez une adresse e-mail valide."},
            "statut": {"required": "Indiquez la situation du bénéficiaire."},
        }
        labels = {"email": "Adresse e-mail", "statut": "Situation"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for nom in ("date_naissance", "date_inscription_ft"):
            self.fields[nom].input_formats = FORMATS_DATE
        self.fields["civilite"].choices = [choix for choix in self.fields["civilite"].choices if choix[0]]
        self.fields["statut"].choices = [("", "Choisissez…"), *self.fields["statut"].choices[1:]]
        self.fields["categorie_demandeur"].choices = [
            ("", "Sans objet"),
            *self.fields["categorie_demandeur"].choices[1:],
        ]
        self.fields["nom"].widget.attrs["autocomplete"] = "family-name"
        self.fields["prenom"].widget.attrs["autocomplete"] = "given-name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        for nom, field in self.fields.items():
            if isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs["class"] = "form-check-input"
            if field.help_text:
                field.widget.attrs.setdefault("aria-describedby", f"{self[nom].auto_id}-aide")
        self.recherche_commune = self.data.get("q", "") if self.is_bound else ""
        self.fields["commune"].widget.choices = self._choix_communes()

    def _choix_communes(self) -> list[tuple[str, str]]:
        """Only the chosen commune, plus the matches of the typed search (without JavaScript, after a submit).

        The widget never lists the 35,000 communes; the field still accepts any INSEE code.
        """
        if self.is_bound:
            code = self.data.get(self.add_prefix("commune"), "")
            recherche = self.recherche_commune
        else:
            code = self.initial.get("commune") or ""
            recherche = ""
        if isinstance(code, Commune):
            code = code.pk
        choix = []
        choisie = Commune.objects.filter(pk=code).first() if est_code_insee(code) else None
        if choisie is not None:
            choix.append((choisie.pk, str(choisie)))
        for commune in chercher_communes(recherche):
            if commune.pk != code:
                choix.append((commune.pk, str(commune)))
        vide = "Cherchez la commune ci-dessus, puis choisissez-la ici" if not choix else "Choisissez…"
        return [("", vide), *choix]

    def clean_identifiant_ft(self):
        return normaliser_identifiant_ft(self.cleaned_data["identifiant_ft"])

    def clean_telephone(self):
        return normaliser_telephone(self.cleaned_data["telephone"])

    def clean_code_rome(self):
        return normaliser_code_rome(self.cleaned_data["code_rome"])

    def donnees(self) -> dict:
        """The model values, for ``beneficiaires.services``."""
        return {champ: self.cleaned_data[champ] for champ in self._meta.fields}

    def ajouter_erreurs(self, erreur: ValidationError) -> None:
        """Show a service's ValidationError at the fields (or at the top of the form)."""
        if hasattr(erreur, "error_dict"):
            for champ, messages in erreur.message_dict.items():
                self.add_error(champ if champ in self.fields else None, messages)
        else:
            self.add_error(None, erreur)
