"""Errors of the prescription rules (the generic ones are in ``commun.exceptions``)."""

from __future__ import annotations


class BeneficiaireIneligible(Exception):
    """PMA-01..03: eligibility criteria of the dispositif are not met; re-orientation is offered."""

    def __init__(self, ineligibilites):
        self.ineligibilites = list(ineligibilites)
        super().__init__(" ".join(i.message for i in self.ineligibilites))
