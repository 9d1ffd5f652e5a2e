"""An opt-in JSON renderer on orjson: DRF's JSON output, produced faster.

``ORJSONRenderer`` renders what DRF's ``JSONRenderer`` renders, byte for byte,
for the data serializers produce: compact separators, UTF-8 text, DRF's
encoding of dates, times, decimals, UUIDs, lazy strings and querysets (orjson
hands those types back to DRF's ``encoder_class``), and U+2028/U+2029 escaped.
Where orjson cannot give the same bytes it is not used and the stdlib path
runs: an ``indent`` asked for by the client or the browsable API,
``UNICODE_JSON = False``, ``COMPACT_JSON = False``, integers beyond 64 bits,
or any other value orjson refuses.

One difference remains: orjson writes a float NaN or infinity as ``null``,
where DRF's ``STRICT_JSON`` raises ``ValueError`` (a 500) and non-strict DRF
writes ``NaN``. Use it where floats are finite, as serializer output is.

Install with ``pip install "restflow-async[fast]"`` and opt in per view
(``renderer_classes = [ORJSONRenderer, BrowsableAPIRenderer]``) or for the
project (``REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"]``).

``render_on_loop`` lets an async view render a JSON response itself, so that
Django's async handler does not spend a thread hop on ``response.render()``.
"""

from contextlib import contextmanager

from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.utils.cache import patch_vary_headers
from django.utils.module_loading import import_string
from rest_framework import renderers, serializers
from rest_framework.compat import LONG_SEPARATORS, SHORT_SEPARATORS
from rest_framework.renderers import JSONRenderer

from restflow._drf_own import split_header_value
from restflow._memo import Memo
from restflow._sync import in_thread, resolve

try:
    import orjson
except ImportError:  # pragma: no cover - exercised only without the extra
    orjson = None

__all__ = ["BrowsableAPIRenderer", "ORJSONRenderer", "for_async_view", "render_on_loop"]

if orjson is not None:
    # Types orjson would format its own way go to DRF's encoder instead.
    _OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS
    _LINE_SEPARATORS = ("\u2028".encode(), "\u2029".encode())


class ORJSONRenderer(JSONRenderer):
    """``JSONRenderer`` with orjson doing the encoding (same media type, format and output)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if orjson is None or self.ensure_ascii or not self.compact:
            return super().render(data, accepted_media_type, renderer_context)
        if self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            content = orjson.dumps(data, default=self.encoder_class().default, option=_OPTIONS)
        except (orjson.JSONEncodeError, ValueError):
            return super().render(data, accepted_media_type, renderer_context)
        if _LINE_SEPARATORS[0] in content or _LINE_SEPARATORS[1] in content:
            content = content.replace(_LINE_SEPARATORS[0], b"\\u2028").replace(_LINE_SEPARATORS[1], b"\\u2029")
        return content


# Renderers known to do no I/O: safe to run on the event loop.
_LOOP_SAFE_RENDERS = frozenset({JSONRenderer.render, ORJSONRenderer.render})
_template_middleware = [None, True]  # [settings.MIDDLEWARE seen, whether one wants unrendered responses]


def _template_response_middleware():
    """True when a middleware has ``process_template_response`` (it must see the response unrendered)."""
    middleware = settings.MIDDLEWARE
    if _template_middleware[0] is not middleware:
        wanted = any(hasattr(import_string(path), "process_template_response") for path in middleware)
        _template_middleware[:] = [middleware, wanted]
    return _template_middleware[1]


def _render_json(response):
    """``response.render()`` with a JSON renderer; text holding a lone surrogate is written escaped.

    Such text is not UTF-8, so DRF's JSONRenderer fails to encode it (a 500); it reaches a
    response when an error message quotes the client's input (``"\\ud800" is not a valid
    choice``). Written with every non-ASCII character escaped, it is the same JSON value
    and the client gets its 400.
    """
    try:
        response.render()
    except UnicodeEncodeError:
        response.accepted_renderer.ensure_ascii = True
        response.render()


async def arender(response):
    """Render a DRF ``response`` now: a JSON renderer on the loop (no I/O), any other in one hop."""
    if not response.is_rendered:
        renderer = getattr(response, "accepted_renderer", None)
        if renderer is not None and type(renderer).render in _LOOP_SAFE_RENDERS:
            _render_json(response)
        else:
            await in_thread(response.render)
    return response


def _encoder(encoder_class, ensure_ascii, strict, compact):
    separators = SHORT_SEPARATORS if compact else LONG_SEPARATORS
    return encoder_class(ensure_ascii=ensure_ascii, allow_nan=not strict, separators=separators)


_encoders = Memo("JSON encoders per JSONRenderer settings")


def _straight_json(response):
    """DRF's ``JSONRenderer`` bytes for ``response``, or None when this shortcut does not apply.

    What ``SimpleTemplateResponse.render()`` would do for a stock ``JSONRenderer`` (Content-Type,
    ``renderer_context["response"]``, the content) without its generic steps: the encoder is
    built once per renderer settings instead of per call, and no indent is looked up when the
    negotiated media type has no parameters (DRF reads ``indent`` from them). Anything else
    (another renderer or media type, no data, post-render callbacks, a value the encoder
    refuses or a lone surrogate) is left to the general path.
    """
    renderer = response.accepted_renderer
    data = response.data
    if (
        type(renderer) is not JSONRenderer
        or data is None
        or ";" in response.accepted_media_type
        or getattr(response, "_post_render_callbacks", None)
    ):
        return None
    encoder = _encoders.get(renderer.encoder_class, _encoder, renderer.ensure_ascii, renderer.strict, renderer.compact)
    try:
        text = encoder.encode(data)
        content = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()
    except Exception:  # TypeError, ValueError, UnicodeEncodeError: the general path answers as DRF does
        return None
    response.renderer_context["response"] = response
    response["Content-Type"] = response.content_type or renderer.media_type
    response.content = content
    return response


def finish_light(view, request, response):
    """``finalize_response`` and rendering for a class whose plan keeps both stock (the light path).

    The same attributes and headers as DRF's ``finalize_response`` (the per-route ``Allow`` and
    ``Vary`` precomputed by the plan), then the JSON rendered straight to bytes when
    ``_straight_json`` applies, else ``render_on_loop``.
    """
    response.accepted_renderer = request.accepted_renderer
    response.accepted_media_type = request.accepted_media_type
    response.renderer_context = {"view": view, "args": view.args, "kwargs": view.kwargs, "request": request}
    headers = view.headers
    vary = headers.pop("Vary", None)
    if vary is not None:
        if response.has_header("Vary"):
            patch_vary_headers(response, list(split_header_value(vary)))
        else:
            response.headers["Vary"] = vary
    for key, value in headers.items():
        response[key] = value
    if getattr(response, "_is_rendered", True) or _template_response_middleware() or _straight_json(response) is None:
        return render_on_loop(request, response)
    return _awaitable_render(request, response)


def render_on_loop(request, response):
    """Render a finalized JSON ``response`` on the event loop; return it.

    Django's async handler renders a response whose ``render`` is a plain
    method in a ``sync_to_async`` hop, and awaits it directly when it is a
    coroutine function. A DRF JSON renderer does no I/O, so the response is
    rendered here and its ``render`` replaced, on the instance, by a coroutine
    function that removes itself and returns the response: once Django's
    handler has awaited it, the response is a plain DRF Response again.

    Under a sync handler (WSGI, Django's test Client) the response is only
    rendered. Nothing changes (Django renders, as before) when the renderer
    is not a known JSON one, a middleware has ``process_template_response``,
    or rendering here fails (a lazy queryset in the data, an unencodable value).
    """
    renderer = getattr(response, "accepted_renderer", None)
    if (
        renderer is None
        or getattr(response, "_is_rendered", True)
        or type(renderer).render not in _LOOP_SAFE_RENDERS
        or _template_response_middleware()
    ):
        return response
    try:
        _render_json(response)
    except Exception:
        return response
    return _awaitable_render(request, response)


def _awaitable_render(request, response):
    """Under an async handler, ``response.render`` becomes a coroutine function that removes itself
    (see ``render_on_loop``); under a sync one the rendered response is left as it is."""
    if not isinstance(getattr(request, "_request", request), ASGIRequest):
        return response  # a sync handler (WSGI, the test Client) calls render(): now a no-op

    async def render():
        del response.render
        return response

    response.render = render
    return response


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's browsable API for async views: an ``async def get_queryset`` is awaited for the filter form.

    The page is rendered in a sync thread, where DRF asks the view for its queryset. A view
    with no ``get_queryset`` (a plain ``AsyncAPIView``) has no filter form, as in DRF.
    """

    def get_rendered_html_form(self, data, view, method, request):
        with _serializer_or_empty(view):
            return super().get_rendered_html_form(data, view, method, request)

    def get_raw_data_form(self, data, view, method, request):
        with _serializer_or_empty(view):
            return super().get_raw_data_form(data, view, method, request)

    def get_filter_form(self, data, view, request):
        get_queryset = getattr(view, "get_queryset", None)
        if get_queryset is None:
            return None
        view.get_queryset = lambda: async_to_sync(resolve)(get_queryset())
        try:
            return super().get_filter_form(data, view, request)
        finally:
            del view.get_queryset


@contextmanager
def _serializer_or_empty(view):
    """For the forms: a restflow view with no request serializer (a plain ``AsyncAPIView`` with a
    ``post``) describes its body with an empty serializer, where ``get_serializer()`` would refuse."""
    getter = getattr(view, "get_request_serializer_class", None)
    if getter is None:
        yield
        return
    get_serializer = view.get_serializer

    def serializer_or_empty(*args, **kwargs):
        return serializers.Serializer() if getter() is None else get_serializer(*args, **kwargs)

    view.get_serializer = serializer_or_empty
    try:
        yield
    finally:
        del view.get_serializer


def for_async_view(renderer):
    """The renderer an async view renders with: restflow's browsable API in place of DRF's."""
    return BrowsableAPIRenderer() if type(renderer) is renderers.BrowsableAPIRenderer else renderer
