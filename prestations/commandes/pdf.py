"""A simple PDF of the lettre de commande (the full deliverables come with the livrables app)."""

from django.template.loader import render_to_string
from django.utils import timezone


def pdf_lettre_de_commande(ldc) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "prestations/pdf/lettre_de_commande.html", {"ldc": ldc, "regle": ldc.regle, "edite_le": timezone.localtime()}
    )
    return HTML(string=html).write_pdf()
