"""The search form and its filters (django-filter): words, source, category, label, dates."""

from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from articles import search, text
from articles.models import Article

EARLIEST_DAY = date(1990, 1, 1)
LATEST_DAY = date(2100, 12, 31)


def validate_day(value):
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise ValidationError(
            _("Enter a date between %(first)s and %(last)s."),
            params={"first": EARLIEST_DAY.year, "last": LATEST_DAY.year},
            code="out_of_range",
        )


def _start_of(day):
    return datetime.combine(day, time.min, tzinfo=text.BAKU_TZ)


class SearchForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        if first and last and first > last:
            raise ValidationError(_("The start date is later than the end date."), code="order")
        return cleaned


class DayInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")

    def format_value(self, value):
        # A date input can only hold an ISO date; what the reader typed wrongly is named in
        # the error message instead.
        if isinstance(value, str):
            try:
                value = forms.DateField().to_python(value)  # also 20.01.2026
            except ValidationError:
                return None
        return super().format_value(value)


class ArticleSearchFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Words"), max_length=search.MAX_QUERY_LENGTH, method="match_words"
    )
    source = django_filters.ChoiceFilter(
        label=_("Source"), empty_label=_("All sources"), method="filter_source"
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"), empty_label=_("All categories"), method="filter_category"
    )
    label = django_filters.CharFilter(
        label=_("Label"),
        max_length=40,
        method="filter_label",
        widget=forms.TextInput(attrs={"list": "label-suggestions"}),
    )
    date_from = django_filters.DateFilter(
        label=_("From"), widget=DayInput(), validators=[validate_day], method="filter_from"
    )
    date_to = django_filters.DateFilter(
        label=_("To"), widget=DayInput(), validators=[validate_day], method="filter_to"
    )

    class Meta:
        model = Article
        fields = []
        form = SearchForm

    def __init__(self, data=None, queryset=None, *, request=None, sources=(), categories=()):
        super().__init__(data, queryset, request=request)
        self._ids = {
            "source": {source.slug: source.pk for source in sources},
            "category": {category.slug: category.pk for category in categories},
        }
        self.filters["source"].extra["choices"] = [(s.slug, s.name) for s in sources]
        self.filters["category"].extra["choices"] = [(c.slug, c.name) for c in categories]

    @property
    def has_criteria(self):
        """Tell whether the reader asked for anything (an empty form shows no results)."""
        return any(self.data.get(name, "").strip() for name in self.filters)

    def results(self):
        """Return the matching articles, best first (see `ArticleQuerySet.search`)."""
        return self.qs.search(self.form.cleaned_data.get("q", ""))

    def match_words(self, queryset, name, value):
        return queryset  # the words rank as well as filter: results() applies them

    def filter_source(self, queryset, name, value):
        return queryset.filter(source_id=self._ids["source"][value])

    def filter_category(self, queryset, name, value):
        return queryset.filter(category_id=self._ids["category"][value])

    def filter_label(self, queryset, name, value):
        # Labels are stored upper-case; readers type them any way (foto, Video, vİdeo).
        value = value.strip()
        variants = {value, value.upper(), value.lower(), text.az_upper(value)}
        return queryset.filter(label__in=variants)

    def filter_from(self, queryset, name, value):
        return queryset.filter(published_at__gte=_start_of(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(published_at__lt=_start_of(value + timedelta(days=1)))


def label_suggestions(language):
    """Return the common labels written in the script of `language`."""
    return [label for label in text.KNOWN_LABELS if _is_cyrillic(label) == (language == "ru")]


def _is_cyrillic(word):
    return any("\u0400" <= char <= "\u04ff" for char in word)
