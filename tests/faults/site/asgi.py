"""The application under test: restflow's handler or Django's, as ``FAULT_HANDLER`` says.

restflow's pool is capped by ``FAULT_MAX_WORKERS`` when set.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.faults.site.settings")

if os.environ.get("FAULT_HANDLER") == "restflow":
    from restflow.asgi import get_asgi_application

    max_workers = os.environ.get("FAULT_MAX_WORKERS")
    application = get_asgi_application(max_workers=int(max_workers) if max_workers else None)
else:
    from django.core.asgi import get_asgi_application

    application = get_asgi_application()
