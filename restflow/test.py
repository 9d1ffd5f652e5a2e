"""Testing async APIs: an async API client with JSON bodies and forced authentication."""

from django.test import AsyncClient
from django.test.client import AsyncClientHandler
from rest_framework.test import force_authenticate

JSON = "application/json"


class _ForceAuthHandler(AsyncClientHandler):
    """Marks each request with the user/token the client was told to force."""

    def __init__(self, *args, **kwargs):
        self.force_user = None
        self.force_token = None
        super().__init__(*args, **kwargs)

    async def get_response_async(self, request):
        force_authenticate(request, self.force_user, self.force_token)
        return await super().get_response_async(request)


class AsyncAPIClient(AsyncClient):
    """Django's AsyncClient with DRF's conveniences.

    Bodies are JSON unless ``format="multipart"`` or a ``content_type`` is
    given; ``credentials(HTTP_AUTHORIZATION=...)`` adds headers to every
    request; ``force_authenticate(user, token)`` skips authentication.
    """

    def __init__(self, enforce_csrf_checks=False, **defaults):
        super().__init__(enforce_csrf_checks=enforce_csrf_checks, **defaults)
        self.handler = _ForceAuthHandler(enforce_csrf_checks)
        self._credentials = {}

    def credentials(self, **headers):
        """Send these headers (WSGI-style names, e.g. HTTP_AUTHORIZATION) with every request."""
        self._credentials = {key.removeprefix("HTTP_"): value for key, value in headers.items()}

    def force_authenticate(self, user=None, token=None):
        self.handler.force_user = user
        self.handler.force_token = token

    def generic(self, method, path, data="", content_type="application/octet-stream", secure=False, **extra):
        if self._credentials:
            extra = {**self._credentials, **extra}
        return super().generic(method, path, data, content_type, secure=secure, **extra)

    @staticmethod
    def _content_type(format, content_type):
        if content_type is not None:
            return content_type
        if format == "multipart":
            return "multipart/form-data; boundary=BoUnDaRyStRiNg"
        return JSON

    async def post(self, path, data=None, format=None, content_type=None, **extra):
        return await super().post(path, data, content_type=self._content_type(format, content_type), **extra)

    async def put(self, path, data=None, format=None, content_type=None, **extra):
        return await super().put(path, data or "", content_type=self._content_type(format, content_type), **extra)

    async def patch(self, path, data=None, format=None, content_type=None, **extra):
        return await super().patch(path, data or "", content_type=self._content_type(format, content_type), **extra)

    async def delete(self, path, data=None, format=None, content_type=None, **extra):
        return await super().delete(path, data or "", content_type=self._content_type(format, content_type), **extra)
