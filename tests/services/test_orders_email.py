"""Telling a customer by email that their order arrived: a real SMTP server started on
localhost (aiosmtpd) receives the message and the test reads it back; a server that is down
is logged as a failed attempt."""

from __future__ import annotations

import email
import email.policy
import socket

import pytest

from desk.errors import InvalidInput, NotAllowed
from desk.models import AuditEvent, ContactAttempt
from desk.services import orders, settings
from tests.services.test_orders import NOW, arrive, shop, take  # noqa: F401  (fixture)

aiosmtpd = pytest.importorskip("aiosmtpd")
from aiosmtpd.controller import Controller  # noqa: E402


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos),
                              email.message_from_bytes(envelope.content, policy=email.policy.default)))
        return "250 OK"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again: nothing listens there


def _configure(shop, port, **extra):
    settings.update(shop["admin"], {"smtp.server": "127.0.0.1", "smtp.port": port, "smtp.tls": "none",
                                    "smtp.sender": "desk@harbour.example", **extra})


def _mail_order(shop):
    v = take(shop, name="Łucja Wiśniewska", customer_email="lucja@example.com", contact_via="email")
    arrive(shop, v.number)
    return v


def test_the_email_reaches_a_real_smtp_server_and_reads_back(shop, smtp_server):
    port, inbox = smtp_server
    _configure(shop, port)
    v = _mail_order(shop)
    contact = orders.notify_by_email(shop["clerk"], v.number)
    assert (contact.method, contact.outcome, contact.address, contact.error) == ("email", "sent", "lucja@example.com", "")
    assert len(inbox.messages) == 1
    sender, rcpts, msg = inbox.messages[0]
    assert sender == "desk@harbour.example" and rcpts == ["lucja@example.com"]
    assert msg["Subject"] == f"Your order {v.number} has arrived at Test Store"
    body = msg.get_content()
    for expected in ["Dear Łucja Wiśniewska", "1 × Copper kettle", "Still to pay: £32.00", "24 March 2026", "1 High Street"]:
        assert expected in body, (expected, body)
    view = orders.order_view(v.number)
    assert view.status == "contacted" and view.contacted_at == NOW
    assert AuditEvent.select().where(AuditEvent.action == "order.contact").count() == 1


def test_the_template_comes_from_settings(shop, smtp_server):
    port, inbox = smtp_server
    _configure(shop, port, **{"orders.email_subject": "{order} is here, {customer}",
                              "orders.email_body": "Hello {customer}, bring {balance}. {unknown} stays."})
    v = _mail_order(shop)
    assert orders.email_message(v.number).subject == f"{v.number} is here, Łucja Wiśniewska"
    orders.notify_by_email(shop["clerk"], v.number)
    msg = inbox.messages[0][2]
    assert msg.get_content().strip() == "Hello Łucja Wiśniewska, bring £32.00. {unknown} stays."


def test_a_server_that_is_down_is_logged_as_a_failed_attempt(shop):
    _configure(shop, _free_port())
    v = _mail_order(shop)
    contact = orders.notify_by_email(shop["clerk"], v.number)
    assert contact.outcome == "failed" and "refused" in contact.error.lower(), contact.error
    row = ContactAttempt.get()
    assert (row.method, row.outcome, row.address) == ("email", "failed", "lucja@example.com") and row.error
    view = orders.order_view(v.number)
    assert view.status == "arrived" and view.contacted_at is None and view.flags == ("not_contacted",)
    assert AuditEvent.select().where(AuditEvent.action == "order.contact").count() == 1
    # still on the list of what needs doing: the board and whoever phones
    assert orders.board().flag_counts["not_contacted"] == 1
    assert [(r.number, r.last_attempt.split(",")[0]) for r in orders.who_to_phone()] == [(v.number, "failed")]


def test_without_email_set_up_nothing_is_sent_and_the_customer_is_on_the_phone_list(shop):
    v = _mail_order(shop)
    assert not orders.email_configured()
    with pytest.raises(NotAllowed, match="Email is not set up"):
        orders.notify_by_email(shop["clerk"], v.number)
    assert ContactAttempt.select().count() == 0
    assert [r.number for r in orders.who_to_phone()] == [v.number]


def test_an_order_not_yet_arrived_is_not_emailed_that_it_arrived(shop, smtp_server):
    port, inbox = smtp_server
    _configure(shop, port)
    v = take(shop, customer_email="ann@example.com", contact_via="email")
    with pytest.raises(NotAllowed, match="requested"):
        orders.notify_by_email(shop["clerk"], v.number)
    assert inbox.messages == [] and ContactAttempt.select().count() == 0


def test_an_order_without_an_email_address_cannot_be_emailed(shop, smtp_server):
    port, inbox = smtp_server
    _configure(shop, port)
    v = take(shop)
    arrive(shop, v.number)
    with pytest.raises(InvalidInput, match="no email address"):
        orders.notify_by_email(shop["clerk"], v.number)
    assert inbox.messages == []
