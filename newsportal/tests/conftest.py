import threading

import pytest
from django.core import mail


@pytest.fixture
def outbox():
    """Return a function giving the mail sent so far, once the reset mails' threads are done."""

    def sent():
        for thread in threading.enumerate():
            if thread.name in ("password-reset-mail", "account-mail"):
                thread.join(10)
        return mail.outbox

    return sent
