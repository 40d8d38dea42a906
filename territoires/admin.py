from django.contrib import admin

from territoires.models import Commune, Departement


@admin.register(Departement)
class DepartementAdmin(admin.ModelAdmin):
    list_display = ["code", "nom", "region"]
    search_fields = ["code", "nom"]


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["code_insee", "nom", "departement"]
    search_fields = ["code_insee", "nom"]
    list_filter = ["departement"]
    list_select_related = ["departement"]
