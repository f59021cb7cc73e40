from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import models

for m in (models.Structure, models.Principal, models.Body, models.Seat, models.Person,
          models.Membership, models.OfficeTerm, models.Term, models.Sector, models.StrategicArea):
    admin.site.register(m, SimpleHistoryAdmin)
