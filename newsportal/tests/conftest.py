import threading

import pytest
from django.core import mail


def _join_mail_threads():
    for thread in threading.enumerate():
        if thread.name in ("password-reset-mail", "account-mail"):
            thread.join(10)


@pytest.fixture
def outbox():
    """Return a function giving the mail sent so far, once the reset mails' threads are done.

    Mail threads of earlier tests are waited for first, so their mail is not counted here.
    """
    _join_mail_threads()
    mail.outbox.clear()

    def sent():
        _join_mail_threads()
        return mail.outbox

    return sent
