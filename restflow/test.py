"""Testing async APIs: DRF's test conveniences for Django's async client and request factory.

Bodies are rendered by DRF's ``TEST_REQUEST_RENDERER_CLASSES`` (``format="json"`` by default,
``format="multipart"`` for files), headers may be given WSGI-style (``HTTP_AUTHORIZATION=``)
as with DRF's APIClient, ``credentials()`` adds headers to every request and
``force_authenticate()`` skips authentication. The four test case bases use the async client
as ``self.client``.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import AsyncToSync
from django.conf import settings
from django.db import connections
from django.test import AsyncClient, AsyncRequestFactory, testcases
from django.test.client import MULTIPART_CONTENT, AsyncClientHandler
from django.utils.encoding import force_bytes
from rest_framework.settings import api_settings
from rest_framework.test import force_authenticate

from restflow._compat import register_compat_paths

__all__ = [
    "AsyncAPIClient",
    "AsyncAPILiveServerTestCase",
    "AsyncAPIRequestFactory",
    "AsyncAPISimpleTestCase",
    "AsyncAPITestCase",
    "AsyncAPITransactionTestCase",
    "force_authenticate",
]

_NO_BODY = "application/octet-stream"


def _default_format():
    """``TEST_REQUEST_DEFAULT_FORMAT`` when the project sets it, else "json"."""
    return api_settings.user_settings.get("TEST_REQUEST_DEFAULT_FORMAT", "json")


def encode_body(data, format=None, content_type=None):
    """``(body, content_type)`` for a request: ``data`` rendered by the test renderer for ``format``.

    With ``content_type``, ``data`` is sent as it is (bytes, or text in the default charset), except a
    dict with Django's ``MULTIPART_CONTENT``, which is encoded as multipart form data.
    """
    assert format is None or content_type is None, "Set either `format` or `content_type`, not both."
    if data is None:
        return b"", content_type or _NO_BODY
    if content_type == MULTIPART_CONTENT and isinstance(data, dict):
        format, content_type = "multipart", None  # what Django's client does with a dict sent as multipart
    if content_type is not None:
        return force_bytes(data, settings.DEFAULT_CHARSET), content_type
    format = format or _default_format()
    renderers = {renderer.format: renderer for renderer in api_settings.TEST_REQUEST_RENDERER_CLASSES}
    assert format in renderers, (
        f"Invalid format {format!r}: TEST_REQUEST_RENDERER_CLASSES has {', '.join(map(repr, renderers))}."
    )
    renderer = renderers[format]()
    body = renderer.render(data)
    media_type = renderer.media_type
    if renderer.charset:
        media_type = f"{media_type}; charset={renderer.charset}"
    if isinstance(body, str):
        body = body.encode(renderer.charset or settings.DEFAULT_CHARSET)
    return body, media_type


def _header_names(extra):
    """WSGI-style keys (``HTTP_AUTHORIZATION``, ``CONTENT_TYPE``) as the header names the async client sends."""
    return {key.removeprefix("HTTP_") if key.startswith("HTTP_") else key: value for key, value in extra.items()}


def _one_host(scope):
    """Keep the last Host header: one given by the test replaces the factory's ``testserver``."""
    hosts = [header for header in scope["headers"] if header[0] == b"host"]
    if len(hosts) > 1:
        scope["headers"] = [header for header in scope["headers"] if header[0] != b"host"] + hosts[-1:]
    return scope


class _Encoding:
    """The body-taking verbs with ``data``/``format``/``content_type``, for the factory and the client."""

    def _send(self, verb, path, data, format, content_type, **extra):
        """Django's ``verb`` with the encoded body (its ``follow``, ``secure``, ``headers`` still apply)."""
        body, content_type = encode_body(data, format, content_type)
        return getattr(super(), verb)(path, body, content_type=content_type, **extra)

    def post(self, path, data=None, format=None, content_type=None, **extra):
        return self._send("post", path, data, format, content_type, **extra)

    def put(self, path, data=None, format=None, content_type=None, **extra):
        return self._send("put", path, data, format, content_type, **extra)

    def patch(self, path, data=None, format=None, content_type=None, **extra):
        return self._send("patch", path, data, format, content_type, **extra)

    def delete(self, path, data=None, format=None, content_type=None, **extra):
        return self._send("delete", path, data, format, content_type, **extra)

    def options(self, path, data=None, format=None, content_type=None, **extra):
        return self._send("options", path, data, format, content_type, **extra)

    def generic(self, method, path, data="", content_type=_NO_BODY, secure=False, **extra):
        return super().generic(method, path, data, content_type, secure=secure, **_header_names(extra))


class AsyncAPIRequestFactory(_Encoding, AsyncRequestFactory):
    """DRF's APIRequestFactory for async views: ``await View.as_view()(factory.get(...))``.

    No middleware runs; CSRF checks are off unless ``enforce_csrf_checks=True``.
    """

    def __init__(self, enforce_csrf_checks=False, **defaults):
        self.enforce_csrf_checks = enforce_csrf_checks
        super().__init__(**_header_names(defaults))

    def request(self, **scope):
        request = super().request(**_one_host(scope))
        request._dont_enforce_csrf_checks = not self.enforce_csrf_checks
        return request


class _ForceAuthHandler(AsyncClientHandler):
    """Marks each request with the user/token the client was told to force."""

    def __init__(self, *args, **kwargs):
        self.force_user = None
        self.force_token = None
        super().__init__(*args, **kwargs)

    async def get_response_async(self, request):
        force_authenticate(request, self.force_user, self.force_token)
        return await super().get_response_async(request)


class AsyncAPIClient(_Encoding, AsyncClient):
    """Django's AsyncClient with DRF's APIClient conveniences; every verb is awaited.

    ``post``/``put``/``patch``/``delete``/``options`` take ``data``, ``format`` and
    ``content_type`` (not both of the last two); ``get``/``head`` send ``data`` as the query
    string. ``credentials(HTTP_AUTHORIZATION=...)`` adds headers to every request;
    ``force_authenticate(user, token)`` skips authentication; ``logout()`` ends all three.
    """

    def __init__(self, enforce_csrf_checks=False, **defaults):
        super().__init__(enforce_csrf_checks=enforce_csrf_checks, **_header_names(defaults))
        self.handler = _ForceAuthHandler(enforce_csrf_checks)
        self._credentials = {}

    def credentials(self, **headers):
        """Send these headers with every request; WSGI-style keys (``HTTP_...``, ``CONTENT_...``).

        ``credentials()`` with no argument removes them.
        """
        for key in headers:
            if not key.startswith(("HTTP_", "CONTENT_")):
                raise ValueError(
                    f"credentials() takes WSGI-style header keys starting with HTTP_ or CONTENT_ "
                    f"(e.g. HTTP_AUTHORIZATION), not {key!r}."
                )
        self._credentials = _header_names(headers)

    def force_authenticate(self, user=None, token=None):
        """Authenticate every request as ``user``/``token``; no arguments: stop doing so."""
        self.handler.force_user = user
        self.handler.force_token = token

    def logout(self):
        """Forget credentials and forced authentication, and end the session; also from async code."""
        self._credentials = {}
        self.force_authenticate(None, None)
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return super().logout()
        # On the event loop the session store may not query. When a sync caller waits below this loop
        # (an async test of a Django TestCase), end the session on that caller's thread: it holds the
        # test's connection and transaction, which another connection could not write past on SQLite.
        # asgiref keeps that thread's executor in AsyncToSync.executors.current (pinned by
        # tests/testing/test_logout_in_async_testcase.py).
        caller = getattr(AsyncToSync.executors, "current", None)
        if caller is not None:
            return caller.submit(super().logout).result()
        with ThreadPoolExecutor(max_workers=1) as worker:
            worker.submit(self._logout_in_thread).result()

    def _logout_in_thread(self):
        try:
            super().logout()
        finally:
            connections.close_all()

    async def alogout(self):
        """``logout()`` for async code: credentials, forced authentication and session."""
        self._credentials = {}
        self.force_authenticate(None, None)
        await super().alogout()

    def generic(self, method, path, data="", content_type=_NO_BODY, secure=False, **extra):
        if self._credentials:
            extra = {**self._credentials, **extra}
        return super().generic(method, path, data, content_type, secure=secure, **extra)

    async def request(self, **scope):
        return await super().request(**_one_host(scope))


class _AsyncAPIClientCase:
    """``self.client`` (and ``self.async_client``) of a Django test case as an AsyncAPIClient."""

    client_class = AsyncAPIClient
    async_client_class = AsyncAPIClient


class AsyncAPISimpleTestCase(_AsyncAPIClientCase, testcases.SimpleTestCase):
    """SimpleTestCase (no database) whose ``self.client`` is an AsyncAPIClient."""


class AsyncAPITransactionTestCase(_AsyncAPIClientCase, testcases.TransactionTestCase):
    """TransactionTestCase (real commits, ``on_commit`` runs) whose ``self.client`` is an AsyncAPIClient."""


class AsyncAPITestCase(_AsyncAPIClientCase, testcases.TestCase):
    """TestCase (each test rolled back) whose ``self.client`` is an AsyncAPIClient."""


class AsyncAPILiveServerTestCase(_AsyncAPIClientCase, testcases.LiveServerTestCase):
    """LiveServerTestCase (a real server thread for httpx and the like) with an AsyncAPIClient."""


register_compat_paths(__name__)
