"""API of the documents of a case (LIV-01..05, MOV-05, PAY-01, EMA-01, EMA-02).

- ``GET /api/prestations/{id}/livrables/``: every version of every document of the case;
  ``POST`` (multipart ``type``, ``fichier``): a PDF signed on paper, deposited and
  transmitted as a new version.
- ``POST /api/prestations/{id}/livrables/brouillons/`` (``type``): a new draft, pre-filled.
- ``GET|PUT|PATCH /api/livrables/{id}/`` (``rubriques``: the texts, in order): a draft
  only; a signed version answers 409 (EMA-02).
- ``GET /api/livrables/{id}/apercu/`` (PDF), ``POST …/soumettre/``, ``…/reprendre/``,
  ``…/signatures/`` (``role``, ``nom``, ``consentement``, ``dessin``), ``…/lien-signature/``,
  ``…/scan/`` (multipart ``scan``), ``…/correction/`` (``motif``), ``…/transmission/``,
  ``…/transmission-en-l-etat/`` (LIV-03), ``GET …/telechargement/``.
- ``GET|POST /api/prestations/{id}/emargements/`` (``entretien``, ``nom``, ``consentement``,
  ``dessin``), ``POST …/emargements/lien/`` (``entretien``): attendance proofs.
- ``POST /api/verification/`` (multipart ``fichier``, no account needed): is this file the
  one the platform sealed, unaltered?
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from commun.api import ModelSerializer, Serializer
from comptes.api import ActeurRequis, acteur_api
from livrables import documents, services, signature
from livrables.contenu import LONGUEUR_RUBRIQUE
from livrables.emargement import verifier_chaine
from livrables.models import Emargement, LienSignature, Livrable, RoleSignataire, Signature
from livrables.verification import verifier_fichier
from prestations.dispositifs import LIVRABLES
from prestations.models import Entretien, Prestation
from prestations.suivi.serializers import RefusSerializer


def _client(request) -> dict:
    return {"ip": request.META.get("REMOTE_ADDR"), "user_agent": request.META.get("HTTP_USER_AGENT", "")[:500]}


class SignatureSerializer(ModelSerializer):
    class Meta:
        model = Signature
        fields = ["role", "methode", "signataire_nom", "signe_le", "empreinte_document"]
        read_only_fields = fields


class LivrableSerializer(ModelSerializer):
    type_libelle = serializers.CharField(source="get_type_display", read_only=True)
    depose_par = serializers.CharField(source="depose_par.email", read_only=True, default=None)
    signatures = SignatureSerializer(many=True, read_only=True)
    rubriques = serializers.SerializerMethodField()
    signatures_attendues = serializers.SerializerMethodField()

    class Meta:
        model = Livrable
        fields = [
            "id",
            "type",
            "type_libelle",
            "version",
            "etat",
            "origine",
            "reference",
            "rubriques",
            "signatures_attendues",
            "signatures",
            "empreinte_a_signer",
            "nom_original",
            "taille",
            "empreinte",
            "scelle_le",
            "horodate",
            "sans_signature",
            "transmis_le",
            "depose_par",
            "motif_correction",
        ]
        read_only_fields = fields

    def get_rubriques(self, livrable) -> list[dict]:
        return livrable.contenu.get("rubriques", [])

    def get_signatures_attendues(self, livrable) -> list[str]:
        return list(documents.SIGNATAIRES[livrable.type])


class LivrableEntreeSerializer(Serializer):
    type = serializers.ChoiceField(choices=sorted(LIVRABLES))
    fichier = serializers.FileField()


class BrouillonEntreeSerializer(Serializer):
    type = serializers.ChoiceField(choices=sorted(documents.TYPES))


class RubriquesSerializer(Serializer):
    rubriques = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=LONGUEUR_RUBRIQUE, trim_whitespace=False),
        help_text="Le texte de chaque rubrique, dans l'ordre du document.",
    )


class SignatureEntreeSerializer(Serializer):
    role = serializers.ChoiceField(choices=RoleSignataire.choices)
    nom = serializers.CharField(max_length=200)
    consentement = serializers.BooleanField(help_text="La déclaration de consentement est cochée.")
    dessin = serializers.CharField(required=False, allow_blank=True, max_length=signature.DESSIN_MAX)


class MotifSerializer(Serializer):
    motif = serializers.CharField(max_length=300)


class ScanSerializer(Serializer):
    scan = serializers.FileField()


class LienSerializer(ModelSerializer):
    class Meta:
        model = LienSignature
        fields = ["id", "adresse", "expire_le", "livrable", "entretien"]
        read_only_fields = fields


def _prestation(request, pk) -> Prestation:
    return get_object_or_404(Prestation.objects.visible_par(acteur_api(request)).pour_liste(), pk=pk)


class LivrablesDuDossier(APIView):
    """The documents of a case in the acteur's scope (another case is a 404)."""

    permission_classes = [ActeurRequis]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses={200: LivrableSerializer(many=True), 404: None})
    def get(self, request, pk):
        prestation = _prestation(request, pk)
        livrables = (
            Livrable.objects.visible_par(acteur_api(request))
            .filter(prestation=prestation)
            .select_related("depose_par")
            .prefetch_related("signatures")
        )
        return Response(LivrableSerializer(livrables, many=True).data)

    @extend_schema(
        request=LivrableEntreeSerializer,
        responses={201: LivrableSerializer, 400: OpenApiTypes.OBJECT, 403: None, 404: None, 409: RefusSerializer},
    )
    def post(self, request, pk):
        prestation = _prestation(request, pk)
        entree = LivrableEntreeSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        livrable = services.transmettre_livrable(acteur_api(request), prestation, **entree.validated_data)
        return Response(LivrableSerializer(livrable).data, status=status.HTTP_201_CREATED)


class BrouillonsDuDossier(APIView):
    permission_classes = [ActeurRequis]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        request=BrouillonEntreeSerializer,
        responses={201: LivrableSerializer, 400: OpenApiTypes.OBJECT, 403: None, 404: None, 409: RefusSerializer},
    )
    def post(self, request, pk):
        prestation = _prestation(request, pk)
        entree = BrouillonEntreeSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        livrable = services.rediger(acteur_api(request), prestation, entree.validated_data["type"])
        return Response(LivrableSerializer(livrable).data, status=status.HTTP_201_CREATED)


class LivrableViewSet(mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """One version of a document. PUT/PATCH write a draft's sections; a signed version
    refuses any change (409, EMA-02): « correction » opens a new version."""

    permission_classes = [ActeurRequis]
    serializer_class = LivrableSerializer
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_queryset(self):
        return (
            Livrable.objects.visible_par(acteur_api(self.request))
            .select_related("prestation__lettre_de_commande__beneficiaire", "prestation__referent", "depose_par")
            .prefetch_related("signatures")
        )

    def _reponse(self, livrable, code=status.HTTP_200_OK):
        return Response(LivrableSerializer(Livrable.objects.get(pk=livrable.pk)).data, status=code)

    @extend_schema(
        request=RubriquesSerializer,
        responses={200: LivrableSerializer, 400: OpenApiTypes.OBJECT, 403: None, 404: None, 409: RefusSerializer},
    )
    def update(self, request, *args, **kwargs):
        livrable = self.get_object()
        entree = RubriquesSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        return self._reponse(services.enregistrer(acteur_api(request), livrable, entree.validated_data["rubriques"]))

    @extend_schema(
        request=RubriquesSerializer,
        responses={200: LivrableSerializer, 400: OpenApiTypes.OBJECT, 403: None, 404: None, 409: RefusSerializer},
    )
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def apercu(self, request, pk=None):
        pdf = services.apercu(self.get_object())
        return HttpResponse(pdf, content_type="application/pdf")

    @extend_schema(request=None, responses={200: LivrableSerializer, 403: None, 404: None, 409: RefusSerializer})
    @action(detail=True, methods=["post"])
    def soumettre(self, request, pk=None):
        return self._reponse(services.soumettre(acteur_api(request), self.get_object()))

    @extend_schema(request=None, responses={200: LivrableSerializer, 403: None, 404: None, 409: RefusSerializer})
    @action(detail=True, methods=["post"])
    def reprendre(self, request, pk=None):
        return self._reponse(services.reprendre(acteur_api(request), self.get_object()))

    @extend_schema(
        request=SignatureEntreeSerializer,
        responses={201: SignatureSerializer, 400: OpenApiTypes.OBJECT, 403: None, 404: None, 409: RefusSerializer},
    )
    @action(detail=True, methods=["post"])
    def signatures(self, request, pk=None):
        entree = SignatureEntreeSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        d = entree.validated_data
        faite = signature.signer(
            acteur_api(request),
            self.get_object(),
            role=d["role"],
            nom=d["nom"],
            accepte=d["consentement"],
            dessin=d.get("dessin", ""),
            **_client(request),
        )
        return Response(SignatureSerializer(faite).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: LienSerializer, 403: None, 404: None, 409: RefusSerializer})
    @action(detail=True, methods=["post"], url_path="lien-signature")
    def lien_signature(self, request, pk=None):
        livrable = self.get_object()
        lien = signature.envoyer_lien(acteur_api(request), livrable.prestation, livrable=livrable)
        return Response(LienSerializer(lien).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": ScanSerializer},
        responses={200: LivrableSerializer, 400: OpenApiTypes.OBJECT, 403: None, 404: None, 409: RefusSerializer},
    )
    @action(detail=True, methods=["post"])
    def scan(self, request, pk=None):
        entree = ScanSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        return self._reponse(
            signature.deposer_scan(acteur_api(request), self.get_object(), entree.validated_data["scan"])
        )

    @extend_schema(
        request=MotifSerializer,
        responses={201: LivrableSerializer, 400: OpenApiTypes.OBJECT, 403: None, 404: None, 409: RefusSerializer},
    )
    @action(detail=True, methods=["post"])
    def correction(self, request, pk=None):
        entree = MotifSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        nouvelle = services.corriger(acteur_api(request), self.get_object(), entree.validated_data["motif"])
        return self._reponse(nouvelle, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: LivrableSerializer, 403: None, 404: None, 409: RefusSerializer})
    @action(detail=True, methods=["post"])
    def transmission(self, request, pk=None):
        return self._reponse(services.transmettre(acteur_api(request), self.get_object()))

    @extend_schema(request=None, responses={200: LivrableSerializer, 403: None, 404: None, 409: RefusSerializer})
    @action(detail=True, methods=["post"], url_path="transmission-en-l-etat")
    def transmission_en_l_etat(self, request, pk=None):
        return self._reponse(services.transmettre_en_l_etat(acteur_api(request), self.get_object()))

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: None})
    @action(detail=True, methods=["get"])
    def telechargement(self, request, pk=None):
        livrable = self.get_object()
        if not livrable.fichier:
            raise Http404("Ce document n'a pas encore de fichier final.")
        return FileResponse(
            livrable.fichier.open("rb"),
            as_attachment=True,
            content_type="application/pdf",
            filename=f"{livrable.type}-v{livrable.version}.pdf",
        )


class EmargementSerializer(ModelSerializer):
    entretien_debut = serializers.DateTimeField(source="entretien.debut", read_only=True)

    class Meta:
        model = Emargement
        fields = [
            "id",
            "entretien",
            "entretien_debut",
            "rang",
            "methode",
            "signataire_nom",
            "signe_le",
            "precedente",
            "empreinte",
        ]
        read_only_fields = fields


class EmargementEntreeSerializer(Serializer):
    entretien = serializers.IntegerField()
    nom = serializers.CharField(max_length=200)
    consentement = serializers.BooleanField()
    dessin = serializers.CharField(required=False, allow_blank=True, max_length=signature.DESSIN_MAX)


class LienEmargementSerializer(Serializer):
    entretien = serializers.IntegerField()


class ChaineSerializer(Serializer):
    intacte = serializers.BooleanField()
    nombre = serializers.IntegerField()
    derniere = serializers.CharField()
    anomalies = serializers.ListField(child=serializers.CharField())
    emargements = EmargementSerializer(many=True)


def _entretien(prestation, pk):
    return get_object_or_404(Entretien.objects.filter(prestation=prestation), pk=pk)


class EmargementsDuDossier(APIView):
    """EMA-01: the attendance proofs of a case and the state of their chain (EMA-02)."""

    permission_classes = [ActeurRequis]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(responses={200: ChaineSerializer, 404: None})
    def get(self, request, pk):
        prestation = _prestation(request, pk)
        chaine = verifier_chaine(prestation)
        preuves = Emargement.objects.filter(prestation=prestation).select_related("entretien").order_by("rang")
        return Response(
            {
                "intacte": chaine.intacte,
                "nombre": chaine.nombre,
                "derniere": chaine.derniere,
                "anomalies": chaine.anomalies,
                "emargements": EmargementSerializer(preuves, many=True).data,
            }
        )

    @extend_schema(
        request=EmargementEntreeSerializer,
        responses={201: EmargementSerializer, 400: OpenApiTypes.OBJECT, 403: None, 404: None, 409: RefusSerializer},
    )
    def post(self, request, pk):
        prestation = _prestation(request, pk)
        entree = EmargementEntreeSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        d = entree.validated_data
        preuve = signature.emarger_sur_place(
            acteur_api(request),
            prestation,
            _entretien(prestation, d["entretien"]),
            nom=d["nom"],
            accepte=d["consentement"],
            dessin=d.get("dessin", ""),
            **_client(request),
        )
        return Response(EmargementSerializer(preuve).data, status=status.HTTP_201_CREATED)


class LienEmargement(APIView):
    permission_classes = [ActeurRequis]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        request=LienEmargementSerializer, responses={201: LienSerializer, 403: None, 404: None, 409: RefusSerializer}
    )
    def post(self, request, pk):
        prestation = _prestation(request, pk)
        entree = LienEmargementSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        lien = signature.envoyer_lien(
            acteur_api(request), prestation, entretien=_entretien(prestation, entree.validated_data["entretien"])
        )
        return Response(LienSerializer(lien).data, status=status.HTTP_201_CREATED)


class VerificationEntreeSerializer(Serializer):
    fichier = serializers.FileField()


class VerificationSerializer(Serializer):
    conforme = serializers.BooleanField()
    altere = serializers.BooleanField()
    message = serializers.CharField()
    empreinte = serializers.CharField()
    scelle = serializers.BooleanField()
    cachet_intact = serializers.BooleanField()
    reference = serializers.CharField(allow_null=True)
    signatures = SignatureSerializer(many=True)


class Verification(APIView):
    """Anyone holding a file checks it (no account needed): the file is not stored."""

    permission_classes = [AllowAny]
    authentication_classes = []
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": VerificationEntreeSerializer},
        responses={200: VerificationSerializer, 400: OpenApiTypes.OBJECT},
    )
    def post(self, request):
        entree = VerificationEntreeSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        fichier = entree.validated_data["fichier"]
        if fichier.size > services.TAILLE_MAX:
            return Response({"fichier": ["Le fichier dépasse 10 Mo."]}, status=status.HTTP_400_BAD_REQUEST)
        resultat = verifier_fichier(fichier.read())
        livrable = resultat.livrable
        return Response(
            {
                "conforme": resultat.conforme,
                "altere": resultat.altere,
                "message": resultat.message,
                "empreinte": resultat.empreinte,
                "scelle": resultat.verdict.scelle,
                "cachet_intact": resultat.verdict.intact,
                "reference": livrable.reference if livrable else (resultat.reference_lue or None),
                "signatures": SignatureSerializer(livrable.signatures.all() if livrable else [], many=True).data,
            }
        )
