"""The application under test: restflow's handler or Django's, as ``ASGI_HANDLER`` says.

restflow's pool is sized by ``ASGI_MAX_IDLE``, ``ASGI_MAX_WORKERS`` and
``ASGI_IDLE_TIMEOUT`` (seconds).

``/log/`` and ``/log/clear/`` are answered here, outside Django, so reading the
log sends no request signals of its own.
"""

import json
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.support.asgiproject.settings")

if os.environ.get("ASGI_HANDLER") == "restflow":
    from restflow.asgi import get_asgi_application

    max_workers = os.environ.get("ASGI_MAX_WORKERS")
    django_application = get_asgi_application(
        max_idle_workers=int(os.environ.get("ASGI_MAX_IDLE", "4")),
        max_workers=int(max_workers) if max_workers else None,
        idle_timeout=float(os.environ.get("ASGI_IDLE_TIMEOUT", "60")),
    )
else:
    from django.core.asgi import get_asgi_application

    django_application = get_asgi_application()

from tests.support.asgiproject import log  # noqa: E402 (after Django is set up)


async def application(scope, receive, send):
    if scope["type"] == "http" and scope["path"] in ("/log/", "/log/clear/"):
        if scope["path"] == "/log/clear/":
            log.clear()
        body = json.dumps({"events": log.events()}).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})
        return
    await django_application(scope, receive, send)


if os.environ.get("ASGI_WARM_BEFORE_FORK") == "1":
    # Under ``gunicorn --preload`` this runs in the parent: a request served
    # there leaves a worker thread and a connection behind before the fork.
    import asyncio

    from tests.support.asgiproject.warm import warm

    asyncio.run(warm(django_application))
