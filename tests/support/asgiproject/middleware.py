"""A sync middleware, an async one, and one that turns an exception into a response."""

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import JsonResponse

from .log import record, rid_of


class SyncMiddleware:
    sync_capable = True
    async_capable = False

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        record("mw-sync-in", rid_of(request))
        response = self.get_response(request)
        record("mw-sync-out", rid_of(request))
        response["X-Sync-Middleware"] = "1"
        return response


class AsyncMiddleware:
    sync_capable = False
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        assert iscoroutinefunction(get_response)
        markcoroutinefunction(self)

    async def __call__(self, request):
        response = await self.get_response(request)
        response["X-Async-Middleware"] = "1"
        return response


class Teapot(Exception):
    pass


class ExceptionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Teapot):
            return JsonResponse({"handled": "by middleware"}, status=418)
        return None
