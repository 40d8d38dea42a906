"""Checks and normalisation of the bénéficiaire's identifiers and free texts.

Each ``normaliser_*`` function returns the stored form of a value or raises a
French :class:`~django.core.exceptions.ValidationError`; the ``valider_*``
functions are the model field validators built on them (they accept the value
as typed, so the form, the API and the admin agree).

No NIR (numéro de sécurité sociale) is ever stored: there is no field for it, and
a value that looks like one is refused in the identifiant France Travail and in
every free-text field.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

MESSAGE_NIR = (
    "Ne saisissez pas le numéro de sécurité sociale (NIR) : il ne doit pas être enregistré dans cette application."
)
MESSAGE_IDENTIFIANT_FT = (
    "L'identifiant France Travail se compose de 7 chiffres suivis d'une lettre ou d'un chiffre (ex. 1234567A)."
)
MESSAGE_TELEPHONE = (
    "Saisissez un numéro de téléphone français : 10 chiffres commençant par 0 (ex. 06 12 34 56 78) "
    "ou +33 suivi de 9 chiffres."
)
MESSAGE_CODE_ROME = "Le code ROME se compose d'une lettre suivie de 4 chiffres (ex. K2110)."

_SEP = r"[ .\-]?"
# Sex (1, 2; 3, 4, 7, 8 for temporary numbers), year, month, département (2A/2B in
# Corsica), commune, order number, then the optional 2-digit key: 13 or 15 characters,
# possibly written in groups ("1 85 05 78 006 084 36").
_NIR_DANS_TEXTE = re.compile(
    rf"(?<![0-9A-Za-z])[1-478](?:{_SEP}[0-9]){{4}}{_SEP}(?:[0-9]{{2}}|2[ABab])(?:{_SEP}[0-9]){{6}}"
    rf"(?:{_SEP}[0-9]{{2}})?(?![0-9A-Za-z])"
)
_NIR_COMPACT = re.compile(r"[1-478][0-9]{4}(?:[0-9]{2}|2[AB])[0-9]{6}(?:[0-9]{2})?")
_IDENTIFIANT_FT = re.compile(r"[0-9]{7}[A-Z0-9]")
_CODE_ROME = re.compile(r"[A-Z][0-9]{4}")


def contient_nir(texte: str | None) -> bool:
    """True when ``texte`` contains something that looks like a NIR (13 or 15 characters)."""
    return bool(texte) and _NIR_DANS_TEXTE.search(texte) is not None


def valider_sans_nir(texte: str | None) -> None:
    if contient_nir(texte):
        raise ValidationError(MESSAGE_NIR, code="nir")


def normaliser_identifiant_ft(valeur: str | None) -> str:
    """``" 1234567a "`` → ``"1234567A"``; a NIR or any other shape is refused."""
    if not valeur:
        return ""
    compact = re.sub(r"[\s.\-]", "", valeur).upper()
    if not compact:
        return ""
    if _NIR_COMPACT.fullmatch(compact) or (compact.isdigit() and len(compact) in (13, 15)):
        raise ValidationError(MESSAGE_NIR, code="nir")
    if not _IDENTIFIANT_FT.fullmatch(compact):
        raise ValidationError(MESSAGE_IDENTIFIANT_FT, code="identifiant_ft")
    return compact


def valider_identifiant_ft(valeur: str | None) -> None:
    normaliser_identifiant_ft(valeur)


def normaliser_telephone(valeur: str | None) -> str:
    """A French number, stored in the national written form ``"06 12 34 56 78"``.

    Accepted: 10 digits starting with 0[1-9], or +33 / 0033 followed by 9 digits
    (an optional "(0)" after +33 is ignored), with spaces, dots or dashes anywhere.
    The national form keeps the overseas numbers (0262..., 0590...) unambiguous,
    which a "+33" form would not.
    """
    if not valeur:
        return ""
    compact = re.sub(r"[\s.\-()]", "", valeur.replace("(0)", ""))
    if not compact:
        return ""
    for prefixe in ("+33", "0033"):
        if compact.startswith(prefixe):
            reste = compact[len(prefixe) :]
            if re.fullmatch(r"[1-9][0-9]{8}", reste):
                compact = "0" + reste
            else:
                raise ValidationError(MESSAGE_TELEPHONE, code="telephone")
            break
    if not re.fullmatch(r"0[1-9][0-9]{8}", compact):
        raise ValidationError(MESSAGE_TELEPHONE, code="telephone")
    return " ".join(compact[i : i + 2] for i in range(0, 10, 2))


def valider_telephone(valeur: str | None) -> None:
    normaliser_telephone(valeur)


def normaliser_code_rome(valeur: str | None) -> str:
    """``" k2110"`` → ``"K2110"``: one letter and 4 digits (ROME job code)."""
    if not valeur:
        return ""
    compact = valeur.strip().upper()
    if compact and not _CODE_ROME.fullmatch(compact):
        raise ValidationError(MESSAGE_CODE_ROME, code="code_rome")
    return compact


def valider_code_rome(valeur: str | None) -> None:
    normaliser_code_rome(valeur)
