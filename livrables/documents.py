"""The kinds of documents a case produces, as data: label, sections, who signs.

- The deliverables come from the rule sets (``prestations.dispositifs.LIVRABLES``, their
  sections ``RUBRIQUES_LIVRABLES``; which ones a case needs at each phase,
  ``Phase.livrables`` / ``livrables_optionnels``): LIV-01..LIV-05, MOV-05, BAM-02..04,
  CEP-02.
- The lettre de commande, accepted by the prestataire's responsable who signs it
  (PAY-01: the signed LdC is a proof of the first payment milestone).

Who signs (EMA-02 records each signature): the bénéficiaire and the référent sign every
deliverable (MOV-05 names both for the contract; LIV-02 asks for the bénéficiaire's
agreement on the bilan final; the others follow the same practice, so that the
bénéficiaire's agreement is proven for each document the prescripteur receives); the
responsable signs the lettre de commande.
"""

from __future__ import annotations

from prestations.dispositifs import LIVRABLES, RUBRIQUES_LIVRABLES

LETTRE_DE_COMMANDE = "lettre_de_commande"

#: Every document kind, key → French label.
TYPES: dict[str, str] = {**LIVRABLES, LETTRE_DE_COMMANDE: "Lettre de commande acceptée"}

#: Who signs each kind, in signing order.
SIGNATAIRES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(LIVRABLES, ("beneficiaire", "referent")),
    LETTRE_DE_COMMANDE: ("responsable",),
}

#: The rules each kind answers (printed on the document and its card).
REGLES: dict[str, tuple[str, ...]] = {
    "contrat_accompagnement": ("MOV-05",),
    "bilan_intermediaire": ("LIV-01",),
    "bilan_final": ("LIV-02",),
    "synthese_bilan_competences": ("BCA-02",),
    "rapport_positionnement_initial": ("BAM-02", "LIV-04"),
    "carnet_de_suivi": ("BAM-03",),
    "rapport_positionnement_final": ("BAM-04", "LIV-04"),
    "diagnostic_mobilite": ("LIV-05",),
    "bilan_parcours_mobilite": ("LIV-05",),
    "fiche_niveau_1": ("LIV-04",),
    "document_synthese": ("CEP-02", "LIV-04"),
    LETTRE_DE_COMMANDE: ("PRE-01", "PAY-01"),
}

#: The kinds whose document carries the feuille d'émargement of the period (EMA-01 with
#: LIV-01 and LIV-02: "avec la feuille d'émargement"; PAY-01, PAY-02 read it).
AVEC_FEUILLE_D_EMARGEMENT = frozenset(
    {
        "bilan_intermediaire",
        "bilan_final",
        "synthese_bilan_competences",
        "rapport_positionnement_final",
        "carnet_de_suivi",
        "bilan_parcours_mobilite",
        "document_synthese",
    }
)


def rubriques(type_: str) -> tuple[str, ...]:
    """The sections of a kind's document (none for the lettre de commande: its content is
    the order itself)."""
    return RUBRIQUES_LIVRABLES.get(type_, ())


def libelle(type_: str) -> str:
    return TYPES[type_]


def prevus(prestation) -> list[tuple[str, str]]:
    """The deliverables of the case's rule set (required and optional), in phase order."""
    cles = []
    for phase in prestation.regle.phases:
        for cle in (*phase.livrables, *phase.livrables_optionnels):
            if cle not in cles:
                cles.append(cle)
    return [(cle, LIVRABLES.get(cle, cle)) for cle in cles]


def attendus_maintenant(prestation) -> list[tuple[str, str, bool]]:
    """The deliverables of the phases the case has reached, with whether each is required
    (``Phase.livrables``) or optional: ``(key, label, required)``. Before the
    contractualisation, the first phase's (the contract)."""
    regle = prestation.regle
    cles_phases = regle.cles_phases
    if prestation.phase in cles_phases:
        courante = cles_phases.index(prestation.phase)
        if regle.phases_ordonnees:
            phases = regle.phases[: courante + 1]
        else:
            phases = [p for p in regle.phases if p.cle == prestation.phase or p.cle in _phases_tenues(prestation)]
    else:
        phases = regle.phases[:1]
    resultat: dict[str, tuple[str, str, bool]] = {}
    for phase in phases:
        for cle in phase.livrables:
            resultat[cle] = (cle, LIVRABLES[cle], True)
        for cle in phase.livrables_optionnels:
            resultat.setdefault(cle, (cle, LIVRABLES[cle], False))
    return list(resultat.values())


def _phases_tenues(prestation) -> set[str]:
    return {e.phase for e in prestation.entretiens.all() if e.a_eu_lieu}
