"""Rows written many at a time: ``update_rows`` and ``insert_rows``, the one hand-written
SQL of the project, used by the deadline sweep (``prestations.echeances``) and the outbox.

Why not Django's: ``bulk_update`` builds one ``CASE WHEN pk = … THEN …`` expression per
row and per field and resolves each in Python; ``bulk_create`` builds and prepares a
model instance per row. Measured with ``make bench`` (1,000,000 prestations, this
machine, same data): the sweep of the seed's midnight (2,079 rows due) took 9.97 s with
``bulk_update`` (85 % of it resolving those expressions) and 3.2 to 3.7 s with
``update_rows``; the heavy day (13,737 rows, 24,000 notices written) spent 4.5 s of its
22 s (under cProfile) in ``bulk_create`` of the notices. The figures after both are in
the README (« Performance »).

Here each column travels as one PostgreSQL array, unpacked by ``unnest``: a handful of
parameters whatever the number of rows. An array column (``ArrayField``) cannot be an
element of an array of rows: it travels as its text literal and is cast back. Values go
to the driver as they are (``str``, ``int``, ``bool``, ``date``, aware ``datetime``,
``None``): the fields written here hold nothing else, and preparing each value through
its field (``get_db_prep_save``, hundreds of thousands of calls on a heavy day) cost
about a quarter of the sweep.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.utils import timezone


def _litteral(valeurs) -> str | None:
    if valeurs is None:
        return None
    return "{" + ",".join('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in valeurs) + "}"


def update_rows(model, objects: list, fields: list[str]) -> None:
    """``save(update_fields=fields)`` of many saved instances of ``model`` in one UPDATE
    (no signal, no ``auto_now``: set such fields on the instances first)."""
    if not objects:
        return
    meta, qn = model._meta, connection.ops.quote_name
    colonnes = [meta.pk, *(meta.get_field(nom) for nom in fields)]
    tableaux, types, lectures = [], [], []
    for champ in colonnes:
        valeurs = [getattr(o, champ.attname) for o in objects]
        if isinstance(champ, ArrayField):
            tableaux.append([_litteral(v) for v in valeurs])
            types.append("text[]")
            lectures.append(f"v.{qn(champ.column)}::{champ.db_type(connection)}")
        else:
            tableaux.append(valeurs)
            types.append(f"{champ.db_type(connection)}[]")
            lectures.append(f"v.{qn(champ.column)}")
    noms = ", ".join(qn(c.column) for c in colonnes)
    affectations = ", ".join(
        f"{qn(c.column)} = {lecture}" for c, lecture in zip(colonnes[1:], lectures[1:], strict=True)
    )
    depliage = ", ".join(f"%s::{t}" for t in types)
    pk = qn(meta.pk.column)
    with connection.cursor() as curseur:
        curseur.execute(
            f"UPDATE {qn(meta.db_table)} AS t SET {affectations} FROM unnest({depliage}) AS v({noms}) "
            f"WHERE t.{pk} = v.{pk}",
            tableaux,
        )


def insert_rows(model, colonnes: dict[str, list], *, ignore_conflicts: bool = False) -> None:
    """``INSERT`` of rows given column by column (field attribute name → one value per row,
    as the driver takes it), in one statement, without a model instance per row. Every
    other field takes its default, computed once (``auto_now_add``: now). With
    ``ignore_conflicts``, a row that breaks a unique constraint is skipped."""
    nombres = {len(v) for v in colonnes.values()}
    if len(nombres) != 1:
        raise ValueError(f"Columns of different lengths: {sorted(nombres)}")
    (nombre,) = nombres
    if not nombre:
        return
    meta, qn = model._meta, connection.ops.quote_name
    inconnues = set(colonnes) - {f.attname for f in meta.concrete_fields}
    if inconnues:
        raise ValueError(f"Unknown fields of {meta.label}: {sorted(inconnues)}")
    noms, tableaux, types = [], [], []
    for champ in meta.concrete_fields:
        if champ is meta.auto_field:
            continue
        if champ.attname in colonnes:
            valeurs = list(colonnes[champ.attname])
        elif getattr(champ, "auto_now", False) or getattr(champ, "auto_now_add", False):
            valeurs = [timezone.now()] * nombre
        else:
            valeurs = [champ.get_db_prep_save(champ.get_default(), connection)] * nombre
        noms.append(qn(champ.column))
        tableaux.append(valeurs)
        types.append(f"{champ.db_type(connection)}[]")
    depliage = ", ".join(f"%s::{t}" for t in types)
    with connection.cursor() as curseur:
        curseur.execute(
            f"INSERT INTO {qn(meta.db_table)} ({', '.join(noms)}) SELECT * FROM unnest({depliage})"
            + (" ON CONFLICT DO NOTHING" if ignore_conflicts else ""),
            tableaux,
        )
