"""Need-to-know (SPEC §1, DESIGN principle 11): what each role may see, as one table.

Every ``visible_par`` of a case-level model reads this table before it computes its
scope, and ``tests/comptes/test_besoin_d_en_connaitre.py`` walks it over every route.

- **Prescripteurs** order the prestation and receive every notice and deliverable:
  the cases of their organisation, with the person's identity and follow-up.
- **Responsables** run the structure: every case received under its marchés.
- **Référents** work the cases the responsable gives them, and only those. A colleague
  covering an absence is designated référent by the responsable (MOV-04, journaled);
  the case follows the designation, so nobody reads a file they do not work on.
- **Financeurs and gestionnaires financiers** steer and pay: dashboards, payment
  milestones and their proofs, case lists without identity. Until those capabilities
  exist they see no case, no bénéficiaire record and no deliverable: never the health
  or social details a case holds (suspension reasons, RSA status, entretien reports).
- **Administrateurs** manage the platform and see everything.
"""

from __future__ import annotations

from enum import StrEnum

from comptes.models import Role


class Donnee(StrEnum):
    """Groups of data a role may need."""

    #: The case: its lettre de commande, entretiens and their reports, suspensions and
    #: their reasons, périodes en entreprise, sortie, deliverables, deadlines, journal.
    DOSSIER = "dossier"
    #: The bénéficiaire record: identity, contact, address, social situation.
    BENEFICIAIRE = "beneficiaire"


#: Which cases of its organisation's scope a role reaches.
class Portee(StrEnum):
    TOUT = "tout"  # every case of the organisation's scope
    DESIGNES = "designes"  # only the cases the user is designated on (référent)
    AUCUN = "aucun"


BESOIN_D_EN_CONNAITRE: dict[Role, dict[Donnee, Portee]] = {
    Role.PRESCRIPTEUR: {Donnee.DOSSIER: Portee.TOUT, Donnee.BENEFICIAIRE: Portee.TOUT},
    Role.RESPONSABLE: {Donnee.DOSSIER: Portee.TOUT, Donnee.BENEFICIAIRE: Portee.TOUT},
    Role.REFERENT: {Donnee.DOSSIER: Portee.DESIGNES, Donnee.BENEFICIAIRE: Portee.DESIGNES},
    Role.GESTIONNAIRE_FINANCIER: {Donnee.DOSSIER: Portee.AUCUN, Donnee.BENEFICIAIRE: Portee.AUCUN},
    Role.FINANCEUR: {Donnee.DOSSIER: Portee.AUCUN, Donnee.BENEFICIAIRE: Portee.AUCUN},
    Role.ADMINISTRATEUR: {Donnee.DOSSIER: Portee.TOUT, Donnee.BENEFICIAIRE: Portee.TOUT},
}


def portee(acteur, donnee: Donnee) -> Portee:
    """How far ``acteur`` may see ``donnee`` (nothing for no acteur)."""
    if acteur is None:
        return Portee.AUCUN
    return BESOIN_D_EN_CONNAITRE[acteur.role][donnee]
