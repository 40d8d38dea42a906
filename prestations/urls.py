from django.urls import path

from prestations import views, views_echeances, views_suivi

app_name = "prestations"

urlpatterns = [
    path("lettres-de-commande/", views.ldc_liste, name="ldc_liste"),
    path("lettres-de-commande/nouvelle/", views.ldc_creer, name="ldc_creer"),
    path("lettres-de-commande/apercu-fin/", views.ldc_apercu_fin, name="ldc_apercu_fin"),
    path("lettres-de-commande/<int:pk>/", views.ldc_detail, name="ldc_detail"),
    path("lettres-de-commande/<int:pk>/referent/", views.ldc_designer_referent, name="ldc_designer_referent"),
    path("lettres-de-commande/<int:pk>/pdf/", views.ldc_pdf, name="ldc_pdf"),
    path("reorientations/nouvelle/", views.reorientation_creer, name="reorientation_creer"),
    path("a-traiter/", views_echeances.a_traiter, name="a_traiter"),
    path("prestations/<int:pk>/livrables/", views_suivi.prestation_livrable, name="prestation_livrable"),
    path("prestations/<int:pk>/", views_suivi.prestation_detail, name="prestation_detail"),
    # Workflow pages (issue 4): the list, one URL per action of the case, group sessions.
    path("prestations/", views_suivi.liste, name="liste"),
    path(
        "prestations/<int:pk>/contractualisation/",
        views_suivi.prestation_contractualiser,
        name="prestation_contractualiser",
    ),
    path("prestations/<int:pk>/entretiens/", views_suivi.prestation_entretien, name="prestation_entretien"),
    path("prestations/<int:pk>/phase/", views_suivi.prestation_phase, name="prestation_phase"),
    path("prestations/<int:pk>/fin-anticipee/", views_suivi.prestation_fin_anticipee, name="prestation_fin_anticipee"),
    path("prestations/<int:pk>/suspensions/", views_suivi.prestation_suspension, name="prestation_suspension"),
    path(
        "prestations/<int:pk>/suspensions/<int:suspension_pk>/fin/",
        views_suivi.prestation_fin_suspension,
        name="prestation_fin_suspension",
    ),
    path("prestations/<int:pk>/periodes-entreprise/", views_suivi.prestation_periode, name="prestation_periode"),
    path("prestations/<int:pk>/sortie/", views_suivi.prestation_sortie, name="prestation_sortie"),
    path("prestations/<int:pk>/interruption/", views_suivi.prestation_interruption, name="prestation_interruption"),
    path("prestations/<int:pk>/cloture-suivi/", views_suivi.prestation_cloture, name="prestation_cloture"),
    path(
        "prestations/<int:pk>/renouvellement/", views_suivi.prestation_renouvellement, name="prestation_renouvellement"
    ),
    path("prestations/<int:pk>/actions/", views_suivi.prestation_action, name="prestation_action"),
    path(
        "prestations/<int:pk>/actions/<int:action_pk>/statut/",
        views_suivi.prestation_action_statut,
        name="prestation_action_statut",
    ),
    path("sessions/", views_suivi.sessions, name="sessions"),
    path("sessions/nouvelle/", views_suivi.session_creer, name="session_creer"),
    path("sessions/<int:pk>/", views_suivi.session_detail, name="session_detail"),
    path("sessions/<int:pk>/participants/", views_suivi.session_participant, name="session_participant"),
]
