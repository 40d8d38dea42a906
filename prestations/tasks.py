from celery import shared_task


@shared_task(ignore_result=True)
def balayer_echeances():
    """The periodic deadline sweep (idempotent: rows are claimed with SKIP LOCKED)."""
    from prestations.echeances.balayage import balayer

    return balayer().examinees
