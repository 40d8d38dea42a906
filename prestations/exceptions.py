"""Errors a service raises; HTML views and the API only translate them (principle 1)."""

from __future__ import annotations


class ActionRefusee(Exception):
    """A transition or action the rules forbid now: a message in the UI, a 409 in the API."""

    def __init__(self, message: str, regle: str = ""):
        super().__init__(message)
        self.message = message
        self.regle = regle


class BeneficiaireIneligible(Exception):
    """PMA-01..03: eligibility criteria of the dispositif are not met; re-orientation is offered."""

    def __init__(self, ineligibilites):
        self.ineligibilites = list(ineligibilites)
        super().__init__(" ".join(i.message for i in self.ineligibilites))
