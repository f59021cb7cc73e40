"""Logins: Django's auth views under /accounts/ (log in, log out, password reset and
change by e-mail) and login throttling with django-axes.

The pages are Django's own views with the site's templates (templates/registration/),
except the password reset request (password_reset.py: queued through account_mail.py and
throttled per address and client).
Logging out is a POST (Django 5). Five failed logins for one user name from one address
lock that pair out for 15 minutes (settings: AXES_*); the lockout page is
templates/registration/lockout.html, answered with status 429.
"""
from __future__ import annotations

from functools import cached_property

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off, get_failure_limit
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path

from . import password_reset
from .login_forms import LoginForm

LOCKOUT_STATUS = 429


class LoginThrottleBackend(AxesStandaloneBackend):
    """axes' throttling backend for logins over HTTP.

    Every login over HTTP (this site's login page, the admin's, the password reset that
    logs in) passes the request, and is counted and refused when locked out exactly as
    by ``AxesStandaloneBackend``. A call without a request is not a login from a
    browser (the test client's ``login()``, a shell session): there is no address to
    throttle, so it is left to the next backend instead of raising.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict | None = None) -> HttpResponse:
    """The page for a locked-out login (AXES_LOCKOUT_CALLABLE): how many failures and for
    how many minutes, in the site's design, with status 429."""
    cool_off = get_cool_off(request)
    return render(request, "registration/lockout.html", {
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }, status=LOCKOUT_STATUS)


class Navigation:
    """What the one navigation (templates/base.html) offers the user, computed on first
    use: templates ask ``nav.portal``, ``nav.coordinator``, ``nav.editor``,
    ``nav.secretary``, ``nav.staff`` and ``nav.section`` (the part of the site the page
    belongs to) and hold no rules. A login with several roles lands on the highest
    one's start page (portal/start.py) and finds the others here."""

    SECTIONS = (("/mina-sidor/", "portal"), ("/samordning/", "coordination"),
                ("/sekreterare/", "secretary"), ("/redaktion/", "editorial"),
                ("/dokument/", "documents"), ("/regler/", "rules"), ("/admin/", "admin"),
                ("/accounts/", "accounts"))

    def __init__(self, request: HttpRequest) -> None:
        self.user = getattr(request, "user", None)
        self.path = request.path

    @property
    def _authenticated(self) -> bool:
        return bool(self.user is not None and self.user.is_authenticated)

    @cached_property
    def portal(self) -> bool:
        """Mina sidor: logins linked to a person."""
        from governance.access import person_for_user

        return self._authenticated and person_for_user(self.user) is not None

    @cached_property
    def coordinator(self) -> bool:
        from governance.access import can_coordinate

        return can_coordinate(self.user)

    @cached_property
    def editor(self) -> bool:
        return self._authenticated and self.user.has_perm("documents.publish_document")

    @cached_property
    def secretary(self) -> bool:
        """The secretary's meetings (/sekreterare/): secretaries of a body."""
        from governance.access import bodies_for_user

        return self._authenticated and bodies_for_user(self.user, secretary=True).exists()

    @property
    def staff(self) -> bool:
        return self._authenticated and self.user.is_staff

    @property
    def brand_url(self) -> str:
        """The brand link: a login's start page (/start/, portal/start.py), else the
        home page."""
        from django.urls import reverse

        return reverse("portal:start" if self._authenticated else "public:home")

    @cached_property
    def section(self) -> str:
        if self.path == "/":
            return "home"
        return next((name for prefix, name in self.SECTIONS if self.path.startswith(prefix)),
                    "public")


def navigation(request: HttpRequest) -> dict:
    """Context processor: ``nav`` for templates/base.html."""
    return {"nav": Navigation(request)}


def send_login_invitation(user, *, requested_by=None):
    """Queue the e-mail that gives a new login the link for choosing its password
    (Django's password reset link: it works once, for PASSWORD_RESET_TIMEOUT). It is
    sent after commit through the retrying queue (halsam/account_mail.py), so a mail
    server that is down neither fails the page nor loses the invitation."""
    from governance.models_account_mail import AccountMailKind

    from .account_mail import account_mail_queue

    return account_mail_queue(user=user, kind=AccountMailKind.INVITATION,
                              requested_by=requested_by)


# /accounts/login/, /accounts/logout/ (POST), /accounts/password_change/ (+ done),
# /accounts/password_reset/ (+ done), /accounts/reset/<uidb64>/<token>/ (+ done).
# The password reset request is this project's (queued and throttled: password_reset.py).
urlpatterns = [
    path("login/", LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("password_reset/", password_reset.ThrottledPasswordResetView.as_view(),
         name="password_reset"),
    path("", include("django.contrib.auth.urls")),
]
