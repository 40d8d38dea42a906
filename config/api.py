"""API plumbing shared by every app: errors of the services become 400/409 answers."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from prestations.exceptions import ActionRefusee


def exception_handler(exc, context):
    if isinstance(exc, ActionRefusee):
        return Response({"detail": exc.message, "regle": exc.regle}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        data = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(data, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
