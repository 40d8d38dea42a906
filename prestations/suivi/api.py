"""API of the prestation workflow run by the référent (issue 4).

Every action translates its input into ONE call of ``prestations.suivi`` and only
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
  ``GET .../actions-possibles/``: what the acteur may do on the case now, each refused
  action with its reason and rule (``suivi.actions.actions_possibles``); ``GET
  .../echeances/``: the case's clocks; ``.../livrables/``: see ``livrables.api``;
- ``GET|POST /api/sessions/``, ``GET /api/sessions/{id}/`` and ``POST /api/sessions/{id}/participants/``
  (EMA-01, BAM-03): group sessions of the acteur's organisation.
"""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from commun.api import Serializer
from comptes.api import ActeurRequis, acteur_api
from prestations import dispositifs, faits
from prestations.echeances.api import HorlogeSerializer
from prestations.echeances.horloges import horloges
from prestations.models import Entretien, Etat, Prestation, SessionCollective
from prestations.suivi import contractualisation, entretiens, fins, parcours, renouvellement, suspensions
from prestations.suivi.actions import actions_possibles
from prestations.suivi.serializers import (
    ActionParcoursEntreeSerializer,
    ActionParcoursSerializer,
    ContractualisationEntreeSerializer,
    EntretienEntreeSerializer,
    EntretienSerializer,
    FinAnticipeeEntreeSerializer,
    FinSuspensionEntreeSerializer,
    InterruptionEntreeSerializer,
    ParticipantEntreeSerializer,
    PeriodeEntrepriseEntreeSerializer,
    PeriodeEntrepriseSerializer,
    PhaseEntreeSerializer,
    PrestationDetailSerializer,
    PrestationListeSerializer,
    RefusSerializer,
    RenouvellementEntreeSerializer,
    SessionCollectiveSerializer,
    SessionEntreeSerializer,
    SortieEntreeSerializer,
    SortieSerializer,
    SuspensionEntreeSerializer,
    SuspensionSerializer,
)

# --- Prestations ----------------------------------------------------------------------


class ActionPossibleSerializer(Serializer):
    cle = serializers.CharField(help_text="L'action : contractualisation, entretien, phase, suspension…")
    libelle = serializers.CharField()
    permise = serializers.BooleanField()
    raison = serializers.CharField(help_text="Pourquoi l'action n'est pas possible maintenant (vide si elle l'est).")
    regle = serializers.CharField(help_text="La règle qui la refuse (MOV-08, BCA-02…), vide sinon.")


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
        .prefetch_related("actions", "renouvellements", "echeances", "lettre_de_commande__evenements__auteur")
    )


PARAMETRE_SUSPENSION = OpenApiParameter("suspension_id", OpenApiTypes.INT, OpenApiParameter.PATH)
PARAMETRE_ACTION = OpenApiParameter("action_id", OpenApiTypes.INT, OpenApiParameter.PATH)
REFUS = {400: OpenApiTypes.OBJECT, 403: None, 404: None, 409: RefusSerializer}
SANS_LISTE = {"filter_backends": [], "pagination_class": None}


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

    @extend_schema(responses={200: ActionPossibleSerializer(many=True), 404: None})
    @action(detail=True, methods=["get"], url_path="actions-possibles", url_name="actions-possibles", **SANS_LISTE)
    def actions_possibles(self, request, pk=None):
        """What the acteur may do on the case now: each action, allowed or not, and when
        refused, the reason and the rule (the guards the actions themselves call)."""
        prestation = self._prestation(pk)
        prestation = (
            faits.charger(Prestation.objects.filter(pk=prestation.pk)).select_related("lettre_de_commande").get()
        )
        return Response(ActionPossibleSerializer(actions_possibles(acteur_api(request), prestation), many=True).data)

    # -- actions --

    @extend_schema(request=ContractualisationEntreeSerializer, responses={200: PrestationDetailSerializer, **REFUS})
    @action(detail=True, methods=["post"], **SANS_LISTE)
    def contractualisation(self, request, pk=None):
        """MOV-05/MOV-06: the contractualisation entretien, contract signed (→ en cours) or not (→ refusée)."""
        prestation = self._prestation(pk)
        contractualisation.contractualiser(
            acteur_api(request), prestation, **self._entree(ContractualisationEntreeSerializer)
        )
        return self._detail(pk)

    @extend_schema(methods=["GET"], responses=EntretienSerializer(many=True))
    @extend_schema(methods=["POST"], request=EntretienEntreeSerializer, responses={201: EntretienSerializer, **REFUS})
    @action(detail=True, methods=["get", "post"], **SANS_LISTE)
    def entretiens(self, request, pk=None):
        """The case's entretiens; POST logs one that took place (never in the future; EMA-01 attendance)."""
        prestation = self._prestation(pk)
        if request.method == "GET":
            return Response(EntretienSerializer(prestation.entretiens.all(), many=True).data)
        entretien = entretiens.enregistrer_entretien(
            acteur_api(request), prestation, **self._entree(EntretienEntreeSerializer)
        )
        return Response(EntretienSerializer(entretien).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PhaseEntreeSerializer, responses={200: PrestationDetailSerializer, **REFUS})
    @action(detail=True, methods=["post"], **SANS_LISTE)
    def phase(self, request, pk=None):
        """Next phase when the rule set allows it (BCA-02 order and minimum entretiens; CEP-01 ``cible``)."""
        prestation = self._prestation(pk)
        cible = self._entree(PhaseEntreeSerializer)["cible"] or None
        entretiens.passer_phase(acteur_api(request), prestation, cible)
        return self._detail(pk)

    @extend_schema(request=FinAnticipeeEntreeSerializer, responses={200: PrestationDetailSerializer, **REFUS})
    @action(detail=True, methods=["post"], url_path="fin-anticipee", **SANS_LISTE)
    def fin_anticipee(self, request, pk=None):
        """BAM-02: end right after the bilan initial (no mobility barrier, driving licence only)."""
        prestation = self._prestation(pk)
        fins.terminer_apres_phase(acteur_api(request), prestation, self._entree(FinAnticipeeEntreeSerializer)["motif"])
        return self._detail(pk)

    @extend_schema(methods=["GET"], responses=SuspensionSerializer(many=True))
    @extend_schema(methods=["POST"], request=SuspensionEntreeSerializer, responses={201: SuspensionSerializer, **REFUS})
    @action(detail=True, methods=["get", "post"], **SANS_LISTE)
    def suspensions(self, request, pk=None):
        """MOV-09: illness up to 14 consecutive days, leave up to 35 days in all; the end date never moves."""
        prestation = self._prestation(pk)
        if request.method == "GET":
            return Response(SuspensionSerializer(prestation.suspensions.all(), many=True).data)
        suspension = suspensions.declarer_suspension(
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
        url_path=r"suspensions/(?P<suspension_id>[0-9]+)/fin",
        url_name="suspension-fin",
        **SANS_LISTE,
    )
    def fin_suspension(self, request, pk=None, suspension_id=None):
        """End a suspension earlier than declared; the prestation resumes for the remaining time."""
        prestation = self._prestation(pk)
        suspension = get_object_or_404(prestation.suspensions.all(), pk=suspension_id)
        suspension.prestation = prestation
        suspension = suspensions.mettre_fin_suspension(
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
        periode = suspensions.enregistrer_periode_entreprise(
            acteur_api(request), prestation, **self._entree(PeriodeEntrepriseEntreeSerializer)
        )
        return Response(PeriodeEntrepriseSerializer(periode).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SortieEntreeSerializer, responses={201: SortieSerializer, **REFUS})
    @action(detail=True, methods=["post"], **SANS_LISTE)
    def sortie(self, request, pk=None):
        """SOR-01..03: the outcome, classified positive or not; a positive job or training outcome opens
        the suivi dans l'emploi (MOV-13). Interruptions go through ``interruption``."""
        prestation = self._prestation(pk)
        donnees = dict(self._entree(SortieEntreeSerializer))
        sortie = fins.enregistrer_sortie(
            acteur_api(request), prestation, type=donnees.pop("type"), date_sortie=donnees.pop("date_sortie"), **donnees
        )
        return Response(SortieSerializer(sortie).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=InterruptionEntreeSerializer, responses={201: SortieSerializer, **REFUS})
    @action(detail=True, methods=["post"], **SANS_LISTE)
    def interruption(self, request, pk=None):
        """SOR-04: abandon, exclusion (PMA-04, after consultation), re-orientation or other interruption."""
        prestation = self._prestation(pk)
        sortie = fins.interrompre(acteur_api(request), prestation, **self._entree(InterruptionEntreeSerializer))
        return Response(SortieSerializer(sortie).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: PrestationDetailSerializer, **REFUS})
    @action(detail=True, methods=["post"], url_path="suivi/cloture", url_name="suivi-cloture", **SANS_LISTE)
    def cloture_suivi(self, request, pk=None):
        """MOV-13: close the suivi dans l'emploi after 3 months, or once the person left the job."""
        fins.clore_suivi(acteur_api(request), self._prestation(pk))
        return self._detail(pk)

    @extend_schema(request=RenouvellementEntreeSerializer, responses={200: PrestationDetailSerializer, **REFUS})
    @action(detail=True, methods=["post"], **SANS_LISTE)
    def renouvellement(self, request, pk=None):
        """MOV-08: the prescripteur (never the référent) renews once, for 6 months, at term."""
        prestation = self._prestation(pk)
        renouvellement.renouveler(
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
        action_parcours = parcours.ajouter_action(
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
        url_path=r"actions/(?P<action_id>[0-9]+)",
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
        action_parcours = parcours.modifier_action(acteur_api(request), action_parcours, **champs)
        return Response(ActionParcoursSerializer(action_parcours).data)


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
        session = entretiens.creer_session(acteur_api(request), **entree.validated_data)
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
        entretien = entretiens.ajouter_participant(
            acteur, session, entree.validated_data["prestation"], presence=entree.validated_data["presence"]
        )
        return Response(EntretienSerializer(entretien).data, status=status.HTTP_201_CREATED)
