"""The Request restflow's views build: DRF's, with a body nested too deeply answered 400."""

from rest_framework.exceptions import ParseError
from rest_framework.request import Request


class _Request(Request):
    """DRF's Request; a body nested deeper than the parser can follow is DRF's ParseError (400).

    Python's JSON decoder raises RecursionError, not ValueError, on such a body, and DRF's
    JSONParser lets it through as a server error. Catching it where the body is parsed keeps
    the view's parsers exactly the configured classes.
    """

    def _parse(self):
        try:
            return super()._parse()
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.") from None


def build_request(view, request):
    """What DRF's ``initialize_request`` builds, as ``_Request``."""
    return _Request(
        request,
        parsers=view.get_parsers(),
        authenticators=view.get_authenticators(),
        negotiator=view.get_content_negotiator(),
        parser_context=view.get_parser_context(request),
    )
