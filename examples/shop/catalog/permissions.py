from restflow.permissions import SAFE_METHODS, BasePermission


class IsAuthorOrReadOnly(BasePermission):
    """Anyone may read a review; only the person who wrote it may change or delete it."""

    message = "Only the author of a review may change or delete it."

    async def ahas_object_permission(self, request, view, obj):
        return request.method in SAFE_METHODS or obj.author_id == request.user.pk
