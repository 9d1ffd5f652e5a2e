"""OPTIONS metadata for async views, with permission and object checks awaited."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.metadata import SimpleMetadata
from rest_framework.request import clone_request


class AsyncMetadata(SimpleMetadata):
    """DRF's SimpleMetadata, whose per-method checks run on the async view's hooks."""

    async def adetermine_metadata(self, request, view):
        self._actions = await self.adetermine_actions(request, view) if hasattr(view, "get_serializer") else None
        return self.determine_metadata(request, view)

    def determine_actions(self, request, view):
        """The actions computed by ``adetermine_actions`` for this request."""
        return self._actions

    async def adetermine_actions(self, request, view):
        """Field info for each of PUT and POST the user may call, as DRF reports it.

        On a viewset each method is judged as its own action (``create`` for POST,
        ``update`` for PUT), so that action's ActionConfig permissions and request
        serializer are the ones reported.
        """
        actions = {}
        action_map = getattr(view, "action_map", None)
        metadata_action = getattr(view, "action", None)
        for method in sorted({"PUT", "POST"} & set(view.allowed_methods)):
            view.request = clone_request(request, method)
            if action_map is not None:
                view.action = action_map.get(method.lower(), metadata_action)
            try:
                await view.acheck_permissions(view.request)
                if method == "PUT" and hasattr(view, "aget_object"):
                    await view.aget_object()
            except (exceptions.APIException, PermissionDenied, Http404):
                continue
            else:
                actions[method] = self.get_serializer_info(view.get_request_serializer())
            finally:
                view.request = request
                if action_map is not None:
                    view.action = metadata_action
        return actions
