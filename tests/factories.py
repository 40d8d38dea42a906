"""factory_boy factories, with traits named after business situations."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from stdnum import luhn

from comptes.models import TYPE_PAR_ROLE, Membership, Organisation, Role, TypeOrganisation, User
from prestations.models import Marche
from territoires.models import Departement

#: The password of every user the factories create.
MOT_DE_PASSE = "Mot-de-passe-de-test-2026"


def siret_valide(n: int) -> str:
    """A SIRET that passes the Luhn key, unique for each ``n``."""
    siren = f"{100000000 + n * 7919 % 800000000:09d}"[:8]
    siren += luhn.calc_check_digit(siren)
    base = f"{siren}{n % 10000:04d}"[:13]
    return base + luhn.calc_check_digit(base)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"utilisateur{n}@exemple.test")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", MOT_DE_PASSE)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    type = TypeOrganisation.PRESTATAIRE
    nom = factory.Sequence(lambda n: f"Organisation {n}")
    siret = factory.Sequence(siret_valide)

    class Params:
        agence_france_travail = factory.Trait(
            type=TypeOrganisation.PRESCRIPTEUR, nom=factory.Sequence(lambda n: f"France Travail – Agence {n}")
        )
        mission_locale = factory.Trait(
            type=TypeOrganisation.PRESCRIPTEUR, nom=factory.Sequence(lambda n: f"Mission locale {n}")
        )
        prestataire = factory.Trait(type=TypeOrganisation.PRESTATAIRE)
        direction_regionale = factory.Trait(
            type=TypeOrganisation.FINANCEUR, nom=factory.Sequence(lambda n: f"France Travail – DR {n}")
        )
        plateforme = factory.Trait(type=TypeOrganisation.PLATEFORME)

    @factory.post_generation
    def departements(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.departements.set(extracted)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.REFERENT
    organisation = factory.SubFactory(
        OrganisationFactory, type=factory.LazyAttribute(lambda o: TYPE_PAR_ROLE[Role(o.factory_parent.role)])
    )


def commune_moulins():
    """Moulins (Allier, 03190), re-created if a transactional test flushed the reference data."""
    from territoires.models import Commune, Departement

    commune = Commune.objects.select_related("departement").filter(code_insee="03190").first()
    if commune is None:
        departement, _ = Departement.objects.get_or_create(code="03", defaults={"nom": "Allier", "region": "84"})
        commune, _ = Commune.objects.get_or_create(
            code_insee="03190", defaults={"nom": "Moulins", "departement": departement, "codes_postaux": ["03000"]}
        )
    return commune


class BeneficiaireFactory(factory.django.DjangoModelFactory):
    """A bénéficiaire du RSA living in Moulins (03), created by a France Travail agency.

    Traits: ``demandeur_emploi`` (category A, registered 8 months ago), ``pma_eligible``
    (PMA-01..03 facts all met), ``en_qpv`` and ``en_territoire_rural`` (BAM-01).
    """

    class Meta:
        model = "beneficiaires.Beneficiaire"

    civilite = "madame"
    nom = factory.Faker("last_name", locale="fr_FR")
    prenom = factory.Faker("first_name_female", locale="fr_FR")
    date_naissance = factory.Faker("date_of_birth", minimum_age=20, maximum_age=60)
    commune = factory.LazyFunction(commune_moulins)
    statut = "rsa"
    niveau_francais = "B1"
    organisation = factory.SubFactory(OrganisationFactory, agence_france_travail=True)
    cree_par = None

    class Params:
        demandeur_emploi = factory.Trait(
            statut="demandeur_emploi",
            categorie_demandeur="A",
            date_inscription_ft=factory.Faker("date_between", start_date="-8M", end_date="-8M"),
        )
        pma_eligible = factory.Trait(
            projet_defini=True,
            projet_professionnel="Chauffeur-livreur",
            code_rome="N4105",
            accompagnateur_insertion="M. Durand, mission locale de Moulins",
            demarches_engagees="Inscription au code de la route.",
            niveau_francais="A2",
        )
        en_qpv = factory.Trait(qpv="oui")
        en_territoire_rural = factory.Trait(territoire_rural="oui")


class MarcheFactory(factory.django.DjangoModelFactory):
    """A marché of 2026-2027 in the Allier (03), MOV unless told otherwise (PMA: 120 days)."""

    class Meta:
        model = Marche
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"M-2026-{n:04d}")
    intitule = factory.LazyAttribute(lambda o: f"Marché {o.dispositif}")
    financeur = factory.SubFactory(OrganisationFactory, direction_regionale=True)
    prestataire = factory.SubFactory(OrganisationFactory, prestataire=True)
    dispositif = "MOV"
    date_debut = datetime.date(2026, 1, 1)
    date_fin = datetime.date(2027, 12, 31)
    prix_unitaire_ht = Decimal("1500.00")
    taux_tva = Decimal("20.00")
    duree_prestation_jours = factory.LazyAttribute(lambda o: 120 if o.dispositif == "PMA" else None)

    @factory.post_generation
    def departements(obj, create, extracted, **kwargs):
        if create:
            obj.departements.set(extracted if extracted is not None else Departement.objects.filter(code="03"))
