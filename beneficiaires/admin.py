from django.contrib import admin

from beneficiaires.models import Beneficiaire
from beneficiaires.normalisation import normaliser


@admin.register(Beneficiaire)
class BeneficiaireAdmin(admin.ModelAdmin):
    list_display = ["nom", "prenom", "date_naissance", "identifiant_ft", "commune", "statut", "organisation"]
    list_filter = ["statut", "niveau_francais", "qpv", "territoire_rural", "departement"]
    search_fields = ["nom_normalise", "prenom_normalise", "nom_naissance_normalise", "identifiant_ft"]
    list_select_related = ["commune", "organisation"]
    autocomplete_fields = ["commune", "organisation"]
    readonly_fields = ["departement", "cree_par", "cree_le", "modifie_le"]
    date_hierarchy = "cree_le"
    fieldsets = (
        ("Identité", {"fields": ("civilite", "nom", "prenom", "nom_naissance", "date_naissance", "identifiant_ft")}),
        ("Coordonnées", {"fields": ("email", "telephone", "adresse", "commune", "departement")}),
        (
            "Situation",
            {
                "fields": (
                    "statut",
                    "categorie_demandeur",
                    "date_inscription_ft",
                    "niveau_francais",
                    "qpv",
                    "territoire_rural",
                )
            },
        ),
        (
            "Projet professionnel",
            {
                "fields": (
                    "projet_professionnel",
                    "code_rome",
                    "projet_defini",
                    "accompagnateur_insertion",
                    "demarches_engagees",
                )
            },
        ),
        ("Suivi", {"fields": ("organisation", "cree_par", "cree_le", "modifie_le")}),
    )

    def get_search_results(self, request, queryset, search_term):
        # The search columns hold accent-free lower-case names (beneficiaires.normalisation).
        return super().get_search_results(request, queryset, normaliser(search_term) or search_term)
