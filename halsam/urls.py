"""The project's URLs: the public structure pages and the coordinator's admin."""
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("HälSam – administration")
admin.site.site_title = _("HälSam")
admin.site.index_title = _("The coordinator's administration")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("documents.urls")),
    path("", include("meetings.urls")),
    path("", include("meetings.feed_urls")),
    path("", include("governance.urls")),
]
