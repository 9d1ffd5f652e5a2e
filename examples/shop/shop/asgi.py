"""ASGI entry point: ``uvicorn shop.asgi:application`` (run from examples/shop).

Static files (Swagger UI, the browsable API's CSS) are served by Django's
staticfiles handler so the demo needs nothing else; in production put them
behind ``collectstatic`` and a web server or CDN instead.
"""

import os

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")

application = ASGIStaticFilesHandler(get_asgi_application())
