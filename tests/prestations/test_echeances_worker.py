"""The deadline engine with a real Redis broker and real Celery worker processes (issue 5).

The worker runs ``celery -A config worker`` against the test database (its rows are
committed: transactional tests) and a Redis database kept for these tests, on a queue
of its own for each test (another test run may share the Redis at the same time).
E-mails are written to files in a temporary folder, so that each message a worker sends
can be counted. Every wait is bounded (polling every 0.2 s); the worker is always
stopped, even when an assertion fails.
"""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
import time_machine as time_machine_module
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from comptes.models import Canal, Notification
from comptes.notifications import notifier
from comptes.tasks import envoyer_emails
from config.celery import app as celery_app
from prestations.models import LettreDeCommande, Marche
from prestations.models.echeances import Balayage, Echeance, EtatEcheance, TypeEcheance
from prestations.tasks import balayer_echeances
from tests.support.email import par_destinataire

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BASE = Path(__file__).resolve().parents[2]
REDIS_TEST = "redis://127.0.0.1:6379/14"
REDIS_EN_PANNE = "redis://127.0.0.1:6390/0"  # nothing listens there
ATTENTE = 30  # seconds, for any condition that depends on a worker
PRESCRIPTEUR, REFERENT, RESPONSABLE = "presc.a@exemple.test", "ref.x@exemple.test", "resp.x@exemple.test"


# --- Fixtures and helpers ----------------------------------------------------------------


@contextmanager
def courtier(url: str):
    """Point this process's Celery app at ``url`` (its cached connection pools too)."""

    def oublier_les_connexions():
        celery_app._pool = None
        if "amqp" in celery_app.__dict__:
            celery_app.amqp._producer_pool = None

    ancien = celery_app.conf.broker_url
    oublier_les_connexions()
    celery_app.conf.broker_url = url
    try:
        yield
    finally:
        oublier_les_connexions()
        celery_app.conf.broker_url = ancien


@pytest.fixture
def redis_de_test():
    """The test Redis as the broker of this process and of the workers, on a queue of this test's own."""
    file = f"echeances-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    client = redis.Redis.from_url(REDIS_TEST)
    defaut = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = file
    try:
        with courtier(REDIS_TEST):
            yield file
    finally:
        celery_app.conf.task_default_queue = defaut
        # Leave nothing behind: the queue, and the message a killed worker never acknowledged.
        client.delete(file, f"_kombu.binding.{file}", f"_kombu.binding_permanent.{file}")
        for liaison in client.smembers("_kombu.binding.celery"):
            if file.encode() in liaison:
                client.srem("_kombu.binding.celery", liaison)
        for etiquette, message in client.hgetall("unacked").items():
            if file.encode() in message:
                client.hdel("unacked", etiquette)
                client.zrem("unacked_index", etiquette)


@pytest.fixture
def horloge_reelle(monde, time_machine):
    """The workers live on the real clock: so does the test (``monde`` froze it elsewhere).
    A test that builds cases with ``dossiers`` asks for this fixture too: the builder then
    works on the real clock."""
    maintenant = datetime.datetime.fromtimestamp(time_machine_module.escape_hatch.time.time(), tz=datetime.UTC)
    time_machine.move_to(maintenant, tick=True)
    aujourd_hui = timezone.localdate()
    Marche.objects.filter(pk=monde.marche.pk).update(
        date_debut=aujourd_hui - datetime.timedelta(days=400), date_fin=aujourd_hui + datetime.timedelta(days=800)
    )
    return maintenant


def attendre(condition, message: str, travailleurs=(), delai: float = ATTENTE) -> None:
    """Poll ``condition`` every 0.2 s for at most ``delai`` seconds."""
    limite = time.monotonic() + delai
    while time.monotonic() < limite:
        if condition():
            return
        time.sleep(0.2)
    journaux = "\n".join(t.journal()[-3000:] for t in travailleurs)
    raise AssertionError(f"{message} (après {delai} s)\n--- journal du worker ---\n{journaux}")


class Travailleur:
    """One ``celery worker`` process on the test database and the test Redis."""

    def __init__(self, dossier: Path, file: str, nom: str, email_backend: str, **env):
        self.dossier_emails = dossier / "emails"
        self.fichier_journal = dossier / f"{nom}.log"
        base = settings.DATABASES["default"]
        identite = base["USER"] + (f":{base['PASSWORD']}" if base.get("PASSWORD") else "")
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{identite}@{base['HOST']}:{base['PORT']}/{base['NAME']}",
            "DB_CONN_MAX_AGE": "0",
            "REDIS_URL": REDIS_TEST,
            "EMAIL_BACKEND": email_backend,
            "EMAIL_FILE_PATH": str(self.dossier_emails),
            "SECRET_KEY": "x",
            "STATIC_MANIFEST": "0",
            "PYTHONPATH": str(BASE),
            "DJANGO_SETTINGS_MODULE": "tests.support.reglages_worker",
            "CELERY_FILE_TEST": file,
            **env,
        }
        self.nom, self.file = nom, file
        self.process = None

    def demarrer(self) -> Travailleur:
        commande = [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "config",
            "worker",
            "--concurrency=1",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-Q",
            self.file,
            "-n",
            f"{self.nom}-{os.getpid()}@%h",
        ]
        with open(self.fichier_journal, "wb") as journal:
            self.process = subprocess.Popen(
                commande, cwd=BASE, env=self.env, stdout=journal, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self

    def tuer(self) -> None:
        """SIGKILL: no shutdown, no ack, no rollback by the worker itself."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def arreter(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.tuer()

    def journal(self) -> str:
        return self.fichier_journal.read_text(errors="replace") if self.fichier_journal.exists() else ""


@pytest.fixture
def travailleurs(tmp_path, redis_de_test):
    """Start workers with ``lancer(nom, backend, **env)``; every one is stopped at the end."""
    lances: list[Travailleur] = []

    def lancer(nom: str, email_backend: str = "django.core.mail.backends.filebased.EmailBackend", **env):
        travailleur = Travailleur(tmp_path, redis_de_test, nom, email_backend, **env)
        lances.append(travailleur)
        return travailleur.demarrer()

    try:
        yield lancer
    finally:
        for travailleur in lances:
            travailleur.arreter()


def emails_en_attente(**filtres):
    return Notification.objects.filter(canal=Canal.EMAIL, envoyee_le__isnull=True, **filtres)


# --- Tests -----------------------------------------------------------------------------------


def test_integration_echeance_due_e_mail_envoye_par_un_vrai_worker(
    dossiers, monde, time_machine, horloge_reelle, redis_de_test, travailleurs, tmp_path
):
    # A case issued 9 days ago and never contractualised: its MOV-03 breach is due now.
    il_y_a_9_jours = timezone.localdate() - datetime.timedelta(days=9)
    time_machine.move_to(horloge_reelle - datetime.timedelta(days=9), tick=True)
    p = dossiers.nouveau(debut=il_y_a_9_jours)
    time_machine.move_to(datetime.datetime.fromtimestamp(time_machine_module.escape_hatch.time.time(), tz=datetime.UTC))
    echeance = Echeance.objects.get(prestation=p, type=TypeEcheance.CONTRACTUALISATION)
    assert echeance.due_le <= timezone.now() and echeance.etat == EtatEcheance.A_VENIR

    balayer_echeances.delay()  # what beat sends every few minutes, through the real broker
    worker = travailleurs("integration")
    depassement = f"echeance:{echeance.pk}:depassement"
    attendre(
        lambda: (
            Notification.objects.filter(cle=depassement, canal=Canal.EMAIL).count() == 2
            and not emails_en_attente(cle=depassement).exists()
        ),
        "les e-mails du dépassement MOV-03 ne sont pas partis",
        [worker],
    )
    echeance.refresh_from_db()
    assert echeance.etat == EtatEcheance.ECHUE
    [balayage] = Balayage.objects.all()  # the worker's run is recorded
    assert (balayage.depassements, balayage.simulation) == (1, False)
    recus = par_destinataire(tmp_path / "emails")
    sujet = f"Échéance dépassée : {echeance.libelle} — {p.lettre_de_commande.numero}"
    assert recus[PRESCRIPTEUR].count(sujet) == 1 and recus[REFERENT].count(sujet) == 1


def test_worker_tue_pendant_l_envoi_rien_perdu_rien_en_double(
    monde, horloge_reelle, redis_de_test, travailleurs, tmp_path
):
    destinataires = [monde.prescripteur.user, monde.referent.user, monde.responsable.user]
    notifier(destinataires, cle="panne:1", sujet="Avis à ne pas perdre", corps="MOV-03")  # queued after commit
    assert emails_en_attente(cle="panne:1").count() == 3

    premier = travailleurs("condamne", "tests.support.email.LentBackend", EMAIL_LENT_SECONDES="3")
    dossier = tmp_path / "emails"
    attendre(lambda: any(dossier.glob("envoi-en-cours-*")), "le premier worker n'a pas commencé l'envoi", [premier])
    premier.tuer()  # in the middle of the SMTP exchange: nothing written, nothing committed
    assert not list(dossier.glob("*.eml"))
    attendre(
        lambda: emails_en_attente(cle="panne:1").count() == 3,
        "la ligne en cours d'envoi n'est pas revenue en attente",
    )

    second = travailleurs("repreneur", "tests.support.email.LentBackend", EMAIL_LENT_SECONDES="0.2")
    envoyer_emails.delay()  # what beat sends every minute (the first message waits for its visibility timeout)
    attendre(lambda: not emails_en_attente(cle="panne:1").exists(), "les avis ne sont pas partis", [second])
    envoyer_emails.delay()  # a redelivered or duplicate task finds nothing left to send
    attendre(
        lambda: second.journal().count("comptes.tasks.envoyer_emails[") >= 4,  # received + succeeded, twice
        "la seconde tâche n'a pas été traitée",
        [second],
    )
    recus = par_destinataire(dossier)
    assert {adresse: sujets.count("Avis à ne pas perdre") for adresse, sujets in recus.items()} == {
        PRESCRIPTEUR: 1,
        REFERENT: 1,
        RESPONSABLE: 1,
    }
    lignes = Notification.objects.filter(cle="panne:1", canal=Canal.EMAIL)
    assert all(n.envoyee_le is not None and n.tentatives == 1 for n in lignes)


def test_redis_en_panne_la_creation_de_ldc_reussit_et_ses_avis_partent_au_retour(
    monde, beneficiaire_de, client_de, horloge_reelle, redis_de_test, travailleurs, tmp_path
):
    client = client_de(monde.prescripteur)
    beneficiaire = beneficiaire_de()
    donnees = {
        "beneficiaire": beneficiaire.pk,
        "dispositif": monde.marche.dispositif,
        "marche": monde.marche.pk,
        "date_debut": timezone.localdate().isoformat(),
        "accord_beneficiaire": "on",
        "motivation": "Freins sociaux importants, projet à construire.",
    }
    with courtier(REDIS_EN_PANNE):
        reponse = client.post(reverse("prestations:ldc_creer"), donnees)
    ldc = LettreDeCommande.objects.get()
    assert reponse.status_code == 302 and reponse["Location"] == reverse("prestations:ldc_detail", args=[ldc.pk])
    transmise = f"ldc:{ldc.pk}:transmise"
    # Committed with the LdC, waiting in the outbox: nothing lost.
    assert set(emails_en_attente(cle=transmise).values_list("destinataire__email", flat=True)) == {RESPONSABLE}
    assert Notification.objects.filter(cle=transmise, canal=Canal.IN_APP).count() == 1

    # Redis is back: the beat schedule queues the outbox task, a worker sends the notices once.
    worker = travailleurs("retour")
    envoyer_emails.delay()
    attendre(lambda: not emails_en_attente(cle=transmise).exists(), "les avis de la LdC ne sont pas partis", [worker])
    recus = par_destinataire(tmp_path / "emails")
    sujet = f"Nouvelle lettre de commande {ldc.numero} (MOV)"
    assert recus[RESPONSABLE].count(sujet) == 1 and sujet not in recus.get(REFERENT, [])
