"""restflow's error envelope: every API error as ``{"error": {"code", "message", "details"}}``.

Opt in with ``REST_FRAMEWORK = {"EXCEPTION_HANDLER": "restflow.exceptions.exception_handler"}``.
The handler starts from DRF's own (so status codes, ``WWW-Authenticate``, ``Retry-After`` and the
``ATOMIC_REQUESTS`` rollback stay DRF's) and replaces the body with the envelope, whose ``code`` is
a stable string a client can branch on.
"""

import math
from enum import StrEnum

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

__all__ = ["APIException", "ErrorCode", "exception_handler", "format_error"]


class ErrorCode(StrEnum):
    """The stable ``code`` strings of the envelope; clients match on the values."""

    NOT_AUTHENTICATED = "not_authenticated"
    AUTHENTICATION_FAILED = "authentication_failed"
    PERMISSION_DENIED = "permission_denied"
    VALIDATION_ERROR = "validation_error"
    PARSE_ERROR = "parse_error"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    NOT_ACCEPTABLE = "not_acceptable"
    THROTTLED = "throttled"
    CONFLICT = "conflict"
    INTERNAL_ERROR = "internal_error"
    SERVICE_UNAVAILABLE = "service_unavailable"


def _code_value(code):
    return code.value if isinstance(code, ErrorCode) else str(code)


class APIException(exceptions.APIException):
    """DRF's APIException with a stable ``code`` and a ``details`` payload for the envelope.

    ``code``, ``details`` and ``status_code`` are class attributes a subclass sets, and
    keywords that override them for one instance. ``detail`` is the message, as in DRF.
    """

    code = ErrorCode.INTERNAL_ERROR.value
    details = None

    def __init__(self, detail=None, code=None, *, details=None, status_code=None):
        if code is not None:
            self.code = _code_value(code)
        if details is not None:
            self.details = details
        if status_code is not None:
            self.status_code = status_code
        super().__init__(detail, _code_value(self.code))


def format_error(code, message, details=None):
    """The envelope dict: ``code`` is an ``ErrorCode`` or a plain string, ``details`` defaults to ``{}``."""
    return {"error": {"code": _code_value(code), "message": str(message), "details": details or {}}}


def _plain(value):
    """Error detail as JSON-ready data: mappings and lists kept (keys as strings), leaves as strings."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return str(value)


def _validation_details(detail):
    """A ValidationError's detail keyed by field; a bare list goes under the non-field key."""
    if isinstance(detail, dict):
        return _plain(detail)
    if not isinstance(detail, (list, tuple)):
        detail = [detail]
    return {api_settings.NON_FIELD_ERRORS_KEY: _plain(detail)}


def _message_and_details(exc):
    """An APIException's message, and its detail as ``details`` when the detail is structured."""
    if isinstance(exc.detail, (list, dict)):
        return str(exc.default_detail), _plain(exc.detail)
    return str(exc.detail), {}


# DRF's exceptions in the documented order: the first class that matches gives the code.
_DRF_CODES = [
    (exceptions.NotAuthenticated, ErrorCode.NOT_AUTHENTICATED),
    (exceptions.AuthenticationFailed, ErrorCode.AUTHENTICATION_FAILED),
    (exceptions.PermissionDenied, ErrorCode.PERMISSION_DENIED),
    (exceptions.NotFound, ErrorCode.NOT_FOUND),
    (exceptions.MethodNotAllowed, ErrorCode.METHOD_NOT_ALLOWED),
    (exceptions.NotAcceptable, ErrorCode.NOT_ACCEPTABLE),
    (exceptions.UnsupportedMediaType, ErrorCode.UNSUPPORTED_MEDIA_TYPE),
    (exceptions.ParseError, ErrorCode.PARSE_ERROR),
]


def _describe(exc):
    """(code, message, details) of an exception the handler answers for."""
    if isinstance(exc, APIException):
        message, details = _message_and_details(exc)
        return exc.code, message, exc.details if exc.details is not None else details
    for exception_class, code in _DRF_CODES:
        if isinstance(exc, exception_class):
            return (code, *_message_and_details(exc))
    if isinstance(exc, DjangoPermissionDenied):
        return ErrorCode.PERMISSION_DENIED, str(exc) or str(exceptions.PermissionDenied.default_detail), {}
    if isinstance(exc, (Http404, ObjectDoesNotExist)):
        return ErrorCode.NOT_FOUND, gettext("Resource not found."), {}
    if isinstance(exc, exceptions.Throttled):
        details = {} if exc.wait is None else {"retry_after_seconds": math.ceil(exc.wait)}
        return ErrorCode.THROTTLED, str(exc.detail), details
    if isinstance(exc, exceptions.ValidationError):
        return ErrorCode.VALIDATION_ERROR, gettext("Request validation failed."), _validation_details(exc.detail)
    if isinstance(exc, DjangoValidationError):
        details = _validation_details(as_serializer_error(exc))
        return ErrorCode.VALIDATION_ERROR, gettext("Request validation failed."), details
    # Any other DRF APIException: DRF's status, the generic code.
    return (ErrorCode.INTERNAL_ERROR, *_message_and_details(exc))


def exception_handler(exc, context):
    """Answer ``exc`` with the error envelope, or return None (Django's 500) for what DRF leaves alone.

    DRF's handler runs first and its response is kept (status, headers, rollback); only the body
    changes. Django's ``ObjectDoesNotExist`` (404) and ``ValidationError`` (400), which DRF leaves
    to Django, are answered too.
    """
    response = drf_exception_handler(exc, context)
    if response is None:
        if isinstance(exc, ObjectDoesNotExist):
            response = Response(status=status.HTTP_404_NOT_FOUND)
        elif isinstance(exc, DjangoValidationError):
            response = Response(status=status.HTTP_400_BAD_REQUEST)
        else:
            return None
        set_rollback()
    response.data = format_error(*_describe(exc))
    return response
