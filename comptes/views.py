from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_http_methods

from comptes.acteurs import SESSION_KEY, memberships_actives
from comptes.decorators import acteur_requis
from comptes.forms import (
    ChoixOrganisationForm,
    ConnexionForm,
    MotDePasseOublieForm,
    NouveauMotDePasseForm,
    PreferencesNotificationForm,
)
from comptes.models import Canal, Membership, Notification, Organisation, PreferencesNotification
from comptes.navigation import entrees


@method_decorator(login_not_required, name="dispatch")
class ConnexionView(auth_views.LoginView):
    template_name = "comptes/connexion.html"
    authentication_form = ConnexionForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        self.request.session.pop(SESSION_KEY, None)
        return response


class DeconnexionView(auth_views.LogoutView):
    pass


@method_decorator(login_not_required, name="dispatch")
class MotDePasseOublieView(auth_views.PasswordResetView):
    template_name = "comptes/mot_de_passe_oublie.html"
    form_class = MotDePasseOublieForm
    email_template_name = "comptes/email/reinitialisation.txt"
    subject_template_name = "comptes/email/reinitialisation_sujet.txt"
    success_url = reverse_lazy("comptes:mot_de_passe_envoye")


@method_decorator(login_not_required, name="dispatch")
class MotDePasseEnvoyeView(auth_views.PasswordResetDoneView):
    template_name = "comptes/mot_de_passe_envoye.html"


@method_decorator(login_not_required, name="dispatch")
class MotDePasseNouveauView(auth_views.PasswordResetConfirmView):
    template_name = "comptes/mot_de_passe_nouveau.html"
    form_class = NouveauMotDePasseForm
    success_url = reverse_lazy("comptes:mot_de_passe_change")


@method_decorator(login_not_required, name="dispatch")
class MotDePasseChangeView(auth_views.PasswordResetCompleteView):
    template_name = "comptes/mot_de_passe_change.html"


def accueil(request):
    acteur = request.acteur
    if acteur is None:
        if request.nb_memberships > 1:
            return redirect("comptes:choisir_organisation")
        if request.user.is_staff:
            return redirect("admin:index")
        return render(request, "comptes/sans_organisation.html", status=403)
    return render(
        request,
        "comptes/accueil.html",
        {"entrees": entrees(acteur.role), "departements": acteur.organisation.departements.all()},
    )


@require_http_methods(["GET", "POST"])
def choisir_organisation(request):
    memberships = list(memberships_actives(request.user))
    form = ChoixOrganisationForm(request.POST or None, memberships=memberships)
    if request.method == "POST" and form.is_valid():
        request.session[SESSION_KEY] = form.cleaned_data["membership"]
        choisie = next(m for m in memberships if m.pk == form.cleaned_data["membership"])
        messages.success(request, f"Vous agissez pour {choisie.organisation.nom} ({choisie.get_role_display()}).")
        return redirect("comptes:accueil")
    return render(request, "comptes/choisir_organisation.html", {"form": form, "memberships": memberships})


@acteur_requis
def organisations(request):
    queryset = Organisation.objects.visible_par(request.acteur).prefetch_related("departements")
    page = Paginator(queryset, 25).get_page(request.GET.get("page"))
    return render(request, "comptes/organisations.html", {"page": page})


@acteur_requis
def organisation_courante(request):
    return redirect(reverse("comptes:organisation", args=[request.acteur.organisation.pk]))


@acteur_requis
def organisation(request, pk):
    org = get_object_or_404(Organisation.objects.visible_par(request.acteur), pk=pk)
    membres = (
        Membership.objects.filter(organisation=org, active=True).select_related("user").order_by("user__last_name")
    )
    return render(
        request,
        "comptes/organisation.html",
        {"organisation": org, "membres": membres, "departements": org.departements.all()},
    )


def notifications(request):
    """The user's in-app notices (bell menu), newest first; opening the page marks them read."""
    queryset = Notification.objects.filter(destinataire=request.user, canal=Canal.IN_APP).order_by("-cree_le", "-pk")
    page = Paginator(queryset, 25).get_page(request.GET.get("page"))
    non_lues = [n.pk for n in page if n.lue_le is None]
    reponse = render(request, "comptes/notifications.html", {"page": page, "non_lues": set(non_lues)})
    if non_lues:
        Notification.objects.filter(pk__in=non_lues).update(lue_le=timezone.now())
    return reponse


def preferences_notification(request):
    """Each user chooses e-mail and/or in-app for informative notices, and a daily digest;
    notices a rule requires cannot be turned off (they are listed as such)."""
    preferences, _ = PreferencesNotification.objects.get_or_create(user=request.user)
    form = PreferencesNotificationForm(request.POST or None, instance=preferences)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Vos préférences de notification sont enregistrées.")
        return redirect("comptes:preferences_notification")
    return render(request, "comptes/preferences_notification.html", {"form": form})
