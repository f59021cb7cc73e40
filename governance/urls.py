from django.urls import path

from . import views

app_name = "governance"

urlpatterns = [
    path("struktur/<slug:slug>/", views.structure_detail, name="structure"),
    path("organ/<slug:slug>/", views.body_detail, name="body"),
    path("regler/", views.rules_page, name="rules"),
]
