"""Bounds every input meets, whatever the path (HTML form, API, model).

- Dates and date-times lie between ``DATE_MIN`` and ``DATE_MAX``: year 0001 or 9999 is
  a typing error, and outside that range the calendar arithmetic of the rules
  overflows and Europe/Paris has no sensible offset (LMT +00:09:21 before 1911).
- An identifier read from an address or a form is ASCII digits (``identifiant``): ``²``
  passes ``str.isdigit`` but not ``int``.
- Text carries no control character; a text limited to fewer than
  ``LONGUEUR_MULTILIGNE`` characters (a title, a name, an employer) is one line: the
  HTML forms show it as one input, the API refuses its line breaks too.
- A refused choice or key is never quoted back (it may be 100 KB): the message says what
  is expected instead (``commun.forms``, ``commun.api``).
- Long text fields carry their ``max_length`` on the model; forms and API read it there
  (``longueur``), so a field has one limit everywhere.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

# After 1911-03-11 Europe/Paris has its modern offsets (before, local mean time,
# +00:09:21, which no date-time format accepts); before 1927 nobody the platform serves
# was born (16 to 99 years old).
DATE_MIN = datetime.date(1920, 1, 1)
DATE_MAX = datetime.date(2100, 12, 31)
LONGUEUR_MULTILIGNE = 500


def valider_date(valeur) -> None:
    """A date (or date-time) between 1900 and 2100."""
    if valeur is None:
        return
    jour = valeur.date() if isinstance(valeur, datetime.datetime) else valeur
    if not DATE_MIN <= jour <= DATE_MAX:
        raise ValidationError(
            f"Saisissez une date entre le {DATE_MIN:%d/%m/%Y} et le {DATE_MAX:%d/%m/%Y}.", code="date_hors_bornes"
        )


def identifiant(valeur) -> int | None:
    """A primary key read from a request (ASCII digits), else None."""
    texte = str(valeur or "")
    return int(texte) if re.fullmatch(r"[0-9]{1,18}", texte) else None


def valider_une_ligne(valeur) -> None:
    """Single-line text: no control character (tabs and line breaks included)."""
    if valeur and any(unicodedata.category(c) == "Cc" for c in str(valeur)):
        raise ValidationError("Ce texte contient un caractère de contrôle : retirez-le.", code="caractere_controle")


def valider_texte(valeur) -> None:
    """Multi-line text: line breaks and tabs allowed, no other control character."""
    if valeur and any(unicodedata.category(c) == "Cc" and c not in "\n\r\t" for c in str(valeur)):
        raise ValidationError("Ce texte contient un caractère de contrôle : retirez-le.", code="caractere_controle")


def texte_long(longueur: int) -> dict:
    """Keyword arguments of a model ``TextField`` limited to ``longueur`` characters
    (Django enforces a ``TextField``'s ``max_length`` in forms only; the validator makes
    ``full_clean`` enforce it too)."""
    return {"max_length": longueur, "validators": [MaxLengthValidator(longueur), valider_texte]}


def longueur(modele, champ: str) -> int:
    """The limit of a model field, for the forms and serializers that write it."""
    return modele._meta.get_field(champ).max_length
