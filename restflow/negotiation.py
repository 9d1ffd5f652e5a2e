"""Content negotiation remembered per Accept header and format.

DRF's default negotiation builds ``request.headers``, parses the Accept header
and matches it against the renderers on every request. Its answer depends only
on the Accept header, the requested format and the renderers, so restflow keeps
the answer for each combination it has seen (a bounded table) and skips that
work. Other negotiation classes, and failures (406, unknown format), always run
DRF's code.
"""

from rest_framework.negotiation import DefaultContentNegotiation

_MAX_ENTRIES = 512
_MAX_ACCEPT_LENGTH = 256
_answers: dict = {}


def _select(negotiator, request, renderers, format_suffix, force):
    try:
        return negotiator.select_renderer(request, renderers, format_suffix)
    except Exception:
        if force:
            return (renderers[0], renderers[0].media_type)
        raise


def _format(view, request, meta):
    """The requested format: the URL's suffix, else the query parameter DRF reads."""
    format = view.format_kwarg
    if not format and meta.get("QUERY_STRING"):
        param = DefaultContentNegotiation.settings.URL_FORMAT_OVERRIDE
        format = request.query_params.get(param) if param else None
    return format


def negotiate(view, request, force=False, renderer_classes=None):
    """``(renderer, media_type)`` for ``request``, as DRF's ``perform_content_negotiation`` gives.

    ``renderer_classes``: the classes ``view.get_renderers()`` would instantiate, when the
    dispatch plan knows them (stock ``get_renderers``); a remembered answer then instantiates
    only the chosen renderer, without building the list or the negotiator.
    """
    meta = request._request.META
    accept = meta.get("HTTP_ACCEPT")
    if accept and len(accept) > _MAX_ACCEPT_LENGTH:
        return _select(view.get_content_negotiator(), request, view.get_renderers(), view.format_kwarg, force)
    if renderer_classes is not None and view.content_negotiation_class is DefaultContentNegotiation:
        key = (accept, _format(view, request, meta), id(renderer_classes))
        found = _answers.get(key)
        if found is not None and found[2] is renderer_classes:
            return renderer_classes[found[0]](), found[1]
        renderer, media_type = negotiate(view, request, force)
        if not force:
            _remember(key, (renderer_classes.index(type(renderer)), media_type, renderer_classes))
        return renderer, media_type
    renderers = view.get_renderers()
    negotiator = view.get_content_negotiator()
    if type(negotiator) is not DefaultContentNegotiation:
        return _select(negotiator, request, renderers, view.format_kwarg, force)
    key = (accept, _format(view, request, meta), tuple((type(r), r.media_type, r.format) for r in renderers))
    found = _answers.get(key)
    if found is not None:
        return renderers[found[0]], found[1]
    try:
        renderer, media_type = negotiator.select_renderer(request, renderers, view.format_kwarg)
    except Exception:
        return _select(negotiator, request, renderers, view.format_kwarg, force)
    _remember(key, (next(i for i, r in enumerate(renderers) if r is renderer), media_type))
    return renderer, media_type


def _remember(key, answer):
    """Keep ``answer`` for ``key`` in the bounded table (emptied when full)."""
    if len(_answers) >= _MAX_ENTRIES:
        _answers.clear()
    _answers[key] = answer
