"""The project's URLs: the public pages, logins, the member portal and the admin.

tests/test_authorization_matrix.py lists every URL and who may see it: a new URL
fails that test until it is placed in the matrix.
"""
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from halsam import converters  # noqa: F401 - <year:…> (issue 12 §6)

admin.site.site_header = _("HälSam – administration")
admin.site.site_title = _("HälSam")
admin.site.index_title = _("The coordinator's administration")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Logins (halsam/accounts.py), the member portal, the start pages of the roles and
    # the public front (portal/).
    path("accounts/", include("halsam.accounts")),
    path("", include("portal.urls")),
    path("", include("portal.public")),
    path("", include("documents.urls")),
    path("", include("meetings.urls")),
    path("", include("meetings.feed_urls")),
    path("", include("governance.urls")),
]
