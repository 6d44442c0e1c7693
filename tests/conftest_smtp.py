"""The `smtp_server` fixture: a real aiosmtpd server per test (see tests/smtp_server.py).

Enable it in tests/conftest.py with::

    from tests.conftest_smtp import smtp_server  # noqa: F401
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.smtp_server import SmtpTestServer


@pytest.fixture
def smtp_server() -> Iterator[SmtpTestServer]:
    """A running SMTP server on a free local port; stopped after the test."""
    server = SmtpTestServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
