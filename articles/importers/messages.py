"""Importer messages: English where code reads them, the editor's language where editors do.

A failed import is recorded on the source (`Source.last_error`) and read later in the admin, in
Azerbaijani at /admin/ and in Russian at /ru/admin/. So a message is kept as its msgid and values,
not as text in whichever language the import happened to run, and translated when it is shown.
Its `str` is the English text: logs, `import_feeds` output and tests read that.
"""

from __future__ import annotations

import json

from django.utils.translation import gettext


class Message(str):
    """A marked importer message with its values; `translated()` renders it for a reader."""

    def __new__(cls, msgid: str, **values: object) -> Message:
        message = super().__new__(cls, msgid % values if values else msgid)
        message.msgid, message.values = msgid, values
        return message

    def translated(self) -> str:
        """Return the message in the active language, values that are messages included."""
        values = {
            name: value.translated() if isinstance(value, Message) else value
            for name, value in self.values.items()
        }
        return gettext(self.msgid) % values if values else gettext(self.msgid)

    def as_data(self) -> dict:
        values = {
            name: value.as_data() if isinstance(value, Message) else value
            for name, value in self.values.items()
        }
        return {"msgid": self.msgid, "values": values}

    @classmethod
    def from_data(cls, data: dict) -> Message:
        values = {
            name: cls.from_data(value) if isinstance(value, dict) else value
            for name, value in data.get("values", {}).items()
        }
        return cls(data["msgid"], **values)


class MessageError(Exception):
    """An error whose message is a Message: raise it with a marked msgid and its values."""

    def __init__(self, msgid: str, **values: object):
        self.message = Message(msgid, **values)
        super().__init__(self.message)


def dumps(messages: list[Message]) -> str:
    """Return messages as the text stored on a source."""
    return (
        json.dumps([message.as_data() for message in messages], ensure_ascii=False)
        if messages
        else ""
    )


def parse(stored: str) -> list[Message]:
    """Return the messages stored on a source.

    Text stored before messages were kept this way (plain English lines) comes back as
    messages without values, shown as they are.
    """
    if not stored:
        return []
    try:
        return [Message.from_data(item) for item in json.loads(stored)]
    except (ValueError, TypeError, KeyError, AttributeError):
        return [_Verbatim(line) for line in stored.splitlines()]


def loads(stored: str) -> list[str]:
    """Return stored messages translated into the active language, one per line."""
    return [message.translated() for message in parse(stored)]


class _Verbatim(Message):
    """A line stored as text: never looked up in the catalogues, shown as it is."""

    def translated(self) -> str:
        return str(self)
