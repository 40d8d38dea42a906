"""Rule parts that date an obligation: every delay number of a case comes from here.

A rule set (``mov.py``...) fills these parts with its numbers; the échéances, the
workflow and the case pages read the dates back through the methods below, never
through a number written elsewhere. Each part names its rule id:

* :class:`Delai`: a deadline counted from a reference date, with warnings
  (MOV-03: contractualisation within 7 days, warning at day 5);
* :class:`Renouvellement`: renewal at term and its decision window (MOV-08: once,
  6 months, decided in the last 30 days);
* :class:`EcartEntretiens`: the net gap between two entretiens (MOV-10: more than
  14 net days ends the prestation, warnings at days 10 and 13); holds the one walk
  over net days (:meth:`EcartEntretiens.jour_ou_ecart_atteint`);
* :class:`SuiviEmploi`: the follow-up windows after a positive outcome (MOV-13:
  3 months, first week then monthly, warning 2 days before a window closes);
* :class:`EcheanceLivrable`: when a deliverable is due (LIV-01: end of month 2;
  LIV-02: 7 days after the end; warning 3 days before).

The end at term (MOV-07, BCA-02...) is :meth:`RegleDispositif.date_fin
<prestations.dispositifs.regle_dispositif.RegleDispositif.date_fin>` with
:attr:`~prestations.dispositifs.regle_dispositif.RegleDispositif.regle_terme`.
Day counting follows :mod:`prestations.dispositifs.calendrier` (day 0 is the
reference date; periods are inclusive).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from .calendrier import Periode, fin_de_periode_mois, jours_couverts, jours_nets


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

    "At term" is read as the last ``jours_avant_terme`` days before the end date, the
    end date included (:meth:`fenetre`): the renewal is decided inside that window,
    and the prescripteur is asked on its first day (MOV-08: 30 days, so from
    ``date_fin - 29``).
    """

    nombre_max: int
    duree_mois: int
    regle: str = "MOV-08"
    jours_avant_terme: int = 30

    def __post_init__(self):
        if self.jours_avant_terme < 1:
            raise ValueError(f"{self.regle} : la fenêtre de renouvellement dure au moins un jour.")

    def nouvelle_date_fin(self, fin_actuelle: date) -> date:
        return fin_de_periode_mois(fin_actuelle + timedelta(days=1), self.duree_mois)

    def fenetre(self, date_fin: date) -> tuple[date, date]:
        """First and last day (inclusive) on which the renewal may be decided (MOV-08).

        The last ``jours_avant_terme`` days of the prestation, ``date_fin`` included:
        for 30 days and an end on 27 August 2026, from 29 July to 27 August 2026. The
        prescripteur's notice is due on the first day.
        """
        return date_fin - timedelta(days=self.jours_avant_terme - 1), date_fin

    def fenetre_ouverte(self, date_fin: date, le: date) -> bool:
        """True when ``le`` lies in :meth:`fenetre` (MOV-08)."""
        debut, fin = self.fenetre(date_fin)
        return debut <= le <= fin


@dataclass(frozen=True)
class EcartEntretiens:
    """Maximum gap between two consecutive entretiens (MOV-10).

    The gap is counted in calendar days after the last entretien, not counting days
    of suspension (``neutralise_suspensions``) and of période en entreprise
    (``neutralise_periodes_entreprise``). A gap of exactly ``max_jours`` is allowed;
    the prestation ends when it exceeds ``max_jours``. Warnings to the référent
    when the net gap reaches each of ``alertes_jours`` without a new entretien.

    Counting a gap is :meth:`ecart` (:func:`~prestations.dispositifs.calendrier.jours_nets`);
    finding the day a gap is reached is :meth:`jour_ou_ecart_atteint`, the only walk
    over net days. Every ``periodes_exclues`` argument holds the inclusive
    ``(debut, fin)`` periods to neutralise: the caller passes only those this rule
    neutralises.
    """

    max_jours: int
    alertes_jours: tuple[int, ...]
    neutralise_suspensions: bool = True
    neutralise_periodes_entreprise: bool = True
    regle: str = "MOV-10"
    #: SPEC §4: entretiens are often logged afterwards. During this many days after an
    #: automatic end, an entretien held inside the allowed gap and logged late undoes it.
    delai_de_grace_jours: int = 3

    def ecart(self, dernier_entretien: date, le: date, periodes_exclues: Iterable[Periode] = ()) -> int:
        """Net days elapsed since ``dernier_entretien`` on ``le``."""
        return jours_nets(dernier_entretien, le, periodes_exclues)

    def depasse(self, ecart: int) -> bool:
        return ecart > self.max_jours

    def alertes_atteintes(self, ecart: int) -> tuple[int, ...]:
        """Warning thresholds reached by ``ecart`` (the workflow sends each once)."""
        return tuple(a for a in self.alertes_jours if ecart >= a)

    def jour_ou_ecart_atteint(self, depuis: date, seuil: int, periodes_exclues: Iterable[Periode] = ()) -> date:
        """First day on which the net gap since ``depuis`` reaches ``seuil`` (MOV-10).

        The inverse of :meth:`ecart`: on the returned day ``ecart(depuis, jour) ==
        seuil``, and the day before it is below ``seuil``. For ``seuil >= 1`` the returned
        day is never an excluded day (the gap does not grow on those); ``seuil=0``
        gives ``depuis``.
        """
        if seuil < 0:
            raise ValueError(f"{self.regle} : un écart se compte en jours positifs.")
        exclus = jours_couverts(periodes_exclues)
        jour, net = depuis, 0
        while net < seuil:
            jour += timedelta(days=1)
            if jour not in exclus:
                net += 1
        return jour

    def date_depassement(self, depuis: date, periodes_exclues: Iterable[Periode] = ()) -> date:
        """First day on which the net gap exceeds ``max_jours``: the prestation ends (MOV-10)."""
        return self.jour_ou_ecart_atteint(depuis, self.max_jours + 1, periodes_exclues)

    def date_limite(self, depuis: date, periodes_exclues: Iterable[Periode] = ()) -> date:
        """Last day a new entretien keeps the prestation alive (MOV-10).

        The day before :meth:`date_depassement`. When excluded days follow the day the
        gap reaches ``max_jours``, the limit is the last of them (the gap does not grow
        during a suspension).
        """
        return self.date_depassement(depuis, periodes_exclues) - timedelta(days=1)

    def dates_alerte(self, depuis: date, periodes_exclues: Iterable[Periode] = ()) -> tuple[date, ...]:
        """Days on which the net gap reaches each of ``alertes_jours`` (MOV-10: days 10 and 13)."""
        periodes = tuple(periodes_exclues)
        return tuple(self.jour_ou_ecart_atteint(depuis, a, periodes) for a in self.alertes_jours)

    @property
    def libelle_depassement(self) -> str:
        """What ends the prestation, for messages: ``"plus de 14 jours sans entretien"`` (MOV-10)."""
        return f"plus de {self.max_jours} jours sans entretien"

    @property
    def libelle_neutralisation(self) -> str:
        """Which days do not count, for messages: ``"hors suspensions et périodes en entreprise"``."""
        exclus = [
            libelle
            for libelle, neutralise in (
                ("suspensions", self.neutralise_suspensions),
                ("périodes en entreprise", self.neutralise_periodes_entreprise),
            )
            if neutralise
        ]
        return f"hors {' et '.join(exclus)}" if exclus else ""


@dataclass(frozen=True)
class SuiviEmploi:
    """Follow-up after a positive outcome (MOV-13).

    During ``duree_mois`` months from the first day of the job or training: one
    entretien (phone or in person) in the first week (days 0 to 6), then one in each
    month. Read as four windows for 3 months: week 1, the rest of month 1, month 2,
    month 3 (a provider holds a monthly point besides the first-week call). The
    référent is warned ``alerte_jours_avant_fin_fenetre`` days before a window closes
    without its entretien (:meth:`date_alerte`).
    """

    duree_mois: int
    premier_entretien_jours: int
    entretiens_par_mois: int
    modalites: tuple[str, ...]
    sorties: tuple[str, ...]
    regle: str = "MOV-13"
    phase: str = "suivi_emploi"  # the phase of the rule set the follow-up runs in
    alerte_jours_avant_fin_fenetre: int = 2

    def __post_init__(self):
        if self.alerte_jours_avant_fin_fenetre < 0:
            raise ValueError(f"{self.regle} : jours d'alerte incohérents.")

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

    def date_alerte(self, debut_fenetre: date, fin_fenetre: date) -> date:
        """Warning day for a window of :meth:`fenetres` (MOV-13).

        ``alerte_jours_avant_fin_fenetre`` days before the window's last day, never
        before its first day: 2 days before for a month, the first day for a window
        of 2 days or less.
        """
        return max(debut_fenetre, fin_fenetre - timedelta(days=self.alerte_jours_avant_fin_fenetre))


class Reference(StrEnum):
    DEBUT = "debut"
    FIN = "fin"


@dataclass(frozen=True)
class EcheanceLivrable:
    """When a deliverable is due, relative to the start or the end of the prestation.

    ``date_limite = (fin_de_periode_mois(reference, mois) if mois else reference) + jours``:
    LIV-01 (end of month 2) is ``Reference.DEBUT, mois=2``; LIV-02 (within 7 days
    after the end) is ``Reference.FIN, jours=7``. ``emargement`` names the proof of
    attendance that must accompany it (EMA-01), if any. The prestataire is warned
    ``alerte_jours_avant`` days before the deadline (:meth:`date_alerte`).
    """

    livrable: str
    reference: Reference
    regle: str
    mois: int = 0
    jours: int = 0
    emargement: str | None = None
    signature_beneficiaire: bool = True
    alerte_jours_avant: int = 3

    def __post_init__(self):
        if self.alerte_jours_avant < 0:
            raise ValueError(f"{self.regle} : jours d'alerte incohérents.")

    def date_limite(self, debut: date, fin: date | None) -> date | None:
        base = debut if self.reference == Reference.DEBUT else fin
        if base is None:
            return None
        if self.mois:
            base = fin_de_periode_mois(base, self.mois)
        return base + timedelta(days=self.jours)

    def date_alerte(self, debut: date, fin: date | None) -> date | None:
        """Warning day: ``alerte_jours_avant`` days before :meth:`date_limite` (LIV-01, LIV-02).

        ``None`` when the deadline is unknown (reference ``FIN`` without an end date).
        Not bounded by the reference date: LIV-02's warning falls 4 days after the end.
        """
        limite = self.date_limite(debut, fin)
        return None if limite is None else limite - timedelta(days=self.alerte_jours_avant)
