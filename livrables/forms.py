"""Forms of the documents' pages: the deposit of a PDF signed on paper, the draft's sections,
the signature (typed name and consent first, a drawing optional), the remote signature,
a scan, a correction, the verification of a file."""

from __future__ import annotations

from django import forms

from commun.forms import StyledFormMixin
from livrables import documents
from livrables.contenu import LONGUEUR_RUBRIQUE
from livrables.services import TAILLE_MAX, livrables_prevus

AIDE_SCAN = f"PDF, PNG ou JPEG, {TAILLE_MAX // (1024 * 1024)} Mo au plus."


class LivrableForm(StyledFormMixin, forms.Form):
    """LIV-05: a deliverable of the case's rule set signed on paper, deposited as a PDF."""

    type = forms.ChoiceField(label="Livrable", error_messages={"required": "Choisissez le livrable."})
    fichier = forms.FileField(
        label="Document signé (PDF)",
        error_messages={"required": "Joignez le document au format PDF.", "empty": "Le fichier est vide."},
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
        help_text=f"Document PDF ({TAILLE_MAX // (1024 * 1024)} Mo au plus).",
    )

    def __init__(self, *args, prestation, **kwargs):
        self.prestation = prestation
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", "— Choisissez —"), *livrables_prevus(prestation)]

    def donnees(self) -> dict:
        return dict(self.cleaned_data)


class BrouillonForm(StyledFormMixin, forms.Form):
    """The sections of a document (``documents.rubriques``), one text each."""

    def __init__(self, *args, livrable, **kwargs):
        self.livrable = livrable
        initial = kwargs.pop("initial", None) or {
            f"rubrique_{i}": r.get("texte", "") for i, r in enumerate(livrable.contenu.get("rubriques", []))
        }
        super().__init__(*args, initial=initial, **kwargs)
        for index, titre in enumerate(documents.rubriques(livrable.type)):
            self.fields[f"rubrique_{index}"] = forms.CharField(
                label=titre,
                required=False,
                max_length=LONGUEUR_RUBRIQUE,
                strip=False,
                widget=forms.Textarea(attrs={"rows": 6, "class": "form-control"}),
            )

    def textes(self) -> list[str]:
        return [self.cleaned_data.get(f"rubrique_{i}", "") for i in range(len(documents.rubriques(self.livrable.type)))]


class SignatureForm(StyledFormMixin, forms.Form):
    """EMA-02, accessible first: the name typed and the consent ticked sign; the drawing is
    optional (``signature_pad``), never the only way."""

    nom = forms.CharField(
        label="Nom et prénom du signataire",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    consentement = forms.BooleanField(required=False)
    dessin = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, declaration: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consentement"].label = declaration

    def donnees(self) -> dict:
        return {
            "nom": self.cleaned_data["nom"],
            "accepte": self.cleaned_data["consentement"],
            "dessin": self.cleaned_data["dessin"],
        }


class SignatureDistanceForm(SignatureForm):
    """The remote signature: the one-time code of the e-mail, then the same fields."""

    code = forms.CharField(
        label="Code reçu par e-mail (6 chiffres)",
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    field_order = ["code", "nom", "consentement", "dessin"]

    def donnees(self) -> dict:
        return {**super().donnees(), "code": self.cleaned_data["code"]}


class ScanForm(StyledFormMixin, forms.Form):
    scan = forms.FileField(
        label="Scan du document signé sur papier",
        help_text=AIDE_SCAN,
        error_messages={"required": "Joignez le scan signé.", "empty": "Le fichier est vide."},
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )


class CorrectionForm(StyledFormMixin, forms.Form):
    motif = forms.CharField(
        label="Ce que corrige la nouvelle version",
        max_length=300,
        error_messages={"required": "Indiquez ce que corrige la nouvelle version."},
    )


class VerificationForm(StyledFormMixin, forms.Form):
    fichier = forms.FileField(
        label="Fichier PDF à vérifier",
        error_messages={"required": "Joignez le fichier à vérifier.", "empty": "Le fichier est vide."},
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )
