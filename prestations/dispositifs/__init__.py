"""The dispositif catalogue (SPEC §2): a registry of versioned, declarative rule sets.

A lettre de commande stores ``(cle, version)``; the workflow gets the rules back
with :func:`regle`, and picks the version for a new LdC with
:func:`regle_en_vigueur` (on the LdC start date). Adding a dispositif = adding a
module declaring ``CLE`` and ``VERSIONS`` and listing it in ``_MODULES``.

Where things live (``grep -rn MOV-10 prestations/dispositifs`` shows the rule part
and the line of the rule set that gives its numbers):

* rule sets, one module per dispositif: ``mov.py``, ``bca.py``, ``bam.py``,
  ``pma.py``, ``cep.py`` (each lists the rule ids it declares);
* ``regle_dispositif.py``: :class:`RegleDispositif`, one version of a rule set;
* ``delais.py``: the parts that date an obligation (MOV-03, MOV-08, MOV-10,
  MOV-13, LIV-01, LIV-02);
* ``parcours.py``: phases and what may or must happen in them (MOV-09, MOV-11,
  MOV-12, PMA-04, BCA-02, BAM-02..BAM-04, CEP-01);
* ``eligibilite.py``: facts and criteria at prescription (PMA-01..PMA-03, BCA-01);
* ``paiement.py``: milestones, proofs and amounts (PAY-01..PAY-05);
* ``vocabulaire.py``: stored keys and French labels (statuts, niveaux de français,
  sorties positives, livrables, pièces justificatives);
* ``calendrier.py``: date arithmetic and the counting conventions.

Imports go one way, without cycles: ``vocabulaire`` and ``calendrier`` import
nothing from the package; ``parcours``, ``delais``, ``eligibilite`` and ``paiement``
import only those two (``paiement`` names ``RegleDispositif`` for type checking
only); ``regle_dispositif`` assembles the parts; the rule sets import the parts and
``regle_dispositif``; this registry imports the rule sets.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from . import bam, bca, cep, mov, pma
from .eligibilite import Avertissement, FaitsEligibilite, Ineligibilite
from .paiement import ECHEANCIER_PAR_DEFAUT, Jalon, echeancier_effectif, montant_du
from .parcours import Phase
from .regle_dispositif import RegleDispositif
from .vocabulaire import (
    LIVRABLES,
    PIECES_JUSTIFICATIVES,
    RUBRIQUES_LIVRABLES,
    SORTIES_POSITIVES,
    STATUTS,
    DispositifInconnu,
)

__all__ = [
    "DISPOSITIFS",
    "ECHEANCIER_PAR_DEFAUT",
    "LIVRABLES",
    "PIECES_JUSTIFICATIVES",
    "RUBRIQUES_LIVRABLES",
    "SORTIES_POSITIVES",
    "STATUTS",
    "Avertissement",
    "DispositifInconnu",
    "FaitsEligibilite",
    "Ineligibilite",
    "Jalon",
    "Phase",
    "RegleDispositif",
    "choix",
    "cles",
    "echeancier_effectif",
    "montant_du",
    "regle",
    "regle_en_vigueur",
    "toutes_les_regles",
    "verifier_registre",
]

#: Catalogue order (SPEC §2 table): also the order of form choices.
_MODULES = (mov, bca, bam, pma, cep)


def verifier_registre(registre: dict[str, list[RegleDispositif]]) -> None:
    """Each key's versions: right key, unique ids, sorted by date, non-overlapping."""
    for cle, versions in registre.items():
        if not versions:
            raise ValueError(f"Le dispositif {cle} n'a aucune version.")
        if any(v.cle != cle for v in versions):
            raise ValueError(f"Le dispositif {cle} contient une version d'un autre dispositif.")
        ids = [v.version for v in versions]
        if len(set(ids)) != len(ids):
            raise ValueError(f"Le dispositif {cle} a deux versions de même identifiant.")
        for avant, apres in zip(versions, versions[1:], strict=False):
            if avant.valable_au is None or avant.valable_au >= apres.valable_du:
                raise ValueError(
                    f"Les versions {avant.version} et {apres.version} du dispositif {cle} se chevauchent "
                    "ou ne sont pas dans l'ordre chronologique."
                )


def _construire(modules: Iterable) -> dict[str, list[RegleDispositif]]:
    registre = {m.CLE: sorted(m.VERSIONS, key=lambda v: v.valable_du) for m in modules}
    verifier_registre(registre)
    return registre


#: key → versions, oldest first.
DISPOSITIFS: dict[str, list[RegleDispositif]] = _construire(_MODULES)


def cles() -> list[str]:
    """Dispositif keys in catalogue order."""
    return list(DISPOSITIFS)


def choix() -> list[tuple[str, str]]:
    """Form choices: ``[("MOV", "MOV – Mobilisation vers l'emploi"), ...]`` (latest version's name)."""
    return [(cle, versions[-1].libelle) for cle, versions in DISPOSITIFS.items()]


def _versions(cle: str) -> list[RegleDispositif]:
    try:
        return DISPOSITIFS[cle]
    except KeyError:
        raise DispositifInconnu(f"Dispositif inconnu : « {cle} ».") from None


def regle(cle: str, version: str) -> RegleDispositif:
    """The exact version stored on a lettre de commande."""
    for v in _versions(cle):
        if v.version == version:
            return v
    raise DispositifInconnu(f"Le dispositif {cle} n'a pas de version « {version} ».")


def regle_en_vigueur(cle: str, le: date) -> RegleDispositif:
    """The version of ``cle`` in force on ``le`` (e.g. the LdC start date)."""
    en_vigueur = [v for v in _versions(cle) if v.est_en_vigueur(le)]
    if not en_vigueur:
        raise DispositifInconnu(f"Aucune version du dispositif {cle} n'est en vigueur le {le:%d/%m/%Y}.")
    return max(en_vigueur, key=lambda v: v.valable_du)


def toutes_les_regles() -> list[RegleDispositif]:
    """Every registered version of every dispositif."""
    return [v for versions in DISPOSITIFS.values() for v in versions]
