"""The Request restflow's views build: DRF's, with bodies Django refuses answered as API errors.

``light_request`` builds it for a class whose request construction is stock (the dispatch plan's
light path): parsers, negotiator and parser context are made when something first reads them.
"""

from functools import cached_property

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.request import Empty, ForcedAuthentication, Request


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
            raise ParseError(
                "Too many fields: the form has more than the server's DATA_UPLOAD_MAX_NUMBER_FIELDS."
            ) from None


def build_request(view, request):
    """What DRF's ``initialize_request`` builds, as ``_Request``."""
    return _Request(
        request,
        parsers=view.get_parsers(),
        authenticators=view.get_authenticators(),
        negotiator=view.get_content_negotiator(),
        parser_context=view.get_parser_context(request),
    )


class _LightRequest(_Request):
    """``_Request`` whose ``parsers``, ``negotiator`` and ``parser_context`` come from the view when
    first read (most requests never parse a body), with the values DRF's ``__init__`` would give.

    The rest of the state is what DRF's ``Request.__init__`` sets (pinned by a test comparing the
    two); assigning any of the three replaces it, as on DRF's Request.
    """

    def __init__(self, view, request):
        self._view = view
        self._request = request
        self.authenticators = view.get_authenticators() or ()
        self._data = self._files = self._full_data = self._content_type = self._stream = Empty
        force_user = getattr(request, "_force_auth_user", None)
        force_token = getattr(request, "_force_auth_token", None)
        if force_user is not None or force_token is not None:
            self.authenticators = (ForcedAuthentication(force_user, force_token),)

    @cached_property
    def parsers(self):
        return self._view.get_parsers() or ()

    @cached_property
    def negotiator(self):
        return self._view.get_content_negotiator() or self._default_negotiator()

    @cached_property
    def parser_context(self):
        context = self._view.get_parser_context(self._request)
        if context is None:
            context = {}
        context["request"] = self
        context["encoding"] = self._request.encoding or settings.DEFAULT_CHARSET
        return context


def light_request(view, request):
    """What ``build_request`` gives, its parsers, negotiator and parser context made on first read."""
    return _LightRequest(view, request)
