"""``cache_response``: a view method (or ``@api_view`` function) answered from the cache as rendered bytes.

On a hit the view body, serializers and renderer are skipped: a plain ``HttpResponse`` is rebuilt
from the stored content, status and headers. Only successful, cookie-free, non-streaming
responses are stored unless ``cache_if``/``cache_unless`` say otherwise. Only GET and HEAD
requests are answered from the cache or stored in it: any other method runs the view.

The key constructor's key is completed with what else the answer depends on: the request's host,
the active language, and the values of the request headers the response names in ``Vary``
(learned from the responses seen: a response is always stored under a key that holds them).
"""

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from rest_framework.exceptions import NotAcceptable
from rest_framework.request import Request

from restflow._drf_own import split_header_value
from restflow.caching.fields import KeyContext
from restflow.caching.hashing import hash_string
from restflow.caching.keys import ResponseCacheKeyConstructor
from restflow.caching.store import escape_glob
from restflow.caching.wrappers import DEFAULT_TTL, CachedWrapper, set_response_cache_header
from restflow.renderers import arender

CACHED_METHODS = frozenset({"GET", "HEAD"})
_NOT_STORED = frozenset({"set-cookie", "vary", "allow", "x-cache-status", "x-cached-at", "x-cache-reset-at"})


def _view_and_request(arguments):
    request = arguments.get("request")
    view = arguments.get("self")
    if view is None and request is not None:
        view = (getattr(request, "parser_context", None) or {}).get("view")
    return view, request


def _prepare(response, view, request):
    """Give an unrendered DRF Response what ``finalize_response`` would, so it can be rendered now."""
    if getattr(response, "accepted_renderer", None) is not None:
        return response
    if hasattr(request, "accepted_renderer"):
        response.accepted_renderer = request.accepted_renderer
        response.accepted_media_type = request.accepted_media_type
    elif view is not None:  # called outside dispatch (refresh() or bypass_cache() from a test or a task)
        response.accepted_renderer, response.accepted_media_type = _negotiate(view, request)
    else:
        return response
    response.renderer_context = view.get_renderer_context() if view is not None else {"request": request}
    return response


def _negotiate(view, request):
    """The view's renderer for ``request`` as DRF's negotiation picks it; its first one when none fits."""
    renderers = view.get_renderers()
    drf_request = request if isinstance(request, Request) else Request(request)
    try:
        return view.get_content_negotiator().select_renderer(drf_request, renderers)
    except NotAcceptable:
        return renderers[0], renderers[0].media_type


class CachedResponseWrapper(CachedWrapper):
    """What ``@cache_response`` makes of a view method: the ``CachedWrapper`` surface over responses."""

    default_key_constructor = ResponseCacheKeyConstructor

    def __init__(self, func, *args, set_cache_headers=False, **kwargs):
        super().__init__(func, *args, **kwargs)
        self._vary = frozenset()  # request headers the responses named in Vary
        self.set_cache_headers = set_cache_headers
        self.handler = func
        self.func = self._arender if self.is_async else self._render

    def _context(self, arguments):
        view_kwargs = {name: value for name, value in arguments.items() if name not in ("self", "request")}
        return KeyContext(arguments, view_kwargs, function=self.handler)

    # Keys: the constructor's key, then ``~`` and a digest of the request's variant.

    def get_cache_key(self, *args, **kwargs):
        key = super().get_cache_key(*args, **kwargs)
        request = _request_of(args, kwargs)
        return key if request is None else f"{key}~{self._variant(request, self._vary)}"

    def _variant(self, request, vary):
        request = getattr(request, "_request", request)  # the HttpRequest under DRF's Request
        parts = [request.get_host(), get_language() or ""]
        parts += [f"{name}={request.headers.get(name, '')}" for name in sorted(vary)]
        return hash_string("\n".join(parts))[:16]

    def _store_key(self, key, response, args, kwargs):
        vary = {name.strip().lower() for name in split_header_value(response.get("Vary", "")) if name.strip()}
        if vary <= self._vary:
            return key
        self._vary = self._vary | vary  # later lookups include these headers too
        return self.get_cache_key(*args, **kwargs)

    def _variants_pattern(self, args, kwargs):
        return escape_glob(super().get_cache_key(*args, **kwargs)) + "~*"

    def delete_cache(self, *args, **kwargs):
        """Drop the entries for these arguments, for every host, language and varied header."""
        self._sync_only("delete_cache")
        self.store.invalidate(self.function_id, self._variants_pattern(args, kwargs))

    async def adelete_cache(self, *args, **kwargs):
        await self.store.ainvalidate(self.function_id, self._variants_pattern(args, kwargs))

    def sync_delete_cache(self, **kwargs):
        self.store.invalidate(self.function_id, self._variants_pattern((), kwargs))

    def _render(self, *args, **kwargs):
        response = self.handler(*args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            view, request = _view_and_request(self._arguments(args, kwargs))
            _prepare(response, view, request).render()
        return response

    async def _arender(self, *args, **kwargs):
        response = await self.handler(*args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            view, request = _view_and_request(self._arguments(args, kwargs))
            await arender(_prepare(response, view, request))
        return response

    def default_wanted(self, response):
        return 200 <= response.status_code < 300 and not response.streaming and not response.cookies

    def encode(self, response):
        headers = [(name, value) for name, value in response.items() if name.lower() not in _NOT_STORED]
        return (response.content, response.status_code, headers)

    def decode(self, stored):
        content, status, headers = stored
        return HttpResponse(content, status=status, headers=dict(headers))

    def _with_headers(self, result):
        response, metadata = result
        if self.set_cache_headers:
            set_response_cache_header(response, metadata)
        return response

    def __call__(self, *args, **kwargs):
        if not _cacheable_method(args, kwargs):
            # A write (or OPTIONS, TRACE...) always runs, and its answer is never stored.
            return self.handler(*args, **kwargs)
        if self.is_async:
            return self._acall(args, kwargs)
        return self._with_headers(self._get(args, kwargs))

    async def _acall(self, args, kwargs):
        return self._with_headers(await self._aget(args, kwargs))


def _request_of(args, kwargs):
    """The request among a view method's arguments (None when called without one)."""
    request = kwargs.get("request")
    if request is None:
        request = next((arg for arg in args if isinstance(arg, (Request, HttpRequest))), None)
    return request


def _cacheable_method(args, kwargs):
    """True unless the call's request uses a method other than GET or HEAD."""
    request = _request_of(args, kwargs)
    return request is None or request.method in CACHED_METHODS


class ResponseCachePolicy:
    """The options of one ``cache_response(...)``: a decorator, also accepted as ``ActionConfig(cache=...)``."""

    def __init__(self, **options):
        self.options = options

    def __call__(self, func):
        return CachedResponseWrapper(func, **self.options)

    def wrap(self, func, function_id):
        """Wrap a viewset's action for one class: its own ``function_id`` keeps classes' entries apart."""
        return CachedResponseWrapper(func, function_id=function_id, **self.options)


def cache_response(
    key_constructor=None,
    ttl=DEFAULT_TTL,
    invalidates_on=None,
    cache_if=None,
    cache_unless=None,
    set_cache_headers=False,
    cache_alias="default",
):
    """Cache a view method's rendered responses (``CachedResponseWrapper``)."""
    return ResponseCachePolicy(
        key_constructor=key_constructor,
        ttl=ttl,
        invalidates_on=invalidates_on,
        cache_if=cache_if,
        cache_unless=cache_unless,
        set_cache_headers=set_cache_headers,
        cache_alias=cache_alias,
    )
