"""The benchmark's SMTP sink: Django's SMTP backend delivers to it, and it counts a message once its end arrives."""

from __future__ import annotations

import socket
import time

import pytest
from django.core.mail import EmailMessage, get_connection

from facturier_bench.smtp_sink import CountingSmtpSink


@pytest.fixture
def sink():
    server = CountingSmtpSink()
    server.start()
    yield server
    server.stop()


def test_django_sends_several_messages_over_one_connection_and_each_is_counted(sink):
    connection = get_connection(
        "django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=sink.port, timeout=5
    )
    messages = [
        EmailMessage("Facture", "Bonjour,\n.\nune ligne qui n'est qu'un point\n", "a@example.org", ["b@example.org"]),
        EmailMessage("Vide", "", "a@example.org", ["c@example.org"]),
    ]
    messages[0].attach("facture.pdf", bytes(range(256)) * 300, "application/pdf")

    sent = connection.send_messages(messages)

    assert (sent, sink.count) == (2, 2)


def test_a_message_is_counted_only_when_its_end_of_data_marker_has_arrived(sink):
    with socket.create_connection(("127.0.0.1", sink.port), timeout=5) as client:
        replies = client.makefile("rb")
        assert replies.readline() == b"220 facturier-bench ESMTP\r\n"
        client.sendall(b"HELO test\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n")
        assert [replies.readline() for _ in range(3)] == [b"250 OK\r\n", b"250 OK\r\n", b"250 OK\r\n"]
        assert replies.readline().startswith(b"354 ")
        client.sendall(b"Subject: x\r\n\r\nbody\r\n.")
        client.sendall(b"\r")
        assert sink.count == 0
        client.sendall(b"\nQUIT\r\n")
        assert [replies.readline(), replies.readline()] == [b"250 OK\r\n", b"221 Bye\r\n"]
    assert sink.count == 1


def test_with_timestamps_the_sink_records_when_each_message_id_arrived():
    sink = CountingSmtpSink(timestamps=True)
    sink.start()
    try:
        backend = "django.core.mail.backends.smtp.EmailBackend"
        connection = get_connection(backend, host="127.0.0.1", port=sink.port, timeout=5)
        message = EmailMessage("Facture", "Bonjour", "a@example.org", ["b@example.org"],
                               headers={"Message-ID": "<inv-42@facturier.example>"})  # fmt: skip
        before = time.time()

        assert connection.send_messages([message]) == 1

        assert list(sink.timestamps) == ["<inv-42@facturier.example>"]
        assert before <= sink.timestamps["<inv-42@facturier.example>"] <= time.time()
    finally:
        sink.stop()
