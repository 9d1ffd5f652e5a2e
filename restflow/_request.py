"""The Request restflow's views build: DRF's, with bodies Django refuses answered as API errors."""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.request import Request


class RequestTooLarge(APIException):
    """413: the body is larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (Django refuses to read it)."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body too large: it exceeds the server's DATA_UPLOAD_MAX_MEMORY_SIZE."
    default_code = "request_too_large"


class _Request(Request):
    """DRF's Request; a body nested deeper than the parser can follow is DRF's ParseError (400),
    a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` a 413 and a form over ``DATA_UPLOAD_MAX_NUMBER_FIELDS``
    a 400, in DRF's error shape instead of Django's HTML error page.

    Python's JSON decoder raises RecursionError, not ValueError, on such a body, and DRF's
    JSONParser lets it through as a server error. Catching it where the body is parsed keeps
    the view's parsers exactly the configured classes.
    """

    def _parse(self):
        try:
            return super()._parse()
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.") from None
        except RequestDataTooBig:
            raise RequestTooLarge() from None
        except TooManyFieldsSent:
            raise ParseError("Too many fields: the form has more than the server's DATA_UPLOAD_MAX_NUMBER_FIELDS.") from None


def build_request(view, request):
    """What DRF's ``initialize_request`` builds, as ``_Request``."""
    return _Request(
        request,
        parsers=view.get_parsers(),
        authenticators=view.get_authenticators(),
        negotiator=view.get_content_negotiator(),
        parser_context=view.get_parser_context(request),
    )
