"""The demonstration world (issue 2): organisations, one user per role, départements.

Idempotent: running it again updates the same rows (keyed by SIRET and e-mail)
and resets the demo passwords. The README lists the accounts.
"""

from __future__ import annotations

from django.db import transaction

from comptes.models import Membership, Organisation, Role, TypeOrganisation, User
from territoires.loader import charger_si_vide
from territoires.models import Departement

MOT_DE_PASSE_DEMO = "Demo-Prestations-2026"

ORGANISATIONS = {
    "ft_moulins": {
        "nom": "France Travail – Agence de Moulins",
        "type": TypeOrganisation.PRESCRIPTEUR,
        "siret": "13000548100002",
        "adresse": "12 rue de Paris\n03000 Moulins",
        "email_contact": "agence.moulins@demo.prestations.test",
        "departements": ["03"],
    },
    "ml_vichy": {
        "nom": "Mission locale de Vichy",
        "type": TypeOrganisation.PRESCRIPTEUR,
        "siret": "77568098600004",
        "adresse": "5 boulevard de la Mutualité\n03200 Vichy",
        "email_contact": "contact@ml-vichy.demo.prestations.test",
        "departements": ["03"],
    },
    "pf_mobilite": {
        "nom": "Plateforme Mobilité de l'Allier",
        "type": TypeOrganisation.PRESTATAIRE,
        "siret": "32145678200002",
        "adresse": "8 avenue du Général de Gaulle\n03100 Montluçon",
        "email_contact": "accueil@pf-mobilite.demo.prestations.test",
        "departements": ["03", "63"],
    },
    "cap_avenir": {
        "nom": "Cap Avenir Conseil",
        "type": TypeOrganisation.PRESTATAIRE,
        "siret": "51234567900009",
        "adresse": "20 place de Jaude\n63000 Clermont-Ferrand",
        "email_contact": "contact@cap-avenir.demo.prestations.test",
        "departements": ["03", "63", "42"],
    },
    "ft_dr_ara": {
        "nom": "France Travail – Direction régionale Auvergne-Rhône-Alpes",
        "type": TypeOrganisation.FINANCEUR,
        "siret": "18003301100008",
        "adresse": "13 rue Crépet\n69007 Lyon",
        "email_contact": "dr-ara@demo.prestations.test",
        "departements": ["01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"],
    },
    "cd_allier": {
        "nom": "Conseil départemental de l'Allier",
        "type": TypeOrganisation.FINANCEUR,
        "siret": "22030001600007",
        "adresse": "1 avenue Victor Hugo\n03000 Moulins",
        "email_contact": "insertion@cd03.demo.prestations.test",
        "departements": ["03"],
    },
    "plateforme": {
        "nom": "Plateforme Prestations",
        "type": TypeOrganisation.PLATEFORME,
        "siret": "98765432400001",
        "adresse": "",
        "email_contact": "support@demo.prestations.test",
        "departements": [],
    },
}

#: (e-mail, prénom, nom, organisation key, role)
UTILISATEURS = [
    ("prescripteur@demo.prestations.test", "Claire", "Martin", "ft_moulins", Role.PRESCRIPTEUR),
    ("conseiller.ml@demo.prestations.test", "Yanis", "Benali", "ml_vichy", Role.PRESCRIPTEUR),
    ("referent@demo.prestations.test", "Julien", "Moreau", "pf_mobilite", Role.REFERENT),
    ("responsable@demo.prestations.test", "Sophie", "Bernard", "pf_mobilite", Role.RESPONSABLE),
    ("referent.cap@demo.prestations.test", "Inès", "Lefebvre", "cap_avenir", Role.REFERENT),
    ("responsable.cap@demo.prestations.test", "Marc", "Dubois", "cap_avenir", Role.RESPONSABLE),
    ("gestionnaire@demo.prestations.test", "Nathalie", "Petit", "ft_dr_ara", Role.GESTIONNAIRE_FINANCIER),
    ("financeur@demo.prestations.test", "Olivier", "Roux", "ft_dr_ara", Role.FINANCEUR),
    ("financeur.cd@demo.prestations.test", "Hélène", "Garnier", "cd_allier", Role.FINANCEUR),
    ("admin@demo.prestations.test", "Alice", "Fontaine", "plateforme", Role.ADMINISTRATEUR),
]


@transaction.atomic
def creer_monde_demo() -> dict[str, Organisation]:
    charger_si_vide()
    organisations: dict[str, Organisation] = {}
    for key, data in ORGANISATIONS.items():
        data = dict(data)
        codes = data.pop("departements")
        org, _ = Organisation.objects.update_or_create(siret=data["siret"], defaults=data)
        org.full_clean()
        org.departements.set(Departement.objects.filter(code__in=codes))
        organisations[key] = org
    for email, prenom, nom, org_key, role in UTILISATEURS:
        admin = role == Role.ADMINISTRATEUR
        user, _ = User.objects.update_or_create(
            email=email,
            defaults={
                "first_name": prenom,
                "last_name": nom,
                "is_active": True,
                "is_staff": admin,
                "is_superuser": admin,
            },
        )
        user.set_password(MOT_DE_PASSE_DEMO)
        user.save(update_fields=["password"])
        membership, _ = Membership.objects.get_or_create(user=user, organisation=organisations[org_key], role=role)
        membership.full_clean()
    return organisations
