"""restflow's ASGI handler or Django's, as ``ASGI_HANDLER`` says."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.support.jwtproject.settings")

if os.environ.get("ASGI_HANDLER") == "restflow":
    from restflow.asgi import get_asgi_application
else:
    from django.core.asgi import get_asgi_application

application = get_asgi_application()
