"""The bell menu and the notification preferences through the API (issue 5)."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from comptes.envoi import envoyer_emails_en_attente
from comptes.models import Canal, Notification, PreferencesNotification, Role
from comptes.notifications import notifier

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_la_cloche_liste_les_avis_in_app_du_seul_utilisateur(membre):
    moi, autre = membre(Role.REFERENT).user, membre(Role.REFERENT).user
    notifier([moi], cle="a", sujet="Premier", corps="un")
    notifier([moi], cle="b", sujet="Second", corps="deux")
    notifier([autre], cle="c", sujet="Pas pour moi", corps="trois")
    client = _client(moi)
    reponse = client.get("/api/notifications/")
    assert reponse.status_code == 200
    assert [n["sujet"] for n in reponse.json()["results"]] == ["Second", "Premier"]  # newest first, in-app only
    assert reponse.json()["count"] == 2
    # Reading the list marks nothing read; reading one does, once.
    [second, premier] = reponse.json()["results"]
    assert client.get("/api/notifications/", {"non_lues": "true"}).json()["count"] == 2
    lue = client.post(f"/api/notifications/{premier['id']}/lire/").json()
    assert lue["lue_le"] is not None
    assert client.post(f"/api/notifications/{premier['id']}/lire/").json()["lue_le"] == lue["lue_le"]
    assert [n["sujet"] for n in client.get("/api/notifications/", {"non_lues": "1"}).json()["results"]] == ["Second"]
    assert client.post("/api/notifications/tout-lire/").json() == {"lues": 1}
    assert client.get("/api/notifications/", {"non_lues": "true"}).json()["count"] == 0
    # Another user's notice does not exist for me.
    sienne = Notification.objects.get(destinataire=autre, canal=Canal.IN_APP)
    assert client.post(f"/api/notifications/{sienne.pk}/lire/").status_code == 404
    sienne.refresh_from_db()
    assert sienne.lue_le is None
    assert client.get("/api/notifications/", {"non_lues": "bof"}).status_code == 400
    assert APIClient().get("/api/notifications/").status_code in (401, 403)


def test_preferences_par_l_api_arretent_vraiment_les_avis_informatifs(membre, mailoutbox):
    user = membre(Role.REFERENT).user
    client = _client(user)
    assert client.get("/api/notifications/preferences/").json() == {
        "email_informatif": True,
        "in_app_informatif": True,
        "recapitulatif_quotidien": False,
    }
    reponse = client.patch("/api/notifications/preferences/", {"email_informatif": False}, format="json")
    assert reponse.status_code == 200 and reponse.json()["email_informatif"] is False
    assert PreferencesNotification.objects.get(user=user).email_informatif is False
    notifier([user], cle="info:1", sujet="Info", corps="Informatif", obligatoire=False)
    notifier([user], cle="breach:1", sujet="Dépassement", corps="MOV-03", obligatoire=True)
    assert envoyer_emails_en_attente() == 1 and [m.subject for m in mailoutbox] == ["Dépassement"]
    reponse = client.put("/api/notifications/preferences/", {"email_informatif": "peut-être"}, format="json")
    assert reponse.status_code == 400 and "email_informatif" in reponse.json()
