"""The flow side: the blog written for restflow, with async hooks, async actions and restflow's
paginators, throttles and permissions. It must answer exactly as the DRF side does."""

from asgiref.sync import sync_to_async
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.serializers import ValidationError

from restflow import pagination, permissions, throttling
from restflow.views import (
    ActionConfig,
    AsyncAPIView,
    AsyncCreateModelMixin,
    AsyncDestroyModelMixin,
    AsyncGenericViewSet,
    AsyncListCreateAPIView,
    AsyncListModelMixin,
    AsyncModelViewSet,
    AsyncRetrieveModelMixin,
    AsyncRetrieveUpdateDestroyAPIView,
    AsyncUpdateModelMixin,
)
from tests.support.oracleapp import resources
from tests.support.oracleapp.models import Post, Profile, Tag
from tests.support.oracleapp.serializers import TagListSerializer


class AnonThrottle(resources.OracleThrottle, throttling.AnonRateThrottle):
    pass


class ScopedThrottle(resources.OracleThrottle, throttling.ScopedRateThrottle):
    pass


class IsAuthorOrReadOnly(permissions.BasePermission):
    """The DRF side's object permission, written async."""

    message = resources.IsAuthorOrReadOnly.message

    async def ahas_object_permission(self, request, view, obj):
        return request.method in permissions.SAFE_METHODS or obj.author_id == request.user.pk


class PostViewSet(resources.PostConfig, AsyncModelViewSet):
    pagination_class = resources.page_number(pagination.PageNumberPagination)
    permission_classes = [permissions.IsAuthenticatedOrReadOnly, IsAuthorOrReadOnly]

    async def get_queryset(self):
        user = self.request.user
        sees_drafts = user.is_authenticated and await Profile.objects.filter(user=user, sees_drafts=True).aexists()
        return resources.visible_posts(user, sees_drafts)

    async def aperform_create(self, serializer):
        await sync_to_async(serializer.save)(edited_by=self.request.user)

    @action(detail=True, methods=["post"])
    async def publish(self, request, pk=None):
        post = await self.aget_object()
        post.status = Post.Status.PUBLISHED
        await post.asave()
        return await self.aserialized_response(post)

    @action(detail=False, permission_classes=[permissions.IsAuthenticated])
    async def mine(self, request):
        posts = (await self.afilter_queryset(await self.aget_queryset())).filter(author=request.user)
        titles = [post.title async for post in posts]
        return Response({"count": len(titles), "titles": titles})


class TagViewSet(
    resources.TagConfig,
    AsyncCreateModelMixin,
    AsyncRetrieveModelMixin,
    AsyncUpdateModelMixin,
    AsyncDestroyModelMixin,
    AsyncListModelMixin,
    AsyncGenericViewSet,
):
    # Composed from the async mixins; per-action choices in action_configs (no docstring: OPTIONS
    # reports it as the description).

    action_configs = {
        "list": ActionConfig(serializer_class=TagListSerializer),
        "destroy": ActionConfig(permission_classes=[permissions.IsAdminUser]),
    }
    pagination_class = resources.limit_offset(pagination.LimitOffsetPagination)
    throttle_classes = [AnonThrottle]

    async def aperform_destroy(self, instance):
        if await instance.posts.aexists():
            raise ValidationError(resources.IN_USE)
        await instance.adelete()


class CommentViewSet(resources.CommentConfig, AsyncModelViewSet):
    pagination_class = resources.cursor(pagination.CursorPagination)
    throttle_classes = [ScopedThrottle]

    async def aperform_create(self, serializer):
        await sync_to_async(serializer.save)(author=self.request.user)

    async def aperform_update(self, serializer):
        await sync_to_async(serializer.save)(edited=True)


class AttachmentList(resources.AttachmentConfig, AsyncListCreateAPIView):
    pass


class AttachmentDetail(resources.AttachmentConfig, AsyncRetrieveUpdateDestroyAPIView):
    pass


class Stats(resources.StatsConfig, AsyncAPIView):
    async def get(self, request):
        return Response({"posts": await Post.objects.acount(), "tags": await Tag.objects.acount()})
