"""The login forms of /accounts/login/ and /admin/login/."""
from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


class BoundedUsernameMixin:
    """The user name field of a login form refuses what no user name can be.

    Django's ``AuthenticationForm`` sets the field's ``max_length`` after the field is
    built, so the length is never validated: a 300-character name reached
    ``authenticate()`` and axes' record of the failed attempt, whose column holds 255
    (PostgreSQL answered 500, issue 12 §6). Invalid, the name never reaches either.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        if field.max_length:
            field.validators.append(MaxLengthValidator(field.max_length))


class LoginForm(BoundedUsernameMixin, AuthenticationForm):
    """/accounts/login/."""


class AdminLoginForm(BoundedUsernameMixin, AdminAuthenticationForm):
    """/admin/login/ (halsam/admin_site.py)."""
