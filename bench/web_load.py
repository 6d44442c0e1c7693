"""Servers in subprocesses and closed-loop HTTP clients for the web benchmark.

A server is a process listening on a free loopback port (its output goes to a log file); its
CPU time is read from /proc between phases. A phase runs `clients` coroutines, each with its
own PhaseClient (own keep-alive connection and cookies), each sending its next request as soon
as the previous answer is read (no think time), `per_client` requests each or until the time
limit; the latency of a request is from sending it to having read the whole body. Clients
are made afresh for every phase (cookies carried over): a connection left idle between
phases would meet uvicorn's 5-second keep-alive timeout, and a request sent just as the
server closes it fails.

Why aiohttp, not httpx, in the measured phases: the 20 clients live in one Python process
on the same 2 cores as the server, and an httpx.AsyncClient request cost that process ~1 ms
of CPU (3 ms counting the clients made per phase), more than half of what the parkflow
server spends on an event. The answers of a group commit arrive together and were then
parsed one after the other by that busy event loop, so the client's own work sat inside the
measured latencies. An aiohttp session (its HTTP parser in C) costs ~0.13 ms of client CPU
per request. Both sides, parkflow and the bare baseline, use it alike. What it showed:
parkflow's event p95 fell with the client's cost; the bare endpoint's p95 did not: its tail
is its own requests waiting in BEGIN IMMEDIATE for SQLite's write lock (each worker thread
on its own connection, SQLite's busy handler sleeping between retries), not the client.
Signing in and fetching the sample board page, which are not measured, still use httpx.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import httpx

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
COLUMN_COUNT = re.compile(r'<span class="count" title="[^"]*">(\d+)</span>')


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A server process on 127.0.0.1:`port`, stopped with SIGTERM (then SIGKILL)."""

    def __init__(self, name: str, argv: Sequence[str], *, port: int, env: dict[str, str],
                 cwd: Path, log: Path) -> None:
        self.name, self.port, self.log = name, port, log
        self.base_url = f"http://127.0.0.1:{port}"
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(list(argv), env=env, cwd=cwd, stdout=out,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def wait_ready(self, path: str = "/healthz", timeout_s: float = 30.0) -> None:
        """Until `path` answers 200; a server that does not is stopped, and the log shown."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} server exited {self.proc.returncode}: "
                                   f"{self.tail()}")
            try:
                if httpx.get(self.base_url + path, timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} server not ready after {timeout_s:.0f} s: {self.tail()}")

    def cpu_seconds(self) -> float:
        """User + system CPU time so far of the server process and of the processes it
        started (uvicorn's workers with --workers), all their threads."""
        return sum(_cpu_ticks(pid) for pid in self._tree()) / os.sysconf("SC_CLK_TCK")

    def _tree(self) -> list[int]:
        """The server's pid and its live descendants' (from /proc: each one's parent)."""
        parents: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):  # gone meanwhile
                    continue
                parents.setdefault(ppid, []).append(int(entry.name))
        found, todo = [], [self.proc.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(parents.get(pid, ()))
        return found

    def tail(self, chars: int = 1500) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def _cpu_ticks(pid: int) -> int:
    """utime + stime of a process in clock ticks (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


@dataclass
class Phase:
    """The latencies (ms) of one kind of request on one side, over every round."""

    latencies_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0  # wall time of the phases
    server_cpu_s: float = 0.0
    cut_short: int = 0  # phases stopped by the time limit

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms(self) -> float:
        return self.server_cpu_s * 1000 / self.requests if self.requests else 0.0


Request = Callable[["PhaseClient", int], Awaitable[None]]  # one request of client n


async def closed_loop(request: Request, clients: Sequence[PhaseClient], per_client: int,
                      limit_s: float, server: Server, into: Phase) -> None:
    """Every client sends `per_client` requests back to back (or until `limit_s` seconds
    have passed); latencies appended to `into`."""
    deadline = time.perf_counter() + limit_s
    latencies: list[float] = []
    stopped = False

    async def client(n: int) -> None:
        nonlocal stopped
        for _ in range(per_client):
            if time.perf_counter() > deadline:
                stopped = True
                return
            t0 = time.perf_counter()
            await request(clients[n], n)
            latencies.append((time.perf_counter() - t0) * 1000)

    cpu0, t0 = server.cpu_seconds(), time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(len(clients))))
    into.seconds += time.perf_counter() - t0
    into.server_cpu_s += server.cpu_seconds() - cpu0
    into.latencies_ms.extend(latencies)
    into.cut_short += stopped


@dataclass
class Answer:
    """A response read whole by a PhaseClient (what `expect` and the checks look at)."""

    method: str
    path: str
    status_code: int
    headers: dict[str, str]  # names in lower case
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.content)


REQUEST_TIMEOUT_S = 120.0


class PhaseClient:
    """One keep-alive connection to `server` for the measured phases: an aiohttp session
    (its HTTP parser is C) limited to one connection, the body sent as given bytes.

    `cookies` (name → value), when given, is sent with every request, and updated from the
    session's cookie jar when the client is closed (the caller holds on to it across
    phases, for which clients are made afresh)."""

    def __init__(self, server: Server, cookies: dict[str, str] | None = None) -> None:
        self.cookies = cookies
        self.session = aiohttp.ClientSession(
            base_url=server.base_url, cookies=cookies,
            # the jar keeps cookies of an IP address host (127.0.0.1) only when "unsafe"
            cookie_jar=aiohttp.CookieJar(unsafe=True),
            connector=aiohttp.TCPConnector(limit=1),
            timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S))

    async def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        return await self.request("GET", path, headers=headers)

    async def post(self, path: str, body: bytes,
                   headers: dict[str, str] | None = None) -> Answer:
        """POST `body`, already encoded JSON."""
        return await self.request("POST", path, body,
                                  {"Content-Type": "application/json", **(headers or {})})

    async def request(self, method: str, path: str, body: bytes | None = None,
                      headers: dict[str, str] | None = None) -> Answer:
        async with self.session.request(method, path, data=body, headers=headers,
                                        allow_redirects=False) as response:
            content = await response.read()
            found = {name.lower(): value for name, value in response.headers.items()}
            return Answer(method, path, response.status, found, content)

    async def aclose(self) -> None:
        if self.cookies is not None:
            self.cookies.clear()
            self.cookies.update((cookie.key, cookie.value)
                                for cookie in self.session.cookie_jar)
        await self.session.close()


def http_client(server: Server, jar: CookieJar | None = None) -> httpx.AsyncClient:
    """One connection (kept alive within a phase); cookies kept in `jar`, which the caller
    holds on to (httpx copies a Cookies object, not a jar)."""
    return httpx.AsyncClient(base_url=server.base_url, timeout=120, follow_redirects=False,
                             limits=httpx.Limits(max_connections=1), cookies=jar)


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> None:
    """Through the sign-in page, with its CSRF token, as a browser does."""
    form = await client.get("/login")
    match = CSRF_INPUT.search(form.text)
    if form.status_code != 200 or match is None:
        raise RuntimeError(f"/login answered {form.status_code} without a CSRF token")
    answer = await client.post("/login", data={"email": email, "password": password,
                                               "csrf_token": match.group(1)})
    # signed in: sent on to the person's first page (/home, /todo, /board), not back
    if answer.status_code != 303 or answer.headers.get("location", "/login").startswith("/login"):
        raise RuntimeError(f"signing in {email} failed: {answer.status_code} "
                           f"{answer.text[:300]}")


R = TypeVar("R", httpx.Response, Answer)


def expect(response: R, status: int = 200) -> R:
    if response.status_code != status:
        if isinstance(response, Answer):
            method, path = response.method, response.path
        else:
            method, path = response.request.method, response.request.url.path
        raise RuntimeError(f"{method} {path} answered {response.status_code}: "
                           f"{response.text[:500]}")
    return response


def board_total(html: str) -> int:
    """The projects a board page counts (the sum of its column counts)."""
    return sum(int(n) for n in COLUMN_COUNT.findall(html))


class Pool:
    """Project ids handed out once each (asyncio: one task runs at a time)."""

    def __init__(self, ids: Sequence[int]) -> None:
        self.size = len(ids)
        self._ids: Iterator[int] = iter(ids)
        self.used = 0

    def take(self) -> int:
        try:
            project_id = next(self._ids)
        except StopIteration:
            raise RuntimeError(f"the pool of {self.size} intake projects is used up") from None
        self.used += 1
        return project_id
