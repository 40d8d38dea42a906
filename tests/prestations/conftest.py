"""A small prescription world: two prescripteurs, two prestataires, a financeur, marchés."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import factory
import pytest

from comptes.models import Role
from prestations.models import Marche
from territoires.models import Commune, Departement
from tests.factories import OrganisationFactory

AUJOURD_HUI = datetime.date(2026, 11, 23)


class MarcheFactory(factory.django.DjangoModelFactory):
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


@dataclass
class Monde:
    prescripteur: object
    prescripteur_b: object
    responsable: object
    referent: object
    responsable_y: object
    referent_y: object
    financeur: object
    marche: Marche
    marche_y: Marche
    moulins: Commune
    clermont: Commune


@pytest.fixture
def monde(db, membre, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC), tick=True)
    agence_a = OrganisationFactory(agence_france_travail=True, nom="Agence A")
    agence_b = OrganisationFactory(agence_france_travail=True, nom="Agence B")
    agence_a.departements.set(Departement.objects.filter(code__in=["03", "63"]))
    agence_b.departements.set(Departement.objects.filter(code__in=["03"]))
    x = OrganisationFactory(prestataire=True, nom="Prestataire X")
    y = OrganisationFactory(prestataire=True, nom="Prestataire Y")
    dr = OrganisationFactory(direction_regionale=True, nom="DR ARA")
    financeur = membre(Role.FINANCEUR, organisation=dr)
    return Monde(
        prescripteur=membre(Role.PRESCRIPTEUR, organisation=agence_a, email="presc.a@exemple.test"),
        prescripteur_b=membre(Role.PRESCRIPTEUR, organisation=agence_b, email="presc.b@exemple.test"),
        responsable=membre(Role.RESPONSABLE, organisation=x, email="resp.x@exemple.test"),
        referent=membre(Role.REFERENT, organisation=x, email="ref.x@exemple.test"),
        responsable_y=membre(Role.RESPONSABLE, organisation=y, email="resp.y@exemple.test"),
        referent_y=membre(Role.REFERENT, organisation=y, email="ref.y@exemple.test"),
        financeur=financeur,
        marche=MarcheFactory(prestataire=x, financeur=dr, reference="MOV-X-03"),
        marche_y=MarcheFactory(prestataire=y, financeur=dr, reference="MOV-Y-03"),
        moulins=Commune.objects.get(code_insee="03190"),
        clermont=Commune.objects.get(code_insee="63113"),
    )


@pytest.fixture
def beneficiaire_de(monde):
    from tests.factories import BeneficiaireFactory

    def _beneficiaire(organisation=None, **kwargs):
        kwargs.setdefault("commune", monde.moulins)
        return BeneficiaireFactory(organisation=organisation or monde.prescripteur.organisation, **kwargs)

    return _beneficiaire
