"""API of the prestation workflow run by the référent (issue 4).

Every action translates its input into ONE call of ``prestations.workflow`` and only
translates its errors (DESIGN principle 1): ``ActionRefusee`` → 409 ``{"detail",
"regle"}`` and Django ``ValidationError`` → 400 field errors (``commun.api.exception_handler``),
``PermissionDenied`` → 403. A case outside the acteur's scope is a 404 (principle 5).

Routes (``{id}`` is the prestation id):

- ``GET /api/prestations/`` (filters ``etat``, ``dispositif``, ``referent``, ``echeance_avant``;
  ``ordering=prochaine_echeance|date_debut|date_fin``, ``-`` for descending; paginated) and
  ``GET /api/prestations/{id}/`` (with the computed facts of the case);
- ``POST /api/prestations/{id}/contractualisation/`` (MOV-05/06), ``GET|POST .../entretiens/``,
  ``POST .../phase/`` (BCA-02, CEP-01), ``POST .../fin-anticipee/`` (BAM-02),
  ``GET|POST .../suspensions/`` (MOV-09), ``POST .../suspensions/{suspension_id}/fin/``,
  ``GET|POST .../periodes-entreprise/`` (MOV-12), ``POST .../sortie/`` (SOR-01..03, MOV-13),
  ``POST .../interruption/`` (SOR-04, PMA-04), ``POST .../suivi/cloture/`` (MOV-13),
  ``POST .../renouvellement/`` (MOV-08, prescripteur only), ``GET|POST .../actions/`` and
  ``PATCH .../actions/{action_id}/`` (BAM-03 carnet de suivi, CEP-02 plan d'action);
- ``GET|POST /api/sessions/``, ``GET /api/sessions/{id}/`` and ``POST /api/sessions/{id}/participants/``
  (EMA-01, BAM-03): group sessions of the acteur's organisation.
"""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from commun.api import ModelSerializer, Serializer
from commun.bornes import longueur
from comptes.api import ActeurRequis, acteur_api
from prestations import dispositifs, faits, workflow
from prestations.api_echeances import HorlogeSerializer
from prestations.horloges import horloges
from prestations.models import (
    ActionParcours,
    Entretien,
    Etat,
    Evenement,
    Modalite,
    MotifSuspension,
    NatureAction,
    PeriodeEnEntreprise,
    Presence,
    Prestation,
    Renouvellement,
    SessionCollective,
    Sortie,
    StatutAction,
    Suspension,
    TypeEntretien,
)
from prestations.sorties import FormeEntreprise, NatureEntreprise, TypeContrat, TypeSortie

# --- Output serializers ---------------------------------------------------------------


class EntretienSerializer(ModelSerializer):
    type_libelle = serializers.CharField(source="get_type_display", read_only=True)
    modalite_libelle = serializers.CharField(source="get_modalite_display", read_only=True)
    presence_libelle = serializers.CharField(source="get_presence_display", read_only=True)

    class Meta:
        model = Entretien
        fields = [
            "id",
            "prestation",
            "debut",
            "duree_minutes",
            "type",
            "type_libelle",
            "modalite",
            "modalite_libelle",
            "phase",
            "presence",
            "presence_libelle",
            "compte_rendu",
            "session",
            "toujours_en_emploi",
            "auteur",
            "cree_le",
        ]
        read_only_fields = fields


class SuspensionSerializer(ModelSerializer):
    motif_libelle = serializers.CharField(source="get_motif_display", read_only=True)
    jours = serializers.IntegerField(read_only=True)

    class Meta:
        model = Suspension
        fields = ["id", "motif", "motif_libelle", "debut", "fin", "jours", "commentaire", "auteur", "cree_le"]
        read_only_fields = fields


class PeriodeEntrepriseSerializer(ModelSerializer):
    class Meta:
        model = PeriodeEnEntreprise
        fields = [
            "id",
            "entreprise",
            "siret",
            "debut",
            "fin",
            "tuteur",
            "tuteur_fonction",
            "tuteur_contact",
            "objectif",
            "auteur",
            "cree_le",
        ]
        read_only_fields = fields


class SortieSerializer(ModelSerializer):
    type_libelle = serializers.CharField(source="get_type_display", read_only=True)
    etat_prestation = serializers.CharField(source="prestation.etat", read_only=True)

    class Meta:
        model = Sortie
        fields = [
            "id",
            "prestation",
            "etat_prestation",
            "type",
            "type_libelle",
            "date_sortie",
            "positive",
            "categorie",
            "regle",
            "explication",
            "type_contrat",
            "duree_contrat_mois",
            "temps_plein",
            "heures_mensuelles",
            "formation_heures_total",
            "formation_heures_hebdo",
            "formation_continue",
            "convention_afpr",
            "forme_entreprise",
            "nature_entreprise",
            "employeur",
            "motif",
            "consultation_referent",
            "consultation_financeur",
            "auteur",
            "cree_le",
        ]
        read_only_fields = fields


class RenouvellementSerializer(ModelSerializer):
    class Meta:
        model = Renouvellement
        fields = ["id", "ancienne_date_fin", "nouvelle_date_fin", "motif", "decide_par", "cree_le"]
        read_only_fields = fields


class ActionParcoursSerializer(ModelSerializer):
    nature_libelle = serializers.CharField(source="get_nature_display", read_only=True)
    statut_libelle = serializers.CharField(source="get_statut_display", read_only=True)

    class Meta:
        model = ActionParcours
        fields = [
            "id",
            "prestation",
            "nature",
            "nature_libelle",
            "libelle",
            "date_debut",
            "date_fin",
            "intervenant",
            "cout",
            "aides_mobilisables",
            "statut",
            "statut_libelle",
            "commentaire",
            "auteur",
            "cree_le",
        ]
        read_only_fields = fields


class EvenementSerializer(ModelSerializer):
    type_libelle = serializers.CharField(source="get_type_display", read_only=True)
    auteur = serializers.StringRelatedField(allow_null=True, help_text="Vide pour un fait de la plateforme.")

    class Meta:
        model = Evenement
        fields = ["id", "type", "type_libelle", "survenu_le", "message", "auteur"]
        read_only_fields = fields


class ProgressionPhaseSerializer(Serializer):
    cle = serializers.CharField()
    libelle = serializers.CharField()
    entretiens = serializers.IntegerField(help_text="Entretiens individuels tenus dans la phase.")
    minimum = serializers.IntegerField(help_text="Entretiens individuels exigés par le dispositif.")
    courante = serializers.BooleanField()
    atteinte = serializers.BooleanField()
    complete = serializers.BooleanField()


class FenetreSuiviSerializer(Serializer):
    """MOV-13: one follow-up window and the entretien held in it."""

    debut = serializers.DateField()
    fin = serializers.DateField()
    entretien = serializers.SerializerMethodField()
    en_retard = serializers.BooleanField()
    a_venir = serializers.BooleanField()

    def get_entretien(self, fenetre) -> int | None:
        return fenetre["entretien"].pk if fenetre["entretien"] else None


class EcheanceSerializer(Serializer):
    date = serializers.DateField()
    libelle = serializers.CharField()
    regle = serializers.CharField()


class FaitsDossierSerializer(Serializer):
    """The computed facts of the case (``prestations.faits.faits_dossier``) on ``le``."""

    le = serializers.DateField()
    jours_restants = serializers.IntegerField(allow_null=True)
    jours_depuis_dernier_entretien = serializers.IntegerField(allow_null=True)
    ecart_net = serializers.IntegerField(allow_null=True, help_text="MOV-10 : jours nets depuis le dernier entretien.")
    ecart_max = serializers.IntegerField(allow_null=True)
    date_limite_ecart = serializers.DateField(allow_null=True)
    semaines_sans_entretien = serializers.ListField(
        child=serializers.DateField(), help_text="MOV-11 : lundis des semaines sans entretien hebdomadaire."
    )
    phases = ProgressionPhaseSerializer(many=True)
    suspension_en_cours = SuspensionSerializer(allow_null=True)
    jours_maladie = serializers.IntegerField()
    jours_conges = serializers.IntegerField()
    suivi_emploi = FenetreSuiviSerializer(many=True)
    echeances = EcheanceSerializer(many=True)


class PersonneSerializer(Serializer):
    id = serializers.IntegerField()
    nom = serializers.CharField()
    email = serializers.EmailField()


class BeneficiaireResumeSerializer(Serializer):
    id = serializers.IntegerField()
    prenom = serializers.CharField()
    nom = serializers.CharField()


class PrestationListeSerializer(ModelSerializer):
    numero = serializers.CharField(source="lettre_de_commande.numero")
    beneficiaire = BeneficiaireResumeSerializer(source="lettre_de_commande.beneficiaire")
    dispositif = serializers.CharField(source="lettre_de_commande.dispositif")
    prestataire = serializers.CharField(source="lettre_de_commande.marche.prestataire.nom")
    referent = serializers.SerializerMethodField()
    etat_libelle = serializers.CharField(source="get_etat_display")
    phase_libelle = serializers.SerializerMethodField()
    jours_restants = serializers.SerializerMethodField()

    class Meta:
        model = Prestation
        fields = [
            "id",
            "numero",
            "lettre_de_commande",
            "beneficiaire",
            "dispositif",
            "prestataire",
            "referent",
            "etat",
            "etat_libelle",
            "phase",
            "phase_libelle",
            "date_debut",
            "date_fin",
            "jours_restants",
            "prochaine_echeance",
            "prochaine_echeance_libelle",
        ]
        read_only_fields = fields

    @extend_schema_field(PersonneSerializer(allow_null=True))
    def get_referent(self, obj):
        referent = obj.referent
        return {"id": referent.pk, "nom": str(referent), "email": referent.email} if referent else None

    def get_phase_libelle(self, obj) -> str:
        phase = obj.phase_regle
        return phase.libelle if phase else ""

    def get_jours_restants(self, obj) -> int | None:
        return faits.jours_restants(obj, timezone.localdate())


class PrestationDetailSerializer(PrestationListeSerializer):
    """The case at a glance: its facts, entretiens, suspensions, périodes, sortie, actions, journal."""

    faits = serializers.SerializerMethodField()
    entretiens = EntretienSerializer(many=True, read_only=True)
    suspensions = SuspensionSerializer(many=True, read_only=True)
    periodes_entreprise = PeriodeEntrepriseSerializer(many=True, read_only=True)
    sortie = SortieSerializer(read_only=True, allow_null=True)
    actions = ActionParcoursSerializer(many=True, read_only=True)
    renouvellements = RenouvellementSerializer(many=True, read_only=True)
    journal = EvenementSerializer(source="lettre_de_commande.evenements", many=True, read_only=True)

    class Meta(PrestationListeSerializer.Meta):
        fields = [
            *PrestationListeSerializer.Meta.fields,
            "contractualisee_le",
            "contrat_signe",
            "date_reprise",
            "terminee_le",
            "motif_fin",
            "nombre_renouvellements",
            "faits",
            "entretiens",
            "suspensions",
            "periodes_entreprise",
            "sortie",
            "actions",
            "renouvellements",
            "journal",
        ]
        read_only_fields = fields

    @extend_schema_field(FaitsDossierSerializer)
    def get_faits(self, obj):
        return FaitsDossierSerializer(faits.faits_dossier(obj, timezone.localdate())).data


class RefusSerializer(Serializer):
    """409: the rules refuse the action now; nothing was changed."""

    detail = serializers.CharField()
    regle = serializers.CharField(help_text="Identifiant de la règle (MOV-09, BCA-02…), vide si aucune.")


# --- Input serializers: types only; the rules are the workflow's --------------------


class ContractualisationEntreeSerializer(Serializer):
    debut = serializers.DateTimeField(help_text="Date et heure de l'entretien de contractualisation.")
    duree_minutes = serializers.IntegerField(min_value=5, max_value=480)
    modalite = serializers.ChoiceField(choices=Modalite.choices)
    signe = serializers.BooleanField(help_text="Le bénéficiaire a-t-il signé le contrat d'accompagnement ?")
    compte_rendu = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=longueur(Entretien, "compte_rendu")
    )
    phase = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Dispositifs aux phases non ordonnées (CEP-01) : la phase d'entrée (ex. niveau_2).",
    )


class EntretienEntreeSerializer(Serializer):
    debut = serializers.DateTimeField(help_text="Date et heure (passées : un entretien se saisit après coup).")
    duree_minutes = serializers.IntegerField(min_value=5, max_value=480)
    type = serializers.ChoiceField(choices=TypeEntretien.choices, default=TypeEntretien.INDIVIDUEL)
    modalite = serializers.ChoiceField(choices=Modalite.choices)
    presence = serializers.ChoiceField(choices=Presence.choices, default=Presence.PRESENT)
    phase = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=40, help_text="Par défaut la phase en cours."
    )
    compte_rendu = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=longueur(Entretien, "compte_rendu")
    )
    toujours_en_emploi = serializers.BooleanField(
        allow_null=True, default=None, help_text="Suivi dans l'emploi seulement (MOV-13)."
    )


class PhaseEntreeSerializer(Serializer):
    cible = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=40,
        help_text="Phase visée ; facultative quand les phases se suivent dans l'ordre.",
    )


class FinAnticipeeEntreeSerializer(Serializer):
    motif = serializers.CharField(max_length=60, help_text="Un des motifs de fin anticipée de la phase (BAM-02).")


class SuspensionEntreeSerializer(Serializer):
    motif = serializers.ChoiceField(choices=MotifSuspension.choices)
    debut = serializers.DateField()
    fin = serializers.DateField()
    commentaire = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class FinSuspensionEntreeSerializer(Serializer):
    fin = serializers.DateField(help_text="Nouvelle fin, avancée (la prestation reprend le lendemain).")


class PeriodeEntrepriseEntreeSerializer(Serializer):
    entreprise = serializers.CharField(max_length=200)
    siret = serializers.CharField(max_length=20, help_text="14 chiffres ; les espaces sont ignorés.")
    debut = serializers.DateField()
    fin = serializers.DateField()
    tuteur = serializers.CharField(max_length=200)
    tuteur_fonction = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    tuteur_contact = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    objectif = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=longueur(PeriodeEnEntreprise, "objectif")
    )

    def validate_siret(self, valeur):
        return "".join(valeur.split())


class SortieEntreeSerializer(Serializer):
    """The facts of the outcome (SOR-01..03); fields of another kind of outcome are refused."""

    type = serializers.ChoiceField(
        choices=[(t.value, t.label) for t in TypeSortie if t.value not in workflow.TYPES_INTERRUPTION]
    )
    date_sortie = serializers.DateField()
    type_contrat = serializers.ChoiceField(choices=TypeContrat.choices, required=False, allow_null=True)
    duree_contrat_mois = serializers.DecimalField(max_digits=5, decimal_places=1, required=False, allow_null=True)
    temps_plein = serializers.BooleanField(required=False, allow_null=True)
    heures_mensuelles = serializers.DecimalField(max_digits=6, decimal_places=2, required=False, allow_null=True)
    formation_heures_total = serializers.DecimalField(max_digits=7, decimal_places=1, required=False, allow_null=True)
    formation_heures_hebdo = serializers.DecimalField(max_digits=5, decimal_places=1, required=False, allow_null=True)
    formation_continue = serializers.BooleanField(required=False, allow_null=True)
    convention_afpr = serializers.BooleanField(required=False)
    forme_entreprise = serializers.ChoiceField(choices=FormeEntreprise.choices, required=False, allow_null=True)
    nature_entreprise = serializers.ChoiceField(choices=NatureEntreprise.choices, required=False, allow_null=True)
    employeur = serializers.CharField(required=False, allow_blank=True, max_length=200)
    motif = serializers.CharField(required=False, allow_blank=True, max_length=longueur(Sortie, "motif"))


class InterruptionEntreeSerializer(Serializer):
    type = serializers.ChoiceField(
        choices=[(t.value, t.label) for t in TypeSortie if t.value in workflow.TYPES_INTERRUPTION]
    )
    motif = serializers.CharField(max_length=longueur(Sortie, "motif"))
    date_sortie = serializers.DateField(required=False, allow_null=True, default=None)
    consultation_referent = serializers.BooleanField(default=False, help_text="PMA-04 : référent consulté.")
    consultation_financeur = serializers.BooleanField(default=False, help_text="PMA-04 : financeur consulté.")


class RenouvellementEntreeSerializer(Serializer):
    motif = serializers.CharField(max_length=longueur(Renouvellement, "motif"))


class ActionParcoursEntreeSerializer(Serializer):
    nature = serializers.ChoiceField(choices=NatureAction.choices)
    libelle = serializers.CharField(max_length=200)
    date_debut = serializers.DateField(required=False, allow_null=True)
    date_fin = serializers.DateField(required=False, allow_null=True)
    intervenant = serializers.CharField(required=False, allow_blank=True, max_length=200)
    cout = serializers.DecimalField(max_digits=9, decimal_places=2, min_value=0, required=False, allow_null=True)
    aides_mobilisables = serializers.CharField(required=False, allow_blank=True, max_length=300)
    statut = serializers.ChoiceField(choices=StatutAction.choices, required=False)
    commentaire = serializers.CharField(
        required=False, allow_blank=True, max_length=longueur(ActionParcours, "commentaire")
    )


class SessionEntreeSerializer(Serializer):
    titre = serializers.CharField(max_length=200)
    debut = serializers.DateTimeField()
    duree_minutes = serializers.IntegerField(min_value=15, max_value=480)
    modalite = serializers.ChoiceField(choices=Modalite.choices, default=Modalite.PRESENTIEL)
    taille_max = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None, help_text="BAM-03 : 6 au plus en micro-collectif."
    )


class ParticipantEntreeSerializer(Serializer):
    prestation = serializers.PrimaryKeyRelatedField(queryset=Prestation.objects.none())
    presence = serializers.ChoiceField(choices=Presence.choices)

    def __init__(self, *args, acteur=None, **kwargs):
        super().__init__(*args, **kwargs)
        if acteur is not None:
            self.fields["prestation"].queryset = Prestation.objects.visible_par(acteur).pour_liste()


# --- Prestations ----------------------------------------------------------------------


class PrestationFilter(django_filters.FilterSet):
    etat = django_filters.ChoiceFilter(choices=Etat.choices)
    dispositif = django_filters.ChoiceFilter(field_name="lettre_de_commande__dispositif", choices=dispositifs.choix)
    referent = django_filters.NumberFilter(field_name="referent", help_text="Identifiant de l'utilisateur référent.")
    echeance_avant = django_filters.DateFilter(
        field_name="prochaine_echeance", lookup_expr="lte", help_text="Prochaine échéance au plus tard ce jour."
    )

    class Meta:
        model = Prestation
        fields = ["etat", "dispositif", "referent", "echeance_avant"]


def _pour_detail(queryset):
    """Everything the detail serializer reads, in a constant number of queries."""
    return (
        faits.charger(queryset)
        .select_related("sortie")
        .prefetch_related("actions", "renouvellements", "lettre_de_commande__evenements__auteur")
    )


PARAMETRE_SUSPENSION = OpenApiParameter("suspension_id", OpenApiTypes.INT, OpenApiParameter.PATH)
PARAMETRE_ACTION = OpenApiParameter("action_id", OpenApiTypes.INT, OpenApiParameter.PATH)
REFUS = {400: OpenApiTypes.OBJECT, 403: None, 404: None, 409: RefusSerializer}
SANS_LISTE = {"filter_backends": [], "pagination_class": None}


class LivrableSerializer(ModelSerializer):
    type_libelle = serializers.CharField(source="get_type_display", read_only=True)
    depose_par = serializers.CharField(source="depose_par.email", read_only=True)

    class Meta:
        from livrables.models import Livrable

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


class LivrableEntreeSerializer(Serializer):
    type = serializers.ChoiceField(choices=sorted(dispositifs.LIVRABLES))
    fichier = serializers.FileField()


class PrestationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The cases in the acteur's scope, and the référent's actions on one case (issue 4).

    Only the case's référent or a responsable of its prestataire acts; the prescripteur
    reads and renews (MOV-08). Each action calls one function of ``prestations.workflow``."""

    permission_classes = [ActeurRequis]
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = PrestationFilter
    ordering_fields = ["prochaine_echeance", "date_debut", "date_fin"]
    ordering = ["prochaine_echeance", "pk"]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Prestation.objects.none()
        queryset = Prestation.objects.visible_par(acteur_api(self.request)).pour_liste()
        return _pour_detail(queryset) if self.action == "retrieve" else queryset

    def get_serializer_class(self):
        return PrestationListeSerializer if self.action == "list" else PrestationDetailSerializer

    # -- helpers --

    def _prestation(self, pk) -> Prestation:
        """The case, or a 404 when it is outside the acteur's scope."""
        return get_object_or_404(Prestation.objects.visible_par(acteur_api(self.request)).pour_liste(), pk=pk)

    def _entree(self, serializer_class, **kwargs):
        entree = serializer_class(data=self.request.data, **kwargs)
        entree.is_valid(raise_exception=True)
        return entree.validated_data

    def _detail(self, pk, code=status.HTTP_200_OK):
        queryset = _pour_detail(Prestation.objects.visible_par(acteur_api(self.request)).pour_liste())
        prestation = queryset.get(pk=pk)
        return Response(PrestationDetailSerializer(prestation, context=self.get_serializer_context()).data, code)

    # -- the case's clocks (issue 5) --

    @extend_schema(responses={200: HorlogeSerializer(many=True), 404: None})
    @action(detail=True, methods=["get"], **SANS_LISTE)
    def echeances(self, request, pk=None):
        """Every échéance of the case, open ones first: what started it, its due time,
        the warnings sent, when it was honoured or breached, and the suspensions and
        périodes en entreprise that paused it (MOV-10)."""
        prestation = self._prestation(pk)
        prestation = (
            Prestation.objects.filter(pk=prestation.pk)
            .prefetch_related("echeances", "suspensions", "periodes_entreprise")
            .get()
        )
        return Response(HorlogeSerializer(horloges(prestation), many=True).data)

    # -- actions --

    @extend_schema(request=ContractualisationEntreeSerializer, responses={200: PrestationDetailSerializer, **REFUS})
    @action(detail=True, methods=["post"], **SANS_LISTE)
    def contractualisation(self, request, pk=None):
        """MOV-05/MOV-06: the contractualisation entretien, contract signed (→ en cours) or not (→ refusée)."""
        prestation = self._prestation(pk)
        workflow.contractualiser(acteur_api(request), prestation, **self._entree(ContractualisationEntreeSerializer))
        return self._detail(pk)

    @extend_schema(methods=["GET"], responses=EntretienSerializer(many=True))
    @extend_schema(methods=["POST"], request=EntretienEntreeSerializer, responses={201: EntretienSerializer, **REFUS})
    @action(detail=True, methods=["get", "post"], **SANS_LISTE)
    def entretiens(self, request, pk=None):
        """The case's entretiens; POST logs one that took place (never in the future; EMA-01 attendance)."""
        prestation = self._prestation(pk)
        if request.method == "GET":
            return Response(EntretienSerializer(prestation.entretiens.all(), many=True).data)
        entretien = workflow.enregistrer_entretien(
            acteur_api(request), prestation, **self._entree(EntretienEntreeSerializer)
        )
        return Response(EntretienSerializer(entretien).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PhaseEntreeSerializer, responses={200: PrestationDetailSerializer, **REFUS})
    @action(detail=True, methods=["post"], **SANS_LISTE)
    def phase(self, request, pk=None):
        """Next phase when the rule set allows it (BCA-02 order and minimum entretiens; CEP-01 ``cible``)."""
        prestation = self._prestation(pk)
        cible = self._entree(PhaseEntreeSerializer)["cible"] or None
        workflow.passer_phase(acteur_api(request), prestation, cible)
        return self._detail(pk)

    @extend_schema(request=FinAnticipeeEntreeSerializer, responses={200: PrestationDetailSerializer, **REFUS})
    @action(detail=True, methods=["post"], url_path="fin-anticipee", **SANS_LISTE)
    def fin_anticipee(self, request, pk=None):
        """BAM-02: end right after the bilan initial (no mobility barrier, driving licence only)."""
        prestation = self._prestation(pk)
        workflow.terminer_apres_phase(
            acteur_api(request), prestation, self._entree(FinAnticipeeEntreeSerializer)["motif"]
        )
        return self._detail(pk)

    @extend_schema(methods=["GET"], responses=SuspensionSerializer(many=True))
    @extend_schema(methods=["POST"], request=SuspensionEntreeSerializer, responses={201: SuspensionSerializer, **REFUS})
    @action(detail=True, methods=["get", "post"], **SANS_LISTE)
    def suspensions(self, request, pk=None):
        """MOV-09: illness up to 14 consecutive days, leave up to 35 days in all; the end date never moves."""
        prestation = self._prestation(pk)
        if request.method == "GET":
            return Response(SuspensionSerializer(prestation.suspensions.all(), many=True).data)
        suspension = workflow.declarer_suspension(
            acteur_api(request), prestation, **self._entree(SuspensionEntreeSerializer)
        )
        return Response(SuspensionSerializer(suspension).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=FinSuspensionEntreeSerializer,
        responses={200: SuspensionSerializer, **REFUS},
        parameters=[PARAMETRE_SUSPENSION],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"suspensions/(?P<suspension_id>\d+)/fin",
        url_name="suspension-fin",
        **SANS_LISTE,
    )
    def fin_suspension(self, request, pk=None, suspension_id=None):
        """End a suspension earlier than declared; the prestation resumes for the remaining time."""
        prestation = self._prestation(pk)
        suspension = get_object_or_404(prestation.suspensions.all(), pk=suspension_id)
        suspension.prestation = prestation
        suspension = workflow.mettre_fin_suspension(
            acteur_api(request), suspension, self._entree(FinSuspensionEntreeSerializer)["fin"]
        )
        return Response(SuspensionSerializer(suspension).data)

    @extend_schema(methods=["GET"], responses=PeriodeEntrepriseSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=PeriodeEntrepriseEntreeSerializer,
        responses={201: PeriodeEntrepriseSerializer, **REFUS},
    )
    @action(detail=True, methods=["get", "post"], url_path="periodes-entreprise", **SANS_LISTE)
    def periodes_entreprise(self, request, pk=None):
        """MOV-12: a période en entreprise of 1 to 6 weeks, before the end of phase 2."""
        prestation = self._prestation(pk)
        if request.method == "GET":
            return Response(PeriodeEntrepriseSerializer(prestation.periodes_entreprise.all(), many=True).data)
        periode = workflow.enregistrer_periode_entreprise(
            acteur_api(request), prestation, **self._entree(PeriodeEntrepriseEntreeSerializer)
        )
        return Response(PeriodeEntrepriseSerializer(periode).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=LivrableSerializer(many=True))
    @extend_schema(methods=["POST"], request=LivrableEntreeSerializer, responses={201: LivrableSerializer, **REFUS})
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser, FormParser],
        **SANS_LISTE,
    )
    def livrables(self, request, pk=None):
        """LIV-01..05: the deliverables transmitted; POST (multipart: ``type``, ``fichier`` PDF) transmits one
        to the prescripteur, as a new version when one of that type exists."""
        from livrables.services import transmettre_livrable

        prestation = self._prestation(pk)
        if request.method == "GET":
            return Response(LivrableSerializer(prestation.livrables.all(), many=True).data)
        livrable = transmettre_livrable(acteur_api(request), prestation, **self._entree(LivrableEntreeSerializer))
        return Response(LivrableSerializer(livrable).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SortieEntreeSerializer, responses={201: SortieSerializer, **REFUS})
    @action(detail=True, methods=["post"], **SANS_LISTE)
    def sortie(self, request, pk=None):
        """SOR-01..03: the outcome, classified positive or not; a positive job or training outcome opens
        the suivi dans l'emploi (MOV-13). Interruptions go through ``interruption``."""
        prestation = self._prestation(pk)
        donnees = dict(self._entree(SortieEntreeSerializer))
        sortie = workflow.enregistrer_sortie(
            acteur_api(request), prestation, type=donnees.pop("type"), date_sortie=donnees.pop("date_sortie"), **donnees
        )
        return Response(SortieSerializer(sortie).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=InterruptionEntreeSerializer, responses={201: SortieSerializer, **REFUS})
    @action(detail=True, methods=["post"], **SANS_LISTE)
    def interruption(self, request, pk=None):
        """SOR-04: abandon, exclusion (PMA-04, after consultation), re-orientation or other interruption."""
        prestation = self._prestation(pk)
        sortie = workflow.interrompre(acteur_api(request), prestation, **self._entree(InterruptionEntreeSerializer))
        return Response(SortieSerializer(sortie).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: PrestationDetailSerializer, **REFUS})
    @action(detail=True, methods=["post"], url_path="suivi/cloture", url_name="suivi-cloture", **SANS_LISTE)
    def cloture_suivi(self, request, pk=None):
        """MOV-13: close the suivi dans l'emploi after 3 months, or once the person left the job."""
        workflow.clore_suivi(acteur_api(request), self._prestation(pk))
        return self._detail(pk)

    @extend_schema(request=RenouvellementEntreeSerializer, responses={200: PrestationDetailSerializer, **REFUS})
    @action(detail=True, methods=["post"], **SANS_LISTE)
    def renouvellement(self, request, pk=None):
        """MOV-08: the prescripteur (never the référent) renews once, for 6 months, at term."""
        prestation = self._prestation(pk)
        workflow.renouveler(
            acteur_api(request), prestation, motif=self._entree(RenouvellementEntreeSerializer)["motif"]
        )
        return self._detail(pk)

    @extend_schema(methods=["GET"], responses=ActionParcoursSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=ActionParcoursEntreeSerializer,
        responses={201: ActionParcoursSerializer, **REFUS},
    )
    @action(detail=True, methods=["get", "post"], **SANS_LISTE)
    def actions(self, request, pk=None):
        """BAM-03 carnet de suivi / CEP-02 plan d'action: the actions of the parcours."""
        prestation = self._prestation(pk)
        if request.method == "GET":
            return Response(ActionParcoursSerializer(prestation.actions.all(), many=True).data)
        action_parcours = workflow.ajouter_action(
            acteur_api(request), prestation, **self._entree(ActionParcoursEntreeSerializer)
        )
        return Response(ActionParcoursSerializer(action_parcours).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ActionParcoursEntreeSerializer(partial=True),
        responses={200: ActionParcoursSerializer, **REFUS},
        parameters=[PARAMETRE_ACTION],
    )
    @action(
        detail=True,
        methods=["patch"],
        url_path=r"actions/(?P<action_id>\d+)",
        url_name="action-parcours",
        **SANS_LISTE,
    )
    def action_parcours(self, request, pk=None, action_id=None):
        """Update an action of the parcours (dates, status, cost...): only the fields sent change."""
        prestation = self._prestation(pk)
        action_parcours = get_object_or_404(prestation.actions.all(), pk=action_id)
        action_parcours.prestation = prestation
        champs = self._entree(ActionParcoursEntreeSerializer, partial=True)
        if not champs:
            raise serializers.ValidationError({"non_field_errors": ["Indiquez au moins un champ à modifier."]})
        action_parcours = workflow.modifier_action(acteur_api(request), action_parcours, **champs)
        return Response(ActionParcoursSerializer(action_parcours).data)


# --- Group sessions -------------------------------------------------------------------


class ParticipationSerializer(ModelSerializer):
    entretien = serializers.IntegerField(source="pk")
    beneficiaire = serializers.SerializerMethodField()
    presence_libelle = serializers.CharField(source="get_presence_display")

    class Meta:
        model = Entretien
        fields = ["entretien", "prestation", "beneficiaire", "presence", "presence_libelle"]
        read_only_fields = fields

    def get_beneficiaire(self, obj) -> str:
        beneficiaire = obj.prestation.lettre_de_commande.beneficiaire
        return f"{beneficiaire.prenom} {beneficiaire.nom}"


class SessionCollectiveSerializer(ModelSerializer):
    modalite_libelle = serializers.CharField(source="get_modalite_display", read_only=True)
    participants = ParticipationSerializer(source="participations", many=True, read_only=True)

    class Meta:
        model = SessionCollective
        fields = [
            "id",
            "titre",
            "debut",
            "duree_minutes",
            "modalite",
            "modalite_libelle",
            "taille_max",
            "animateur",
            "participants",
            "cree_le",
        ]
        read_only_fields = fields


class SessionCollectiveViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Ateliers collectifs of the acteur's organisation (EMA-01 attendance per participant;
    BAM-03: a micro-collectif takes 6 participants at most)."""

    permission_classes = [ActeurRequis]
    serializer_class = SessionCollectiveSerializer
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SessionCollective.objects.none()
        participations = Entretien.objects.select_related("prestation__lettre_de_commande__beneficiaire").order_by("pk")
        return SessionCollective.objects.filter(organisation=acteur_api(self.request).organisation).prefetch_related(
            Prefetch("participations", queryset=participations)
        )

    @extend_schema(request=SessionEntreeSerializer, responses={201: SessionCollectiveSerializer, 403: None})
    def create(self, request, *args, **kwargs):
        entree = SessionEntreeSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        session = workflow.creer_session(acteur_api(request), **entree.validated_data)
        session = self.get_queryset().get(pk=session.pk)
        return Response(self.get_serializer(session).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ParticipantEntreeSerializer, responses={201: EntretienSerializer, **REFUS})
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def participants(self, request, pk=None):
        """Add a bénéficiaire of the organisation with their attendance: a collective entretien on their case."""
        session = self.get_object()
        acteur = acteur_api(request)
        entree = ParticipantEntreeSerializer(data=request.data, acteur=acteur)
        entree.is_valid(raise_exception=True)
        entretien = workflow.ajouter_participant(
            acteur, session, entree.validated_data["prestation"], presence=entree.validated_data["presence"]
        )
        return Response(EntretienSerializer(entretien).data, status=status.HTTP_201_CREATED)
