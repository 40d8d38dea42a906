"""API of the deadlines (issue 5): the « à traiter » work queue and the clocks of a case.

- ``GET /api/echeances/`` (``en_retard``; paginated): the open échéances of
  the acteur's cases a person must act on, soonest first, as the « À traiter » page.
- ``GET /api/prestations/{id}/echeances/`` (``PrestationViewSet.echeances``): every
  échéance of one case with its state, its sent times and what paused it.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets

from commun.api import ModelSerializer, Serializer
from comptes.api import ActeurRequis, acteur_api
from prestations.echeances.horloges import ROLES, avancement, echeances_a_traiter
from prestations.models.echeances import Echeance


class EcheanceLigneSerializer(ModelSerializer):
    type_libelle = serializers.CharField(source="get_type_display", read_only=True)
    etat_libelle = serializers.CharField(source="get_etat_display", read_only=True)
    alertes = serializers.ListField(child=serializers.DateTimeField(), read_only=True)

    class Meta:
        model = Echeance
        fields = [
            "id",
            "prestation",
            "type",
            "type_libelle",
            "regle",
            "libelle",
            "depart_le",
            "due_le",
            "alertes",
            "alertes_envoyees",
            "etat",
            "etat_libelle",
            "avertie_le",
            "echue_le",
            "honoree_le",
            "annulee_le",
        ]
        read_only_fields = fields


class HorlogeSerializer(Serializer):
    """One clock of a case: the échéance and what paused it (MOV-10)."""

    echeance = EcheanceLigneSerializer()
    pauses = serializers.SerializerMethodField()

    def get_pauses(self, horloge) -> list[str]:
        return [str(p) for p in horloge.pauses]


class EcheanceATraiterSerializer(EcheanceLigneSerializer):
    """A row of the work queue: the échéance, its case, its age, whether it is late and
    what to do."""

    lettre_de_commande = serializers.CharField(source="prestation.lettre_de_commande.numero", read_only=True)
    beneficiaire = serializers.SerializerMethodField()
    referent = serializers.SerializerMethodField()
    avancement = serializers.SerializerMethodField(help_text="« J+5 sur 7 » : jours écoulés sur le délai.")
    en_retard = serializers.SerializerMethodField()
    a_faire = serializers.SerializerMethodField()
    lien = serializers.SerializerMethodField(help_text="La page du dossier.")

    class Meta(EcheanceLigneSerializer.Meta):
        fields = [
            *EcheanceLigneSerializer.Meta.fields,
            "lettre_de_commande",
            "beneficiaire",
            "referent",
            "avancement",
            "en_retard",
            "a_faire",
            "lien",
        ]
        read_only_fields = fields

    def _avancement(self, echeance):
        return avancement(echeance, self.context["maintenant"])

    def get_beneficiaire(self, echeance) -> str:
        beneficiaire = echeance.prestation.lettre_de_commande.beneficiaire
        return f"{beneficiaire.prenom} {beneficiaire.nom}"

    def get_referent(self, echeance) -> str | None:
        referent = echeance.prestation.referent
        return referent.get_full_name() if referent else None

    def get_avancement(self, echeance) -> str:
        return self._avancement(echeance).libelle

    def get_en_retard(self, echeance) -> bool:
        return self._avancement(echeance).en_retard

    def get_a_faire(self, echeance) -> str:
        return self._avancement(echeance).aide

    def get_lien(self, echeance) -> str:
        return reverse("prestations:prestation_detail", args=[echeance.prestation_id])


class ParametresATraiter(Serializer):
    en_retard = serializers.BooleanField(default=False, help_text="Seulement les échéances dépassées.")


@extend_schema(
    parameters=[
        OpenApiParameter("en_retard", bool, description=ParametresATraiter().fields["en_retard"].help_text),
    ]
)
class EcheanceATraiterViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """« À traiter » : the open échéances of the acteur's cases, soonest first. A bad
    ``en_retard`` value is a 400 with the field's error."""

    permission_classes = [ActeurRequis]
    roles_autorises = ROLES
    serializer_class = EcheanceATraiterSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Echeance.objects.none()
        parametres = ParametresATraiter(data=self.request.query_params)
        parametres.is_valid(raise_exception=True)
        return echeances_a_traiter(
            acteur_api(self.request),
            en_retard=parametres.validated_data["en_retard"],
            maintenant=self._maintenant,
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "maintenant": self._maintenant}

    @property
    def _maintenant(self):
        if not hasattr(self, "_maintenant_fige"):
            self._maintenant_fige = timezone.now()  # one instant for the query and every row
        return self._maintenant_fige
