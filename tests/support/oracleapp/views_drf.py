"""The DRF side: DRF's own sync classes, the oracle every other side is compared with."""

from rest_framework import generics, pagination, throttling, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from tests.support.oracleapp import resources
from tests.support.oracleapp.models import Post, Tag


class AnonThrottle(resources.OracleThrottle, throttling.AnonRateThrottle):
    pass


class ScopedThrottle(resources.OracleThrottle, throttling.ScopedRateThrottle):
    pass


class PostViewSet(resources.PostHooks, viewsets.ModelViewSet):
    pagination_class = resources.page_number(pagination.PageNumberPagination)


class TagViewSet(resources.TagHooks, viewsets.ModelViewSet):
    pagination_class = resources.limit_offset(pagination.LimitOffsetPagination)
    throttle_classes = [AnonThrottle]


class CommentViewSet(resources.CommentHooks, viewsets.ModelViewSet):
    pagination_class = resources.cursor(pagination.CursorPagination)
    throttle_classes = [ScopedThrottle]


class AttachmentList(resources.AttachmentConfig, generics.ListCreateAPIView):
    pass


class AttachmentDetail(resources.AttachmentConfig, generics.RetrieveUpdateDestroyAPIView):
    pass


class Stats(resources.StatsConfig, APIView):
    def get(self, request):
        return Response({"posts": Post.objects.count(), "tags": Tag.objects.count()})
