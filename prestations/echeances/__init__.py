"""The deadline engine (DESIGN principle 3, SPEC §4), in three steps a newcomer can read
apart:

- ``regles``: what a case owes and when (``obligations``), a pure function of the case;
- ``ecriture``: those obligations written as ``Echeance`` rows (``synchroniser``), by every
  action on a case;
- ``balayage``: the periodic sweep that warns, notifies breaches and applies the
  automatic ends (``balayer``).

``notices`` links the 48-hour rules to the outbox; ``horloges`` reads the rows for the
work queue and the case page; ``views`` and ``api`` show them.
"""
