"""ASGI entry of the workers project."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.support.workers_project.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

application = get_asgi_application()
