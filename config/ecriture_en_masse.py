"""Many rows written in one statement whose size does not grow with the number of rows.

Django's ``bulk_create`` and ``bulk_update`` send one placeholder per value: thousands
of rows make statements of tens of thousands of parameters, which the driver must split
and bind one by one (the deadline sweep writes thousands of notices and échéance rows at
midnight). Here each column travels as one PostgreSQL array, unpacked by ``unnest``:
a handful of parameters whatever the number of rows.

Values are prepared as ``save()`` does: ``auto_now`` / ``auto_now_add`` by the field's
``pre_save``, defaults by the model's constructor, and any field the driver cannot take
as it is (JSON, decimals…) by its ``get_db_prep_save``. An array column (``ArrayField``)
travels as text literals, cast back.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import connection, models


def _litteral_tableau(valeurs) -> str | None:
    if valeurs is None:
        return None
    elements = ('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in valeurs)
    return "{" + ",".join(elements) + "}"


#: Fields whose Python value the driver adapts as it is: no preparation by the field
#: (``get_db_prep_save`` per value is most of the cost of a write of thousands of rows).
_SANS_PREPARATION = (
    models.BooleanField,
    models.CharField,
    models.DateField,  # DateTimeField included: the platform only holds aware datetimes
    models.ForeignKey,
    models.IntegerField,
    models.TextField,
)


def _valeurs(champ, objets, ajout: bool) -> list:
    if getattr(champ, "auto_now", False) or getattr(champ, "auto_now_add", False):
        return [champ.pre_save(o, ajout) for o in objets]
    if isinstance(champ, _SANS_PREPARATION) and not isinstance(champ, ArrayField):
        attribut = champ.attname
        return [getattr(o, attribut) for o in objets]
    return [champ.get_db_prep_save(champ.pre_save(o, ajout), connection) for o in objets]


def _colonnes(champs, objets, *, ajout: bool):
    """For each field: its column, its SQL type and the array of its prepared values."""
    colonnes = []
    for champ in champs:
        type_sql = champ.db_type(connection)
        valeurs = _valeurs(champ, objets, ajout)
        if isinstance(champ, ArrayField):
            colonnes.append((champ.column, type_sql, "text[]", [_litteral_tableau(v) for v in valeurs]))
        else:
            colonnes.append((champ.column, type_sql, f"{type_sql}[]", valeurs))
    return colonnes


def inserer(modele, objets: list, *, ignorer_conflits: bool = False) -> None:
    """``INSERT`` of ``objets`` (unsaved instances of ``modele``) in one statement; with
    ``ignorer_conflits``, a row that breaks a unique constraint is skipped, as
    ``bulk_create(ignore_conflicts=True)``. The instances get no primary key."""
    if not objets:
        return
    meta, qn = modele._meta, connection.ops.quote_name
    champs = [f for f in meta.concrete_fields if f is not meta.auto_field]
    colonnes = _colonnes(champs, objets, ajout=True)
    noms = ", ".join(qn(c) for c, *_ in colonnes)
    tableaux = ", ".join(f"%s::{type_tableau}" for _, _, type_tableau, _ in colonnes)
    valeurs = ", ".join(f"v.{qn(c)}::{type_sql}" for c, type_sql, *_ in colonnes)
    with connection.cursor() as curseur:
        curseur.execute(
            f"INSERT INTO {qn(meta.db_table)} ({noms}) SELECT {valeurs} FROM unnest({tableaux}) AS v({noms})"
            + (" ON CONFLICT DO NOTHING" if ignorer_conflits else ""),
            [v for *_, v in colonnes],
        )


def mettre_a_jour(modele, objets: list, champs: list[str] | None = None) -> None:
    """``save(update_fields=champs)`` of many saved instances in one ``UPDATE`` (every
    concrete field when ``champs`` is None; ``auto_now`` fields are always written)."""
    if not objets:
        return
    meta, qn = modele._meta, connection.ops.quote_name
    a_ecrire = [
        f
        for f in meta.concrete_fields
        if not f.primary_key and (champs is None or f.name in champs or getattr(f, "auto_now", False))
    ]
    colonnes = _colonnes([meta.pk, *a_ecrire], objets, ajout=False)
    noms = ", ".join(qn(c) for c, *_ in colonnes)
    tableaux = ", ".join(f"%s::{type_tableau}" for _, _, type_tableau, _ in colonnes)
    affectations = ", ".join(f"{qn(c)} = v.{qn(c)}::{type_sql}" for c, type_sql, *_ in colonnes[1:])
    pk = qn(meta.pk.column)
    with connection.cursor() as curseur:
        curseur.execute(
            f"UPDATE {qn(meta.db_table)} AS t SET {affectations} FROM unnest({tableaux}) AS v({noms}) "
            f"WHERE t.{pk} = v.{pk}",
            [v for *_, v in colonnes],
        )
