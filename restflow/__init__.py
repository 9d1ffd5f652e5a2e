"""restflow: async views and viewsets for Django REST framework."""

from restflow.speedups import speedups_enabled

__all__ = ["speedups_enabled"]
__version__ = "0.1.0"
