"""One version of a dispositif's rules: :class:`RegleDispositif`, the rule set.

A rule-set module (``mov.py``, ``bca.py``, ``bam.py``, ``pma.py``, ``cep.py``) declares
one or more frozen versions of it, assembled from the parts of
:mod:`~prestations.dispositifs.parcours` (phases, suspensions, cadence, périodes en
entreprise, exclusion), :mod:`~prestations.dispositifs.delais` (deadlines, renewal,
entretien gap, follow-up, deliverables), :mod:`~prestations.dispositifs.eligibilite`
and :mod:`~prestations.dispositifs.paiement`. The workflow code (lettre de commande,
phases, échéances, jalons) only reads these objects; it never tests which dispositif
it is dealing with.

Rules read directly from fields here: PRE-01 and the end at term (:meth:`date_fin`,
``regle_terme``: MOV-07, BCA-02...), MOV-08 (:meth:`date_fin_renouvellement`),
MOV-05, MOV-06 and LIV-03 (the ``delai_..._heures`` notices).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from .delais import Delai, EcartEntretiens, EcheanceLivrable, Renouvellement, SuiviEmploi
from .eligibilite import Avertissement, Critere, FaitsEligibilite, Ineligibilite
from .paiement import Jalon, valider_echeancier
from .parcours import CadenceEntretiens, Phase, RegleEntreprise, RegleExclusion, RegleSuspension
from .vocabulaire import LIVRABLES, Choix

_CLE = re.compile(r"^[A-Z][A-Z0-9_]*$")


@dataclass(frozen=True)
class RegleDispositif:
    """One version of a dispositif's rules. Read by the workflow, never branched on.

    ``None`` always means "the dispositif has no such rule": no renewal, no
    suspension, no contractualisation deadline, no entretien gap limit, etc.

    Duration: ``duree_max_jours`` calendar days (inclusive, see :meth:`date_fin`), or
    ``duree_fixee_par_marche`` (the marché gives the duration), or neither (no end date).

    ``regle_terme``: id of the rule that ends the prestation at its end date, recorded
    on the échéance and the sortie of the end at term (MOV-07 for MOV, BCA-02 for
    BCA). Where SPEC numbers no such rule the rule-set module sets the dispositif's
    key and says so (BAM, PMA). Required when the dispositif has an end date, absent
    otherwise (CEP).
    """

    cle: str
    version: str
    nom: str
    source: str
    valable_du: date
    valable_au: date | None
    phases: tuple[Phase, ...]
    phases_ordonnees: bool = True
    duree_max_jours: int | None = None
    duree_fixee_par_marche: bool = False
    duree_indicative_heures: int | None = None
    regle_terme: str | None = None
    renouvellement: Renouvellement | None = None
    suspension: RegleSuspension | None = None
    delai_contractualisation: Delai | None = None
    delai_copie_contrat_heures: int | None = None
    delai_information_refus_heures: int | None = None
    delai_information_interruption_heures: int | None = 48  # LIV-03
    ecart_entretiens: EcartEntretiens | None = None
    cadence_entretiens: CadenceEntretiens | None = None
    periode_entreprise: RegleEntreprise | None = None
    suivi_emploi: SuiviEmploi | None = None
    echeances_livrables: tuple[EcheanceLivrable, ...] = ()
    echeancier: tuple[Jalon, ...] | None = None
    criteres_eligibilite: tuple[Critere, ...] = ()
    reorientations: tuple[Choix, ...] = ()
    exclusion: RegleExclusion | None = None
    signale_qpv_rural: bool = False
    notes: str = field(default="", repr=False)

    def __post_init__(self):
        erreurs = []
        if not _CLE.match(self.cle):
            erreurs.append("clé invalide")
        if self.valable_au is not None and self.valable_au < self.valable_du:
            erreurs.append("valable_au précède valable_du")
        if not self.phases:
            erreurs.append("aucune phase")
        cles_phases = [p.cle for p in self.phases]
        if len(set(cles_phases)) != len(cles_phases):
            erreurs.append("clés de phase en double")
        if self.duree_fixee_par_marche and self.duree_max_jours is not None:
            erreurs.append("durée à la fois fixée par le dispositif et par le marché")
        if self.duree_max_jours is not None and self.duree_max_jours < 1:
            erreurs.append("durée maximale invalide")
        a_une_date_fin = self.duree_max_jours is not None or self.duree_fixee_par_marche
        if a_une_date_fin and not self.regle_terme:
            erreurs.append("règle de fin au terme (regle_terme) manquante")
        if not a_une_date_fin and self.regle_terme:
            erreurs.append("règle de fin au terme sans date de fin")
        livrables = [lv for p in self.phases for lv in (*p.livrables, *p.livrables_optionnels)]
        livrables += [e.livrable for e in self.echeances_livrables]
        erreurs += [f"livrable inconnu « {lv} »" for lv in livrables if lv not in LIVRABLES]
        phases_citees = list(self.cadence_entretiens.phases if self.cadence_entretiens else ())
        if self.periode_entreprise:
            phases_citees.append(self.periode_entreprise.avant_fin_de_phase)
        if self.suivi_emploi:
            phases_citees.append(self.suivi_emploi.phase)
        erreurs += [f"phase inconnue « {p} »" for p in phases_citees if p not in cles_phases]
        if self.echeancier is not None:
            try:
                valider_echeancier(self.echeancier)
            except ValueError as exc:
                erreurs.append(str(exc))
        if erreurs:
            raise ValueError(f"Dispositif {self.cle} version {self.version} : " + " ; ".join(erreurs) + ".")

    # -- identity -----------------------------------------------------------

    @property
    def libelle(self) -> str:
        """``"MOV – Mobilisation vers l'emploi"`` (form choices, documents)."""
        return f"{self.cle} – {self.nom}"

    def __str__(self) -> str:
        return f"{self.libelle} (version {self.version})"

    def est_en_vigueur(self, le: date) -> bool:
        return self.valable_du <= le and (self.valable_au is None or le <= self.valable_au)

    # -- duration -----------------------------------------------------------

    def date_fin(self, debut: date, duree_marche_jours: int | None = None) -> date | None:
        """Last day of the prestation, inclusive (PRE-01, MOV-07).

        A prestation of N days starting on ``debut`` ends on ``debut + (N - 1)`` days:
        MOV, 180 days from 2026-03-01, ends on 2026-08-27. When the duration is set by
        the marché (PMA), ``duree_marche_jours`` is required; otherwise it is ignored
        (the dispositif's own duration prevails). ``None`` when the dispositif has no
        end date (CEP). The prestation ends at term the day after, under ``regle_terme``.
        """
        if self.duree_fixee_par_marche:
            if duree_marche_jours is None:
                raise ValueError(
                    f"La durée du dispositif {self.cle} est fixée par le marché : "
                    "renseignez la durée du marché pour calculer la date de fin."
                )
            duree = duree_marche_jours
        else:
            duree = self.duree_max_jours
        if duree is None:
            return None
        if duree < 1:
            raise ValueError("La durée d'une prestation est d'au moins un jour.")
        return debut + timedelta(days=duree - 1)

    def date_fin_renouvellement(self, fin_actuelle: date, renouvellements_effectues: int = 0) -> date:
        """New end date after a renewal at term (MOV-08); ValueError when not allowed."""
        if self.renouvellement is None:
            raise ValueError(f"Le dispositif {self.cle} ne prévoit pas de renouvellement.")
        if renouvellements_effectues >= self.renouvellement.nombre_max:
            raise ValueError(
                f"Le dispositif {self.cle} ne peut être renouvelé que {self.renouvellement.nombre_max} fois "
                f"({self.renouvellement.regle})."
            )
        return self.renouvellement.nouvelle_date_fin(fin_actuelle)

    # -- phases and deliverables -------------------------------------------

    @property
    def cles_phases(self) -> tuple[str, ...]:
        return tuple(p.cle for p in self.phases)

    def phase(self, cle: str) -> Phase:
        for p in self.phases:
            if p.cle == cle:
                return p
        raise KeyError(f"Le dispositif {self.cle} n'a pas de phase « {cle} ».")

    def phase_suivante(self, cle: str) -> Phase | None:
        """Next phase in declared order (``None`` after the last one).

        Only meaningful when ``phases_ordonnees`` (CEP-01: CEP levels are not).
        """
        index = self.cles_phases.index(cle)
        return self.phases[index + 1] if index + 1 < len(self.phases) else None

    def livrables_requis(self) -> tuple[str, ...]:
        """Required deliverables of every phase, in phase order."""
        return tuple(lv for p in self.phases for lv in p.livrables)

    def echeance_livrable(self, livrable: str) -> EcheanceLivrable | None:
        return next((e for e in self.echeances_livrables if e.livrable == livrable), None)

    # -- eligibility --------------------------------------------------------

    def verifier_eligibilite(self, faits: FaitsEligibilite) -> list[Ineligibilite]:
        """Blocking eligibility failures (empty list: eligible)."""
        return [i for c in self.criteres_eligibilite for i in c.verifier(faits)]

    def avertissements(self, faits: FaitsEligibilite) -> list[Avertissement]:
        """Non-blocking remarks to show the prescripteur before prescribing."""
        return [a for c in self.criteres_eligibilite for a in c.avertir(faits)]
