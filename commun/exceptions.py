"""Errors a service raises; HTML views and the API only translate them (principle 1).

- ``PermissionDenied`` (Django's): the role may not do this → 403;
- ``ActionRefusee``: a rule refuses the action now → a message in the page, 409 in the
  API, with the rule's id;
- ``ValidationError`` (Django's): bad input → field errors, 400;
- out of scope: the object is not found → 404.
"""

from __future__ import annotations


class ActionRefusee(Exception):
    """A transition or action the rules forbid now: a message in the UI, a 409 in the API."""

    def __init__(self, message: str, regle: str = ""):
        super().__init__(message)
        self.message = message
        self.regle = regle


class ActionNonPrevue(ActionRefusee):
    """The action does not exist for this case: its rule set has no such rule (a suspension
    on a dispositif without MOV-09, a renewal without MOV-08…). Refused like any other
    (409); the list of possible actions leaves it out instead of explaining it."""
