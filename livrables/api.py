"""API of the deliverables of a case (LIV-01..05).

``GET /api/prestations/{id}/livrables/``: the deliverables transmitted; ``POST`` (multipart:
``type``, ``fichier`` PDF) transmits one to the prescripteur, as a new version when one of
that type exists (``livrables.services.transmettre_livrable``).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from commun.api import ModelSerializer, Serializer
from comptes.api import ActeurRequis, acteur_api
from livrables.models import Livrable
from livrables.services import transmettre_livrable
from prestations.dispositifs import LIVRABLES
from prestations.models import Prestation
from prestations.suivi.serializers import RefusSerializer


class LivrableSerializer(ModelSerializer):
    type_libelle = serializers.CharField(source="get_type_display", read_only=True)
    depose_par = serializers.CharField(source="depose_par.email", read_only=True)

    class Meta:
        model = Livrable
        fields = [
            "id",
            "type",
            "type_libelle",
            "version",
            "nom_original",
            "taille",
            "empreinte",
            "transmis_le",
            "depose_par",
        ]
        read_only_fields = fields


class LivrableEntreeSerializer(Serializer):
    type = serializers.ChoiceField(choices=sorted(LIVRABLES))
    fichier = serializers.FileField()


class LivrablesDuDossier(APIView):
    """The deliverables of a case in the acteur's scope (another case is a 404)."""

    permission_classes = [ActeurRequis]
    parser_classes = [MultiPartParser, FormParser]

    def _prestation(self, request, pk) -> Prestation:
        return get_object_or_404(Prestation.objects.visible_par(acteur_api(request)).pour_liste(), pk=pk)

    @extend_schema(responses={200: LivrableSerializer(many=True), 404: None})
    def get(self, request, pk):
        prestation = self._prestation(request, pk)
        return Response(LivrableSerializer(prestation.livrables.all(), many=True).data)

    @extend_schema(
        request=LivrableEntreeSerializer,
        responses={201: LivrableSerializer, 400: OpenApiTypes.OBJECT, 403: None, 404: None, 409: RefusSerializer},
    )
    def post(self, request, pk):
        prestation = self._prestation(request, pk)
        entree = LivrableEntreeSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        livrable = transmettre_livrable(acteur_api(request), prestation, **entree.validated_data)
        return Response(LivrableSerializer(livrable).data, status=status.HTTP_201_CREATED)
