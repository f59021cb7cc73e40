"""issue 12 §10: the parts of scripts/load_test.py that decide pass or fail.

The whole run (gunicorn, PostgreSQL, Redis, a worker, the demo) is `make load` and a CI
step; here: the SMTP sink really receives what Django's SMTP backend sends, the count
keys tell two mails for one calendar version apart, and forms are posted as a browser
would post them.
"""
from __future__ import annotations

import importlib.util
import sys
import threading
from pathlib import Path

import pytest
from django.core.mail import EmailMultiAlternatives, get_connection

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "load_test.py"


@pytest.fixture(scope="module")
def load_test():
    spec = importlib.util.spec_from_file_location("load_test", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["load_test"] = module  # its dataclasses look themselves up there
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop("load_test", None)


ICS = ("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:meeting-7@halsam.example\r\n"
       "SEQUENCE:{seq}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


def test_sink_receives_each_mail_and_keys_find_duplicates(load_test):
    """issue 12 §10: "no notice lost or duplicated" rests on these counts."""
    sink = load_test.SmtpSink()
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    try:
        connection = get_connection("django.core.mail.backends.smtp.EmailBackend",
                                    host="127.0.0.1", port=sink.server_address[1], timeout=10)
        messages = []
        for to, seq in (("a@example.se", 1), ("b@example.se", 1), ("a@example.se", 1),
                        ("a@example.se", 2)):
            message = EmailMultiAlternatives("Ändrad kallelse", "text\n.\nline", to=[to])
            message.attach("invite.ics", ICS.format(seq=seq), "text/calendar")
            messages.append(message)
        assert connection.send_messages(messages) == 4
    finally:
        sink.shutdown()
        sink.server_close()
    assert len(sink.messages) == 4
    keys = [load_test._calendar_key(rcpts, data) for rcpts, data in sink.messages]
    assert keys[0] == (("a@example.se",), "meeting-7@halsam.example", "1", "REQUEST")
    assert keys[0] == keys[2] and keys[0] != keys[3] and keys[0] != keys[1]
    # Dot-stuffing undone: the body line "." arrives as sent.
    assert b"\n.\n" in sink.messages[0][1].replace(b"\r\n", b"\n")


def test_form_parser_sends_what_a_browser_sends(load_test):
    """issue 12 §10: the coordinator's posts carry every field (the edit token too)."""
    parser = load_test.FormParser()
    parser.feed("""
      <form method="post" action="">
        <input type="hidden" name="csrfmiddlewaretoken" value="tok">
        <input type="hidden" name="edit_token" value="v3">
        <input name="place" value="Sal 1">
        <select name="kind"><option value="a">A</option><option value="b" selected>B</option>
        </select>
        <select name="area"><option value="x">X</option></select>
        <input type="checkbox" name="is_public" checked>
        <input type="checkbox" name="other">
        <textarea name="description">Rad ett</textarea>
        <input type="submit" name="go" value="Spara">
      </form>
      <a href="/moten/7/">m</a>""")
    (form,) = parser.forms
    assert form["method"] == "post"
    assert form["fields"] == {"csrfmiddlewaretoken": "tok", "edit_token": "v3",
                              "place": "Sal 1", "kind": "b", "area": "x", "is_public": "on",
                              "description": "Rad ett"}
    assert parser.links == ["/moten/7/"]


@pytest.mark.parametrize(("path", "kind"), [
    ("/kalender/organ/lansledning.ics", "feed"), ("/dokument/feed/", "feed"),
    ("/moten/3/dagordning.pdf", "paper"), ("/moten/3/bilagor/9/", "paper"),
    ("/dokument/12/v2/avtal.pdf", "paper"), ("/organ/lansledning/", "page"),
])
def test_kind_of(load_test, path, kind):
    assert load_test.kind_of(path) == kind
