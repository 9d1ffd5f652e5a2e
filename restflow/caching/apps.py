"""The ``restflow.caching`` app: add it to INSTALLED_APPS to discover every cache rule at start-up.

With it, ``CacheRegister.auto_discover()`` runs once the apps are loaded, importing the project's
app modules, so a worker process knows every rule declared anywhere in the project.
"""

from django.apps import AppConfig

from restflow.caching.registry import CacheRegister


class CachingConfig(AppConfig):
    name = "restflow.caching"
    label = "restflow_caching"
    verbose_name = "restflow caching"
    default = True

    def ready(self):
        CacheRegister.auto_discover()
