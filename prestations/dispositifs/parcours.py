"""Rule parts that shape the parcours: phases, and what may or must happen during them.

Each part names its rule id (grep the id to land here):

* :class:`Phase`: one phase, its entretiens and deliverables (BCA-02, BAM-02..BAM-04,
  CEP-01, MOV-05 for the contractualisation closed by the signature);
* :class:`RegleSuspension`, :class:`LimiteSuspension`: allowed suspensions (MOV-09:
  illness up to 14 consecutive days, leave up to 35 days in total; MOV-07: no
  postponement of the end date);
* :class:`CadenceEntretiens`: weekly entretien in some phases (MOV-11);
* :class:`RegleEntreprise`: période(s) en entreprise (MOV-12: 1 to 6 weeks before the
  end of phase 2);
* :class:`RegleExclusion`: exclusion of a non-assiduous bénéficiaire (PMA-04).

The parts that date an obligation (deadlines, gaps, windows) are in
:mod:`prestations.dispositifs.delais`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from .calendrier import Periode, duree_jours, jours_couverts
from .vocabulaire import Choix


@dataclass(frozen=True)
class Phase:
    """One phase of a dispositif.

    ``livrables`` are required at the end of the phase, ``livrables_optionnels`` may
    be produced. ``obligatoire=False``: the phase may be skipped (MOV follow-up only
    after a positive outcome; CEP levels). ``motifs_fin_anticipee``: reasons for
    which the prestation may end right after this phase (BAM-02).
    ``taille_max_collectif``: maximum participants in a group action (BAM-03).
    ``close_par_la_signature``: the phase is the contractualisation itself: signing the
    contract (MOV-05) completes it and the case opens in the next phase.
    """

    cle: str
    libelle: str
    entretiens_individuels_min: int = 0
    livrables: tuple[str, ...] = ()
    livrables_optionnels: tuple[str, ...] = ()
    obligatoire: bool = True
    motifs_fin_anticipee: tuple[Choix, ...] = ()
    taille_max_collectif: int | None = None
    regles: tuple[str, ...] = ()
    description: str = ""
    close_par_la_signature: bool = False

    @property
    def fin_anticipee_possible(self) -> bool:
        return bool(self.motifs_fin_anticipee)


@dataclass(frozen=True)
class LimiteSuspension:
    """Maximum length of one suspension motif.

    ``cumulee=False``: each suspension for this motif lasts at most ``max_jours``
    consecutive days. ``cumulee=True``: all suspensions for this motif over the
    prestation total at most ``max_jours`` days.
    """

    motif: str
    libelle: str
    max_jours: int
    cumulee: bool


@dataclass(frozen=True)
class RegleSuspension:
    """Allowed suspensions (MOV-09) and whether they postpone the end date (MOV-07).

    A suspension is an inclusive date range. The workflow should merge adjacent
    suspensions of the same motif before checking them, so that two back-to-back
    illness suspensions cannot exceed the consecutive-day limit.
    """

    limites: tuple[LimiteSuspension, ...]
    reporte_date_fin: bool
    regle: str = "MOV-09"

    def limite(self, motif: str) -> LimiteSuspension | None:
        return next((lim for lim in self.limites if lim.motif == motif), None)

    def choix_motifs(self) -> list[Choix]:
        return [(lim.motif, lim.libelle) for lim in self.limites]

    def verifier(self, motif: str, debut: date, fin: date, deja_pris_jours: int = 0) -> list[str]:
        """French error messages for a suspension ``[debut, fin]`` (empty list: allowed).

        ``deja_pris_jours``: days already taken for this motif during the prestation
        (only read for cumulative limits).
        """
        if fin < debut:
            return ["La date de fin de la suspension précède sa date de début."]
        limite = self.limite(motif)
        if limite is None:
            motifs = ", ".join(lim.libelle.lower() for lim in self.limites)
            return [f"Motif de suspension non prévu par le dispositif ({self.regle}) : motifs admis : {motifs}."]
        jours = duree_jours(debut, fin)
        if limite.cumulee and deja_pris_jours + jours > limite.max_jours:
            return [
                f"Suspension pour {limite.libelle.lower()} : {deja_pris_jours + jours} jours au total, "
                f"au-delà des {limite.max_jours} jours autorisés ({self.regle})."
            ]
        if not limite.cumulee and jours > limite.max_jours:
            return [
                f"Suspension pour {limite.libelle.lower()} : {jours} jours consécutifs, "
                f"au-delà des {limite.max_jours} jours consécutifs autorisés ({self.regle})."
            ]
        return []


@dataclass(frozen=True)
class CadenceEntretiens:
    """Expected entretien frequency in some phases (MOV-11).

    Weeks are civil weeks (Monday to Sunday), identified by their Monday. A week is
    checked only when it lies entirely within the period and contains no excluded
    day (suspension, période en entreprise): a week the bénéficiaire was partly
    unavailable is never flagged. A week is compliant with at least ``nombre_min``
    qualifying entretiens (individual, face-to-face, ``duree_min_minutes`` or more:
    the caller passes only the dates of qualifying entretiens).
    """

    phases: tuple[str, ...]
    periode_jours: int = 7
    nombre_min: int = 1
    duree_min_minutes: int = 30
    individuel: bool = True
    face_a_face: bool = True
    regle: str = "MOV-11"

    def semaines_sans_entretien(
        self,
        debut: date,
        fin: date,
        dates_entretiens: Iterable[date],
        periodes_exclues: Iterable[Periode] = (),
    ) -> list[date]:
        """Mondays of the checked civil weeks of ``[debut, fin]`` lacking entretiens."""
        exclus = jours_couverts(periodes_exclues)
        entretiens = list(dates_entretiens)
        lundi = debut + timedelta(days=(7 - debut.weekday()) % 7)
        manquantes = []
        while lundi + timedelta(days=6) <= fin:
            semaine = [lundi + timedelta(days=n) for n in range(7)]
            if not exclus.intersection(semaine):
                nombre = sum(1 for d in entretiens if semaine[0] <= d <= semaine[-1])
                if nombre < self.nombre_min:
                    manquantes.append(lundi)
            lundi += timedelta(days=7)
        return manquantes


@dataclass(frozen=True)
class RegleEntreprise:
    """Période(s) en entreprise (MOV-12): count and length, before the end of a phase.

    Lengths are inclusive day counts: 1 to 6 weeks = 7 to 42 days.
    """

    nombre_min: int
    duree_min_jours: int
    duree_max_jours: int
    avant_fin_de_phase: str
    regle: str = "MOV-12"

    def verifier_duree(self, debut: date, fin: date) -> list[str]:
        if fin < debut:
            return ["La date de fin de la période en entreprise précède sa date de début."]
        jours = duree_jours(debut, fin)
        if not self.duree_min_jours <= jours <= self.duree_max_jours:
            return [
                f"La période en entreprise dure {jours} jours : elle doit durer de {self.duree_min_jours} "
                f"à {self.duree_max_jours} jours ({self.regle})."
            ]
        return []


@dataclass(frozen=True)
class RegleExclusion:
    """Exclusion of a non-assiduous bénéficiaire (PMA-04).

    The exclusion needs the consultation of at least one of ``consultation`` (the
    PMA seed says "après concertation avec le référent *ou* le financeur"), unless
    the absences are justified; the decision is recorded.
    """

    consultation: tuple[str, ...]
    au_moins_un: bool
    regle: str = "PMA-04"
