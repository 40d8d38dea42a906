from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from beneficiaires.models import Beneficiaire
from commun.api import ModelSerializer, Serializer
from comptes.api import ActeurRequis, acteur_api
from comptes.models import User
from prestations import dispositifs
from prestations.commandes import services
from prestations.commandes.filters import LettreDeCommandeFilter
from prestations.exceptions import BeneficiaireIneligible
from prestations.models import LettreDeCommande, Marche, Orientation


class MarcheSerializer(ModelSerializer):
    financeur = serializers.CharField(source="financeur.nom")
    prestataire = serializers.CharField(source="prestataire.nom")
    prestataire_id = serializers.IntegerField()
    departements = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Marche
        fields = [
            "id",
            "reference",
            "intitule",
            "dispositif",
            "financeur",
            "prestataire",
            "prestataire_id",
            "departements",
            "date_debut",
            "date_fin",
            "prix_unitaire_ht",
            "taux_tva",
            "duree_prestation_jours",
            "actif",
        ]


class MarcheViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Marchés visible to the acteur (read-only; the administrator manages them in the admin)."""

    serializer_class = MarcheSerializer
    permission_classes = [ActeurRequis]
    lookup_value_regex = r"[0-9]+"
    filterset_fields = ["dispositif", "actif"]

    def get_queryset(self):
        return (
            Marche.objects.visible_par(acteur_api(self.request))
            .select_related("financeur", "prestataire")
            .prefetch_related("departements")
            .order_by("reference")
        )


class LettreDeCommandeSerializer(ModelSerializer):
    beneficiaire = serializers.PrimaryKeyRelatedField(queryset=Beneficiaire.objects.none())
    marche = serializers.PrimaryKeyRelatedField(queryset=Marche.objects.all())
    prestataire = serializers.CharField(source="marche.prestataire.nom", read_only=True)
    organisation_prescriptrice = serializers.CharField(source="organisation_prescriptrice.nom", read_only=True)
    etat = serializers.CharField(source="prestation.etat", read_only=True)
    etat_libelle = serializers.CharField(source="prestation.get_etat_display", read_only=True)
    referent = serializers.SerializerMethodField()
    # Optional: the marché's; when given, it must be the marché's (a mismatch is a 400).
    dispositif = serializers.ChoiceField(choices=dispositifs.cles(), required=False)
    accord_beneficiaire = serializers.BooleanField(
        required=True, error_messages={"required": "Indiquez si l'accord du bénéficiaire a été recueilli."}
    )

    class Meta:
        model = LettreDeCommande
        fields = [
            "id",
            "numero",
            "beneficiaire",
            "marche",
            "dispositif",
            "regle_version",
            "prestataire",
            "organisation_prescriptrice",
            "date_debut",
            "date_fin",
            "accord_beneficiaire",
            "accord_recueilli_le",
            "motivation",
            "avertissements",
            "etat",
            "etat_libelle",
            "referent",
            "emise_le",
        ]
        read_only_fields = [
            "numero",
            "regle_version",
            "date_fin",
            "accord_recueilli_le",
            "avertissements",
            "emise_le",
        ]
        extra_kwargs = {"motivation": {"required": False}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.method == "POST":
            acteur = acteur_api(request)
            self.fields["beneficiaire"].queryset = Beneficiaire.objects.visible_par(acteur)

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_referent(self, obj):
        referent = obj.prestation.referent
        return {"id": referent.pk, "nom": str(referent), "email": referent.email} if referent else None


class DesignationReferentSerializer(Serializer):
    referent = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())


class LettreDeCommandeViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Lettres de commande: created by a prescripteur (PRE-01), read in the acteur's scope."""

    serializer_class = LettreDeCommandeSerializer
    permission_classes = [ActeurRequis]
    filterset_class = LettreDeCommandeFilter
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return LettreDeCommande.objects.visible_par(acteur_api(self.request)).pour_liste()

    def create(self, request, *args, **kwargs):
        acteur = acteur_api(request)
        services.verifier_prescripteur(acteur)  # a 403 before any field is read
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            ldc = services.creer_lettre_de_commande(
                acteur,
                beneficiaire=data["beneficiaire"],
                marche=data["marche"],
                date_debut=data["date_debut"],
                accord_beneficiaire=data["accord_beneficiaire"],
                motivation=data.get("motivation", ""),
                dispositif=data.get("dispositif"),
            )
        except BeneficiaireIneligible as refus:
            return Response(
                {
                    "eligibilite": [
                        {"regle": i.regle, "code": i.code, "message": i.message} for i in refus.ineligibilites
                    ],
                    "reorientations": [{"code": c, "libelle": label} for c, label in Orientation.choices],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        ldc = self.get_queryset().get(pk=ldc.pk)
        return Response(self.get_serializer(ldc).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DesignationReferentSerializer, responses=LettreDeCommandeSerializer)
    @action(detail=True, methods=["post"])
    def referent(self, request, pk=None):
        """MOV-04: the prestataire's responsable designates (or changes) the référent."""
        ldc = get_object_or_404(self.get_queryset(), pk=pk)
        entree = DesignationReferentSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        services.designer_referent(acteur_api(request), ldc.prestation, entree.validated_data["referent"])
        return Response(self.get_serializer(self.get_queryset().get(pk=ldc.pk)).data)
