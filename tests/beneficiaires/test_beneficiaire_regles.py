"""Model rules: eligibility facts (PMA-02), BAM-01 flag, identifiers, no NIR, duplicates."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from beneficiaires import services
from beneficiaires.models import Beneficiaire
from beneficiaires.validators import contient_nir, normaliser_identifiant_ft, normaliser_telephone
from comptes.acteurs import Acteur
from comptes.models import Role
from prestations.commandes.eligibilite import faits_eligibilite
from prestations.dispositifs.eligibilite import FaitsEligibilite
from tests.factories import BeneficiaireFactory

pytestmark = pytest.mark.django_db

LE = datetime.date(2026, 6, 15)


def test_pma02_faits_eligibilite_map_the_case(db):
    beneficiaire = BeneficiaireFactory.build(
        statut="jeune_mission_locale",
        date_naissance=datetime.date(2001, 6, 16),
        niveau_francais="A2",
        projet_defini=True,
        accompagnateur_insertion="  Mme Martin, mission locale ",
        demarches_engagees="Stage réalisé",
        date_inscription_ft=datetime.date(2025, 12, 15),
    )

    assert faits_eligibilite(beneficiaire, LE) == FaitsEligibilite(
        statut="jeune_mission_locale",
        age=24,
        niveau_francais="A2",
        projet_professionnel_defini=True,
        suivi_par_professionnel_insertion=True,
        demarches_engagees=True,
        mois_inscription=6,
    )


def test_pma02_blank_follow_up_and_steps_count_as_missing(db):
    beneficiaire = BeneficiaireFactory.build(
        projet_defini=False, accompagnateur_insertion="   ", demarches_engagees="\n", date_inscription_ft=None
    )

    faits = faits_eligibilite(beneficiaire, LE)

    assert faits.projet_professionnel_defini is False
    assert faits.suivi_par_professionnel_insertion is False
    assert faits.demarches_engagees is False
    assert faits.mois_inscription is None


@pytest.mark.parametrize(
    ("inscription", "mois"),
    [
        (datetime.date(2025, 12, 16), 5),  # one day short of 6 months
        (datetime.date(2025, 12, 15), 6),
        (datetime.date(2026, 6, 15), 0),
        (datetime.date(2024, 6, 1), 24),
    ],
)
def test_bca01_months_of_registration_are_whole_months(db, inscription, mois):
    assert BeneficiaireFactory.build(date_inscription_ft=inscription).mois_inscription(LE) == mois


def test_age_changes_on_the_birthday(db):
    beneficiaire = BeneficiaireFactory.build(date_naissance=datetime.date(2000, 6, 15))

    assert beneficiaire.age(datetime.date(2026, 6, 14)) == 25
    assert beneficiaire.age(datetime.date(2026, 6, 15)) == 26


@pytest.mark.parametrize(
    ("qpv", "rural", "attention"),
    [("oui", "non", True), ("non", "oui", True), ("inconnu", "inconnu", False), ("non", "non", False)],
)
def test_bam01_attention_particuliere_for_qpv_or_rural_residents(db, qpv, rural, attention):
    assert BeneficiaireFactory.build(qpv=qpv, territoire_rural=rural).attention_particuliere is attention


def test_bam01_badge_on_the_case_page(client_de, agences):
    en_qpv = BeneficiaireFactory(organisation=agences.a.organisation, en_qpv=True)
    sans = BeneficiaireFactory(organisation=agences.a.organisation)
    client = client_de(agences.a)

    page = client.get(reverse("beneficiaires:detail", args=[en_qpv.pk])).content.decode()
    assert "Attention particulière (BAM-01)" in page
    assert "quartier prioritaire de la politique de la ville (QPV)" in page
    assert (
        "Attention particulière (BAM-01)"
        not in client.get(reverse("beneficiaires:detail", args=[sans.pk])).content.decode()
    )


def test_detail_page_shows_the_case_and_its_lettres_de_commande_section(client_de, agences):
    beneficiaire = BeneficiaireFactory(
        organisation=agences.a.organisation, demandeur_emploi=True, pma_eligible=True, nom="Lefèvre"
    )

    page = client_de(agences.a).get(reverse("beneficiaires:detail", args=[beneficiaire.pk])).content.decode()

    assert "Lefèvre" in page
    assert "Demandeur d&#x27;emploi (catégorie A)" in page
    assert "03 – Allier" in page
    assert "Aucune lettre de commande." in page
    assert f'href="/lettres-de-commande/nouvelle/?beneficiaire={beneficiaire.pk}"' in page


def test_only_prescripteurs_get_the_prescribe_button(client_de, membre, agences):
    beneficiaire = BeneficiaireFactory(organisation=agences.a.organisation)

    page = client_de(membre(Role.ADMINISTRATEUR)).get(reverse("beneficiaires:detail", args=[beneficiaire.pk]))

    assert "Prescrire une prestation" not in page.content.decode()


# --- Identifiers, no NIR


@pytest.mark.parametrize(
    "texte",
    [
        "185057800608436",
        "1 85 05 78 006 084 36",
        "2.85.05.2A.006.084",
        "Son numéro : 1850578006084 (sans clé)",
        "NIR=285052B00608436.",
    ],
)
def test_a_nir_is_recognised_in_free_text(texte):
    assert contient_nir(texte)


@pytest.mark.parametrize(
    "texte",
    [
        "06 12 34 56 78",
        "+33 6 12 34 56 78",
        "SIRET 73282932000074",
        "Code postal 03000, né le 12/04/1990",
        "ISBN 978-2-07-036822-8",
        "1234567A",
    ],
)
def test_ordinary_numbers_are_not_taken_for_a_nir(texte):
    assert not contient_nir(texte)


def test_identifiant_ft_forms():
    assert normaliser_identifiant_ft("1234567a") == "1234567A"
    assert normaliser_identifiant_ft("12345678") == "12345678"
    for mauvais in ("1234567", "123456789", "A2345678", "1234567AB", "12345-67é"):
        with pytest.raises(ValidationError):
            normaliser_identifiant_ft(mauvais)


@pytest.mark.parametrize(
    ("saisi", "stocke"),
    [
        ("0612345678", "06 12 34 56 78"),
        ("06.12.34.56.78", "06 12 34 56 78"),
        ("+33612345678", "06 12 34 56 78"),
        ("+33 (0)1 23 45 67 89", "01 23 45 67 89"),
        ("0033 4 70 00 00 00", "04 70 00 00 00"),
        ("0262 12 34 56", "02 62 12 34 56"),
    ],
)
def test_french_phone_numbers_are_stored_in_national_form(saisi, stocke):
    assert normaliser_telephone(saisi) == stocke


@pytest.mark.parametrize("saisi", ["0012345678", "+3361234567", "06123456789", "+4420794609", "telephone"])
def test_non_french_phone_numbers_are_refused(saisi):
    with pytest.raises(ValidationError):
        normaliser_telephone(saisi)


# --- Services


def test_doublons_possibles_ignore_accents_case_and_hyphens(agences):
    acteur = Acteur(agences.a.user, agences.a)
    meme = BeneficiaireFactory(
        organisation=agences.a.organisation,
        nom="Le Goff",
        prenom="Anne-Marie",
        date_naissance=datetime.date(1980, 1, 1),
    )
    BeneficiaireFactory(
        organisation=agences.a.organisation,
        nom="Le Goff",
        prenom="Anne-Marie",
        date_naissance=datetime.date(1980, 1, 2),
    )

    trouves = services.doublons_possibles(acteur, "LE-GOFF", "anne marie", datetime.date(1980, 1, 1), "")

    assert list(trouves) == [meme]
    assert not services.doublons_possibles(acteur, "LE-GOFF", "anne marie", datetime.date(1980, 1, 1), "", meme.pk)


def test_service_refuses_a_non_prescripteur(membre):
    referent = membre(Role.REFERENT)

    with pytest.raises(PermissionDenied):
        services.creer_beneficiaire(Acteur(referent.user, referent), {"nom": "X"})


def test_service_refuses_bad_data_without_writing(agences):
    with pytest.raises(ValidationError) as erreur:
        services.creer_beneficiaire(
            Acteur(agences.a.user, agences.a),
            {"civilite": "madame", "nom": "X", "prenom": "Y", "date_naissance": datetime.date(1990, 1, 1)},
        )

    assert set(erreur.value.message_dict) == {"commune", "statut"}
    assert not Beneficiaire.objects.exists()


def test_visible_par_prescripteur_and_administrateur(membre, agences):
    a = BeneficiaireFactory(organisation=agences.a.organisation)
    b = BeneficiaireFactory(organisation=agences.b.organisation)
    admin = membre(Role.ADMINISTRATEUR)

    assert list(Beneficiaire.objects.visible_par(Acteur(agences.a.user, agences.a))) == [a]
    assert set(Beneficiaire.objects.visible_par(Acteur(admin.user, admin))) == {a, b}
    assert not Beneficiaire.objects.visible_par(None).exists()
