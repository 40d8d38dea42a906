"""The OpenAPI schema and the Swagger UI are served locally (no CDN)."""

import pytest
from django.core.management import call_command

from comptes.models import Role

pytestmark = pytest.mark.django_db


def test_schema_lists_the_prescription_endpoints(client_de, membre):
    client = client_de(membre(Role.PRESCRIPTEUR))
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = response.content.decode()
    for path in (
        "/api/beneficiaires/",
        "/api/marches/",
        "/api/lettres-de-commande/",
        "/api/lettres-de-commande/{id}/referent/",
        "/api/echeances/",
        "/api/prestations/{id}/echeances/",
        "/api/notifications/",
        "/api/notifications/{id}/lire/",
        "/api/notifications/preferences/",
    ):
        assert path in schema


def test_schema_sans_avertissement(tmp_path):
    """A schema the generator warns about (two components of one name, an enum named at
    random) is a wrong schema for the API's clients."""
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi:")


def test_swagger_ui_uses_local_assets(client_de, membre):
    page = client_de(membre(Role.PRESCRIPTEUR)).get("/api/docs/").content.decode()
    assert "swagger-ui" in page
    assert "cdn" not in page.lower()
    assert "/static/drf_spectacular_sidecar/" in page
