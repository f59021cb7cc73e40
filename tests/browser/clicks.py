"""Counting a journey's clicks, for the click targets of issue 11.

A click is what a user does with the pointer or a key press on a control: ``click``,
``check``, ``select_option`` and ``press`` (Enter or Space on a focused control) each
count one. Typing into a field (``fill``) and reading are free. A journey asserts
``clicks.count <= TARGET`` and records the figure in its docstring::

    clicks = Clicks(page)
    clicks.click(page.get_by_role("link", name="Byt ledamot"))
    clicks.select(page.get_by_label("Ny ledamot"), "Anna Andersson")
    with clicks.navigation():            # the click that submits and loads a page
        clicks.click(page.get_by_role("button", name="Spara"))
    assert clicks.count <= 6, clicks.log
"""
from __future__ import annotations

from contextlib import contextmanager


class Clicks:
    def __init__(self, page) -> None:
        self.page = page
        self.count = 0
        self.log: list[str] = []

    def _note(self, what: str, locator) -> None:
        self.count += 1
        self.log.append(f"{self.count}. {what} {locator}")

    def click(self, locator, **kwargs) -> None:
        self._note("click", locator)
        locator.click(**kwargs)

    def check(self, locator, **kwargs) -> None:
        self._note("check", locator)
        locator.check(**kwargs)

    def select(self, locator, value, **kwargs) -> None:
        self._note("select", locator)
        locator.select_option(value, **kwargs)

    def press(self, locator, key: str, **kwargs) -> None:
        self._note(f"press {key}", locator)
        locator.press(key, **kwargs)

    @contextmanager
    def navigation(self, **kwargs):
        with self.page.expect_navigation(**kwargs):
            yield
