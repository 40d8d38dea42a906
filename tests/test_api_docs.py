"""The OpenAPI schema and the Swagger UI are served locally (no CDN)."""

import pytest

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
    ):
        assert path in schema


def test_swagger_ui_uses_local_assets(client_de, membre):
    page = client_de(membre(Role.PRESCRIPTEUR)).get("/api/docs/").content.decode()
    assert "swagger-ui" in page
    assert "cdn" not in page.lower()
    assert "/static/drf_spectacular_sidecar/" in page
