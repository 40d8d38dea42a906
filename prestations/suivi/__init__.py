"""The prestation run by the référent (issue 4): one function per action, split along
the case's life.

- ``contractualisation``: MOV-03, MOV-05, MOV-06;
- ``entretiens``: entretiens, phases, group sessions (EMA-01, BCA-02, BAM-03, CEP-01);
- ``suspensions``: suspensions and périodes en entreprise (MOV-09, MOV-12);
- ``parcours``: the carnet de suivi and the plan d'action (BAM-03, CEP-02);
- ``fins``: outcome, interruption, end after a phase, end of the follow-up (SOR-01..04,
  BAM-02, MOV-13); ``renouvellement``: MOV-08; ``fins_automatiques``: MOV-10 and the
  end at term, applied by the deadline engine;
- ``actions``: what an acteur may do on a case now, and why not (``actions_possibles``).

Each action is guard → lock (``prestations.verrou``) → change → journal → notify, and is
the only path for its change of state: the pages (``views``), the API (``api``) and the
deadline engine call it and translate its errors (``commun.exceptions``). Each guard
(``verifier_…``) is also what ``actions_possibles`` asks.
"""
