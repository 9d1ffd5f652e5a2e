"""DRF's parsers, hardened so that bad input is a 400, never a 500."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSONParser; a body nested deeper than the decoder can follow is DRF's 400.

    Python's decoder raises RecursionError (not ValueError) on such a body, which DRF
    would let through as a server error. Async views use this parser in place of DRF's.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.") from None


def parser_instances(parser_classes):
    """Instances of ``parser_classes``, with restflow's JSONParser in place of DRF's."""
    return [(JSONParser if cls is parsers.JSONParser else cls)() for cls in parser_classes]
