"""Is this file the one the platform sealed, unaltered? (EMA-02, "verifiable").

A file is looked up by its SHA-256 among the stored documents (byte-identical: it is
that version), and its seal is validated by pyHanko against the platform's certificate
(intact and trusted, nothing added after it). A file whose hash is unknown but whose
seal names a reference is reported as altered when its seal no longer holds.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from livrables import sceau
from livrables.models import Livrable

REFERENCE = re.compile(rb"DOC-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}")


@dataclass
class Resultat:
    empreinte: str
    livrable: Livrable | None
    verdict: sceau.Verdict
    reference_lue: str = ""

    @property
    def conforme(self) -> bool:
        """The file is a document of the platform, unaltered: a stored version byte for byte
        (sealed and its seal valid, or a deposited scan), or a file carrying a valid seal."""
        if self.livrable is not None:
            return self.verdict.valide or not self.verdict.scelle
        return self.verdict.valide

    @property
    def altere(self) -> bool:
        return not self.conforme and (self.verdict.scelle or bool(self.reference_lue))

    @property
    def message(self) -> str:
        if self.conforme and self.livrable is not None:
            if self.verdict.scelle:
                return "Ce fichier est le document scellé par la plateforme, inchangé."
            return "Ce fichier est le document déposé sur la plateforme, inchangé (scan signé sur papier, non scellé)."
        if self.conforme:
            return "Ce fichier porte un cachet valide de la plateforme et n'a pas été modifié depuis."
        if self.altere:
            return (
                "Ce fichier a été modifié après son scellement : il ne correspond plus au document scellé par la "
                "plateforme."
            )
        return "Ce fichier n'est pas un document scellé par la plateforme."


def verifier_fichier(contenu: bytes) -> Resultat:
    empreinte = hashlib.sha256(contenu).hexdigest()
    livrable = (
        Livrable.objects.filter(empreinte=empreinte).select_related("prestation__lettre_de_commande").first()
        if contenu
        else None
    )
    verdict = sceau.verifier(contenu) if contenu.startswith(b"%PDF") else sceau.Verdict(scelle=False)
    trouvee = REFERENCE.search(contenu)
    return Resultat(
        empreinte=empreinte,
        livrable=livrable,
        verdict=verdict,
        reference_lue=trouvee.group().decode() if trouvee else "",
    )


def verifier_livrable(livrable: Livrable) -> Resultat | None:
    """The stored file of a version, checked again (its hash equals the recorded one and
    its seal holds). None while it has no file."""
    if not livrable.fichier:
        return None
    with livrable.fichier.open("rb") as f:
        contenu = f.read()
    resultat = verifier_fichier(contenu)
    if resultat.livrable is None or resultat.livrable.pk != livrable.pk:
        resultat.livrable = None
    return resultat
