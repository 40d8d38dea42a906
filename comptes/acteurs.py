"""Who is acting: a user, through one active membership (organisation + role).

Resolved once per request (principle 5): by ``ActeurMiddleware`` for HTML pages
and by ``comptes.api`` helpers for the API, where token-authenticated clients
may name the organisation with the ``X-Organisation`` header.
"""

from __future__ import annotations

from dataclasses import dataclass

from comptes.models import Membership, Organisation, Role

SESSION_KEY = "membership_id"


@dataclass(frozen=True)
class Acteur:
    user: object
    membership: Membership

    @property
    def organisation(self) -> Organisation:
        return self.membership.organisation

    @property
    def role(self) -> Role:
        return Role(self.membership.role)

    @property
    def role_label(self) -> str:
        return self.role.label

    def a_le_role(self, *roles: Role) -> bool:
        return self.role in roles


def memberships_actives(user):
    return (
        Membership.objects.filter(user=user, active=True, organisation__active=True)
        .select_related("organisation")
        .order_by("organisation__nom", "role")
    )


def resoudre(user, membership_id=None) -> tuple[Acteur | None, int]:
    """Return the acteur for ``user`` and how many memberships it could choose from.

    ``membership_id`` (from the session or a header) picks one; without it, a user
    with exactly one active membership gets that one.
    """
    if not user.is_authenticated:
        return None, 0
    memberships = list(memberships_actives(user))
    if membership_id is not None:
        for membership in memberships:
            if str(membership.pk) == str(membership_id):
                return Acteur(user, membership), len(memberships)
    if len(memberships) == 1:
        return Acteur(user, memberships[0]), 1
    return None, len(memberships)
