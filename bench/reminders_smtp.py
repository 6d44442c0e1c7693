"""The SMTP sink of the reminder benchmark: aiosmtpd on loopback, in a process of its own.

    python -m bench.reminders_smtp

prints `port N` once it listens on 127.0.0.1 (a port the system picked), then reads commands
on stdin, one a line, and exits when stdin closes:

    stats        one JSON line: messages accepted, distinct Message-IDs among them and bytes,
                 since the previous `stats`
    keep         from now on, keep each message's envelope and bytes; answers `keeping`
    dump PATH    write what was kept to PATH (pickle: [(mail_from, rcpt_tos, data)]), stop
                 keeping, answer `dumped N`

It accepts everything and otherwise keeps nothing but the counts, so it costs what an SMTP
server's protocol costs. Its own process keeps its CPU time apart from the sender's (asyncio
in a thread of the benchmark would share the sender's interpreter lock). Keeping the
messages here rather than in the benchmark leaves the sender's process as the product's.

`Sink` starts and stops it from the benchmark.
"""

from __future__ import annotations

import asyncio
import json
import pickle
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

_MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(\S+)", re.IGNORECASE | re.MULTILINE)
HOST = "127.0.0.1"


class _Counter:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages = 0
        self.size = 0
        self.ids: set[bytes] = set()
        self.kept: list[tuple[str, list[str], bytes]] | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        data = bytes(envelope.original_content or envelope.content)
        found = _MESSAGE_ID.search(data.split(b"\r\n\r\n", 1)[0])
        with self.lock:
            self.messages += 1
            self.size += len(data)
            if found:
                self.ids.add(found.group(1))
            if self.kept is not None:
                self.kept.append((envelope.mail_from, list(envelope.rcpt_tos), data))
        return "250 2.0.0 Message accepted for delivery"

    def keep(self) -> None:
        with self.lock:
            self.kept = []

    def dump(self, path: str) -> int:
        with self.lock:
            kept, self.kept = self.kept or [], None
        with open(path, "wb") as out:
            pickle.dump(kept, out)
        return len(kept)

    def take(self) -> dict[str, int]:
        with self.lock:
            stats = {"messages": self.messages, "message_ids": len(self.ids),
                     "bytes": self.size}
            self.messages, self.size, self.ids = 0, 0, set()
        return stats


async def _serve() -> None:
    from aiosmtpd.smtp import SMTP

    counter = _Counter()
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    # a fixed host name: aiosmtpd would otherwise look up the FQDN for every connection
    server = await loop.create_server(lambda: SMTP(counter, hostname="sink.bench.local"),
                                      HOST, 0)
    port = server.sockets[0].getsockname()[1]
    print(f"port {port}", flush=True)

    def read_commands() -> None:
        for line in sys.stdin:
            command, _, argument = line.strip().partition(" ")
            if command == "stats":
                print(json.dumps(counter.take()), flush=True)
            elif command == "keep":
                counter.keep()
                print("keeping", flush=True)
            elif command == "dump":
                print(f"dumped {counter.dump(argument)}", flush=True)
        loop.call_soon_threadsafe(done.set)

    threading.Thread(target=read_commands, daemon=True).start()
    async with server:
        await done.wait()


class Sink:
    """The sink as a child process of the benchmark."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.reminders_smtp"], cwd=Path(__file__).parents[1],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline().split()
        if len(line) != 2 or line[0] != "port":
            self.close()
            raise RuntimeError(f"the SMTP sink did not start: {line}")
        self.host, self.port = HOST, int(line[1])

    def _command(self, line: str) -> str:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline()

    def stats(self) -> dict[str, int]:
        """What arrived since the previous call."""
        return dict(json.loads(self._command("stats")))

    def keep(self) -> None:
        """Keep the messages that arrive from now on (see `kept`)."""
        self._command("keep")

    def kept(self, folder: Path) -> list[tuple[str, list[str], bytes]]:
        """The envelopes and bytes kept since `keep()`, as the sink received them."""
        path = folder / "kept-messages.pickle"
        self._command(f"dump {path}")
        with path.open("rb") as handle:
            kept: list[tuple[str, list[str], bytes]] = pickle.load(handle)
        path.unlink()
        return kept

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


if __name__ == "__main__":
    asyncio.run(_serve())
