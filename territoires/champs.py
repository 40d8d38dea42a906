"""Commune pickers for the forms and the API: the INSEE code is checked before any query
(a code of another shape, a NUL byte or 100 KB never reach the database)."""

from __future__ import annotations

import re

from django import forms
from rest_framework import serializers

CODE_INSEE = re.compile(r"[0-9][0-9AB][0-9]{3}")


def est_code_insee(valeur) -> bool:
    return isinstance(valeur, str) and CODE_INSEE.fullmatch(valeur) is not None


class CommuneChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not est_code_insee(str(value)):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class CommuneRelatedField(serializers.PrimaryKeyRelatedField):
    def to_internal_value(self, data):
        if not est_code_insee(data):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)
