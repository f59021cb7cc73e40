"""The meeting pages (/moten/<id>/ …) and the coordinator's planning pages."""
from django.urls import path

from . import calendar_views, views

app_name = "meetings"

urlpatterns = [
    path("moten/<int:pk>/", views.meeting_detail, name="detail"),
    path("moten/<int:pk>/forhinder/", views.absence_report, name="absence"),
    path("moten/<int:pk>/forhinder/<str:token>/", views.absence_link, name="absence_link"),
    path("moten/<int:pk>/skicka/", views.notice_send, name="notice_send"),
    path("moten/<int:pk>/andra/", views.meeting_edit, name="edit"),
    path("moten/<int:pk>/installa/", views.meeting_cancel, name="cancel"),
    path("moten/<int:pk>/dagordning/", views.agenda_edit, name="agenda"),
    path("moten/<int:pk>/dagordning/<int:item_pk>/", views.item_edit, name="item_edit"),
    path("moten/<int:pk>/dagordning/<int:item_pk>/flytta/", views.item_move, name="item_move"),
    path("moten/<int:pk>/dagordning/<int:item_pk>/ta-bort/", views.item_delete,
         name="item_delete"),
    path("moten/<int:pk>/dagordning/<int:item_pk>/bilaga/", views.attachment_add,
         name="attachment_add"),
    path("moten/<int:pk>/bilagor/<int:attachment_pk>/", views.attachment_download,
         name="attachment"),
    path("moten/<int:pk>/narvaro/", views.attendance, name="attendance"),
    path("moten/<int:pk>/protokoll/", views.minutes_edit, name="minutes"),
    path("moten/<int:pk>/protokoll/<slug:action>/", views.minutes_action, name="minutes_action"),
    path("kalender/", calendar_views.year_calendar, name="calendar"),
    path("kalender/<int:year>/", calendar_views.year_calendar, name="calendar_year"),
    path("samordning/plan/", views.plan_index, name="plan_index"),
    path("samordning/plan/<int:year>/brister/", views.plan_shortfalls, name="shortfalls"),
    path("samordning/plan/<slug:slug>/<int:year>/", views.plan_body, name="plan"),
]
