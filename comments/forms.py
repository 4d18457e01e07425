import re

from django import forms
from django.utils.translation import gettext_lazy as _

from comments.models import BODY_MAX_LENGTH


class CommentTextField(forms.CharField):
    """Plain text with browsers' CRLF line breaks made LF, so the length counts what is kept."""

    def to_python(self, value):
        value = super().to_python(value)
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        # More than one empty line in a row adds nothing but scrolling.
        return re.sub(r"\n{3,}", "\n\n", value)


class CommentForm(forms.Form):
    body = CommentTextField(
        label=_("Your comment"),
        max_length=BODY_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": BODY_MAX_LENGTH}),
        error_messages={"required": _("Write something before sending the comment.")},
    )
    parent = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
