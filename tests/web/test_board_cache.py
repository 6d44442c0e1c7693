"""The board cache renders a board once however many requests miss it at the same time."""

from __future__ import annotations

import threading

import pytest

from web.queries import BoardCache, RenderedBoard

KEY = ("filters", None, "zh-CN", 24, 7, "202612060900")


def test_concurrent_misses_render_once() -> None:
    cache = BoardCache()
    started, release = threading.Event(), threading.Event()
    renders: list[int] = []

    def render() -> RenderedBoard:
        renders.append(1)
        started.set()
        release.wait()
        return RenderedBoard(total=3, overdue=1, html="<ol></ol>")

    results: list[RenderedBoard] = []
    first = threading.Thread(target=lambda: results.append(cache.get_or_render(KEY, render)))
    first.start()
    started.wait()  # the first miss is rendering; the others arrive while it does
    others = [threading.Thread(target=lambda: results.append(cache.get_or_render(KEY, render)))
              for _ in range(5)]
    for thread in others:
        thread.start()
    release.set()
    for thread in (first, *others):
        thread.join()
    assert len(renders) == 1
    assert len(results) == 6 and all(r is results[0] for r in results)
    assert cache.get(KEY) is results[0]


def test_a_failed_render_leaves_the_next_to_try() -> None:
    cache = BoardCache()

    def broken() -> RenderedBoard:
        raise RuntimeError("database away")

    with pytest.raises(RuntimeError):
        cache.get_or_render(KEY, broken)
    board = cache.get_or_render(KEY, lambda: RenderedBoard(total=0, overdue=0, html=""))
    assert board.total == 0 and cache.get(KEY) is board
