from django.utils.functional import SimpleLazyObject

from comptes.models import Notification
from comptes.navigation import entrees


def acteur(request):
    acteur = getattr(request, "acteur", None)
    user = getattr(request, "user", None)
    non_lues = SimpleLazyObject(
        lambda: Notification.objects.non_lues(user).count() if user is not None and user.is_authenticated else 0
    )
    return {
        "notifications_non_lues": non_lues,
        "acteur": acteur,
        "navigation": entrees(acteur.role) if acteur else [],
        "nb_memberships": getattr(request, "nb_memberships", 0),
    }
