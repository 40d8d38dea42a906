from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect


def acteur_requis(view=None, *, roles=None):
    """Require an active membership (and optionally one of ``roles``).

    A logged-in user who has not chosen an organisation is sent to the chooser;
    a user whose role is not allowed gets a 403.
    """

    def decorator(func):
        @wraps(func)
        def wrapper(request, *args, **kwargs):
            if request.acteur is None:
                return redirect("comptes:choisir_organisation" if request.nb_memberships > 1 else "comptes:accueil")
            if roles and request.acteur.role not in roles:
                raise PermissionDenied("Votre rôle ne permet pas cette action.")
            return func(request, *args, **kwargs)

        return wrapper

    return decorator(view) if view is not None else decorator
