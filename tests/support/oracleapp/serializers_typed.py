"""The blog's serializers declared partly by type annotation (restflow.serializers), for the oracle's typed side.

Each annotated field states what DRF would have generated from the model, so the
typed side must answer exactly as DRF does.
"""

from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from restflow.serializers import Field, HyperlinkedModelSerializer, ModelSerializer
from tests.support.oracleapp import serializers as plain
from tests.support.oracleapp.models import Comment, Tag


class TagSerializer(ModelSerializer):
    name: str = Field(
        max_length=20,
        validators=[UniqueValidator(queryset=Tag.objects.all(), message="tag with this name already exists.")],
    )

    class Meta:
        model = Tag
        fields = ["id", "name"]


class CommentBriefSerializer(ModelSerializer):
    text: str = Field(max_length=100)

    class Meta:
        model = Comment
        fields = ["id", "text"]


class PostSerializer(ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="post-detail")
    author = serializers.HiddenField(default=serializers.CurrentUserDefault())
    author_name = serializers.ReadOnlyField(source="author.username")
    title: str = Field(max_length=40)
    rating: int = Field(min_value=0, max_value=5, required=False)
    tags = plain.PostSerializer._declared_fields["tags"].__deepcopy__({})
    comments: list[CommentBriefSerializer] = Field(read_only=True)
    comment_count = serializers.SerializerMethodField()

    class Meta:
        model = plain.PostSerializer.Meta.model
        fields = plain.PostSerializer.Meta.fields
        read_only_fields = plain.PostSerializer.Meta.read_only_fields

    get_comment_count = plain.PostSerializer.get_comment_count
    validate_title = plain.PostSerializer.validate_title


class CommentSerializer(HyperlinkedModelSerializer):
    author = serializers.PrimaryKeyRelatedField(read_only=True)
    text: str = Field(max_length=100)

    class Meta:
        model = Comment
        fields = ["url", "id", "post", "author", "text", "edited", "created"]
        read_only_fields = ["edited"]
