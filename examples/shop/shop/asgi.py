"""ASGI entry point: ``uvicorn shop.asgi:application`` (run from examples/shop).

``SHOP_ASGI_HANDLER=restflow`` serves with restflow's ASGI handler (a pooled
worker thread per request, see docs/deploying.md) instead of Django's;
``make demo ASGI=restflow`` sets it.

Static files (Swagger UI, the browsable API's CSS) are served by Django's
staticfiles handler so the demo needs nothing else; in production put them
behind ``collectstatic`` and a web server or CDN instead.
"""

import os

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")

handler = os.environ.get("SHOP_ASGI_HANDLER") or "django"
if handler == "restflow":
    from restflow.asgi import get_asgi_application
elif handler == "django":
    from django.core.asgi import get_asgi_application
else:
    raise ImproperlyConfigured(f"SHOP_ASGI_HANDLER must be 'django' or 'restflow', not {handler!r}")

application = ASGIStaticFilesHandler(get_asgi_application())
