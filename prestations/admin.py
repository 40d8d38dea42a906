from django import forms
from django.contrib import admin

from prestations.models import (
    ActionParcours,
    Entretien,
    Evenement,
    LettreDeCommande,
    Marche,
    PeriodeEnEntreprise,
    Prestation,
    Reorientation,
    SessionCollective,
    Sortie,
    Suspension,
)


class MarcheAdminForm(forms.ModelForm):
    class Meta:
        model = Marche
        fields = [
            "reference",
            "intitule",
            "financeur",
            "prestataire",
            "dispositif",
            "departements",
            "date_debut",
            "date_fin",
            "prix_unitaire_ht",
            "taux_tva",
            "duree_prestation_jours",
            "echeancier",
            "chevauchement_autorise",
            "actif",
        ]

    def clean(self):
        cleaned = super().clean()
        champs = ("prestataire", "dispositif", "departements", "date_debut", "date_fin")
        if all(cleaned.get(c) for c in champs) and not cleaned.get("chevauchement_autorise"):
            conflits = Marche.chevauchements(**{c: cleaned[c] for c in champs}, exclure_pk=self.instance.pk)
            if conflits:
                liste = ", ".join(m.reference for m in conflits)
                raise forms.ValidationError(
                    "Ce prestataire a déjà un marché %(dispositif)s sur la même période et l'un de ces départements "
                    "(%(liste)s). Cochez « chevauchement autorisé » si c'est voulu.",
                    params={"dispositif": cleaned.get("dispositif"), "liste": liste},
                    code="chevauchement",
                )
        return cleaned


@admin.register(Marche)
class MarcheAdmin(admin.ModelAdmin):
    form = MarcheAdminForm
    list_display = [
        "reference",
        "intitule",
        "dispositif",
        "prestataire",
        "financeur",
        "date_debut",
        "date_fin",
        "actif",
    ]
    list_filter = ["dispositif", "actif", "financeur"]
    search_fields = ["reference", "intitule", "prestataire__nom"]
    filter_horizontal = ["departements"]
    list_select_related = ["prestataire", "financeur"]


class LectureSeuleMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EntretienInline(admin.TabularInline):
    model = Entretien
    extra = 0
    can_delete = False
    fields = ["debut", "duree_minutes", "type", "modalite", "phase", "presence"]
    readonly_fields = fields
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(LettreDeCommande)
class LettreDeCommandeAdmin(LectureSeuleMixin, admin.ModelAdmin):
    list_display = ["numero", "beneficiaire", "dispositif", "marche", "date_debut", "date_fin", "emise_le"]
    list_filter = ["dispositif"]
    search_fields = ["numero", "beneficiaire__nom"]
    list_select_related = ["beneficiaire", "marche"]


@admin.register(Prestation)
class PrestationAdmin(LectureSeuleMixin, admin.ModelAdmin):
    list_display = ["lettre_de_commande", "etat", "phase", "referent", "date_debut", "date_fin"]
    inlines = [EntretienInline]
    list_filter = ["etat"]
    list_select_related = ["lettre_de_commande", "referent"]


@admin.register(Evenement)
class EvenementAdmin(LectureSeuleMixin, admin.ModelAdmin):
    list_display = ["survenu_le", "type", "lettre_de_commande", "auteur", "message"]
    list_filter = ["type"]
    list_select_related = ["lettre_de_commande", "auteur"]


@admin.register(Reorientation)
class ReorientationAdmin(LectureSeuleMixin, admin.ModelAdmin):
    list_display = ["cree_le", "beneficiaire", "dispositif", "orientation", "nom_referent"]
    list_select_related = ["beneficiaire"]


@admin.register(Suspension)
class SuspensionAdmin(LectureSeuleMixin, admin.ModelAdmin):
    list_display = ["prestation", "motif", "debut", "fin"]
    list_filter = ["motif"]
    list_select_related = ["prestation__lettre_de_commande"]


@admin.register(PeriodeEnEntreprise)
class PeriodeEnEntrepriseAdmin(LectureSeuleMixin, admin.ModelAdmin):
    list_display = ["prestation", "entreprise", "siret", "debut", "fin"]
    list_select_related = ["prestation__lettre_de_commande"]


@admin.register(Sortie)
class SortieAdmin(LectureSeuleMixin, admin.ModelAdmin):
    list_display = ["prestation", "type", "date_sortie", "positive", "regle"]
    list_filter = ["type", "positive"]
    list_select_related = ["prestation__lettre_de_commande"]


@admin.register(SessionCollective)
class SessionCollectiveAdmin(LectureSeuleMixin, admin.ModelAdmin):
    list_display = ["titre", "organisation", "debut", "taille_max"]
    list_select_related = ["organisation"]


@admin.register(ActionParcours)
class ActionParcoursAdmin(LectureSeuleMixin, admin.ModelAdmin):
    list_display = ["prestation", "nature", "libelle", "statut", "cout"]
    list_filter = ["nature", "statut"]
    list_select_related = ["prestation__lettre_de_commande"]
