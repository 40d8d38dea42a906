"""``make bench``: one deadline sweep over a million prestations (issue 5, benchmark).

1. Makes sure the database ``prestations_bench`` exists, is migrated and seeded
   (``bench/semis.py``: set-based SQL, then the échéance rows by the engine's rules;
   skipped when already done, ``--reseed`` rebuilds it).
2. Copies it (``CREATE DATABASE … TEMPLATE``, file copy) so that the sweep really
   commits and the benchmark can be re-run on the same data; the copy is dropped after.
3. On the copy: checks a sample of open cases against ``obligations()``, then times one
   ``balayer(maintenant)`` (wall clock) — the selection of the due set and its
   processing — and counts its queries and the process's peak memory; with ``--profil``
   prints the ``EXPLAIN (ANALYZE, BUFFERS)`` plan of the due-set query exactly as the
   sweep sent it (run on the untouched seeded base) and the costliest queries.
4. Does it for two days (``JOURS``): the seed's midnight, and a heavy day (the next
   midnight, the first never swept: about 13,800 rows due). ``BENCH_MEMOIRE=1`` adds
   Python's own peak allocation (tracemalloc, which slows the run down).

Not a test: nothing here is collected by pytest. Environment: ``BENCH_DATABASE_URL``
(default ``postgres://postgres@127.0.0.1:5432/prestations_bench``; its name must
contain ``bench``: ``--reseed`` drops it).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

RACINE = Path(__file__).absolute().parent.parent
sys.path.insert(0, str(RACINE))

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

from bench import semis  # noqa: E402

URL_PAR_DEFAUT = "postgres://postgres@127.0.0.1:5432/prestations_bench"


def _url_base(url: str, nom: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{nom}"))


def _nom_base(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _environnement(url: str, var_dir: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        SECRET_KEY=env.get("SECRET_KEY") or "bench-only-secret-key",
        VAR_DIR=var_dir,  # the filesystem broker and the like, in a throw-away folder
        DJANGO_SETTINGS_MODULE="config.settings",
        STATIC_MANIFEST="0",
        DEBUG="0",
        LOG_LEVEL="WARNING",
    )
    env.pop("REDIS_URL", None)
    return env


def _ecrire(message: str = "") -> None:
    print(message, flush=True)


def _administrer(url: str):
    return psycopg.connect(_url_base(url, "postgres"), autocommit=True)


def _supprimer_base(admin, nom: str) -> None:
    admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(nom)))


def _base_existe(admin, nom: str) -> bool:
    return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [nom]).fetchone() is not None


def _django(url: str, var_dir: str) -> None:
    os.environ.update(_environnement(url, var_dir))
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


def preparer(url: str, var_dir: str, *, reseed: bool) -> None:
    """The seeded database: created, migrated and seeded if needed."""
    nom = _nom_base(url)
    with _administrer(url) as admin:
        if reseed:
            _supprimer_base(admin, nom)
        if not _base_existe(admin, nom):
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(nom)))
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, str(RACINE / "manage.py"), "migrate", "--noinput", "-v", "0"],
        env=_environnement(url, var_dir),
        cwd=RACINE,
        check=True,
    )
    _ecrire(f"Base {nom} migrée ({time.perf_counter() - t:.1f} s).")
    with psycopg.connect(url) as connexion:
        if semis.deja_seme(connexion):
            n = connexion.execute("SELECT count(*) FROM prestations_prestation").fetchone()[0]
            _ecrire(f"Données déjà semées ({n:,} prestations) : semis sauté (--reseed pour le refaire).")
            return
        deja = connexion.execute("SELECT count(*) FROM prestations_prestation").fetchone()[0]
    if deja:  # an older or interrupted seeding: start again from an empty database
        _ecrire(f"La base contient {deja:,} prestations d'un autre semis : elle est reconstruite.")
        preparer(url, var_dir, reseed=True)
        return

    def echeances():
        subprocess.run(
            [sys.executable, str(Path(__file__).absolute()), "--semer-echeances"],
            env=_environnement(url, var_dir),
            cwd=RACINE,
            check=True,
        )

    _ecrire(f"Semis de {semis.PRESTATIONS:,} prestations…")
    with psycopg.connect(url) as connexion:
        duree = semis.semer(connexion, echeances, journal=_ecrire)
    _ecrire(f"Semis terminé en {duree:.1f} s.")


def semer_echeances() -> None:
    """Child process of the seeding: the échéance rows, by the engine (Django)."""
    import django

    django.setup()
    t = time.perf_counter()
    semis.echeances_du_moteur(journal=_ecrire)
    _ecrire(f"  échéances : {time.perf_counter() - t:.1f} s")


@contextlib.contextmanager
def copie(url: str, *, garder: bool):
    """A file copy of the seeded database, dropped afterwards."""
    nom_copie = f"{_nom_base(url)}_run"
    with _administrer(url) as admin:
        _supprimer_base(admin, nom_copie)
        t = time.perf_counter()
        admin.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                sql.Identifier(nom_copie), sql.Identifier(_nom_base(url))
            )
        )
        _ecrire(f"Copie de travail {nom_copie} créée ({time.perf_counter() - t:.1f} s).")
    try:
        yield _url_base(url, nom_copie)
    finally:
        if not garder:
            with _administrer(url) as admin:
                _supprimer_base(admin, nom_copie)


# --- Measurement (Django, on the copy) -------------------------------------------------

#: The days swept: the seed's own midnight (its previous sweep ran 10 minutes before,
#: the lightest day), and the next midnight with the first one never swept (two days of
#: deadlines at once, the heaviest a beat schedule can meet after an outage).
JOURS = {
    "minuit du semis": semis.MAINTENANT,
    "journée chargée": semis.MAINTENANT + datetime.timedelta(days=1),
}


def verifier_echantillon(taille: int = 400) -> tuple[int, int, int]:
    """Compare the rows of a sample of open cases with what ``obligations()`` says at the
    previous sweep: (conformes, périmés exprès, divergents). Divergent cases mean the
    engine's rules changed since the seeding: run again with ``--reseed``."""
    from prestations import faits
    from prestations.echeances.notices import notices_des_dossiers
    from prestations.echeances.regles import obligations
    from prestations.models import ETATS_OUVERTS, Prestation

    ids = list(
        Prestation.objects.filter(etat__in=ETATS_OUVERTS).order_by("pk").values_list("pk", flat=True)[::250][:taille]
    )
    prestations = list(
        faits.charger(
            Prestation.objects.filter(pk__in=ids).select_related("lettre_de_commande").prefetch_related("echeances")
        )
    )
    notices = notices_des_dossiers(prestations)
    veille = semis.JOUR - datetime.timedelta(days=1)
    conformes = perimes = divergents = 0
    for p in prestations:
        attendues = {
            (o.type, o.cle): semis.ligne_avant(o, p.pk)[:14] for o in obligations(p, semis.AVANT, notices[p.pk])
        }
        lignes = {
            (e.type, e.cle): (
                e.type,
                e.cle,
                e.regle,
                e.libelle,
                e.depart_le,
                e.due_le,
                e.alertes,
                e.alertes_envoyees,
                e.prochaine_action_le,
                e.etat,
                e.avertie_le,
                e.echue_le,
                e.honoree_le,
                e.annulee_le,
            )
            for e in p.echeances.all()
        }
        if attendues == lignes:
            conformes += 1
        elif any(e.jour == veille for e in p.entretiens.all()):
            perimes += 1  # on purpose: an entretien recorded yesterday, its row not resynchronised
        else:
            divergents += 1
    return conformes, perimes, divergents


def donnees() -> dict:
    from django.db import connection

    with connection.cursor() as curseur:
        curseur.execute(
            "SELECT (SELECT count(*) FROM prestations_prestation),"
            " (SELECT count(*) FROM prestations_prestation WHERE etat IN"
            "  ('attente_referent', 'a_contractualiser', 'en_cours', 'suivi_emploi')),"
            " (SELECT count(*) FROM prestations_echeance),"
            " (SELECT count(*) FROM prestations_echeance WHERE etat IN ('a_venir', 'avertie')),"
            " (SELECT count(*) FROM prestations_entretien),"
            " (SELECT count(*) FROM prestations_suspension),"
            " (SELECT count(*) FROM prestations_periodeenentreprise),"
            " (SELECT count(*) FROM livrables_livrable),"
            " (SELECT count(*) FROM comptes_notification),"
            " (SELECT count(*) FROM beneficiaires_beneficiaire),"
            " pg_size_pretty(pg_database_size(current_database())),"
            " pg_size_pretty(pg_relation_size('echeance_a_traiter')),"
            " current_setting('server_version'), current_setting('shared_buffers')"
        )
        cles = [
            "prestations",
            "ouvertes",
            "echeances",
            "echeances_ouvertes",
            "entretiens",
            "suspensions",
            "periodes",
            "livrables",
            "notifications",
            "beneficiaires",
            "taille_base",
            "taille_index",
            "version_pg",
            "shared_buffers",
        ]
        return dict(zip(cles, curseur.fetchone(), strict=True))


def mesurer(url_semee: str, maintenant: datetime.datetime) -> dict:
    """One sweep of the copy as of ``maintenant``: its time, queries, peak memory."""
    import resource
    import tracemalloc

    from django.db import connection
    from django.db.models import Count, F
    from django.urls import reverse

    from prestations.echeances.balayage import balayer
    from prestations.models import Echeance
    from prestations.suivi import fins_automatiques

    resultat: dict = {"maintenant": maintenant}
    reverse("prestations:prestation_detail", args=[1])  # URL resolver loaded, as in a running worker
    dues = Echeance.objects.dues(maintenant)
    resultat["dues_par_type"] = dict(dues.values_list("type").annotate(n=Count("pk")).order_by("type"))
    resultat["dues_a_recalculer"] = dues.exclude(version_faits=F("prestation__version_faits")).count()

    journal: list[tuple[str, object, float]] = []

    def espion(execute, sql_, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql_, params, many, context)
        finally:
            journal.append((sql_, params, time.perf_counter() - t))

    # Time spent in the automatic ends (``suivi.fins_automatiques``, called by the sweep).
    fins = {"n": 0, "s": 0.0}
    originales = {nom: getattr(fins_automatiques, nom) for nom in ("interrompre_pour_ecart", "terminer_au_terme")}

    def chronometrer(fonction):
        def chronometree(prestations, **kwargs):
            t = time.perf_counter()
            try:
                return fonction(prestations, **kwargs)
            finally:
                fins["n"] += len(prestations)
                fins["s"] += time.perf_counter() - t

        return chronometree

    from prestations.echeances import balayage

    chronometrees = {type_: chronometrer(f) for type_, f in balayage.FINS_AUTOMATIQUES.items()}
    avant = dict(balayage.FINS_AUTOMATIQUES)
    balayage.FINS_AUTOMATIQUES.update(chronometrees)
    memoire = bool(os.environ.get("BENCH_MEMOIRE"))
    try:
        with connection.execute_wrapper(espion):
            if memoire:
                tracemalloc.start()
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            profileur = None
            if os.environ.get("BENCH_CPROFILE"):
                import cProfile

                profileur = cProfile.Profile()
                profileur.enable()
            t, cpu = time.perf_counter(), time.process_time()
            balayage_ = balayer(maintenant)
            total, processeur = time.perf_counter() - t, time.process_time() - cpu
            if profileur:
                profileur.disable()
                profileur.dump_stats(os.environ["BENCH_CPROFILE"])
            pic = tracemalloc.get_traced_memory()[1] if memoire else None
            if memoire:
                tracemalloc.stop()
    finally:
        balayage.FINS_AUTOMATIQUES.update(avant)
        del originales
    selection_sql, selection_params, selection = journal[0]
    assert "prochaine_action_le" in selection_sql and "LIMIT" in selection_sql, selection_sql
    with psycopg.connect(url_semee) as semee:  # the same due set, untouched by the sweep
        plan = semee.execute(f"EXPLAIN (ANALYZE, BUFFERS) {selection_sql}", selection_params).fetchall()
    resultat.update(
        balayage=balayage_,
        total=total,
        selection=selection,
        traitement=total - selection,
        processeur=processeur,
        fins=fins,
        requetes=len(journal),
        plan="\n".join(ligne for (ligne,) in plan),
        profil=_profil(journal),
        restantes=Echeance.objects.dues(maintenant).count(),
        rss_avant=rss,
        rss_apres=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        pic_python=pic,
    )
    return resultat


def _profil(journal) -> list[tuple[str, int, float]]:
    """Queries grouped by shape (numbers and lists folded): shape, count, seconds."""
    groupes: dict[str, list] = {}
    for requete, _, duree in journal:
        forme = re.sub(r"\(VALUES .*\) AS v", "(VALUES …) AS v", requete, flags=re.S)
        forme = re.sub(r"\bIN \([^)]*\)", "IN (…)", forme)
        forme = re.sub(r'"s\d+_x\d+"', '"…"', forme)
        forme = re.sub(r"\b\d+\b", "N", forme)
        groupe = groupes.setdefault(forme[:150], [0, 0.0])
        groupe[0] += 1
        groupe[1] += duree
    return sorted(((f, n, t) for f, (n, t) in groupes.items()), key=lambda g: -g[2])


def _machine() -> str:
    memoire = ""
    with contextlib.suppress(OSError):
        for ligne in Path("/proc/meminfo").read_text().splitlines():
            if ligne.startswith("MemTotal:"):
                memoire = f", {int(ligne.split()[1]) / 1024 / 1024:.0f} Gio de mémoire"
    return f"{os.cpu_count()} cœurs{memoire}, Python {platform.python_version()}"


def rapport_donnees(d: dict, echantillon, duree) -> None:
    conformes, perimes, divergents = echantillon
    _ecrire()
    _ecrire("=" * 78)
    _ecrire(f"Machine : {_machine()}, PostgreSQL {d['version_pg']} (shared_buffers {d['shared_buffers']}).")
    _ecrire(
        f"Données : {d['prestations']:,} prestations dont {d['ouvertes']:,} ouvertes ; {d['beneficiaires']:,} "
        f"bénéficiaires ; {d['entretiens']:,} entretiens, {d['suspensions']:,} suspensions, {d['periodes']:,} "
        f"périodes en entreprise, {d['livrables']:,} livrables, {d['notifications']:,} notifications ; "
        f"{d['echeances']:,} échéances dont {d['echeances_ouvertes']:,} ouvertes (index partiel "
        f"echeance_a_traiter : {d['taille_index']}) ; base : {d['taille_base']}."
    )
    _ecrire(
        f"Échantillon de dossiers ouverts comparé à obligations() : {conformes} conformes, {perimes} périmés "
        f"exprès, {divergents} divergents ({duree:.1f} s)."
        + ("  → les règles ont changé depuis le semis (libellés, dates)." if divergents else "")
    )


def rapport(nom: str, r: dict, *, details: bool) -> None:
    b = r["balayage"]
    dues = sum(r["dues_par_type"].values())
    _ecrire()
    _ecrire("-" * 78)
    _ecrire(
        f"{nom} — balayage au {r['maintenant']:%d/%m/%Y %H:%M} (Europe/Paris) : {dues:,} échéances dues — "
        + ", ".join(f"{t} {n}" for t, n in r["dues_par_type"].items())
        + f" ; {r['dues_a_recalculer']} sur des dossiers dont les faits ont changé depuis le calcul de la ligne."
    )
    if details:
        _ecrire("Plan de la requête des échéances dues, telle que balayer() l'envoie (EXPLAIN ANALYZE, BUFFERS) :")
        for ligne in r["plan"].splitlines():
            _ecrire(f"    {ligne}")
    _ecrire(
        f"Balayage : {b.examinees} échéances traitées — {b.avertissements} avertissements, {b.depassements} "
        f"dépassements dont {b.transitions} fins automatiques, {b.honorees} honorées ; {r['restantes']} encore "
        "dues après (un seul passage)."
    )
    pic = f", pic Python (tracemalloc) {r['pic_python'] / 1e6:.0f} Mo" if r["pic_python"] else ""
    _ecrire(
        f"  sélection des échéances dues : {r['selection'] * 1000:9.1f} ms\n"
        f"  traitement                   : {r['traitement'] * 1000:9.1f} ms\n"
        f"    fins automatiques          : {r['fins']['s'] * 1000:9.1f} ms ({r['fins']['n']} dossiers clos)\n"
        f"  processeur (Python)          : {r['processeur'] * 1000:9.1f} ms\n"
        f"  total (balayer)              : {r['total'] * 1000:9.1f} ms   "
        f"({r['total'] * 1000 / max(b.examinees, 1):.2f} ms par échéance)\n"
        f"  requêtes SQL                 : {r['requetes']} ({r['requetes'] / max(b.examinees, 1):.2f} par échéance)\n"
        f"  mémoire (RSS max du processus) : {r['rss_avant'] / 1024:.0f} → {r['rss_apres'] / 1024:.0f} Mo{pic}"
    )
    if details:
        _ecrire("  requêtes les plus coûteuses (nombre, temps cumulé, forme) :")
        for forme, n, duree in r["profil"][:25]:
            _ecrire(f"    {n:6d} {duree * 1000:9.1f} ms  {forme}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--reseed", action="store_true", help="reconstruire la base du banc d'essai et la resemer")
    parser.add_argument("--garder", action="store_true", help="garder la copie de travail après le balayage")
    parser.add_argument("--profil", action="store_true", help="afficher les requêtes les plus coûteuses")
    parser.add_argument("--jour", help="un seul des jours : « minuit » ou « chargée »")
    parser.add_argument("--semer-echeances", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.semer_echeances:
        semer_echeances()
        return 0

    url = os.environ.get("BENCH_DATABASE_URL") or URL_PAR_DEFAUT
    if "bench" not in _nom_base(url):
        parser.error(f"BENCH_DATABASE_URL doit désigner une base dédiée (nom contenant « bench ») : {url}")
    var_dir = tempfile.mkdtemp(prefix="prestations-bench-")
    restantes = 0
    try:
        preparer(url, var_dir, reseed=args.reseed)
        jours = {nom: m for nom, m in JOURS.items() if not args.jour or args.jour in nom}
        for numero, (nom, maintenant) in enumerate(jours.items()):
            with copie(url, garder=args.garder) as url_copie:
                if numero == 0:
                    _django(url_copie, var_dir)
                from django.db import connections

                try:
                    if numero == 0:
                        t = time.perf_counter()
                        echantillon = verifier_echantillon()
                        rapport_donnees(donnees(), echantillon, time.perf_counter() - t)
                    resultat = mesurer(url, maintenant)
                finally:
                    connections.close_all()
            rapport(nom, resultat, details=args.profil)
            restantes += resultat["restantes"]
        _ecrire("=" * 78)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    return 0 if restantes == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
