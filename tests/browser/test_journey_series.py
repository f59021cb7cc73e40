"""Issue 11, flow 6: series planning that stays in its year, as the coordinator makes it
in Chromium.

The coordinator plans Länsledning's 2027 (H14: at least 4 meetings a year) as four
quarterly meetings on the first Thursday from February. First she forgets the weekday:
the form says so on the weekday field. Then the series is planned: Thursday 6 May 2027
is Kristi himmelsfärd, so that meeting moves to Friday 7 May; all four stay in 2027
(before issue 11 the fourth went to February 2028), and the success message, the meetings
created and the page's own check all say 4.
"""
from __future__ import annotations

import datetime as dt

from governance.models import Body
from meetings.models import Meeting

from .clicks import Clicks
from .conftest import login, look_at
from .world import build_world

YEAR = 2027




def test_coordinator_plans_a_quarterly_series_for_2027_that_stays_in_2027(page, shot):
    """H14. Measured: 5 clicks on the plan page (week of the month, "Planera serien",
    refused on the weekday; the weekday, "Planera serien" again: planned), 3 without the
    mistake."""
    world = build_world(with_document=False)
    body = Body.objects.get(slug="lansledning")
    Meeting.objects.filter(body=body).delete()  # the world's own meeting: a clean plan

    login(page, world.user("coordinator"), next_path=f"/samordning/plan/{body.slug}/{YEAR}/")
    main = page.locator("main")
    # H14: "förslagsvis minst 4 möten per år" is shown as a recommendation.
    assert "rekommenderat minst 4 möten per år" in main.inner_text()
    clicks = Clicks(page)

    form = page.locator("form", has=page.locator("input[name=form][value=series]"))
    clicks.select(form.locator("#id_s-frequency"), "monthly")
    form.locator("#id_s-interval").fill("3")
    clicks.select(form.locator("#id_s-week_of_month"), "1")
    form.locator("#id_s-first_day").fill(f"{YEAR}-02-01")
    form.locator("#id_s-time").fill("13:00")
    form.locator("#id_s-duration_minutes").fill("180")
    form.locator("#id_s-count").fill("4")
    form.locator("#id_s-place").fill("Regionens hus, Härnösand")
    with clicks.navigation():
        clicks.click(form.get_by_role("button", name="Planera serien"))

    # Refused, on the weekday field, saying why; nothing was planned.
    weekday_error = page.locator("#id_s-weekday_error")
    assert "Välj en veckodag" in weekday_error.inner_text()
    assert not Meeting.objects.filter(body=body).exists()
    look_at(page, shot, "weekday missing")

    form = page.locator("form", has=page.locator("input[name=form][value=series]"))
    clicks.select(form.locator("#id_s-weekday"), "3")  # torsdag
    with clicks.navigation():
        clicks.click(form.get_by_role("button", name="Planera serien"))
    assert clicks.count == 5, clicks.log

    text = page.locator("main").inner_text()
    assert "4 möten är planerade för Länsledning för HälSam 2027." in text, text
    assert ("Torsdag 6 maj 2027 är Kristi himmelsfärdsdag; mötet flyttades till fredag 7 maj "
            "2027.") in text, text
    assert "4 möten räknade" in text
    days = sorted(m.start.date() for m in Meeting.objects.filter(body=body))
    assert days == [dt.date(YEAR, 2, 4), dt.date(YEAR, 5, 7), dt.date(YEAR, 8, 5),
                    dt.date(YEAR, 11, 4)]
    table = page.locator("#meetings-h + div table, section[aria-labelledby=meetings-h] table")
    assert table.locator("tbody tr").count() == 4
    look_at(page, shot, "planned")
