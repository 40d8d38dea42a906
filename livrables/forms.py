"""The form of a deliverable transmitted as a PDF (LIV-05)."""

from __future__ import annotations

from django import forms

from commun.forms import StyledFormMixin
from livrables.services import TAILLE_MAX, livrables_prevus


class LivrableForm(StyledFormMixin, forms.Form):
    """LIV-05: a deliverable of the case's rule set, as a PDF."""

    type = forms.ChoiceField(label="Livrable", error_messages={"required": "Choisissez le livrable."})
    fichier = forms.FileField(
        label="Document (PDF)",
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
