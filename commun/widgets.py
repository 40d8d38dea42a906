"""Form widgets and fields shared by the apps: dates typed in ``<input type="date">`` and
date-times in ``<input type="datetime-local">``, read in Europe/Paris (principle 4)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

PARIS = ZoneInfo("Europe/Paris")
FORMAT_DATETIME_LOCAL = "%Y-%m-%dT%H:%M"

OUI_NON = [("", "— Choisissez —"), ("oui", "Oui"), ("non", "Non")]


def oui_non(valeur):
    """« oui » / « non » as True / False (None when not answered)."""
    return {"oui": True, "non": False}.get(valeur)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=FORMAT_DATETIME_LOCAL, **kwargs)

    def format_value(self, value):
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            value = value.astimezone(PARIS)
        return super().format_value(value)


class DateHeureParisField(forms.DateTimeField):
    """A ``datetime-local`` value read as a wall-clock time in Europe/Paris."""

    widget = DateTimeLocalInput
    input_formats = [FORMAT_DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M"]

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "error_messages",
            {"required": "Indiquez la date et l'heure.", "invalid": "Saisissez une date et une heure valides."},
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            naif = value.replace(tzinfo=None) if timezone.is_aware(value) else value
        else:
            texte = str(value).strip()
            naif = None
            for format_ in self.input_formats:
                try:
                    naif = datetime.datetime.strptime(texte, format_)
                    break
                except ValueError:
                    continue
            if naif is None:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return timezone.make_aware(naif, PARIS)


def champ_date(label, *, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        help_text=help_text,
        error_messages={"required": "Indiquez la date.", "invalid": "Saisissez une date valide."},
    )


def champ_entier(label, *, minimum, maximum, help_text=""):
    return forms.IntegerField(
        label=label,
        min_value=minimum,
        max_value=maximum,
        help_text=help_text,
        error_messages={
            "required": "Indiquez la durée en minutes.",
            "invalid": "Saisissez un nombre entier.",
            "min_value": "Au moins %(limit_value)s.",
            "max_value": "Au plus %(limit_value)s.",
        },
    )


def maintenant_local() -> str:
    """Now, as a ``datetime-local`` value in Europe/Paris (a form's default and maximum)."""
    return timezone.localtime().strftime(FORMAT_DATETIME_LOCAL)
