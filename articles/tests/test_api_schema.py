"""The API against its own OpenAPI schema: schemathesis generates requests for every operation
(valid and hostile parameters alike) and sends them to a live server; no answer may be a 5xx,
and each must match what the schema promises (status, content type, headers, body)."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from articles import stories
from articles.models import Article, DailyViews, Story, Tag
from articles.tests.factories import ArticleFactory, CategoryFactory, SourceFactory

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture
def api_schema(live_server, transactional_db, settings):
    """The schema as the live server serves it, with a little of everything to answer with."""
    settings.API_THROTTLE = 0  # hundreds of requests from one address in a few seconds
    for language in ("az", "ru"):
        source = SourceFactory(language=language)
        category = CategoryFactory()
        story = Story.objects.create(language=language)
        for number in range(3):
            article = ArticleFactory(
                language=language, source=source, category=category, story=story,
                label="FOTO", author_name="Müəllif", lead="Qısa məzmun",
            )  # fmt: skip
            article.tags.add(Tag.objects.get_or_create(name=f"Mövzu {language}")[0])
            DailyViews.objects.create(
                article=article, day=article.published_at.date(), views=number
            )
        stories.refresh_stories([story.pk])
    ArticleFactory(status=Article.Status.DRAFT)
    return schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/")


def test_every_answer_matches_the_schema(api_schema):
    # Each operation in turn, in one test: schemathesis' own pytest parametrisation needs a
    # schema at collection time, and ours exists only once the live server runs.
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
            database=None,
        )
        def answers_as_promised(case):
            case.call_and_validate(checks=CHECKS)

        answers_as_promised()
