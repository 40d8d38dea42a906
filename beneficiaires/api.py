"""API of the bénéficiaires: list and search, read, create and update (prescripteurs).

Router line (config/api_urls.py)::

    router.register("beneficiaires", BeneficiaireViewSet, basename="beneficiaire")
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from beneficiaires import services
from beneficiaires.forms import RechercheForm
from beneficiaires.models import ROLES_ECRITURE, Beneficiaire
from beneficiaires.validators import normaliser_code_rome, normaliser_identifiant_ft, normaliser_telephone
from commun.api import ModelSerializer
from comptes.api import ActeurRequis, acteur_api
from territoires.champs import CommuneRelatedField
from territoires.models import Commune


def _normaliser(fonction, valeur):
    try:
        return fonction(valeur)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages) from None


def _erreurs(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"non_field_errors": exc.messages}


class BeneficiaireSerializer(ModelSerializer):
    commune = CommuneRelatedField(
        queryset=Commune.objects.select_related("departement"),
        help_text="Code INSEE de la commune de résidence.",
        error_messages={
            "required": "Indiquez la commune de résidence (code INSEE).",
            "null": "Indiquez la commune de résidence (code INSEE).",
            "does_not_exist": "Commune inconnue : aucun code INSEE « {pk_value} ».",
            "incorrect_type": "Indiquez le code INSEE de la commune (5 caractères).",
        },
    )
    commune_nom = serializers.CharField(source="commune.nom", read_only=True)
    departement = serializers.CharField(source="departement_id", read_only=True)
    identifiant_ft = serializers.CharField(
        required=False, allow_blank=True, help_text=Beneficiaire._meta.get_field("identifiant_ft").help_text
    )
    telephone = serializers.CharField(
        required=False, allow_blank=True, help_text=Beneficiaire._meta.get_field("telephone").help_text
    )
    code_rome = serializers.CharField(
        required=False, allow_blank=True, help_text=Beneficiaire._meta.get_field("code_rome").help_text
    )
    statut_libelle = serializers.CharField(source="get_statut_display", read_only=True)
    attention_particuliere = serializers.BooleanField(
        read_only=True, help_text="BAM-01 : réside en QPV ou en territoire rural."
    )
    organisation = serializers.PrimaryKeyRelatedField(read_only=True)
    confirmer_doublon = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="Créer même si un bénéficiaire ressemblant existe (réponse 400 avec la clé « doublons » sinon).",
    )

    class Meta:
        model = Beneficiaire
        fields = [
            "id",
            "civilite",
            "nom",
            "prenom",
            "nom_naissance",
            "date_naissance",
            "identifiant_ft",
            "email",
            "telephone",
            "adresse",
            "commune",
            "commune_nom",
            "departement",
            "statut",
            "statut_libelle",
            "categorie_demandeur",
            "date_inscription_ft",
            "niveau_francais",
            "projet_professionnel",
            "code_rome",
            "projet_defini",
            "accompagnateur_insertion",
            "demarches_engagees",
            "qpv",
            "territoire_rural",
            "attention_particuliere",
            "organisation",
            "cree_le",
            "modifie_le",
            "confirmer_doublon",
        ]
        read_only_fields = ["cree_le", "modifie_le"]

    def validate_identifiant_ft(self, valeur):
        return _normaliser(normaliser_identifiant_ft, valeur)

    def validate_telephone(self, valeur):
        return _normaliser(normaliser_telephone, valeur)

    def validate_code_rome(self, valeur):
        return _normaliser(normaliser_code_rome, valeur)


class DoublonSerializer(ModelSerializer):
    commune = serializers.CharField(source="commune.__str__", read_only=True)

    class Meta:
        model = Beneficiaire
        fields = ["id", "nom", "prenom", "date_naissance", "identifiant_ft", "commune"]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Nom ou prénom (partiel, sans accents ni casse)."),
            OpenApiParameter("date_naissance", OpenApiTypes.DATE, description="AAAA-MM-JJ ou JJ/MM/AAAA."),
            OpenApiParameter("identifiant_ft", OpenApiTypes.STR, description="Identifiant France Travail (début)."),
        ]
    )
)
class BeneficiaireViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Bénéficiaires visible to the acteur; only a prescripteur (or administrateur) creates and updates."""

    serializer_class = BeneficiaireSerializer
    permission_classes = [ActeurRequis]
    lookup_value_regex = r"[0-9]+"

    @property
    def roles_autorises(self):
        if getattr(self, "action", None) in ("create", "update", "partial_update"):
            return ROLES_ECRITURE
        return None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Beneficiaire.objects.none()
        queryset = Beneficiaire.objects.visible_par(acteur_api(self.request)).select_related("commune", "departement")
        if self.action == "list":
            recherche = RechercheForm(self.request.query_params)
            if not recherche.is_valid():
                raise serializers.ValidationError(
                    {
                        champ: [e["message"] for e in erreurs]
                        for champ, erreurs in recherche.errors.get_json_data().items()
                    }
                )
            queryset = queryset.rechercher(**recherche.criteres())
        return queryset

    def _reponse_doublons(self, exc: services.DoublonsPossibles):
        return Response(
            {"detail": exc.message, "doublons": DoublonSerializer(exc.doublons, many=True).data},
            status=status.HTTP_400_BAD_REQUEST,
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        donnees = dict(serializer.validated_data)
        confirmer = donnees.pop("confirmer_doublon", False)
        try:
            beneficiaire = services.creer_beneficiaire(acteur_api(request), donnees, confirmer_doublon=confirmer)
        except services.DoublonsPossibles as exc:
            return self._reponse_doublons(exc)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(_erreurs(exc)) from None
        return Response(self.get_serializer(beneficiaire).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        beneficiaire = self.get_object()
        serializer = self.get_serializer(beneficiaire, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        donnees = dict(serializer.validated_data)
        confirmer = donnees.pop("confirmer_doublon", False)
        try:
            services.modifier_beneficiaire(acteur_api(request), beneficiaire, donnees, confirmer_doublon=confirmer)
        except services.DoublonsPossibles as exc:
            return self._reponse_doublons(exc)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(_erreurs(exc)) from None
        return Response(self.get_serializer(beneficiaire).data)
