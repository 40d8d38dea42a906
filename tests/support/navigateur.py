"""What the browser tests share: logging in through the login page."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.factories import MOT_DE_PASSE


def se_connecter(page, live_server, email: str) -> None:
    """Log in as ``email`` (the factories' password) and wait for the home page."""
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_test_id("accueil-role")).to_be_visible()
