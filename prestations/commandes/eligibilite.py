"""What the dispositif rules read of a bénéficiaire at prescription (PMA-01..03, BCA-01)."""

from __future__ import annotations

from datetime import date

from prestations.dispositifs import FaitsEligibilite


def faits_eligibilite(beneficiaire, le: date) -> FaitsEligibilite:
    """The facts the eligibility rules read (PMA-01, PMA-02, PMA-03, BCA-01) on ``le``.

    PMA-02: a defined project (``projet_defini``), followed by an insertion professional
    (``accompagnateur_insertion`` filled in), concrete steps taken (``demarches_engagees``
    filled in).
    """
    return FaitsEligibilite(
        statut=beneficiaire.statut,
        age=beneficiaire.age(le),
        niveau_francais=beneficiaire.niveau_francais,
        projet_professionnel_defini=beneficiaire.projet_defini,
        suivi_par_professionnel_insertion=bool(beneficiaire.accompagnateur_insertion.strip()),
        demarches_engagees=bool(beneficiaire.demarches_engagees.strip()),
        mois_inscription=beneficiaire.mois_inscription(le),
    )
