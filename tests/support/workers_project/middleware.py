"""Names the worker process on every response (X-Worker), so tests see which process answered."""

import os

from asgiref.sync import markcoroutinefunction


def worker_header(get_response):
    async def middleware(request):
        response = await get_response(request)
        response["X-Worker"] = str(os.getpid())
        return response

    markcoroutinefunction(middleware)
    return middleware


worker_header.async_capable = True
worker_header.sync_capable = False
