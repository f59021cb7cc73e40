"""The meeting pages (/moten/<id>/ …) and the coordinator's planning pages."""
from django.urls import path

from halsam import converters  # noqa: F401 - registers <year:…> (issue 12 §6)

from . import (
    absence_views,
    agenda_views,
    calendar_views,
    election_views,
    minutes_views,
    notice_views,
    rotation_extensions,
    views,
)

app_name = "meetings"

urlpatterns = [
    path("moten/<int:pk>/", views.meeting_detail, name="detail"),
    path("moten/<int:pk>/forhinder/", absence_views.absence, name="absence"),
    path("moten/<int:pk>/forhinder/angra/", absence_views.absence_withdraw,
         name="absence_withdraw"),
    path("moten/<int:pk>/forhinder/<str:token>/", absence_views.absence_link,
         name="absence_link"),
    path("moten/<int:pk>/kallelse/", notice_views.notice_preview_page, name="notice_preview"),
    path("moten/<int:pk>/kallelse/dagordning.pdf", notice_views.notice_agenda_pdf,
         name="notice_agenda_pdf"),
    path("moten/<int:pk>/skicka/", notice_views.notice_send, name="notice_send"),
    path("moten/<int:pk>/andra/", views.meeting_edit, name="edit"),
    path("moten/<int:pk>/installa/", views.meeting_cancel, name="cancel"),
    path("moten/<int:pk>/dagordning/", agenda_views.agenda_edit, name="agenda"),
    path("moten/<int:pk>/dagordning/ordning/", agenda_views.agenda_reorder,
         name="agenda_reorder"),
    path("moten/<int:pk>/dagordning/<int:item_pk>/", agenda_views.item_edit, name="item_edit"),
    path("moten/<int:pk>/dagordning/<int:item_pk>/flytta/", agenda_views.item_move,
         name="item_move"),
    path("moten/<int:pk>/dagordning/<int:item_pk>/ta-bort/", agenda_views.item_delete,
         name="item_delete"),
    path("moten/<int:pk>/dagordning/<int:item_pk>/val/", election_views.election,
         name="election"),
    path("moten/<int:pk>/dagordning/<int:item_pk>/bilaga/", agenda_views.attachment_add,
         name="attachment_add"),
    path("moten/<int:pk>/dagordning/<int:item_pk>/handlingar/", agenda_views.item_papers,
         name="item_papers"),
    path("moten/<int:pk>/dagordning/<int:item_pk>/handlingar/<slug:source>/<int:paper_pk>/"
         "ta-bort/", agenda_views.paper_remove, name="paper_remove"),
    path("moten/<int:pk>/bilagor/<int:attachment_pk>/", views.attachment_download,
         name="attachment"),
    path("moten/<int:pk>/narvaro/", views.attendance, name="attendance"),
    # the minutes (meetings/minutes_views.py); "justera" before the workflow actions
    path("moten/<int:pk>/protokoll/", minutes_views.minutes_edit, name="minutes"),
    path("moten/<int:pk>/protokoll/justera/", minutes_views.minutes_check,
         name="minutes_check"),
    path("moten/<int:pk>/protokoll/<slug:action>/", minutes_views.minutes_action,
         name="minutes_action"),
    path("moten/<int:pk>/protokoll.pdf", minutes_views.minutes_pdf, name="minutes_pdf"),
    path("moten/<int:pk>/dagordning.pdf", minutes_views.agenda_pdf, name="agenda_pdf"),
    path("moten/<int:pk>/kalender.ics", calendar_views.meeting_ics, name="meeting_ics"),
    path("kalender/", calendar_views.year_calendar, name="calendar"),
    path("kalender/<year:year>/", calendar_views.year_calendar, name="calendar_year"),
    # V3, V8: a decision to extend a chair period (meetings/rotation_extensions.py)
    path("organ/<slug:slug>/forlang-ordforandeskap/", rotation_extensions.rotation_extend,
         name="rotation_extend"),
    path("samordning/plan/", views.plan_index, name="plan_index"),
    path("samordning/plan/<year:year>/brister/", views.plan_shortfalls, name="shortfalls"),
    path("samordning/plan/<slug:slug>/<year:year>/", views.plan_body, name="plan"),
]
