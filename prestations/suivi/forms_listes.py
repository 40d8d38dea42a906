"""Forms of the lists: « Mes prestations » filters, group sessions and their participants."""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import F, Q

from beneficiaires.normalisation import normaliser
from commun.forms import StyledFormMixin
from commun.widgets import DateHeureParisField, maintenant_local
from prestations import dispositifs
from prestations.models import ETATS_OUVERTS, Etat, Modalite, Presence, Prestation


class SessionForm(StyledFormMixin, forms.Form):
    titre = forms.CharField(label="Intitulé", max_length=200, error_messages={"required": "Indiquez l'intitulé."})
    debut = DateHeureParisField(label="Date et heure")
    duree_minutes = forms.IntegerField(
        label="Durée (minutes)",
        min_value=15,
        max_value=480,
        error_messages={
            "required": "Indiquez la durée.",
            "invalid": "Saisissez un nombre entier.",
            "min_value": "Au moins %(limit_value)s minutes.",
            "max_value": "Au plus %(limit_value)s minutes.",
        },
    )
    modalite = forms.ChoiceField(label="Modalité", choices=Modalite.choices, initial=Modalite.PRESENTIEL)
    taille_max = forms.IntegerField(
        label="Participants au plus",
        required=False,
        min_value=1,
        max_value=100,
        help_text="Micro-collectif BAM : 6 au plus (BAM-03).",
        error_messages={"invalid": "Saisissez un nombre entier.", "min_value": "Au moins 1."},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"debut": maintenant_local(), "duree_minutes": 120})
        super().__init__(*args, **kwargs)


class ParticipantForm(StyledFormMixin, forms.Form):
    prestation = forms.ModelChoiceField(
        label="Bénéficiaire (prestation)",
        queryset=Prestation.objects.none(),
        empty_label="— Choisissez —",
        error_messages={
            "required": "Choisissez le bénéficiaire.",
            "invalid_choice": "Choisissez une prestation en cours de votre structure.",
        },
    )
    presence = forms.ChoiceField(label="Présence", choices=Presence.choices, initial=Presence.PRESENT)

    def __init__(self, *args, prestations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prestation"].queryset = prestations
        self.fields["prestation"].label_from_instance = lambda p: (
            f"{p.lettre_de_commande.beneficiaire.prenom} {p.lettre_de_commande.beneficiaire.nom} — "
            f"{p.lettre_de_commande.dispositif} ({p.lettre_de_commande.numero})"
        )


# --- "Mes prestations" filters ---------------------------------------------------------


class FiltrePrestationsForm(StyledFormMixin, forms.Form):
    ECHEANCES = [
        ("", "Toutes"),
        ("7j", "Dans les 7 jours ou dépassée"),
        ("depassee", "Dépassée"),
    ]
    TRIS = [
        ("echeance", "Prochaine échéance"),
        ("beneficiaire", "Bénéficiaire"),
        ("debut", "Date de début"),
    ]

    q = forms.CharField(label="Bénéficiaire", required=False, max_length=100)
    etat = forms.ChoiceField(label="État", required=False)
    dispositif = forms.ChoiceField(label="Dispositif", required=False)
    echeance = forms.ChoiceField(label="Prochaine échéance", required=False, choices=ECHEANCES)
    tri = forms.ChoiceField(label="Trier par", required=False, choices=TRIS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["etat"].choices = [("", "Tous"), ("ouvertes", "Ouvertes (en cours de suivi)"), *Etat.choices]
        self.fields["dispositif"].choices = [("", "Tous"), *dispositifs.choix()]
        self.fields["q"].widget.attrs["placeholder"] = "Nom ou prénom"
        for champ in self.fields.values():
            classes = champ.widget.attrs.get("class", "")
            champ.widget.attrs["class"] = (
                f"{classes} form-control-sm".strip()
                if "form-control" in classes
                else (f"{classes} form-select-sm".strip())
            )

    def filtrer(self, queryset, aujourd_hui: datetime.date):
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if data.get("etat") == "ouvertes":
            queryset = queryset.filter(etat__in=ETATS_OUVERTS)
        elif data.get("etat"):
            queryset = queryset.filter(etat=data["etat"])
        if data.get("dispositif"):
            queryset = queryset.filter(lettre_de_commande__dispositif=data["dispositif"])
        if data.get("echeance") == "7j":
            queryset = queryset.filter(prochaine_echeance__lte=aujourd_hui + datetime.timedelta(days=7))
        elif data.get("echeance") == "depassee":
            queryset = queryset.filter(prochaine_echeance__lt=aujourd_hui)
        for mot in normaliser(data.get("q")).split():
            queryset = queryset.filter(
                Q(lettre_de_commande__beneficiaire__nom_normalise__contains=mot)
                | Q(lettre_de_commande__beneficiaire__prenom_normalise__contains=mot)
                | Q(lettre_de_commande__beneficiaire__nom_naissance_normalise__contains=mot)
            )
        tri = data.get("tri") or "echeance"
        if tri == "beneficiaire":
            return queryset.order_by(
                "lettre_de_commande__beneficiaire__nom_normalise",
                "lettre_de_commande__beneficiaire__prenom_normalise",
                "pk",
            )
        if tri == "debut":
            return queryset.order_by("-date_debut", "pk")
        return queryset.order_by(F("prochaine_echeance").asc(nulls_last=True), "pk")
