"""Date arithmetic of the catalogue (no dateutil), and the conventions every rule uses.

Conventions used throughout (written once here, relied upon everywhere):

* **Dates are calendar dates**, every duration is in calendar days unless its name
  says otherwise (``..._heures``, ``..._mois``, ``..._minutes``).
* **Periods are inclusive**: a prestation of N days starting on ``debut`` ends on
  ``debut + (N - 1)`` days, its last day (MOV-07: 180 days from 2026-03-01 end on
  2026-08-27). A period of N *months* starting on ``debut`` ends the day before the
  same day-number N months later (1 March + 2 months → 30 April); when that
  day-number does not exist in the target month, it ends on the last day of that
  month (31 January + 1 month → 28/29 February). See :func:`fin_de_periode_mois`.
* **Deadlines count from a reference date that is day 0** (as art. 641 of the code
  de procédure civile: "le jour de l'acte ne compte pas"): "within 7 days of the
  start date" means on or before ``debut + 7``; "day 5" is ``debut + 5``. An
  obligation is breached once its last allowed day is over, i.e. on
  ``date_limite + 1`` (see :class:`~prestations.dispositifs.delais.Delai`).
* **Net days** (MOV-10) are the calendar days of ``(depuis, jusqu_a]`` outside some
  excluded inclusive ``(debut, fin)`` periods: :func:`jours_nets`.
* Amounts are :class:`~decimal.Decimal`, rounded to the cent with ROUND_HALF_UP
  (see :mod:`prestations.dispositifs.paiement`).

No import from the rest of the package: every other module may import this one.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, timedelta

#: An inclusive range of days ``(debut, fin)``: a suspension, a période en entreprise.
Periode = tuple[date, date]


def ajouter_jours(jour: date, jours: int) -> date:
    return jour + timedelta(days=jours)


def ajouter_mois(jour: date, mois: int) -> date:
    """Same day-number ``mois`` calendar months later (or earlier when negative).

    When that day does not exist in the target month, the last day of the target
    month is returned (31 August + 6 months → 28 or 29 February).
    """
    index = jour.year * 12 + (jour.month - 1) + mois
    annee, mois_zero = divmod(index, 12)
    dernier_jour = calendar.monthrange(annee, mois_zero + 1)[1]
    return date(annee, mois_zero + 1, min(jour.day, dernier_jour))


def fin_de_periode_mois(debut: date, mois: int) -> date:
    """Last day (inclusive) of a period of ``mois`` calendar months starting on ``debut``.

    1 March + 2 months ends on 30 April. When the same day-number does not exist in
    the target month the period ends on the last day of that month: 31 January
    + 1 month ends on 28 (or 29) February, not on the 27th.
    """
    if mois < 1:
        raise ValueError("Une période en mois dure au moins un mois.")
    cible = ajouter_mois(debut, mois)
    if cible.day != debut.day:  # day-number clamped: the period runs to the month's end
        return cible
    return cible - timedelta(days=1)


def jours_couverts(periodes: Iterable[Periode]) -> set[date]:
    """Every day of the inclusive ``periodes`` (ValueError when one ends before it starts)."""
    jours: set[date] = set()
    for debut, fin in periodes:
        if fin < debut:
            raise ValueError(f"Période invalide : le {fin:%d/%m/%Y} précède le {debut:%d/%m/%Y}.")
        jours.update(debut + timedelta(days=n) for n in range((fin - debut).days + 1))
    return jours


def jours_nets(depuis: date, jusqu_a: date, periodes_exclues: Iterable[Periode] = ()) -> int:
    """Calendar days in ``(depuis, jusqu_a]`` not covered by any excluded period.

    ``periodes_exclues`` are inclusive ``(debut, fin)`` ranges (suspensions, périodes
    en entreprise); overlapping ranges are counted once. Used by MOV-10.
    """
    if jusqu_a <= depuis:
        return 0
    exclus = jours_couverts(periodes_exclues)
    return sum(1 for n in range(1, (jusqu_a - depuis).days + 1) if depuis + timedelta(days=n) not in exclus)


def duree_jours(debut: date, fin: date) -> int:
    """Number of days of the inclusive period ``[debut, fin]``."""
    return (fin - debut).days + 1
