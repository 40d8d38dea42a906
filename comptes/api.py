from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError
from rest_framework.response import Response
from rest_framework.views import APIView

from commun.api import ModelSerializer, Serializer
from commun.bornes import identifiant
from comptes.acteurs import SESSION_KEY, resoudre
from comptes.models import Canal, Membership, Notification, Organisation, PreferencesNotification


def acteur_api(request):
    """Resolve the acteur of an API request once and cache it on the request.

    Session clients reuse the organisation chosen in the browser; token clients
    name it with the ``X-Organisation`` header (an organisation id) when they
    belong to several.
    """
    django_request = request._request
    if getattr(django_request, "_acteur_api_resolu", False):
        return django_request.acteur
    membership_id = None
    organisation_id = request.headers.get("X-Organisation")
    if organisation_id is None and getattr(django_request, "acteur", None) is not None:
        # Session clients: the middleware already resolved the acteur for this request.
        django_request._acteur_api_resolu = True
        return django_request.acteur
    if organisation_id is not None:
        if identifiant(organisation_id) is None:
            raise ParseError("En-tête X-Organisation invalide : indiquez le numéro de l'organisation (chiffres).")
        # An explicit organisation the user does not belong to gives no acteur (403).
        membership_id = (
            Membership.objects.filter(user=request.user, organisation_id=identifiant(organisation_id))
            .order_by("role")
            .values_list("pk", flat=True)
            .first()
        )
        acteur = resoudre(request.user, membership_id)[0] if membership_id else None
    else:
        if hasattr(django_request, "session"):
            membership_id = django_request.session.get(SESSION_KEY)
        acteur, _ = resoudre(request.user, membership_id)
    django_request.acteur = acteur
    django_request._acteur_api_resolu = True
    return acteur


class ActeurRequis(permissions.BasePermission):
    message = "Choisissez une organisation (en-tête X-Organisation) : votre compte en a plusieurs ou aucune."

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        acteur = acteur_api(request)
        roles = getattr(view, "roles_autorises", None)
        if acteur is None:
            return False
        if roles and acteur.role not in roles:
            self.message = "Votre rôle ne permet pas cette action."
            return False
        return True


class OrganisationSerializer(ModelSerializer):
    type_libelle = serializers.CharField(source="get_type_display", read_only=True)
    departements = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "type", "type_libelle", "nom", "siret", "adresse", "email_contact", "departements"]


class MembershipSerializer(ModelSerializer):
    organisation = OrganisationSerializer(read_only=True)
    role_libelle = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "role", "role_libelle", "organisation"]


class MoiSerializer(Serializer):
    email = serializers.EmailField()
    prenom = serializers.CharField()
    nom = serializers.CharField()
    membership_active = MembershipSerializer(allow_null=True)


class MoiView(APIView):
    """The authenticated user and the membership the request acts through."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = MoiSerializer

    def get(self, request):
        acteur = acteur_api(request)
        data = {
            "email": request.user.email,
            "prenom": request.user.first_name,
            "nom": request.user.last_name,
            "membership_active": acteur.membership if acteur else None,
        }
        return Response(MoiSerializer(data).data)


class OrganisationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Organisations visible to the acteur (its own; all for the administrator)."""

    lookup_value_regex = r"[0-9]+"
    serializer_class = OrganisationSerializer
    permission_classes = [ActeurRequis]

    def get_queryset(self):
        return Organisation.objects.visible_par(acteur_api(self.request)).prefetch_related("departements")


# --- Notifications (issue 5): the bell menu and the preferences ------------------------


class NotificationSerializer(ModelSerializer):
    organisation = serializers.CharField(source="organisation.nom", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Notification
        fields = ["id", "sujet", "corps", "lien", "organisation", "obligatoire", "cree_le", "lue_le"]
        read_only_fields = fields


class PreferencesNotificationSerializer(ModelSerializer):
    class Meta:
        model = PreferencesNotification
        fields = ["email_informatif", "in_app_informatif", "recapitulatif_quotidien"]


class ParametresNotifications(Serializer):
    non_lues = serializers.BooleanField(default=False, help_text="Seulement les notifications non lues.")


class LectureSerializer(Serializer):
    lues = serializers.IntegerField(help_text="Nombre de notifications marquées lues.")


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("non_lues", bool, description="Seulement les notifications non lues.")]
    )
)
class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The user's in-app notices, newest first (the bell menu); another user's notice is a
    404. Reading the list does not mark them read: ``lire`` and ``tout-lire`` do."""

    serializer_class = NotificationSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = []
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        queryset = (
            Notification.objects.filter(destinataire=self.request.user, canal=Canal.IN_APP)
            .select_related("organisation")
            .order_by("-cree_le", "-pk")
        )
        if self.action == "list":
            parametres = ParametresNotifications(data=self.request.query_params)
            parametres.is_valid(raise_exception=True)
            if parametres.validated_data["non_lues"]:
                queryset = queryset.filter(lue_le__isnull=True)
        return queryset

    @extend_schema(request=None, responses={200: NotificationSerializer, 404: None})
    @action(detail=True, methods=["post"])
    def lire(self, request, pk=None):
        """Mark one notice read (again: nothing changes)."""
        notification = self.get_object()
        if notification.lue_le is None:
            notification.lue_le = timezone.now()
            notification.save(update_fields=["lue_le"])
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, responses={200: LectureSerializer})
    @action(detail=False, methods=["post"], url_path="tout-lire", pagination_class=None)
    def tout_lire(self, request):
        """Mark every unread notice read."""
        lues = self.get_queryset().filter(lue_le__isnull=True).update(lue_le=timezone.now())
        return Response({"lues": lues})


class PreferencesNotificationView(generics.RetrieveUpdateAPIView):
    """How the user wants the informative notices: e-mail, in-app, daily digest. The
    notices a rule requires (48 h, breach, end, warnings) go out whatever is chosen."""

    serializer_class = PreferencesNotificationSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_object(self):
        preferences, _ = PreferencesNotification.objects.get_or_create(user=self.request.user)
        return preferences
