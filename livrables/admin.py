from django.contrib import admin

from livrables.models import Livrable


@admin.register(Livrable)
class LivrableAdmin(admin.ModelAdmin):
    list_display = ["prestation", "type", "version", "transmis_le", "depose_par"]
    list_filter = ["type"]
    readonly_fields = ["empreinte", "taille", "transmis_le"]
    list_select_related = ["prestation__lettre_de_commande", "depose_par"]

    def has_change_permission(self, request, obj=None):
        return False
