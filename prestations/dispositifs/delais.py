"""Rule parts that date an obligation: deadlines, renewal, entretien gap, follow-up
windows, deliverables. Each part names its rule id:

* :class:`Delai`: a deadline counted from a reference date, with warnings
  (MOV-03: contractualisation within 7 days, warning at day 5);
* :class:`Renouvellement`: renewal at term (MOV-08: once, 6 months);
* :class:`EcartEntretiens`: the net gap between two entretiens (MOV-10: more than
  14 net days ends the prestation, warnings at days 10 and 13);
* :class:`SuiviEmploi`: the follow-up windows after a positive outcome (MOV-13:
  3 months, first week then monthly);
* :class:`EcheanceLivrable`: when a deliverable is due (LIV-01: end of month 2;
  LIV-02: 7 days after the end).

Day counting follows :mod:`prestations.dispositifs.calendrier` (day 0 is the
reference date; periods are inclusive).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from .calendrier import Periode, fin_de_periode_mois, jours_nets


@dataclass(frozen=True)
class Delai:
    """A deadline of ``jours`` calendar days after a reference date (day 0).

    The obligation is met on time when it happens on or before :meth:`date_limite`
    (``reference + jours``); it is breached from :meth:`date_depassement` on (the day
    after, i.e. once day ``jours`` is over). Warnings are due on the days listed in
    ``alertes_jours`` (``reference + n``).

    MOV-03 reads "warning at day 5, breach at day 7" as: warning on ``debut + 5``;
    the contractualisation may still take place on ``debut + 7``; the breach is
    established, and notified, when day 7 has passed without it (``debut + 8``).
    """

    jours: int
    regle: str
    alertes_jours: tuple[int, ...] = ()

    def __post_init__(self):
        if self.jours < 0 or any(not 0 <= a <= self.jours for a in self.alertes_jours):
            raise ValueError(f"{self.regle} : délai ou jours d'alerte incohérents.")

    def date_limite(self, reference: date) -> date:
        return reference + timedelta(days=self.jours)

    def date_depassement(self, reference: date) -> date:
        return self.date_limite(reference) + timedelta(days=1)

    def dates_alerte(self, reference: date) -> tuple[date, ...]:
        return tuple(reference + timedelta(days=n) for n in self.alertes_jours)

    def est_depasse(self, reference: date, le: date) -> bool:
        """True when, on ``le``, the obligation is overdue (if not yet met)."""
        return le > self.date_limite(reference)


@dataclass(frozen=True)
class Renouvellement:
    """How many times, and for how long, the prescripteur may renew at term (MOV-08).

    The renewal period starts the day after the current end date and lasts
    ``duree_mois`` calendar months (inclusive convention, :func:`fin_de_periode_mois`):
    an end on 27 August 2026 renewed for 6 months becomes 27 February 2027; an end
    on 28 February 2026 becomes 31 August 2026.
    """

    nombre_max: int
    duree_mois: int
    regle: str = "MOV-08"

    def nouvelle_date_fin(self, fin_actuelle: date) -> date:
        return fin_de_periode_mois(fin_actuelle + timedelta(days=1), self.duree_mois)


@dataclass(frozen=True)
class EcartEntretiens:
    """Maximum gap between two consecutive entretiens (MOV-10).

    The gap is counted in calendar days after the last entretien, not counting days
    of suspension (``neutralise_suspensions``) and of période en entreprise
    (``neutralise_periodes_entreprise``). A gap of exactly ``max_jours`` is allowed;
    the prestation ends when it exceeds ``max_jours``. Warnings to the référent
    when the net gap reaches each of ``alertes_jours`` without a new entretien.
    """

    max_jours: int
    alertes_jours: tuple[int, ...]
    neutralise_suspensions: bool = True
    neutralise_periodes_entreprise: bool = True
    regle: str = "MOV-10"

    def ecart(self, dernier_entretien: date, le: date, periodes_exclues: Iterable[Periode] = ()) -> int:
        """Net days elapsed since ``dernier_entretien`` on ``le``.

        ``periodes_exclues``: the suspensions and périodes en entreprise to neutralise
        (the caller passes only those this rule neutralises).
        """
        return jours_nets(dernier_entretien, le, periodes_exclues)

    def depasse(self, ecart: int) -> bool:
        return ecart > self.max_jours

    def alertes_atteintes(self, ecart: int) -> tuple[int, ...]:
        """Warning thresholds reached by ``ecart`` (the workflow sends each once)."""
        return tuple(a for a in self.alertes_jours if ecart >= a)


@dataclass(frozen=True)
class SuiviEmploi:
    """Follow-up after a positive outcome (MOV-13).

    During ``duree_mois`` months from the first day of the job or training: one
    entretien (phone or in person) in the first week (days 0 to 6), then one in each
    month. Read as four windows for 3 months: week 1, the rest of month 1, month 2,
    month 3 (a provider holds a monthly point besides the first-week call).
    """

    duree_mois: int
    premier_entretien_jours: int
    entretiens_par_mois: int
    modalites: tuple[str, ...]
    sorties: tuple[str, ...]
    regle: str = "MOV-13"
    phase: str = "suivi_emploi"  # the phase of the rule set the follow-up runs in

    def fenetres(self, date_reprise: date) -> list[tuple[date, date]]:
        """Inclusive windows in which one entretien each is expected."""
        premiere_semaine_fin = date_reprise + timedelta(days=self.premier_entretien_jours - 1)
        fenetres = [(date_reprise, premiere_semaine_fin)]
        debut = premiere_semaine_fin + timedelta(days=1)
        for mois in range(1, self.duree_mois + 1):
            fin = fin_de_periode_mois(date_reprise, mois)
            if fin >= debut:
                fenetres.append((debut, fin))
            debut = fin + timedelta(days=1)
        return fenetres

    def date_fin(self, date_reprise: date) -> date:
        return fin_de_periode_mois(date_reprise, self.duree_mois)


class Reference(StrEnum):
    DEBUT = "debut"
    FIN = "fin"


@dataclass(frozen=True)
class EcheanceLivrable:
    """When a deliverable is due, relative to the start or the end of the prestation.

    ``date_limite = (fin_de_periode_mois(reference, mois) if mois else reference) + jours``:
    LIV-01 (end of month 2) is ``Reference.DEBUT, mois=2``; LIV-02 (within 7 days
    after the end) is ``Reference.FIN, jours=7``. ``emargement`` names the proof of
    attendance that must accompany it (EMA-01), if any.
    """

    livrable: str
    reference: Reference
    regle: str
    mois: int = 0
    jours: int = 0
    emargement: str | None = None
    signature_beneficiaire: bool = True

    def date_limite(self, debut: date, fin: date | None) -> date | None:
        base = debut if self.reference == Reference.DEBUT else fin
        if base is None:
            return None
        if self.mois:
            base = fin_de_periode_mois(base, self.mois)
        return base + timedelta(days=self.jours)
