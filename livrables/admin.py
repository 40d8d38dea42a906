"""Documents in the administration: read only (EMA-02). A signed document never changes,
whatever the path; a correction is a new version, made from the case page."""

from django.contrib import admin

from livrables.models import Emargement, LienSignature, Livrable, Signature


class LectureSeule(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SignatureEnLigne(admin.TabularInline):
    model = Signature
    fields = ["role", "signataire_nom", "methode", "signe_le", "ip", "empreinte_document"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Livrable)
class LivrableAdmin(LectureSeule):
    list_display = ["prestation", "type", "version", "etat", "reference", "transmis_le", "depose_par"]
    list_filter = ["type", "etat", "origine"]
    search_fields = ["reference", "prestation__lettre_de_commande__numero"]
    readonly_fields = ["empreinte", "empreinte_a_signer", "taille", "scelle_le", "transmis_le"]
    list_select_related = ["prestation__lettre_de_commande", "depose_par"]
    inlines = [SignatureEnLigne]


@admin.register(Emargement)
class EmargementAdmin(LectureSeule):
    list_display = ["prestation", "rang", "entretien", "methode", "signataire_nom", "signe_le"]
    list_filter = ["methode"]
    list_select_related = ["prestation__lettre_de_commande", "entretien"]


@admin.register(LienSignature)
class LienSignatureAdmin(LectureSeule):
    list_display = [
        "prestation",
        "adresse",
        "livrable",
        "entretien",
        "cree_le",
        "expire_le",
        "utilise_le",
        "tentatives",
    ]
    exclude = ["jeton_empreinte", "code_empreinte"]
