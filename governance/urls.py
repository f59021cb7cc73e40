from django.urls import path

from . import coordination_views, views

app_name = "governance"

urlpatterns = [
    path("struktur/<slug:slug>/", views.structure_detail, name="structure"),
    path("organ/<slug:slug>/", views.body_detail, name="body"),
    path("regler/", views.rules_page, name="rules"),
    # The coordinator's changes from the body page (issue 11, docs/roles.md).
    path("organ/<slug:slug>/platser/<int:seat_pk>/byt-ledamot/",
         coordination_views.replace_member, name="replace_member"),
    path("organ/<slug:slug>/uppdrag/ny/", coordination_views.record_office,
         name="record_office"),
]
