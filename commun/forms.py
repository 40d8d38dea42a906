"""Form helpers shared by every app: Bootstrap classes, accessible error wiring, and the
input bounds of ``commun.bornes`` applied to every field of every form."""

from django import forms

from commun.bornes import valider_date, valider_une_ligne


def borner_champ(field: forms.Field) -> None:
    """The bounds every input meets (``commun.bornes``), added to one form field."""
    if isinstance(field, (forms.DateField, forms.DateTimeField)):
        field.validators.append(valider_date)
    elif isinstance(field, forms.CharField) and not isinstance(field.widget, forms.Textarea):
        field.validators.append(valider_une_ligne)
    if isinstance(field, forms.ChoiceField) and "%(value)s" in field.error_messages.get("invalid_choice", ""):
        # Never quote a refused value back (it may be 100 KB): say what is expected instead.
        field.error_messages["invalid_choice"] = "Ce choix n'est pas valide : choisissez une valeur de la liste."


class StyledFormMixin:
    """Add Bootstrap classes; mark invalid fields with ``is-invalid`` and ``aria-invalid``;
    apply the input bounds (``commun.bornes``) to every field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            borner_champ(field)
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput,)):
                css = "form-check-input"
            elif isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
                css = ""
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            if css:
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"id_{self.add_prefix(name)}-erreur"
