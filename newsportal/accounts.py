"""Reader accounts: sign up, log in by username or e-mail, and the safe return to a page."""

import threading
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import MaxLengthValidator
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext, override
from django.utils.translation import gettext_lazy as _

from newsportal import ratelimit, usernames


def _users_by_email(email):
    User = get_user_model()
    return User._default_manager.filter(email__iexact=email.strip())


class EmailOrUsernameBackend(ModelBackend):
    """Authenticate with a username, or with the e-mail address of exactly one account."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and "@" in username and password is not None:
            users = list(_users_by_email(username)[:2])
            if len(users) == 1:
                user = users[0]
                if user.check_password(password) and self.user_can_authenticate(user):
                    return user
                return None
            # Same cost as a wrong password, so timing does not tell which addresses exist.
            get_user_model()().set_password(password)
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id):
        # The reader's bar from commenting comes with the user: no query of its own per page.
        User = get_user_model()
        try:
            user = User._default_manager.select_related("comment_ban").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


def lockout_username(request, credentials):
    """Name the account an attempt aims at, so an e-mail and a username lock the same one."""
    typed = ((credentials or {}).get("username") or request.POST.get("username") or "").strip()
    if "@" in typed:
        users = list(_users_by_email(typed).values_list("username", flat=True)[:2])
        if len(users) == 1:
            return users[0]
        return typed.lower()
    return typed


def lockout_response(request, original_response=None, credentials=None):
    """Render the page shown while log-ins are paused, in the site's layout (HTTP 429)."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "registration/lockout.html", context, status=429)


def next_path(request):
    """Return the `next` address if it is a path on this site, else "".

    Only a path: "x" or "news" would be taken by redirect() for a view name (a 500), and a
    full address could lead off the site.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        # Back to the page that asks would be a loop (an old header link pointed there).
        return "" if urlsplit(target).path == request.path else target
    return ""


def safe_next(request, default="home"):
    """Return the `next` path if it is one on this site, else the default page's address."""
    return next_path(request) or reverse(default)


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username or e-mail"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The username or e-mail and the password do not match. Mind upper- and lower-case "
            "letters in the username and the password."
        ),
    }


def too_many(request, action):
    """Render the page shown when sign-ups or reset e-mails from here are paused (HTTP 429)."""
    response = render(request, "registration/too_many.html", {"action": action}, status=429)
    response["Retry-After"] = "3600"
    return response


def within_limits(request, action, target):
    """Count an attempt per address and per target (an e-mail address); False past a limit."""
    per_address, per_target = {
        "signup": (settings.SIGNUPS_PER_ADDRESS_PER_HOUR, settings.SIGNUPS_PER_EMAIL_PER_HOUR),
        "reset": (
            settings.PASSWORD_RESETS_PER_ADDRESS_PER_HOUR,
            settings.PASSWORD_RESETS_PER_EMAIL_PER_HOUR,
        ),
    }[action]
    address = ratelimit.client_address(request)
    if not ratelimit.allow(f"{action}-address", address, limit=per_address, window=3600):
        return False
    target = (target or "").strip().casefold()
    return not target or ratelimit.allow(f"{action}-target", target, limit=per_target, window=3600)


class SignUpForm(UserCreationForm):
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        help_text=_("For resetting a forgotten password. Never shown to other readers."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta(UserCreationForm.Meta):
        fields = ["username", "email"]
        # Our own wording: Django's Azerbaijani writes "Istifadəçi" and "at least 150 characters".
        labels = {"username": _("Username")}
        help_texts = {
            "username": _(
                "Up to 30 letters, digits and . + - _ characters. Shown with your comments."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The model allows 150; a comment's byline is no place for more than 30.
        field = self.fields["username"]
        field.max_length = usernames.MAX_LENGTH
        field.widget.attrs["maxlength"] = str(usernames.MAX_LENGTH)
        field.validators.append(MaxLengthValidator(usernames.MAX_LENGTH))

    def clean_username(self):
        username = super().clean_username()
        if not username:
            return username
        # "@" would make a username look like an e-mail address at log-in.
        if "@" in username:
            raise ValidationError(_("A username cannot contain “@”."), code="invalid")
        if usernames.is_reserved(username):
            raise ValidationError(
                _("This name is kept for the site's staff; please choose another."),
                code="reserved",
            )
        User = get_user_model()
        look_alike = User._default_manager.filter(
            username__regex=usernames.look_alike_pattern(username)
        )
        if look_alike.exists():
            raise ValidationError(
                _(
                    "A reader with a name that looks the same already exists; please choose "
                    "another."
                ),
                code="look_alike",
            )
        return username

    def clean_email(self):
        """Accept an address that has an account, saying nothing: sign-up must not tell who is
        registered. The new account then goes without it (`save`), and the address's owner
        is told by mail (`signup`)."""
        email = self.cleaned_data["email"].strip()
        self.taken_email = _users_by_email(email).first()
        return email

    def save(self, commit=True):
        user = super().save(commit=False)
        if getattr(self, "taken_email", None) is not None:
            user.email = ""  # one address, one account: log-in and resets go by it
        if commit:
            user.save()
        return user


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_redirect_url(self):
        return next_path(self.request)

    def get_context_data(self, **kwargs):
        # The header's log-in and sign-up links pass the same return on, not this page.
        return super().get_context_data(return_to=self.get_redirect_url(), **kwargs)


def signup(request):
    """Create a reader account, log it in and return to the page the reader came from."""
    if request.user.is_authenticated:
        return redirect(safe_next(request))
    # Counted before the form is validated: each attempt hashes a password, valid or not.
    if request.method == "POST" and not within_limits(request, "signup", request.POST.get("email")):
        return too_many(request, "signup")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        if form.taken_email is not None:
            _send_in_background(
                request,
                "registration/account_exists",
                form.taken_email,
                {"new_name": user.get_username()},
            )
        login(request, user, backend="newsportal.accounts.EmailOrUsernameBackend")
        messages.success(
            request, gettext("Welcome, %(name)s! Your account is ready.") % {"name": user}
        )
        return redirect(safe_next(request))
    next_url = next_path(request)
    return render(
        request, "registration/signup.html", {"form": form, "next": next_url, "return_to": next_url}
    )


def _send_in_background(request, template, owner, context):
    """Mail the owner of an address from a thread of its own, in the reader's language.

    The answer then takes as long as when nothing is sent: its timing tells nobody anything.
    """
    language = get_language()
    context = {
        **context,
        "user": owner,
        "site_name": settings.SITE_NAME,
        "protocol": "https" if request.is_secure() else "http",
        "domain": request.get_host(),
    }

    def run():
        with override(language):
            subject = render_to_string(f"{template}_subject.txt", context).strip()
            body = render_to_string(f"{template}_email.txt", context)
            send_mail(subject, body, None, [owner.email])

    threading.Thread(target=run, name="account-mail", daemon=True).start()


class LogoutView(auth_views.LogoutView):
    """Log out (POST only) and stay on the page the reader was reading."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, gettext("You have logged out."))
        return response


class ResetForm(PasswordResetForm):
    """Send the reset e-mail from a thread of its own.

    The request then takes as long whether the address has an account (a mail to send, over
    SMTP) or not (nothing to send): its timing does not tell who is registered.
    """

    def send_mail(self, *args, **kwargs):
        language = get_language()
        send = super().send_mail

        def run():
            with override(language):
                send(*args, **kwargs)

        threading.Thread(target=run, name="password-reset-mail", daemon=True).start()


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ResetForm
    extra_email_context = {"site_name": settings.SITE_NAME}

    def post(self, request, *args, **kwargs):
        if not within_limits(request, "reset", request.POST.get("email")):
            return too_many(request, "reset")
        return super().post(request, *args, **kwargs)
