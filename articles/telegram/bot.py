"""The Bot API client: a method call is a POST of a form, the answer is JSON.

Requests go through the project's safe HTTP client (articles/importers/http.py): a deadline for
the whole call, a size limit on the answer, no proxies from the environment, no redirects. The
address check that keeps feed fetches off private networks does not apply: TELEGRAM_API_BASE is
set by the operator (Telegram, or a self-hosted telegram-bot-api server on the loopback), never
taken from content. The token is part of every address, so it is removed from any error text
before that is stored or logged.
"""

import json
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext_noop

from articles.importers import http
from articles.importers.messages import Message

# The token in an address: /bot<token>/<method>, whole or cut.
_IN_ADDRESS = re.compile(r"/bot[^/\s\"']+")
ANSWER_BYTES = 1024 * 1024  # a Bot API answer is a few hundred bytes
DEFAULT_RETRY_AFTER = 30  # seconds, when a 429 does not say


class TelegramError(Exception):
    """A call that did not do what was asked; `kind` says what may be done about it.

    - "rate_limited": wait `retry_after` seconds, then try again (429);
    - "not_modified": an edit that changes nothing, as good as done (400);
    - "rejected": Telegram refused the request (another 4xx): the same request fails again;
    - "unavailable": Telegram failed (5xx), or no answer came; `maybe_delivered` tells whether
      the request may have been carried out all the same.
    """

    RATE_LIMITED, NOT_MODIFIED, REJECTED, UNAVAILABLE = (
        "rate_limited",
        "not_modified",
        "rejected",
        "unavailable",
    )

    def __init__(self, kind, message, *, retry_after=None, maybe_delivered=False):
        super().__init__(message)
        self.kind, self.message = kind, message
        self.retry_after, self.maybe_delivered = retry_after, maybe_delivered


@dataclass(frozen=True)
class Bot:
    token: str = field(repr=False)  # a Bot in a log line or an error report shows no token
    base: str
    timeout: float

    @classmethod
    def from_settings(cls):
        return cls(
            settings.TELEGRAM_BOT_TOKEN,
            settings.TELEGRAM_API_BASE,
            settings.TELEGRAM_TIMEOUT_SECONDS,
        )

    def call(self, method, fields, files=None):
        """Call a Bot API method; return its `result`, or raise TelegramError."""
        limits = http.Limits(
            connect_timeout=min(5.0, self.timeout),
            total_timeout=self.timeout,
            max_bytes=ANSWER_BYTES,
            max_redirects=0,
        )
        url = f"{self.base}/bot{self.token}/{method}"
        with http.session(limits, public_only=False) as client:
            try:
                response = http.post(url, http=client, limits=limits, data=fields, files=files)
            except http.FetchError as error:
                raise TelegramError(
                    TelegramError.UNAVAILABLE,
                    self._redacted(
                        Message(
                            gettext_noop("no answer from Telegram: %(error)s"), error=error.message
                        )
                    ),
                    maybe_delivered=error.maybe_delivered,
                ) from None
        return self._result(response)

    def _result(self, response):
        try:
            answer = json.loads(response.content)
            ok, description = bool(answer.get("ok")), str(answer.get("description") or "")
            parameters = answer.get("parameters") or {}
        except (ValueError, AttributeError):
            answer, ok, description, parameters = None, False, "", {}
        if ok and response.status == 200:
            return answer.get("result")
        description = self._redacted(description)[:300]
        error = Message(
            gettext_noop("Telegram answered %(status)d: %(description)s"),
            status=response.status,
            description=description or "—",
        )
        if response.status == 429:
            retry_after = parameters.get("retry_after") or response.headers.get("retry-after")
            try:
                seconds = max(1, int(retry_after))
            except (TypeError, ValueError):
                seconds = DEFAULT_RETRY_AFTER
            raise TelegramError(TelegramError.RATE_LIMITED, error, retry_after=seconds)
        if response.status == 400 and "message is not modified" in description.lower():
            raise TelegramError(TelegramError.NOT_MODIFIED, error)
        if 400 <= response.status < 500:
            raise TelegramError(TelegramError.REJECTED, error)
        # An error answer (5xx) is Telegram saying it did not do it: tried again later. A 200
        # that cannot be read may hide a message that was posted.
        unreadable = response.status == 200
        raise TelegramError(TelegramError.UNAVAILABLE, error, maybe_delivered=unreadable)

    def _redacted(self, value):
        """Return `value` (a text or a Message) with the token replaced by "…".

        Also what follows "/bot" in an address: an error quoting a cut address holds only the
        token's first part, which no replacement of the whole token finds.
        """
        if isinstance(value, Message):
            values = {name: self._redacted(item) for name, item in value.values.items()}
            return Message(value.msgid, **values)
        if isinstance(value, str) and self.token:
            return _IN_ADDRESS.sub("/bot…", value.replace(self.token, "…"))
        return value

    # -- the methods a post uses -------------------------------------------------------------

    def send(self, channel, composed, photo_file=None):
        """Post a message (a picture with its caption, or a text); return its message id."""
        fields = {"chat_id": channel, "parse_mode": "HTML"}
        if composed.photo and photo_file is not None:
            result = self.call(
                "sendPhoto",
                {**fields, "caption": composed.text},
                files={"photo": ("photo.jpg", photo_file, "image/jpeg")},
            )
        else:
            result = self.call("sendMessage", {**fields, "text": composed.text})
        return int(result["message_id"])

    def edit(self, channel, message_id, composed, *, as_photo, new_photo_file=None):
        """Bring a posted message up to date: its text or caption, and its picture if new."""
        fields = {"chat_id": channel, "message_id": message_id}
        if as_photo and new_photo_file is not None:
            media = {
                "type": "photo",
                "media": "attach://photo",
                "caption": composed.text,
                "parse_mode": "HTML",
            }
            self.call(
                "editMessageMedia",
                {**fields, "media": json.dumps(media, ensure_ascii=False)},
                files={"photo": ("photo.jpg", new_photo_file, "image/jpeg")},
            )
        elif as_photo:
            self.call(
                "editMessageCaption", {**fields, "caption": composed.text, "parse_mode": "HTML"}
            )
        else:
            self.call("editMessageText", {**fields, "text": composed.text, "parse_mode": "HTML"})
