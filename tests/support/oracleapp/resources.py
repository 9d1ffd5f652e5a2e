"""What every side of the oracle shares: policies, the clock, and each resource's configuration.

Each resource has a ``*Config`` class (serializer, authentication, permissions, filters: the same
objects on every side) and a ``*Hooks`` class holding DRF's sync hooks and actions as a DRF user
writes them. The DRF side and the "port" side (the same class body moved onto restflow's async
classes unchanged) inherit the hooks; the "flow" side writes them async (``views_flow``).

Throttles read a fake clock and keep their history in one store per side, so a request on one
side never counts against another, and throttling is the same on every run.
"""

import copy
import datetime

from django.db.models import Q
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import authentication, filters, permissions, serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.versioning import NamespaceVersioning

from tests.support.oracleapp.models import Attachment, Comment, Post, Profile, Tag
from tests.support.oracleapp.serializers import (
    AttachmentSerializer,
    CommentSerializer,
    PostSerializer,
    TagListSerializer,
    TagSerializer,
)

START = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC)


class Clock:
    """A clock the oracle moves by hand: the throttles' timer and (patched in) ``timezone.now``."""

    def __init__(self):
        self.seconds = START.timestamp()

    def time(self):
        return self.seconds

    def now(self):
        return datetime.datetime.fromtimestamp(self.seconds, tz=datetime.UTC)


CLOCK = Clock()


class SideStores:
    """The throttles' cache: one dict per side, chosen by ``side`` before each request."""

    def __init__(self):
        self.stores = {}
        self.side = None

    def _store(self):
        return self.stores.setdefault(self.side, {})

    def get(self, key, default=None):
        return copy.deepcopy(self._store().get(key, default))

    def set(self, key, value, timeout=None):
        self._store()[key] = copy.deepcopy(value)

    async def aget(self, key, default=None):
        return self.get(key, default)

    async def aset(self, key, value, timeout=None):
        self.set(key, value, timeout)


THROTTLE_STORES = SideStores()
RATES = {"anon": "5/min", "comments": "4/min"}


class OracleThrottle:
    """Mixed into each side's throttle classes: the fake clock, the per-side store, the oracle's rates."""

    cache = THROTTLE_STORES
    timer = staticmethod(CLOCK.time)
    THROTTLE_RATES = RATES


class IsAuthorOrReadOnly(permissions.BasePermission):
    """Writes to an object are for its author."""

    message = "Only the author may change this."

    def has_object_permission(self, request, view, obj):
        return request.method in permissions.SAFE_METHODS or obj.author_id == request.user.pk


def page_number(base):
    class Pages(base):
        page_size = 3
        page_size_query_param = "page_size"
        max_page_size = 5

    return Pages


def limit_offset(base):
    class Window(base):
        default_limit = 3
        max_limit = 5

    return Window


def cursor(base):
    class Cursor(base):
        page_size = 2
        ordering = "-id"

    return Cursor


class Versioning(NamespaceVersioning):
    """Each side is mounted under its own namespace, so its hyperlinks point at itself."""


class PostConfig:
    serializer_class = PostSerializer
    versioning_class = Versioning
    authentication_classes = [
        authentication.BasicAuthentication,
        authentication.TokenAuthentication,
        authentication.SessionAuthentication,
    ]
    permission_classes = [permissions.IsAuthenticatedOrReadOnly, IsAuthorOrReadOnly]
    filter_backends = [DjangoFilterBackend, filters.SearchFilter, filters.OrderingFilter]
    filterset_fields = ["status", "rating"]
    search_fields = ["title", "body"]
    ordering_fields = ["id", "title", "rating", "created"]
    ordering = ["id"]


def visible_posts(user, sees_drafts):
    posts = Post.objects.select_related("author").prefetch_related("tags", "comments")
    if sees_drafts:
        return posts
    return posts.filter(Q(status=Post.Status.PUBLISHED) | Q(author_id=user.pk))


class PostHooks(PostConfig):
    """DRF's sync hooks: a get_queryset that queries, perform_create, two actions."""

    def get_queryset(self):
        user = self.request.user
        sees_drafts = user.is_authenticated and Profile.objects.filter(user=user, sees_drafts=True).exists()
        return visible_posts(user, sees_drafts)

    def perform_create(self, serializer):
        serializer.save(edited_by=self.request.user)

    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        post = self.get_object()
        post.status = Post.Status.PUBLISHED
        post.save()
        return Response(self.get_serializer(post).data)

    @action(detail=False, permission_classes=[permissions.IsAuthenticated])
    def mine(self, request):
        posts = self.filter_queryset(self.get_queryset()).filter(author=request.user)
        return Response({"count": posts.count(), "titles": [post.title for post in posts]})


class TagConfig:
    queryset = Tag.objects.all()
    serializer_class = TagSerializer
    versioning_class = Versioning
    authentication_classes = [authentication.SessionAuthentication, authentication.BasicAuthentication]
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    filter_backends = [filters.SearchFilter, filters.OrderingFilter]
    search_fields = ["name"]
    ordering_fields = ["id", "name"]
    ordering = ["id"]


IN_USE = "This tag is used by a post; remove it from its posts first."


class TagHooks(TagConfig):
    """Per-action choices as DRF code writes them: branches on ``self.action``."""

    def get_serializer_class(self):
        return TagListSerializer if self.action == "list" else TagSerializer

    def get_permissions(self):
        if self.action == "destroy":
            return [permissions.IsAdminUser()]
        return super().get_permissions()

    def perform_destroy(self, instance):
        if instance.posts.exists():
            raise serializers.ValidationError(IN_USE)
        instance.delete()


class CommentConfig:
    queryset = Comment.objects.all()
    serializer_class = CommentSerializer
    versioning_class = Versioning
    authentication_classes = [authentication.TokenAuthentication, authentication.SessionAuthentication]
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["post", "author"]
    throttle_scope = "comments"


class CommentHooks(CommentConfig):
    def perform_create(self, serializer):
        serializer.save(author=self.request.user)

    def perform_update(self, serializer):
        serializer.save(edited=True)


class AttachmentConfig:
    queryset = Attachment.objects.all()
    serializer_class = AttachmentSerializer
    versioning_class = Versioning
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]


class StatsConfig:
    versioning_class = Versioning
    permission_classes = [permissions.AllowAny]
