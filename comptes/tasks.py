from celery import shared_task

from comptes.envoi import envoyer_emails_en_attente


@shared_task(ignore_result=True)
def envoyer_emails():
    """Send the outbox's pending e-mails (idempotent: rows are claimed one by one)."""
    return envoyer_emails_en_attente()
