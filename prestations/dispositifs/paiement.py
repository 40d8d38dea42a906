"""Payment schedule: milestones, their proofs and the amounts they pay (PAY-01..PAY-05).

* :class:`Jalon`: a milestone, its cumulative percentage of the marché unit price,
  its proofs (:class:`Preuve`, built with :func:`preuve`) and what makes it
  claimable (:class:`Declencheur`); MOV's schedule (PAY-01..PAY-04) is declared in
  ``mov.py``;
* :func:`montant_du`, :func:`montant_cumule`: amounts, to the cent (ROUND_HALF_UP);
* :func:`valider_echeancier`: a schedule's consistency (unique keys, 100 %);
* :data:`ECHEANCIER_PAR_DEFAUT`, :func:`echeancier_effectif`: which schedule applies
  (the dispositif's, else the marché's, else the default one; PAY-05).

Proof keys are those of :data:`~prestations.dispositifs.vocabulaire.PIECES_JUSTIFICATIVES`
and :data:`~prestations.dispositifs.vocabulaire.LIVRABLES`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from .vocabulaire import LIVRABLES, PIECES_JUSTIFICATIVES, libelle_piece

if TYPE_CHECKING:
    from .regle_dispositif import RegleDispositif


class Declencheur(StrEnum):
    """What makes a payment milestone claimable (besides its proofs, PAY-05)."""

    PIECES = "pieces"  # as soon as the proofs are attached (PAY-01)
    FIN_PRESTATION = "fin_prestation"  # the prestation has reached its term (PAY-02)
    MAINTIEN_EMPLOI = "maintien_emploi"  # ``delai_mois`` months of continued employment (PAY-03)
    SORTIE_POSITIVE_ANTICIPEE = "sortie_positive_anticipee"  # positive outcome before the term (PAY-04)


@dataclass(frozen=True)
class Preuve:
    """One required proof, satisfied by any one of ``pieces`` (alternatives).

    ``types_sortie``: the proof is only required for these positive outcome kinds
    (empty: whatever the outcome).
    """

    pieces: tuple[str, ...]
    types_sortie: tuple[str, ...] = ()

    def satisfaite(self, pieces_fournies: Iterable[str]) -> bool:
        return bool(set(self.pieces) & set(pieces_fournies))

    @property
    def libelle(self) -> str:
        return " ou ".join(libelle_piece(p) for p in self.pieces)


def preuve(*pieces: str, sorties: tuple[str, ...] = ()) -> Preuve:
    return Preuve(pieces=pieces, types_sortie=sorties)


@dataclass(frozen=True)
class Jalon:
    """A payment milestone; percentages are cumulative (of the marché unit price HT)."""

    cle: str
    libelle: str
    pourcentage_cumule: Decimal
    regle: str
    preuves: tuple[Preuve, ...] = ()
    declencheur: Declencheur = Declencheur.PIECES
    types_sortie: tuple[str, ...] = ()  # empty: any case; else only for these outcomes
    delai_mois: int | None = None  # MAINTIEN_EMPLOI: months of continued employment
    description: str = ""

    def __post_init__(self):
        if not isinstance(self.pourcentage_cumule, Decimal):
            raise TypeError(f"Jalon {self.cle} : le pourcentage doit être un Decimal.")
        if not Decimal(0) < self.pourcentage_cumule <= Decimal(100):
            raise ValueError(f"Jalon {self.cle} : pourcentage cumulé hors de ]0 ; 100].")
        for p in self.preuves:
            for piece in p.pieces:
                if piece not in PIECES_JUSTIFICATIVES and piece not in LIVRABLES:
                    raise ValueError(f"Jalon {self.cle} : pièce inconnue « {piece} ».")

    def s_applique(self, type_sortie: str | None) -> bool:
        return not self.types_sortie or type_sortie in self.types_sortie

    def preuves_requises(self, type_sortie: str | None = None) -> tuple[Preuve, ...]:
        return tuple(p for p in self.preuves if not p.types_sortie or type_sortie in p.types_sortie)

    def preuves_manquantes(self, pieces_fournies: Iterable[str], type_sortie: str | None = None) -> list[Preuve]:
        fournies = set(pieces_fournies)
        return [p for p in self.preuves_requises(type_sortie) if not p.satisfaite(fournies)]

    def pieces_completes(self, pieces_fournies: Iterable[str], type_sortie: str | None = None) -> bool:
        """PAY-05: a milestone is claimable only when all its proofs are attached."""
        return self.s_applique(type_sortie) and not self.preuves_manquantes(pieces_fournies, type_sortie)


CENTIME = Decimal("0.01")


def _decimal(valeur: Decimal | int | str) -> Decimal:
    if isinstance(valeur, float):
        raise TypeError("Montant en float refusé : utilisez Decimal ou une chaîne.")
    return valeur if isinstance(valeur, Decimal) else Decimal(str(valeur))


def montant_cumule(jalon: Jalon, prix_unitaire_ht: Decimal | int | str) -> Decimal:
    """Cumulative amount due once ``jalon`` is reached, rounded to the cent (half up)."""
    brut = _decimal(prix_unitaire_ht) * jalon.pourcentage_cumule / Decimal(100)
    return brut.quantize(CENTIME, rounding=ROUND_HALF_UP)


def montant_du(jalon: Jalon, prix_unitaire_ht: Decimal | int | str, deja_du: Decimal | int | str = 0) -> Decimal:
    """Amount this milestone pays: cumulative % × unit price − already due (PAY-01..04).

    The cumulative amount is rounded to the cent (ROUND_HALF_UP) before the
    subtraction, so the milestones of a schedule always add up to the rounded
    total. Never negative: a milestone whose cumulative amount is already covered
    (PAY-02 after PAY-04, both 90 %) pays nothing.
    """
    reste = montant_cumule(jalon, prix_unitaire_ht) - _decimal(deja_du)
    return max(reste, Decimal("0.00")).quantize(CENTIME, rounding=ROUND_HALF_UP)


def valider_echeancier(jalons: Iterable[Jalon]) -> tuple[Jalon, ...]:
    """Check a schedule (a dispositif's or a marché's): unique keys, reaches 100 %."""
    jalons = tuple(jalons)
    if not jalons:
        raise ValueError("Un échéancier comporte au moins un jalon.")
    cles = [j.cle for j in jalons]
    if len(set(cles)) != len(cles):
        raise ValueError("Les clés des jalons d'un échéancier doivent être uniques.")
    if max(j.pourcentage_cumule for j in jalons) != Decimal(100):
        raise ValueError("Un échéancier doit atteindre 100 % cumulés.")
    return jalons


#: Schedule used when neither the dispositif nor the marché gives one: one milestone
#: paying 100 % once the prestation has reached its term, on the signed lettre de
#: commande (the gestionnaire financier still validates it, PAY-05).
ECHEANCIER_PAR_DEFAUT: tuple[Jalon, ...] = (
    Jalon(
        cle="solde",
        libelle="Paiement à l'achèvement de la prestation",
        pourcentage_cumule=Decimal("100"),
        regle="PAY-05",
        preuves=(preuve("lettre_de_commande"),),
        declencheur=Declencheur.FIN_PRESTATION,
        description="Échéancier par défaut, en l'absence d'échéancier fixé par le marché.",
    ),
)


def echeancier_effectif(regle: RegleDispositif, echeancier_marche: Iterable[Jalon] | None = None) -> tuple[Jalon, ...]:
    """The payment schedule that applies to a prestation.

    The dispositif's own schedule when it declares one (MOV, PAY-01..04: it is
    regulatory, a marché schedule is then ignored); otherwise the marché's schedule;
    otherwise :data:`ECHEANCIER_PAR_DEFAUT`.
    """
    if regle.echeancier is not None:
        return regle.echeancier
    if echeancier_marche is not None:
        return valider_echeancier(echeancier_marche)
    return ECHEANCIER_PAR_DEFAUT
