"""The admin's writing widgets: the body's rich-text editor (django-prose-editor's ProseMirror)."""

import json

from django import forms
from django.utils.translation import gettext as _


def editor_messages():
    """Return the texts the desk's scripts show, in the active language."""
    return {
        "pictures": _("Pictures of this article"),
        "insert": _("Insert into the text"),
        "noPictures": _(
            "No pictures yet: upload the main picture or gallery photos and save, then place "
            "them in the text from here."
        ),
        "pasteRemoved": _("Removed from the pasted text: %(items)s. Text and its structure stay."),
        "styleAttribute": _("formatting (style)"),
        "scriptAttribute": _("scripts in attributes"),
        "autosaveFound": _(
            "This browser kept changes to this form from %(time)s that were not saved."
        ),
        "autosaveRestore": _("Restore them"),
        "autosaveDiscard": _("Discard them"),
    }


class BodyEditorWidget(forms.Textarea):
    """A textarea the desk's module script turns into the rich-text editor.

    Without JavaScript it stays a textarea of HTML; the server sanitises either way.
    `pictures` are the article's own uploads offered for placing in the text:
    dicts of url, alt and caption.
    """

    def __init__(self, attrs=None, pictures=()):
        super().__init__(attrs)
        self.pictures = list(pictures)

    class Media:
        css = {
            "all": [
                "django_prose_editor/material-icons.css",
                "django_prose_editor/editor.css",
                "django_prose_editor/overrides.css",
                "css/desk.css",
            ]
        }
        js = [forms.Script("js/desk/body_editor.js", type="module")]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update(
            {
                "data-body-editor": "",
                "data-pictures": json.dumps(self.pictures, ensure_ascii=False),
                "data-messages": json.dumps(editor_messages(), ensure_ascii=False),
            }
        )
        return context

    def use_required_attribute(self, initial):
        # The editor hides the textarea; a browser cannot point at a hidden required field.
        return False
