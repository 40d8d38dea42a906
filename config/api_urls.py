from django.urls import include, path
from rest_framework.routers import DefaultRouter

from beneficiaires.api import BeneficiaireViewSet
from comptes.api import MoiView, NotificationViewSet, OrganisationViewSet, PreferencesNotificationView
from livrables.api import (
    BrouillonsDuDossier,
    EmargementsDuDossier,
    LienEmargement,
    LivrablesDuDossier,
    LivrableViewSet,
    Verification,
)
from prestations.commandes.api import LettreDeCommandeViewSet, MarcheViewSet
from prestations.echeances.api import EcheanceATraiterViewSet
from prestations.suivi.api import PrestationViewSet, SessionCollectiveViewSet

router = DefaultRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("beneficiaires", BeneficiaireViewSet, basename="beneficiaire")
router.register("marches", MarcheViewSet, basename="marche")
router.register("lettres-de-commande", LettreDeCommandeViewSet, basename="lettre-de-commande")
router.register("prestations", PrestationViewSet, basename="prestation")
router.register("sessions", SessionCollectiveViewSet, basename="session-collective")
router.register("echeances", EcheanceATraiterViewSet, basename="echeance")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("livrables", LivrableViewSet, basename="livrable")

urlpatterns = [
    path("moi/", MoiView.as_view(), name="api-moi"),
    path("notifications/preferences/", PreferencesNotificationView.as_view(), name="notification-preferences"),
    path("prestations/<int:pk>/livrables/", LivrablesDuDossier.as_view(), name="prestation-livrables"),
    path("prestations/<int:pk>/livrables/brouillons/", BrouillonsDuDossier.as_view(), name="prestation-brouillons"),
    path("prestations/<int:pk>/emargements/", EmargementsDuDossier.as_view(), name="prestation-emargements"),
    path("prestations/<int:pk>/emargements/lien/", LienEmargement.as_view(), name="prestation-emargement-lien"),
    path("verification/", Verification.as_view(), name="api-verification"),
    path("", include(router.urls)),
]
