from django.db import connection
from django.http import JsonResponse


def sante(request):
    """Health check for the container orchestrator: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"statut": "ok"})
