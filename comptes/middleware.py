from comptes.acteurs import SESSION_KEY, resoudre


class ActeurMiddleware:
    """Attach ``request.acteur`` (or None) and ``request.nb_memberships`` to each request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.acteur = None
        request.nb_memberships = 0
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            acteur, nombre = resoudre(user, request.session.get(SESSION_KEY))
            request.acteur = acteur
            request.nb_memberships = nombre
            if acteur is not None and request.session.get(SESSION_KEY) != acteur.membership.pk:
                request.session[SESSION_KEY] = acteur.membership.pk
        return self.get_response(request)
