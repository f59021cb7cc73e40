"""Swedish date and time formats (Django date syntax), the one set the site uses.

Swedish public-sector style (Språkrådet, Myndigheternas skrivregler): weekday and month
in lower case, day before month, no leading zero, "kl." and a full stop between hours
and minutes, an en dash without spaces between two times. Django's own ``sv`` module
supplies everything not named here (input formats, separators).

``b`` is the lower-case three-letter month ("feb"); ``D`` the weekday abbreviation
("tors"); see ``halsam.formats.dates`` for the helpers that use these names.
"""
from __future__ import annotations

# Django's standard names: the admin and a bare ``|date`` use these.
DATE_FORMAT = "j F Y"                       # 11 december 2026
TIME_FORMAT = "H.i"                         # 13.00
DATETIME_FORMAT = r"j F Y \k\l. H.i"        # 11 december 2026 kl. 13.00
YEAR_MONTH_FORMAT = "F Y"                   # december 2026
MONTH_DAY_FORMAT = "j F"                    # 11 december

# The project's named formats (halsam.formats.dates).
LONG_DATE_FORMAT = "l j F Y"                # fredag 11 december 2026
SHORT_DAY_FORMAT = "D j b"                  # tors 4 feb
SHORT_DAY_YEAR_FORMAT = "D j b Y"           # tors 4 feb 2027 (another year than this)
TIME_OF_DAY_FORMAT = "H.i"                  # 13.00
TIME_PREFIX = "kl. "                        # fredag 11 december 2026 kl. 13.00
TIME_RANGE_SEPARATOR = "–"                  # 13.00–15.00 (en dash, no spaces)
SPANNING_RANGE_SEPARATOR = " – "            # between two dates: en dash with spaces
