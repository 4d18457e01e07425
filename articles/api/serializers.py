"""What a client gets: articles, stories, sources and categories as JSON.

Only what readers of the site may read: the source's republishing policy cuts lead and body
as it does on the article page (`readable_lead`, `readable_body`), pictures are their resized
renditions, never the editor's original, and addresses are absolute.
"""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


def absolute(serializer, path):
    return serializer.context["request"].build_absolute_uri(path)


def api_address(serializer, name, **kwargs):
    return absolute(serializer, reverse(f"api:{name}", kwargs=kwargs))


class RenditionSerializer(serializers.Serializer):
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    jpeg = serializers.CharField(source="jpeg_url")
    webp = serializers.CharField(source="webp_url")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["jpeg"], data["webp"] = absolute(self, data["jpeg"]), absolute(self, data["webp"])
        return data


class ImageSerializer(serializers.Serializer):
    """An article's picture: the largest version, its caption, and every rendition."""

    url = serializers.CharField(help_text="The largest rendition (the original if none was made).")
    caption = serializers.CharField()
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    renditions = RenditionSerializer(many=True)

    def to_representation(self, article):
        versions = article.image_renditions
        return {
            "url": absolute(self, article.share_image_url),
            "caption": article.image_caption,
            "width": article.image_width,
            "height": article.image_height,
            "renditions": RenditionSerializer(versions, many=True, context=self.context).data,
        }


class SourceBriefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=["site", "portal", "agency"])
    url = serializers.SerializerMethodField(help_text="The source's page on this site.")
    api_url = serializers.SerializerMethodField()

    def get_url(self, source) -> str:
        return absolute(self, source.get_absolute_url())

    def get_api_url(self, source) -> str:
        return api_address(self, "source-detail", slug=source.slug)


class SourceSerializer(SourceBriefSerializer):
    language = serializers.CharField(help_text="The language the source writes in.")
    homepage = serializers.CharField()
    article_count = serializers.IntegerField(
        help_text="Its published articles in the requested language."
    )
    last_published_at = serializers.DateTimeField(allow_null=True)
    rss = serializers.SerializerMethodField()

    def get_rss(self, source) -> str:
        return absolute(self, reverse("articles:source-rss", kwargs={"slug": source.slug}))


class CategorySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField(help_text="In the requested language.")
    position = serializers.IntegerField(help_text="Its place in the site's menu.")
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField(help_text="Its articles.")

    def get_url(self, category) -> str:
        return absolute(self, category.get_absolute_url())

    def get_api_url(self, category) -> str:
        return f"{api_address(self, 'article-list')}?category={category.slug}"


class StoryBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    source_count = serializers.IntegerField(help_text="Sources that reported the story.")
    api_url = serializers.SerializerMethodField()

    def get_api_url(self, story) -> str:
        return api_address(self, "story-detail", pk=story.pk)


class ArticleLinkSerializer(serializers.Serializer):
    """Another article, in a few words: a version of the same story, a translation."""

    id = serializers.IntegerField()
    language = serializers.CharField()
    title = serializers.CharField()
    published_at = serializers.DateTimeField()
    source = SourceBriefSerializer(allow_null=True)
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()

    def get_url(self, article) -> str:
        return absolute(self, article.get_absolute_url())

    def get_api_url(self, article) -> str:
        return api_address(self, "article-detail", pk=article.pk)


class ArticleSerializer(serializers.Serializer):
    """An article as lists show it."""

    id = serializers.IntegerField()
    language = serializers.CharField()
    title = serializers.CharField()
    label = serializers.CharField(source="display_label", help_text="The upper-case kicker.")
    lead = serializers.CharField(source="readable_lead")
    published_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField(
        source="changed_at", allow_null=True, help_text="When it was changed after publication."
    )
    views = serializers.IntegerField()
    comment_count = serializers.IntegerField()
    image = serializers.SerializerMethodField()
    source = SourceBriefSerializer(allow_null=True)
    category = serializers.SerializerMethodField()
    story = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(help_text="The article's page on this site.")
    api_url = serializers.SerializerMethodField()

    @extend_schema_field(ImageSerializer(allow_null=True))
    def get_image(self, article):
        return ImageSerializer(article, context=self.context).data if article.image else None

    @extend_schema_field(CategorySerializer(allow_null=True))
    def get_category(self, article):
        if article.category_id is None:
            return None
        return CategorySerializer(article.category, context=self.context).data

    @extend_schema_field(StoryBriefSerializer(allow_null=True))
    def get_story(self, article):
        if article.story_id is None:
            return None
        return StoryBriefSerializer(article.story, context=self.context).data

    def get_url(self, article) -> str:
        return absolute(self, article.get_absolute_url())

    def get_api_url(self, article) -> str:
        return api_address(self, "article-detail", pk=article.pk)


class RankedArticleSerializer(ArticleSerializer):
    period_views = serializers.IntegerField(help_text="Views in the period asked for.")


class AuthorSerializer(serializers.Serializer):
    name = serializers.CharField()
    position = serializers.CharField()


class TagSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, tag) -> str:
        return absolute(self, tag.get_absolute_url())


class PhotoSerializer(serializers.Serializer):
    caption = serializers.CharField()
    alt_text = serializers.CharField()
    width = serializers.IntegerField(source="image_width", allow_null=True)
    height = serializers.IntegerField(source="image_height", allow_null=True)
    renditions = RenditionSerializer(many=True)


class StoryInArticleSerializer(StoryBriefSerializer):
    other_versions = ArticleLinkSerializer(
        many=True, help_text="The same story from other sources, oldest first."
    )


class ArticleDetailSerializer(ArticleSerializer):
    """An article as its page shows it."""

    content = serializers.ChoiceField(
        source="republish_policy",
        choices=["full", "excerpt", "headline"],
        help_text="How much the source lets us republish: the whole body, its first paragraph "
        "(read the rest at source_url) or the headline alone (empty lead and body).",
    )
    body = serializers.CharField(source="readable_body", help_text="Sanitised HTML.")
    author = serializers.SerializerMethodField()
    source_url = serializers.SerializerMethodField(help_text="The original article.")
    archived_at = serializers.DateTimeField(
        allow_null=True, help_text="When it was taken from the source."
    )
    attribution = serializers.SerializerMethodField()
    tags = TagSerializer(many=True)
    gallery = PhotoSerializer(many=True)
    story = serializers.SerializerMethodField()
    translation = serializers.SerializerMethodField()

    @extend_schema_field(AuthorSerializer(allow_null=True))
    def get_author(self, article):
        if not article.author_name:
            return None
        return {"name": article.author_name, "position": article.author_position}

    def get_source_url(self, article) -> str:
        return article.source_link

    def get_attribution(self, article) -> str:
        return article.attribution(self.context["site_name"])

    @extend_schema_field(StoryInArticleSerializer(allow_null=True))
    def get_story(self, article):
        if article.story_id is None:
            return None
        story = article.story
        story.other_versions = self.context["other_versions"]
        return StoryInArticleSerializer(story, context=self.context).data

    @extend_schema_field(ArticleLinkSerializer(allow_null=True))
    def get_translation(self, article):
        other = article.translated
        if other is None or not other.is_visible:
            return None
        return ArticleLinkSerializer(other, context=self.context).data


class StorySerializer(serializers.Serializer):
    """A real-world event and the articles, one language, that reported it."""

    id = serializers.IntegerField()
    language = serializers.CharField()
    source_count = serializers.IntegerField()
    article_count = serializers.IntegerField()
    last_published_at = serializers.DateTimeField()
    lead = ArticleSerializer(source="lead_article", help_text="The article shown for the story.")
    articles = ArticleLinkSerializer(
        source="visible_articles", many=True, help_text="Every version, oldest first."
    )
    api_url = serializers.SerializerMethodField()

    def get_api_url(self, story) -> str:
        return api_address(self, "story-detail", pk=story.pk)
