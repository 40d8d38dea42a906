from celery import shared_task


@shared_task(ignore_result=True, acks_late=True)
def sceller_livrable(livrable_id: int):
    """Render a signed document as PDF/A, seal it and store it (idempotent: a sealed
    version is left as it is; queued after the commit of its last signature)."""
    from livrables.scellement import sceller

    sceller(livrable_id)
