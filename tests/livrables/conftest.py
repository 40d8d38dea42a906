"""Reuse the prescription world of the prestations tests."""

from tests.prestations.conftest import beneficiaire_de, monde  # noqa: F401
