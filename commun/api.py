"""API plumbing shared by every app.

- ``exception_handler``: errors of the services become answers (``ActionRefusee`` → 409
  with its rule id, Django ``ValidationError`` → 400 with field errors).
- ``Serializer`` and ``ModelSerializer``: DRF's, with the input bounds of
  ``commun.bornes`` on every field (dates between 1900 and 2100, no control character,
  a text shorter than ``LONGUEUR_MULTILIGNE`` on one line, a refused choice or key never
  quoted back), and a write refused with 400 when it carries a field the serializer
  does not know or only reads (DRF would drop it silently).
"""

from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from commun.bornes import LONGUEUR_MULTILIGNE, valider_date, valider_texte, valider_une_ligne
from commun.exceptions import ActionRefusee

_CLE_INCONNUE = str(serializers.PrimaryKeyRelatedField.default_error_messages["does_not_exist"])


def exception_handler(exc, context):
    if isinstance(exc, ActionRefusee):
        return Response({"detail": exc.message, "regle": exc.regle}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        data = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(data, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


def borner_champ(field) -> None:
    """The bounds every input meets (``commun.bornes``), added to one serializer field."""
    if field.read_only:
        return
    if isinstance(field, (serializers.DateField, serializers.DateTimeField)):
        field.validators.append(valider_date)
    elif isinstance(field, serializers.ChoiceField):
        valeurs = ", ".join(str(c) for c in field.choices)
        field.error_messages["invalid_choice"] = f"Ce choix n'est pas valide. Valeurs admises : {valeurs}."
    elif isinstance(field, serializers.CharField):
        une_ligne = field.max_length is not None and field.max_length < LONGUEUR_MULTILIGNE
        field.validators.append(valider_une_ligne if une_ligne else valider_texte)
    elif (
        isinstance(field, serializers.PrimaryKeyRelatedField)
        and str(field.error_messages["does_not_exist"]) == _CLE_INCONNUE
    ):
        field.error_messages["does_not_exist"] = "Aucun objet de ce numéro dans votre périmètre."


class DateHeure(serializers.DateTimeField):
    """A date-time within ``commun.bornes`` before anything converts it: DRF makes a naive
    value aware first, which overflows for year 1 (a 500 otherwise)."""

    def enforce_timezone(self, value):
        try:
            valider_date(value)
        except DjangoValidationError as erreur:
            raise serializers.ValidationError(erreur.messages) from None
        return super().enforce_timezone(value)


class BornesMixin:
    """Apply ``borner_champ`` to every field of the serializer, and refuse what a write
    would silently drop: a field the serializer does not know, or one it only reads."""

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            borner_champ(field)
        return fields

    def to_internal_value(self, data):
        refus = champs_refuses(self.fields, data)
        try:
            valeur = super().to_internal_value(data)
        except serializers.ValidationError as erreur:
            if refus and isinstance(erreur.detail, dict):
                erreur.detail.update(refus)
            raise
        if refus:
            raise serializers.ValidationError(refus)
        return valeur


def champs_refuses(fields, data) -> dict[str, list[str]]:
    """The keys of ``data`` a write would ignore, each with the reason."""
    if not isinstance(data, Mapping):
        return {}
    refus = {}
    for cle in data:
        champ = fields.get(cle)
        if champ is None:
            refus[cle] = ["Champ inconnu : il n'est pas accepté ici."]
        elif champ.read_only:
            refus[cle] = ["Ce champ est en lecture seule : il ne peut pas être fourni."]
    return refus


class Serializer(BornesMixin, serializers.Serializer):
    pass


class ModelSerializer(BornesMixin, serializers.ModelSerializer):
    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping, models.DateTimeField: DateHeure}
