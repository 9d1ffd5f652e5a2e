"""The blog's serializers, the same classes on every side: plain, nested, hyperlinked, related fields,
a unique-together validator, a SerializerMethodField and a file field."""

from rest_framework import serializers

from tests.support.oracleapp.models import Attachment, Comment, Post, Tag


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name"]


class TagListSerializer(serializers.ModelSerializer):
    """The list's own shape: how many posts use each tag."""

    post_count = serializers.SerializerMethodField()

    class Meta:
        model = Tag
        fields = ["id", "name", "post_count"]

    def get_post_count(self, tag):
        return tag.posts.count()


class CommentBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Comment
        fields = ["id", "text"]


class PostSerializer(serializers.ModelSerializer):
    """Hyperlinked identity, the author from the request (unique together with the title), tags by name."""

    url = serializers.HyperlinkedIdentityField(view_name="post-detail")
    author = serializers.HiddenField(default=serializers.CurrentUserDefault())
    author_name = serializers.ReadOnlyField(source="author.username")
    tags = serializers.SlugRelatedField(many=True, slug_field="name", queryset=Tag.objects.all(), required=False)
    comments = CommentBriefSerializer(many=True, read_only=True)
    comment_count = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = [
            "url", "id", "author", "author_name", "title", "body", "status", "rating", "tags", "slug",
            "word_count", "search_text", "edited_by", "comments", "comment_count", "created", "updated",
        ]
        read_only_fields = ["slug", "word_count", "search_text", "edited_by", "created", "updated"]

    def get_comment_count(self, post):
        return post.comments.count()

    def validate_title(self, value):
        if value.strip().lower() == "forbidden":
            raise serializers.ValidationError("This title is not allowed.")
        return value


class CommentSerializer(serializers.HyperlinkedModelSerializer):
    """Hyperlinked: the post is given by its URL."""

    author = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Comment
        fields = ["url", "id", "post", "author", "text", "edited", "created"]
        read_only_fields = ["edited"]


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "post", "name", "file"]
