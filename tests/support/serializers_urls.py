"""Routes for the serializer tests: each restflow serializer beside its DRF-declared twin.

The ``rf`` routes are restflow viewsets with serializers declared by annotation;
the ``drf`` routes are DRF's own ModelViewSet with the same serializers declared
field by field, the oracle the tests compare against.
"""

import decimal
from typing import Literal

from django.urls import include, path
from rest_framework import serializers as drf
from rest_framework import viewsets as drf_viewsets
from rest_framework.routers import DefaultRouter
from rest_framework.validators import UniqueValidator

from restflow.serializers import Field, HyperlinkedModelSerializer, ModelSerializer, NotRequired, Serializer
from restflow.views import AsyncAPIView, AsyncModelViewSet
from tests.support.serializersapp.models import Article, Author, Tag


class ArticleSerializer(ModelSerializer):
    """Annotations for some model fields; the rest generated from the model as DRF does."""

    title: str = Field(max_length=100)
    score: decimal.Decimal = Field(max_digits=6, decimal_places=2, required=False)
    body: NotRequired[str] = Field(allow_blank=True)
    status: Literal["draft", "live"] = Field(write_only=True, required=False)

    class Meta:
        model = Article
        fields = ["id", "title", "body", "author", "tags", "score", "published", "reviewer"]

    def validate_title(self, value):
        if value.startswith("_"):
            raise drf.ValidationError("No leading underscore.")
        return value

    def validate(self, attrs):
        attrs.pop("status", None)
        if attrs.get("published") and attrs.get("body") == "":
            raise drf.ValidationError({"body": ["A published article needs a body."]})
        return attrs


class DRFArticleSerializer(drf.ModelSerializer):
    title = drf.CharField(max_length=100)
    score = drf.DecimalField(max_digits=6, decimal_places=2, required=False)
    body = drf.CharField(allow_blank=True, required=False)
    status = drf.ChoiceField(choices=["draft", "live"], write_only=True, required=False)

    class Meta:
        model = Article
        fields = ["id", "title", "body", "author", "tags", "score", "published", "reviewer", "status"]

    validate_title = ArticleSerializer.validate_title
    validate = ArticleSerializer.validate


class AuthorSerializer(ModelSerializer):
    name: str = Field(max_length=100, validators=[UniqueValidator(queryset=Author.objects.all())])
    email: NotRequired[str] = Field(allow_blank=True)

    class Meta:
        model = Author
        fields = ["id", "name", "email"]


class DRFAuthorSerializer(drf.ModelSerializer):
    name = drf.CharField(max_length=100, validators=[UniqueValidator(queryset=Author.objects.all())])
    email = drf.CharField(allow_blank=True, required=False)

    class Meta:
        model = Author
        fields = ["id", "name", "email"]


class NestedAuthorArticleSerializer(ModelSerializer):
    """Read-only nesting: the author inline, tags by name."""

    author: AuthorSerializer = Field(read_only=True)
    tags = drf.SlugRelatedField(slug_field="name", many=True, read_only=True)

    class Meta:
        model = Article
        fields = ["id", "title", "author", "tags"]


class DRFNestedAuthorArticleSerializer(drf.ModelSerializer):
    author = DRFAuthorSerializer(read_only=True)
    tags = drf.SlugRelatedField(slug_field="name", many=True, read_only=True)

    class Meta:
        model = Article
        fields = ["id", "title", "author", "tags"]


class TagLinkSerializer(HyperlinkedModelSerializer):
    name: str = Field(max_length=30)

    class Meta:
        model = Tag
        fields = ["url", "name"]
        extra_kwargs = {"url": {"view_name": "rf-tag-detail"}}


class DRFTagLinkSerializer(drf.HyperlinkedModelSerializer):
    name = drf.CharField(max_length=30)

    class Meta:
        model = Tag
        fields = ["url", "name"]
        extra_kwargs = {"url": {"view_name": "drf-tag-detail"}}


def _viewsets(prefix, base, article, nested, author, tag):
    class Articles(base):
        queryset = Article.objects.all()
        serializer_class = article

    class NestedArticles(base):
        queryset = Article.objects.select_related("author").prefetch_related("tags")
        serializer_class = nested

    class Authors(base):
        queryset = Author.objects.all()
        serializer_class = author

    class Tags(base):
        queryset = Tag.objects.all()
        serializer_class = tag

    router = DefaultRouter()
    router.register("articles", Articles, basename=f"{prefix}-article")
    router.register("nested-articles", NestedArticles, basename=f"{prefix}-nested-article")
    router.register("authors", Authors, basename=f"{prefix}-author")
    router.register("tags", Tags, basename=f"{prefix}-tag")
    return router.urls


class HookedAuthorSerializer(ModelSerializer):
    """Async user code through a restflow viewset: an async hook, an async acreate, an async avalidate."""

    class Meta:
        model = Author
        fields = ["id", "name", "email"]

    async def validate_name(self, value):
        if await Article.objects.filter(title=value).aexists():
            raise drf.ValidationError("An article has that title.")
        return value.strip()

    async def avalidate(self, attrs):
        if attrs.get("email", "").endswith(".invalid"):
            raise drf.ValidationError({"email": ["No .invalid addresses."]})
        return attrs

    async def acreate(self, validated_data):
        validated_data.setdefault("email", validated_data["name"].lower() + "@example.com")
        return await Author.objects.acreate(**validated_data)


class HookedAuthors(AsyncModelViewSet):
    queryset = Author.objects.all()
    serializer_class = HookedAuthorSerializer


class OwnedArticleSerializer(ModelSerializer):
    """The model-serializers page's acreate override: the request's author fills a field."""

    class Meta:
        model = Article
        fields = ["id", "title", "author"]
        read_only_fields = ["author"]

    async def acreate(self, validated_data):
        validated_data["author"] = await Author.objects.aget(name=self.context["request"].headers["X-Author"])
        return await Article.objects.acreate(**validated_data)


class OwnedArticles(AsyncAPIView):
    async def post(self, request):
        serializer = OwnedArticleSerializer(data=request.data, context={"request": request})
        await serializer.ais_valid(raise_exception=True)
        await serializer.asave()
        return await self.aserialized_response(await serializer.adata(), status=201)


class LineSerializer(Serializer):
    sku: str
    quantity: int = Field(min_value=1)


class CustomerSerializer(Serializer):
    email: str


class OrderSerializer(Serializer):
    customer: CustomerSerializer
    items: list[LineSerializer]
    total: decimal.Decimal


class Orders(AsyncAPIView):
    """The validated-data page's view: attribute access on the validated payload."""

    async def post(self, request):
        serializer = OrderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payload = serializer.validated_data
        return await self.aserialized_response(
            {"customer": payload.customer.email, "first_sku": payload["items"][0].sku, "total": str(payload.total)},
            status=201,
        )


hooked = DefaultRouter()
hooked.register("hooked-authors", HookedAuthors, basename="hooked-author")

urlpatterns = [
    path("", include(hooked.urls)),
    path("docs/owned-articles/", OwnedArticles.as_view()),
    path("docs/orders/", Orders.as_view()),
    path(
        "rf/",
        include(_viewsets("rf", AsyncModelViewSet, ArticleSerializer, NestedAuthorArticleSerializer, AuthorSerializer, TagLinkSerializer)),
    ),
    path(
        "drf/",
        include(
            _viewsets(
                "drf", drf_viewsets.ModelViewSet, DRFArticleSerializer, DRFNestedAuthorArticleSerializer,
                DRFAuthorSerializer, DRFTagLinkSerializer,
            )
        ),
    ),
]
