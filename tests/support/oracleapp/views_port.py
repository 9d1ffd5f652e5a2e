"""The port side: the DRF side's class bodies moved unchanged onto restflow's async classes.

This is a DRF codebase migrated by renaming base classes only: sync hooks, sync actions, DRF's
paginators and throttles. It must answer exactly as the DRF side does.
"""

from rest_framework import pagination
from rest_framework.response import Response

from restflow.views import (
    AsyncAPIView,
    AsyncListCreateAPIView,
    AsyncModelViewSet,
    AsyncRetrieveUpdateDestroyAPIView,
)
from tests.support.oracleapp import resources
from tests.support.oracleapp.models import Post, Tag
from tests.support.oracleapp.views_drf import AnonThrottle, ScopedThrottle


class PostViewSet(resources.PostHooks, AsyncModelViewSet):
    pagination_class = resources.page_number(pagination.PageNumberPagination)


class TagViewSet(resources.TagHooks, AsyncModelViewSet):
    pagination_class = resources.limit_offset(pagination.LimitOffsetPagination)
    throttle_classes = [AnonThrottle]


class CommentViewSet(resources.CommentHooks, AsyncModelViewSet):
    pagination_class = resources.cursor(pagination.CursorPagination)
    throttle_classes = [ScopedThrottle]


class AttachmentList(resources.AttachmentConfig, AsyncListCreateAPIView):
    pass


class AttachmentDetail(resources.AttachmentConfig, AsyncRetrieveUpdateDestroyAPIView):
    pass


class Stats(resources.StatsConfig, AsyncAPIView):
    def get(self, request):
        return Response({"posts": Post.objects.count(), "tags": Tag.objects.count()})
