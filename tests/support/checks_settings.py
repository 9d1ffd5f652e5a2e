"""The test settings with a URLconf whose viewsets misuse ``action_configs``: for ``manage.py check`` runs."""

from tests.settings import *  # noqa: F403

ROOT_URLCONF = "tests.support.compat_checks_urls"
