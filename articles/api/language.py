"""The language of an API request: `?lang=az|ru`, else the `/ru/` prefix, else Azerbaijani."""

from articles.models import Language, current_language

LANGUAGE_PARAMETER = "lang"


def requested_language(request):
    """Return (language, valid): the asked-for language, and whether `?lang=` named one we have.

    The parameter wins over the path's prefix, so a client may keep one base address; an
    unknown value leaves the prefix's language active (for the error message) and is invalid.
    """
    asked = request.GET.get(LANGUAGE_PARAMETER)
    if asked is None:
        return current_language(), True
    if asked in Language.values:
        return asked, True
    return current_language(), False
