"""Prescription (PRE-01, PRE-02, MOV-04, PMA-03): the lettre de commande, its référent,
the re-orientations; ``services`` changes state, ``views``/``forms`` are the pages,
``api`` the API."""
