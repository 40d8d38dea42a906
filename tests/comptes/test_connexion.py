"""Login by e-mail, one home page per role, deny by default."""

import pytest
from django.urls import reverse

from comptes.models import Role
from tests.factories import MOT_DE_PASSE, MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

ACCUEIL = {
    Role.PRESCRIPTEUR: "Espace prescripteur",
    Role.REFERENT: "Espace référent",
    Role.RESPONSABLE: "Espace responsable",
    Role.GESTIONNAIRE_FINANCIER: "Espace gestionnaire financier",
    Role.FINANCEUR: "Espace financeur",
    Role.ADMINISTRATEUR: "Espace administrateur",
}


@pytest.mark.parametrize("role", list(Role))
def test_login_of_each_role_reaches_its_home(client, membre, role):
    membership = membre(role, email=f"{role.value}@exemple.test")
    response = client.post(
        reverse("comptes:connexion"), {"username": f"{role.value}@exemple.test", "password": MOT_DE_PASSE}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("comptes:accueil")
    page = response.content.decode()
    assert ACCUEIL[role] in page
    assert membership.organisation.nom in page
    assert membership.user.first_name in page
    assert role.label in page


def test_login_is_case_insensitive_on_email(client, membre):
    membre(Role.REFERENT, email="julie.martin@exemple.test")
    response = client.post(
        reverse("comptes:connexion"), {"username": "Julie.Martin@Exemple.test", "password": MOT_DE_PASSE}, follow=True
    )
    assert "Espace référent" in response.content.decode()


def test_wrong_password_shows_a_french_error(client, membre):
    membre(Role.PRESCRIPTEUR, email="claire@exemple.test")
    response = client.post(reverse("comptes:connexion"), {"username": "claire@exemple.test", "password": "faux"})
    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_empty_login_form_says_what_is_missing(client):
    response = client.post(reverse("comptes:connexion"), {"username": "", "password": ""})
    page = response.content.decode()
    assert "Saisissez votre adresse e-mail." in page
    assert "Saisissez votre mot de passe." in page


@pytest.mark.parametrize(
    "url",
    ["/", "/organisations/", "/organisations/1/", "/organisation/choisir/", "/admin/", "/api/organisations/"],
)
def test_anonymous_request_redirects_to_login(client, url):
    response = client.get(url)
    if url.startswith("/api/"):
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("comptes:connexion")) or "/admin/login/" in response["Location"]


def test_login_page_is_public_and_french(client):
    response = client.get(reverse("comptes:connexion"))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert "Aller au contenu principal" in page
    assert 'id="contenu"' in page


def test_user_with_two_memberships_chooses_the_organisation(client, membre):
    premiere = membre(Role.REFERENT, email="double@exemple.test")
    seconde = MembershipFactory(user=premiere.user, role=Role.RESPONSABLE)
    response = client.post(
        reverse("comptes:connexion"), {"username": "double@exemple.test", "password": MOT_DE_PASSE}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("comptes:choisir_organisation")
    response = client.post(reverse("comptes:choisir_organisation"), {"membership": seconde.pk}, follow=True)
    page = response.content.decode()
    assert "Espace responsable" in page
    assert seconde.organisation.nom in page
    # The choice is kept in the session for the next requests.
    assert "Espace responsable" in client.get(reverse("comptes:accueil")).content.decode()


def test_choosing_someone_elses_membership_is_refused(client, membre):
    premiere = membre(Role.REFERENT, email="double@exemple.test")
    MembershipFactory(user=premiere.user, role=Role.RESPONSABLE)
    autre = MembershipFactory(role=Role.FINANCEUR)
    client.force_login(premiere.user)
    response = client.post(reverse("comptes:choisir_organisation"), {"membership": autre.pk})
    assert response.status_code == 200
    assert "Choisissez une de vos organisations." in response.content.decode()


def test_membership_role_must_match_organisation_type(db):
    from django.core.exceptions import ValidationError

    prestataire = OrganisationFactory(prestataire=True)
    membership = MembershipFactory.build(role=Role.PRESCRIPTEUR, organisation=prestataire)
    membership.user.save()
    membership.user_id = membership.user.pk
    with pytest.raises(ValidationError) as exc:
        membership.full_clean()
    assert "s'exerce dans une organisation de type « Prescripteur »" in str(exc.value)


def test_invalid_siret_is_refused(db):
    from django.core.exceptions import ValidationError

    org = OrganisationFactory.build(siret="12345678901234")
    with pytest.raises(ValidationError) as exc:
        org.full_clean()
    assert "n'est pas valide" in str(exc.value.message_dict["siret"][0])


def test_password_reset_sends_a_french_email(client, membre, mailoutbox):
    membre(Role.REFERENT, email="oubli@exemple.test")
    response = client.post(reverse("comptes:mot_de_passe_oublie"), {"email": "oubli@exemple.test"}, follow=True)
    assert "Vérifiez votre messagerie" in response.content.decode()
    assert len(mailoutbox) == 1
    assert "Réinitialisation de votre mot de passe" in mailoutbox[0].subject
    assert "/mot-de-passe/nouveau/" in mailoutbox[0].body


def test_logout_ends_the_session(client, membre, client_de):
    membership = membre(Role.REFERENT)
    client = client_de(membership)
    client.post(reverse("comptes:deconnexion"))
    assert client.get("/").status_code == 302
