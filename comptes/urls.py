from django.urls import path

from comptes import views

app_name = "comptes"

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("connexion/", views.ConnexionView.as_view(), name="connexion"),
    path("deconnexion/", views.DeconnexionView.as_view(), name="deconnexion"),
    path("mot-de-passe/oubli/", views.MotDePasseOublieView.as_view(), name="mot_de_passe_oublie"),
    path("mot-de-passe/envoye/", views.MotDePasseEnvoyeView.as_view(), name="mot_de_passe_envoye"),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        views.MotDePasseNouveauView.as_view(),
        name="mot_de_passe_nouveau",
    ),
    path("mot-de-passe/change/", views.MotDePasseChangeView.as_view(), name="mot_de_passe_change"),
    path("organisation/choisir/", views.choisir_organisation, name="choisir_organisation"),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/mienne/", views.organisation_courante, name="organisation_courante"),
    path("organisations/<int:pk>/", views.organisation, name="organisation"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/preferences/", views.preferences_notification, name="preferences_notification"),
]
