"""Text normalisation for searching people by name, whatever the accents or the case."""

from __future__ import annotations

import re
import unicodedata

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
_SEPARATEURS = re.compile(r"[^0-9a-z]+")


def normaliser(texte: str | None) -> str:
    """Lower-case, accent-free, words separated by one space.

    ``"  Lefèvre-D'Œil "`` → ``"lefevre d oeil"``. Used for the stored search
    columns of :class:`~beneficiaires.models.Beneficiaire` and for the query, so
    both sides always agree.
    """
    if not texte:
        return ""
    decompose = unicodedata.normalize("NFKD", texte.translate(_LIGATURES))
    sans_accents = "".join(c for c in decompose if not unicodedata.combining(c))
    return _SEPARATEURS.sub(" ", sans_accents.lower()).strip()
