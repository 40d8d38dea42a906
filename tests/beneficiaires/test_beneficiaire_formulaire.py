"""Creating and editing a bénéficiaire through the HTML form."""

from __future__ import annotations

import datetime
import html as html_lib
import re

import pytest
from django.urls import reverse

from beneficiaires.models import Beneficiaire
from beneficiaires.validators import MESSAGE_IDENTIFIANT_FT, MESSAGE_NIR, MESSAGE_TELEPHONE
from comptes.models import Role
from tests.factories import BeneficiaireFactory

pytestmark = pytest.mark.django_db

URL_CREER = reverse("beneficiaires:creer")


def erreur_du_champ(html: str, champ: str) -> str:
    """The text of the error shown under ``champ`` (empty when none)."""
    trouve = re.search(rf'<div class="invalid-feedback" id="id_{champ}-erreur">(.*?)</div>', html, re.S)
    return html_lib.unescape(trouve.group(1).strip()) if trouve else ""


def test_valid_form_creates_the_beneficiaire_and_opens_its_page(client_de, agences, saisie):
    reponse = client_de(agences.a).post(URL_CREER, saisie, follow=True)

    beneficiaire = Beneficiaire.objects.get()
    assert reponse.redirect_chain == [(reverse("beneficiaires:detail", args=[beneficiaire.pk]), 302)]
    assert "Le bénéficiaire Élodie Lefèvre a été créé." in reponse.content.decode()
    assert beneficiaire.organisation == agences.a.organisation
    assert beneficiaire.cree_par == agences.a.user
    assert beneficiaire.commune_id == "03190"
    assert beneficiaire.projet_defini is True


def test_departement_is_derived_from_the_commune(client_de, agences, saisie):
    client_de(agences.a).post(URL_CREER, {**saisie, "commune": "63113"})  # Clermont-Ferrand

    beneficiaire = Beneficiaire.objects.get()
    assert beneficiaire.departement_id == "63"
    assert "departement" not in client_de(agences.a).get(URL_CREER).context["form"].fields


def test_identifiers_are_stored_in_their_normal_form(client_de, agences, saisie):
    client_de(agences.a).post(URL_CREER, {**saisie, "identifiant_ft": " 1234 567a ", "code_rome": " j1501"})

    beneficiaire = Beneficiaire.objects.get()
    assert beneficiaire.identifiant_ft == "1234567A"
    assert beneficiaire.telephone == "06 12 34 56 78"
    assert beneficiaire.code_rome == "J1501"


@pytest.mark.parametrize(
    ("champ", "valeur", "message"),
    [
        ("identifiant_ft", "12345AB", MESSAGE_IDENTIFIANT_FT),
        ("identifiant_ft", "123456789", MESSAGE_IDENTIFIANT_FT),
        ("identifiant_ft", "2 85 05 78 006 084 36", MESSAGE_NIR),
        ("projet_professionnel", "Cariste. NIR : 185057800608436", MESSAGE_NIR),
        ("demarches_engagees", "Dossier CAF, sécu 1 85 05 78 006 084", MESSAGE_NIR),
        ("accompagnateur_insertion", "Mme Martin (NIR 285052A00608436)", MESSAGE_NIR),
        ("adresse", "185057800608436 rue de Paris", MESSAGE_NIR),
        ("nom_naissance", "1850578006084", MESSAGE_NIR),
        ("telephone", "06 12 34", MESSAGE_TELEPHONE),
        ("telephone", "+44 20 7946 0958", MESSAGE_TELEPHONE),
        ("date_naissance", "2026-06-16", "La date de naissance ne peut pas être dans le futur."),
        ("date_naissance", "2010-06-16", "Le bénéficiaire doit avoir entre 16 et 99 ans (âge calculé : 15 ans)."),
        ("date_naissance", "1926-06-15", "Le bénéficiaire doit avoir entre 16 et 99 ans (âge calculé : 100 ans)."),
        ("commune", "", "Choisissez la commune de résidence dans la liste."),
        ("commune", "99999", "Commune inconnue : cherchez-la puis choisissez-la dans la liste."),
        ("categorie_demandeur", "", "Indiquez la catégorie d'inscription du demandeur d'emploi (A à E)."),
        ("date_inscription_ft", "2026-07-01", "La date d'inscription à France Travail ne peut pas être dans le futur."),
        ("code_rome", "K211", "Le code ROME se compose d'une lettre suivie de 4 chiffres (ex. K2110)."),
        ("email", "elodie@", "Saisissez une adresse e-mail valide."),
        ("nom", "", "Saisissez le nom d'usage."),
    ],
)
def test_each_invalid_field_gets_its_french_message_at_the_field(client_de, agences, saisie, champ, valeur, message):
    reponse = client_de(agences.a).post(URL_CREER, {**saisie, champ: valeur})

    assert reponse.status_code == 200
    html = reponse.content.decode()
    assert erreur_du_champ(html, champ) == message
    assert f'aria-describedby="id_{champ}-erreur"' in html
    assert "Le formulaire contient des erreurs : corrigez les champs signalés." in html
    assert "pour lui seul" not in html  # the database constraint's message is not shown twice
    assert not Beneficiaire.objects.exists()


def test_categorie_is_refused_when_not_a_demandeur_emploi(client_de, agences, saisie):
    reponse = client_de(agences.a).post(URL_CREER, {**saisie, "statut": "rsa", "categorie_demandeur": "B"})

    assert erreur_du_champ(reponse.content.decode(), "categorie_demandeur") == (
        "La catégorie ne concerne que les demandeurs d'emploi : laissez-la vide pour cette situation."
    )
    assert not Beneficiaire.objects.exists()


def test_sixteen_and_ninety_nine_year_olds_are_accepted(client_de, agences, saisie):
    client = client_de(agences.a)
    client.post(URL_CREER, {**saisie, "date_naissance": "2010-06-15", "identifiant_ft": ""})
    client.post(URL_CREER, {**saisie, "date_naissance": "1926-06-16", "identifiant_ft": "", "prenom": "Jeanne"})

    assert sorted(b.age(datetime.date(2026, 6, 15)) for b in Beneficiaire.objects.all()) == [16, 99]


def test_dd_mm_yyyy_birth_dates_are_accepted(client_de, agences, saisie):
    client_de(agences.a).post(URL_CREER, {**saisie, "date_naissance": "12/04/1990"})

    assert Beneficiaire.objects.get().date_naissance == datetime.date(1990, 4, 12)


def test_the_chosen_commune_is_shown_again_after_an_error(client_de, agences, saisie):
    reponse = client_de(agences.a).post(URL_CREER, {**saisie, "telephone": "123"})

    assert '<option value="03190" selected>Moulins (03)</option>' in reponse.content.decode()


def test_without_javascript_the_typed_search_fills_the_commune_list(client_de, agences, saisie):
    reponse = client_de(agences.a).post(URL_CREER, {**saisie, "commune": "", "q": "moulins"})

    html = reponse.content.decode()
    assert '<option value="03190">Moulins (03)</option>' in html
    assert '<option value="35198">Moulins (35)</option>' in html


def test_the_commune_picker_searches_as_the_user_types(client_de, agences):
    html = client_de(agences.a).get(URL_CREER).content.decode()

    assert f'hx-get="{reverse("territoires:communes")}"' in html
    assert 'hx-target="#id_commune"' in html
    assert '<label class="form-label" for="id_commune">Commune de résidence' in html


# --- Duplicates


def test_a_look_alike_is_shown_and_must_be_confirmed(client_de, agences, saisie):
    existant = BeneficiaireFactory(
        nom="LEFEVRE",
        prenom="elodie",
        date_naissance=datetime.date(1990, 4, 12),
        organisation=agences.a.organisation,
    )
    client = client_de(agences.a)
    saisie["identifiant_ft"] = ""

    avertissement = client.post(URL_CREER, saisie)

    html = html_lib.unescape(avertissement.content.decode())
    assert avertissement.status_code == 200
    assert "Ce bénéficiaire existe peut-être déjà" in html
    assert f'href="{reverse("beneficiaires:detail", args=[existant.pk])}"' in html
    assert "Je confirme qu'il s'agit d'une autre personne" in html
    assert Beneficiaire.objects.count() == 1

    confirme = client.post(URL_CREER, {**saisie, "confirmer_doublon": "on"})

    assert confirme.status_code == 302
    assert Beneficiaire.objects.count() == 2


def test_same_identifiant_ft_is_a_look_alike(client_de, agences, saisie):
    BeneficiaireFactory(identifiant_ft="1234567A", organisation=agences.a.organisation, nom="Autre")

    reponse = client_de(agences.a).post(URL_CREER, saisie)

    assert "Ce bénéficiaire existe peut-être déjà" in reponse.content.decode()
    assert Beneficiaire.objects.count() == 1


def test_a_look_alike_outside_the_scope_is_neither_shown_nor_blocking(client_de, agences, saisie):
    BeneficiaireFactory(
        nom="Lefèvre", prenom="Élodie", date_naissance=datetime.date(1990, 4, 12), organisation=agences.b.organisation
    )

    reponse = client_de(agences.a).post(URL_CREER, saisie)

    assert reponse.status_code == 302
    assert Beneficiaire.objects.count() == 2


# --- Who may write


@pytest.mark.parametrize("role", [Role.REFERENT, Role.RESPONSABLE, Role.FINANCEUR, Role.GESTIONNAIRE_FINANCIER])
def test_only_a_prescripteur_creates_a_beneficiaire(client_de, membre, saisie, role):
    client = client_de(membre(role))

    assert client.get(URL_CREER).status_code == 403
    assert client.post(URL_CREER, saisie).status_code == 403
    assert not Beneficiaire.objects.exists()


def test_prescripteur_edits_a_beneficiaire(client_de, agences, saisie):
    beneficiaire = BeneficiaireFactory(organisation=agences.a.organisation, nom="Martin", prenom="Louise")
    client = client_de(agences.a)
    url = reverse("beneficiaires:modifier", args=[beneficiaire.pk])

    formulaire = client.get(url)
    assert formulaire.context["form"]["nom"].value() == "Martin"
    assert '<option value="03190" selected>Moulins (03)</option>' in formulaire.content.decode()

    reponse = client.post(
        url, {**saisie, "nom": "Martin", "prenom": "Louise", "telephone": "0470000000", "commune": "63113"}
    )

    assert reponse.status_code == 302
    beneficiaire.refresh_from_db()
    assert beneficiaire.telephone == "04 70 00 00 00"
    assert beneficiaire.departement_id == "63"
    assert beneficiaire.organisation == agences.a.organisation


def test_edit_errors_are_shown_at_the_field(client_de, agences, saisie):
    beneficiaire = BeneficiaireFactory(organisation=agences.a.organisation, telephone="06 00 00 00 00")

    reponse = client_de(agences.a).post(
        reverse("beneficiaires:modifier", args=[beneficiaire.pk]), {**saisie, "telephone": "0012"}
    )

    assert erreur_du_champ(reponse.content.decode(), "telephone") == MESSAGE_TELEPHONE
    beneficiaire.refresh_from_db()
    assert beneficiaire.telephone == "06 00 00 00 00"


def test_referent_cannot_edit(client_de, membre, agences, saisie):
    beneficiaire = BeneficiaireFactory(organisation=agences.a.organisation)

    reponse = client_de(membre(Role.REFERENT)).post(reverse("beneficiaires:modifier", args=[beneficiaire.pk]), saisie)

    assert reponse.status_code == 403


def test_prescripteur_of_another_agency_cannot_edit(client_de, agences, saisie):
    beneficiaire = BeneficiaireFactory(organisation=agences.a.organisation, nom="Martin")

    reponse = client_de(agences.b).post(reverse("beneficiaires:modifier", args=[beneficiaire.pk]), saisie)

    assert reponse.status_code == 404
    beneficiaire.refresh_from_db()
    assert beneficiaire.nom == "Martin"
