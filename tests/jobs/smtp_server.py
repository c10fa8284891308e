"""A real SMTP server on a free local port (aiosmtpd), scriptable: refuse, defer, bounce, accept."""
from __future__ import annotations

import socket
from email import message_from_bytes, policy


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Handler:
    """``defer_data``: answer 451 to this many DATA commands; ``rcpt_replies``: address ->
    list of replies to give, in turn, before accepting (e.g. ["550 5.1.1 no such user"])."""

    def __init__(self):
        self.received = []  # (envelope recipients, parsed message) in arrival order
        self.defer_data = 0
        self.rcpt_replies: dict[str, list[str]] = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        replies = self.rcpt_replies.get(address)
        if replies:
            reply = replies[0] if len(replies) == 1 and replies[0].startswith("5") else replies.pop(0)
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.defer_data > 0:
            self.defer_data -= 1
            return "451 4.3.0 Mail server temporarily unable to accept mail"
        self.received.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted for delivery"


class SmtpServer:
    """Not listening until ``start()`` (connections are refused: the server is "down")."""

    def __init__(self):
        self.port = free_port()
        self.handler = Handler()
        self._controller = None

    def start(self):
        from aiosmtpd.controller import Controller

        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def config(self) -> dict:
        return {"MAIL_SMTP_HOST": "127.0.0.1", "MAIL_SMTP_PORT": self.port, "MAIL_SMTP_STARTTLS": False}
