"""The typed side: the port side's views with the blog's serializers declared by annotation."""

from tests.support.oracleapp import serializers_typed, views_port


class PostViewSet(views_port.PostViewSet):
    serializer_class = serializers_typed.PostSerializer


class TagViewSet(views_port.TagViewSet):
    serializer_class = serializers_typed.TagSerializer


class CommentViewSet(views_port.CommentViewSet):
    serializer_class = serializers_typed.CommentSerializer


AttachmentList = views_port.AttachmentList
AttachmentDetail = views_port.AttachmentDetail
Stats = views_port.Stats
