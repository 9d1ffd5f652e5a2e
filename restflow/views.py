"""The public import path for restflow's views, mixins and viewsets."""

from restflow.apiview import AsyncAPIView
from restflow.generics import (
    AsyncCreateAPIView,
    AsyncDestroyAPIView,
    AsyncGenericAPIView,
    AsyncListAPIView,
    AsyncListCreateAPIView,
    AsyncRetrieveAPIView,
    AsyncRetrieveDestroyAPIView,
    AsyncRetrieveUpdateAPIView,
    AsyncRetrieveUpdateDestroyAPIView,
    AsyncUpdateAPIView,
)
from restflow.mixins import (
    AsyncCreateModelMixin,
    AsyncDestroyModelMixin,
    AsyncListModelMixin,
    AsyncRetrieveModelMixin,
    AsyncUpdateModelMixin,
)
from restflow.viewsets import (
    ActionConfig,
    AsyncGenericViewSet,
    AsyncModelViewSet,
    AsyncReadOnlyModelViewSet,
    AsyncViewSet,
    AsyncViewSetMixin,
    GenericViewSet,
    ModelViewSet,
    ReadOnlyModelViewSet,
    ViewSet,
)

__all__ = [
    "ActionConfig",
    "AsyncAPIView",
    "AsyncCreateAPIView",
    "AsyncCreateModelMixin",
    "AsyncDestroyAPIView",
    "AsyncDestroyModelMixin",
    "AsyncGenericAPIView",
    "AsyncGenericViewSet",
    "AsyncListAPIView",
    "AsyncListCreateAPIView",
    "AsyncListModelMixin",
    "AsyncModelViewSet",
    "AsyncReadOnlyModelViewSet",
    "AsyncRetrieveAPIView",
    "AsyncRetrieveDestroyAPIView",
    "AsyncRetrieveModelMixin",
    "AsyncRetrieveUpdateAPIView",
    "AsyncRetrieveUpdateDestroyAPIView",
    "AsyncUpdateAPIView",
    "AsyncUpdateModelMixin",
    "AsyncViewSet",
    "AsyncViewSetMixin",
    "GenericViewSet",
    "ModelViewSet",
    "ReadOnlyModelViewSet",
    "ViewSet",
]
