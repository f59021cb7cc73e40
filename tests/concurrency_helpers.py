"""Helpers of the concurrent-edit tests (issue 12 §1): two people, two browsers, the POST
data of a form as it was rendered."""
from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Permission
from django.db import models
from django.test import Client
from django.utils import timezone

from tests.governance.factories import UserFactory


def editor_client(username: str, first: str, last: str, *, superuser: bool = False,
                  coordinate: bool = True) -> tuple[Client, object]:
    """A logged-in browser of a coordinator (or superuser) named ``first last``."""
    user = UserFactory(username=username, first_name=first, last_name=last, is_staff=True,
                       is_superuser=superuser)
    if coordinate:
        user.user_permissions.add(Permission.objects.get(codename="coordinate",
                                                         content_type__app_label="governance"))
    client = Client()
    client.force_login(user)
    return client, user


def _put(data: dict, name: str, value, *, split_datetimes: bool) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        if value:
            data[name] = "on"
    elif isinstance(value, list | tuple | models.QuerySet):
        data[name] = [str(v.pk if isinstance(v, models.Model) else v) for v in value]
    elif isinstance(value, models.Model):
        data[name] = str(value.pk)
    elif isinstance(value, dt.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        if split_datetimes:
            data[f"{name}_0"] = local.date().isoformat()
            data[f"{name}_1"] = local.strftime("%H:%M:%S")
        else:
            data[name] = local.strftime("%Y-%m-%d %H:%M:%S")
    elif isinstance(value, dt.date | dt.time):
        data[name] = value.isoformat()
    else:
        data[name] = str(value)


def post_data(form, *, split_datetimes: bool = False) -> dict:
    """What the browser sends back for ``form`` untouched (disabled fields left out)."""
    data: dict = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        bound = form[name]
        _put(data, bound.html_name, bound.value(), split_datetimes=split_datetimes)
    return data


def admin_post_data(response) -> dict:
    """The POST data of an admin change form as rendered, main form and inlines."""
    data = post_data(response.context["adminform"].form, split_datetimes=True)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(post_data(formset.management_form))
        for form in formset.forms:
            data.update(post_data(form, split_datetimes=True))
    return data
