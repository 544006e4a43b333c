"""A real SMTP server for tests (aiosmtpd on loopback): ``smtp_server`` fixture.

It keeps every message it accepts (parsed) in ``.messages`` and refuses for good (550)
any recipient whose address starts with ``refused``, temporarily (451) one starting with
``busy``. The app under test is pointed at it (MAIL_SERVER/MAIL_PORT, no TLS).
"""
from __future__ import annotations

import email
import email.policy
import socket

import pytest


class Recorder:
    def __init__(self):
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.startswith("refused"):
            return "550 5.1.1 No such mailbox here"
        if address.startswith("busy"):
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        message.envelope_to = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SMTPServer:
    def __init__(self):
        from aiosmtpd.controller import Controller
        self.recorder = Recorder()
        self.port = free_port()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self):
        return self.recorder.messages

    def to(self, address: str):
        return [m for m in self.messages if address in m.envelope_to]

    def config(self) -> dict:
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port, "MAIL_USE_TLS": False,
                "MAIL_USE_SSL": False, "MAIL_TIMEOUT": 10}


@pytest.fixture
def smtp_server():
    server = SMTPServer()
    server.controller.start()
    try:
        yield server
    finally:
        server.controller.stop()


@pytest.fixture
def mail_app(app, smtp_server):
    """The app, delivering to ``smtp_server``."""
    app.config.update(smtp_server.config())
    return app
