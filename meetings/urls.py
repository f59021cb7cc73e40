from django.urls import path

app_name = "meetings"

# The meeting pages (/moten/<id>/ …) and the coordinator's planning pages.
urlpatterns: list = []
