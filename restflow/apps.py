"""The ``restflow`` app: add ``"restflow"`` to INSTALLED_APPS so its system checks run.

Django takes its list of checks before it imports the URLconf; a check registered by importing a
restflow view from the URLconf would come too late to run. Loading this app registers them first,
so ``manage.py check``, ``runserver`` and test runs report ``restflow.W001``/``W002``.
"""

from django.apps import AppConfig

from restflow import _checks  # noqa: F401 (registers restflow's system checks)


class RestflowConfig(AppConfig):
    name = "restflow"
    verbose_name = "restflow"
    default = True
