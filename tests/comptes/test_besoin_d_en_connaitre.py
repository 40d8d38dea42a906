"""Need-to-know (SPEC §1, DESIGN principle 11): the table of ``comptes.acces``, walked
over every route that shows a case, a bénéficiaire record or a deliverable.

Each role of the world below meets one case of its scope; what it gets on each route
(200 or 404) is read from the table, never written twice."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from comptes import acces
from comptes.acteurs import Acteur
from comptes.models import Role
from livrables.services import transmettre_livrable
from prestations.models import MotifSuspension
from tests.prestations.dossiers import DEBUT, jour

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def cas(dossiers, monde, membre):
    """A MOV case in progress with a suspension for illness and a deliverable."""
    prestation = dossiers.contractualise(dossiers.nouveau(nom="Témoin-Confidentiel"), DEBUT, duree_minutes=45)
    ldc = prestation.lettre_de_commande
    suspension = dossiers.suspension(
        prestation, MotifSuspension.MALADIE, jour(3), jour(5), commentaire="Arrêt maladie, hospitalisation"
    )
    livrable = transmettre_livrable(
        dossiers.referent,
        prestation,
        type="bilan_intermediaire",
        fichier=SimpleUploadedFile("bilan.pdf", PDF, content_type="application/pdf"),
    )
    roles = {
        "prescripteur": monde.prescripteur,
        "responsable": monde.responsable,
        "referent designe": monde.referent,
        "referent de la structure, non designe": membre(Role.REFERENT, organisation=monde.referent.organisation),
        "financeur": monde.financeur,
        "gestionnaire financier": membre(Role.GESTIONNAIRE_FINANCIER, organisation=monde.financeur.organisation),
    }
    return prestation, ldc, suspension, livrable, roles


def _routes(prestation, ldc, suspension, livrable):
    """Every route showing the case (``DOSSIER``) or the person (``BENEFICIAIRE``)."""
    p, b = prestation.pk, ldc.beneficiaire_id
    dossier = [
        f"/prestations/{p}/",
        f"/lettres-de-commande/{ldc.pk}/",
        f"/lettres-de-commande/{ldc.pk}/pdf/",
        f"/livrables/{livrable.pk}/telecharger/",
        f"/livrables/{livrable.pk}/",
        f"/verification/{livrable.reference}/",
        f"/prestations/{p}/feuille-emargement.pdf",
        f"/api/prestations/{p}/",
        f"/api/prestations/{p}/entretiens/",
        f"/api/prestations/{p}/suspensions/",
        f"/api/prestations/{p}/periodes-entreprise/",
        f"/api/prestations/{p}/actions/",
        f"/api/prestations/{p}/livrables/",
        f"/api/livrables/{livrable.pk}/",
        f"/api/prestations/{p}/emargements/",
        f"/api/lettres-de-commande/{ldc.pk}/",
    ]
    beneficiaire = [f"/beneficiaires/{b}/", f"/api/beneficiaires/{b}/"]
    return [(url, acces.Donnee.DOSSIER) for url in dossier] + [(url, acces.Donnee.BENEFICIAIRE) for url in beneficiaire]


def _attendu(membership, prestation, donnee) -> int:
    """What the need-to-know table says this role gets on this case."""
    portee = acces.portee(Acteur(membership.user, membership), donnee)
    if portee == acces.Portee.TOUT:
        return 200
    if portee == acces.Portee.DESIGNES and prestation.referent_id == membership.user_id:
        return 200
    return 404


def _compte(client, url) -> int:
    """Rows of an API list (none when the role may not open it at all)."""
    reponse = client.get(url)
    return 0 if reponse.status_code == 403 else reponse.json()["count"]


@pytest.mark.parametrize(
    "role",
    [
        "prescripteur",
        "responsable",
        "referent designe",
        "referent de la structure, non designe",
        "financeur",
        "gestionnaire financier",
    ],
)
def test_chaque_role_voit_ce_que_la_table_du_besoin_d_en_connaitre_lui_donne(cas, client_de, role):
    prestation, ldc, suspension, livrable, roles = cas
    membership = roles[role]
    client = client_de(membership)
    obtenus = {}
    for url, donnee in _routes(prestation, ldc, suspension, livrable):
        obtenus[url] = (client.get(url).status_code, _attendu(membership, prestation, donnee))
    assert {url: o for url, (o, a) in obtenus.items()} == {url: a for url, (o, a) in obtenus.items()}
    # The lists of cases, lettres and bénéficiaires follow the same table.
    visible = _attendu(membership, prestation, acces.Donnee.DOSSIER) == 200
    assert (_compte(client, "/api/prestations/") > 0) == visible
    assert (_compte(client, "/api/lettres-de-commande/") > 0) == visible
    assert (_compte(client, "/api/echeances/") > 0) == visible
    assert ("Témoin-Confidentiel" in client.get("/prestations/").content.decode()) == visible
    assert ("Témoin-Confidentiel" in client.get("/lettres-de-commande/").content.decode()) == visible
    assert (_compte(client, "/api/beneficiaires/") > 0) == (
        _attendu(membership, prestation, acces.Donnee.BENEFICIAIRE) == 200
    )


def test_les_financeurs_ne_lisent_aucun_detail_de_sante_ni_social(cas, client_de):
    """SPEC §1: a funder never reads a suspension's reason, the RSA status or a report."""
    prestation, ldc, suspension, livrable, roles = cas
    for role in ("financeur", "gestionnaire financier"):
        client = client_de(roles[role])
        for url in ("/prestations/", "/lettres-de-commande/", "/beneficiaires/", "/a-traiter/", "/api/echeances/"):
            reponse = client.get(url)
            assert reponse.status_code in (200, 403)
            assert "hospitalisation" not in reponse.content.decode()
            assert "Témoin-Confidentiel" not in reponse.content.decode()


def test_la_table_couvre_chaque_role_et_chaque_donnee():
    for role in Role:
        assert set(acces.BESOIN_D_EN_CONNAITRE[role]) == set(acces.Donnee)
