"""Browser: log in through the form as the prescripteur and the référent."""

import pytest
from playwright.sync_api import expect

from comptes.models import Role
from tests.factories import MOT_DE_PASSE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("role", "titre"), [(Role.PRESCRIPTEUR, "Espace prescripteur"), (Role.REFERENT, "Espace référent")]
)
def test_login_form_leads_to_the_role_home(page, live_server, membre, artifacts, role, titre):
    membership = membre(role, email=f"{role.value}@exemple.test", first_name="Camille")
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/connexion/?next=/")
    page.get_by_label("Adresse e-mail").fill(f"{role.value}@exemple.test")
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_test_id("accueil-role")).to_contain_text(titre)
    expect(page.get_by_test_id("identite")).to_contain_text(membership.organisation.nom)
    expect(page.get_by_test_id("identite")).to_contain_text(role.label)
    page.screenshot(path=artifacts / f"accueil-{role.value}.png", full_page=True)


def test_wrong_password_in_the_browser(page, live_server, membre, artifacts):
    membre(Role.PRESCRIPTEUR, email="claire@exemple.test")
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill("claire@exemple.test")
    page.get_by_label("Mot de passe").fill("mauvais")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_have_text("Adresse e-mail ou mot de passe incorrect.")
    page.screenshot(path=artifacts / "connexion-erreur.png")
