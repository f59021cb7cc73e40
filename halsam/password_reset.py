"""The password reset request (/accounts/password_reset/): queued and throttled.

Django's own view sends the e-mail inside the request and, when the mail server fails,
only logs it: the reset was dropped silently. Here the form queues one ``AccountMail``
per matching login (halsam/account_mail.py: sent after commit, retried with backoff).

Requests are counted per address and per client address (the cache, for
PASSWORD_RESET_THROTTLE_WINDOW seconds); beyond PASSWORD_RESET_THROTTLE_LIMIT nothing is
queued. The answer is the same "check your e-mail" page in every case, so neither the
throttle nor the form tells whether an address has a login (issue 12 §8).
"""
from __future__ import annotations

import hashlib
import logging

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import PasswordResetView
from django.core.cache import cache
from django.http import HttpRequest, HttpResponseRedirect

log = logging.getLogger(__name__)


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's form, with each e-mail queued instead of sent in the request."""

    def save(self, *args, requested_by=None, **kwargs) -> int:
        from governance.models_account_mail import AccountMailKind

        from .account_mail import account_mail_queue

        queued = 0
        for user in self.get_users(self.cleaned_data["email"]):
            account_mail_queue(user=user, kind=AccountMailKind.PASSWORD_RESET,
                               requested_by=requested_by)
            queued += 1
        return queued


def _count(key: str, window: int) -> int:
    """Add one to the counter ``key`` (created for ``window`` seconds); its new value."""
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


def reset_throttled(request: HttpRequest, email: str) -> bool:
    """Count this request for its address and its client; whether either is over the
    limit. Both are counted every time, so a flood from one client for many addresses
    and many clients for one address are both held back."""
    limit = settings.PASSWORD_RESET_THROTTLE_LIMIT
    window = settings.PASSWORD_RESET_THROTTLE_WINDOW
    address = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    client = get_client_ip_address(request) or request.META.get("REMOTE_ADDR", "")
    by_address = _count(f"halsam:pwreset:email:{address}", window)
    by_client = _count(f"halsam:pwreset:ip:{client}", window)
    return by_address > limit or by_client > limit


class ThrottledPasswordResetView(PasswordResetView):
    form_class = QueuedPasswordResetForm

    def form_valid(self, form):
        if reset_throttled(self.request, form.cleaned_data["email"]):
            log.warning("password reset throttled for a request from %s",
                        get_client_ip_address(self.request))
        else:
            form.save()
        # The same answer whether anything was queued or not.
        return HttpResponseRedirect(self.get_success_url())
