import django_filters

from comptes.models import Organisation, TypeOrganisation
from prestations import dispositifs
from prestations.models import Etat, LettreDeCommande


class LettreDeCommandeFilter(django_filters.FilterSet):
    """Filters of the LdC list, shared by the HTML page and the API."""

    dispositif = django_filters.ChoiceFilter(label="Dispositif", choices=dispositifs.choix, empty_label="Tous")
    prestataire = django_filters.ModelChoiceFilter(
        label="Prestataire",
        field_name="marche__prestataire",
        queryset=Organisation.objects.filter(type=TypeOrganisation.PRESTATAIRE),
        empty_label="Tous",
    )
    etat = django_filters.ChoiceFilter(
        label="État", field_name="prestation__etat", choices=Etat.choices, empty_label="Tous"
    )

    class Meta:
        model = LettreDeCommande
        fields = ["dispositif", "prestataire", "etat"]

    def __init__(self, *args, acteur=None, **kwargs):
        super().__init__(*args, **kwargs)
        if acteur is not None:
            from prestations.models import Marche

            prestataires = Marche.objects.visible_par(acteur).values("prestataire")
            self.filters["prestataire"].queryset = Organisation.objects.filter(
                type=TypeOrganisation.PRESTATAIRE, pk__in=prestataires
            )
        for name in self.form.fields:
            self.form.fields[name].widget.attrs["class"] = "form-select form-select-sm"
