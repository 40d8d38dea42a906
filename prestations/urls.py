from django.urls import path

from prestations.commandes import views as commandes
from prestations.echeances import views as echeances
from prestations.suivi import views as suivi
from prestations.suivi import views_sessions as sessions

app_name = "prestations"


def _action(chemin: str, cle: str, nom: str):
    """One action of the case page, posted to its own address (``suivi.dossier.FORMULAIRES``)."""
    return path(f"prestations/<int:pk>/{chemin}/", suivi.agir, {"cle": cle}, name=nom)


urlpatterns = [
    # Prescription
    path("lettres-de-commande/", commandes.ldc_liste, name="ldc_liste"),
    path("lettres-de-commande/nouvelle/", commandes.ldc_creer, name="ldc_creer"),
    path("lettres-de-commande/apercu-fin/", commandes.ldc_apercu_fin, name="ldc_apercu_fin"),
    path("lettres-de-commande/<int:pk>/", commandes.ldc_detail, name="ldc_detail"),
    path("lettres-de-commande/<int:pk>/referent/", commandes.ldc_designer_referent, name="ldc_designer_referent"),
    path("lettres-de-commande/<int:pk>/pdf/", commandes.ldc_pdf, name="ldc_pdf"),
    path("reorientations/nouvelle/", commandes.reorientation_creer, name="reorientation_creer"),
    # Deadlines
    path("a-traiter/", echeances.a_traiter, name="a_traiter"),
    # Follow-up: the list, the case page, one address per action, group sessions
    path("prestations/", suivi.liste, name="liste"),
    path("prestations/<int:pk>/", suivi.prestation_detail, name="prestation_detail"),
    _action("contractualisation", "contractualisation", "prestation_contractualiser"),
    _action("entretiens", "entretien", "prestation_entretien"),
    _action("phase", "phase", "prestation_phase"),
    _action("fin-anticipee", "fin_anticipee", "prestation_fin_anticipee"),
    _action("suspensions", "suspension", "prestation_suspension"),
    _action("periodes-entreprise", "periode", "prestation_periode"),
    _action("sortie", "sortie", "prestation_sortie"),
    _action("interruption", "interruption", "prestation_interruption"),
    _action("cloture-suivi", "cloture", "prestation_cloture"),
    _action("renouvellement", "renouvellement", "prestation_renouvellement"),
    _action("actions", "action", "prestation_action"),
    path(
        "prestations/<int:pk>/suspensions/<int:suspension_pk>/fin/",
        suivi.prestation_fin_suspension,
        name="prestation_fin_suspension",
    ),
    path(
        "prestations/<int:pk>/actions/<int:action_pk>/statut/",
        suivi.prestation_action_statut,
        name="prestation_action_statut",
    ),
    path("sessions/", sessions.sessions, name="sessions"),
    path("sessions/nouvelle/", sessions.session_creer, name="session_creer"),
    path("sessions/<int:pk>/", sessions.session_detail, name="session_detail"),
    path("sessions/<int:pk>/participants/", sessions.session_participant, name="session_participant"),
]
