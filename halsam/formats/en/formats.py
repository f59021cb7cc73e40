"""English date and time formats (Django date syntax), the counterpart of ``sv``.

The same names as ``halsam.formats.sv.formats``; British order (day before month),
24-hour clock with a colon.
"""
from __future__ import annotations

DATE_FORMAT = "j F Y"                       # 11 December 2026
TIME_FORMAT = "H:i"                         # 13:00
DATETIME_FORMAT = "j F Y, H:i"              # 11 December 2026, 13:00
YEAR_MONTH_FORMAT = "F Y"                   # December 2026
MONTH_DAY_FORMAT = "j F"                    # 11 December

LONG_DATE_FORMAT = "l j F Y"                # Friday 11 December 2026
SHORT_DAY_FORMAT = "D j M"                  # Thu 4 Feb
SHORT_DAY_YEAR_FORMAT = "D j M Y"           # Thu 4 Feb 2027
TIME_OF_DAY_FORMAT = "H:i"                  # 13:00
TIME_PREFIX = "at "                         # Friday 11 December 2026 at 13:00
TIME_RANGE_SEPARATOR = "–"                  # 13:00–15:00
SPANNING_RANGE_SEPARATOR = " – "
