"""Ctrl-C and SIGTERM go to the main thread: azshell's background threads block them."""

from __future__ import annotations

import re
import signal
import threading
from pathlib import Path

import pytest

from azshell.threads import map_in_threads, start_daemon

PACKAGE = Path(__file__).resolve().parents[1] / "azshell"

pytestmark = pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="POSIX masks")


def _mask_in_thread(start: object) -> set[int]:
    seen: list[set[int]] = []
    done = threading.Event()

    def probe() -> None:
        seen.append(set(signal.pthread_sigmask(signal.SIG_BLOCK, [])))
        done.set()

    start(probe)  # type: ignore[operator]
    assert done.wait(5)
    return seen[0]


def test_a_daemon_thread_blocks_sigint_and_sigterm() -> None:
    mask = _mask_in_thread(lambda f: start_daemon(f, "probe"))
    assert {signal.SIGINT, signal.SIGTERM} <= mask


def test_the_threads_it_starts_block_them_too() -> None:
    """The sandbox's request and job threads descend from its server thread."""
    mask = _mask_in_thread(lambda f: start_daemon(
        lambda: threading.Thread(target=f, daemon=True).start(), "parent"))
    assert {signal.SIGINT, signal.SIGTERM} <= mask


def test_the_caller_keeps_its_own_mask() -> None:
    before = set(signal.pthread_sigmask(signal.SIG_BLOCK, []))
    start_daemon(lambda: None, "probe").join(5)
    assert set(signal.pthread_sigmask(signal.SIG_BLOCK, [])) == before
    assert signal.SIGINT not in before


def test_a_sandbox_request_thread_blocks_sigint() -> None:
    """A handler thread of the in-process sandbox (``azshell --sandbox``) never takes the
    shell's Ctrl-C: it is asked from inside a request."""
    import requests

    from azshell.sandbox import Sandbox

    seen: list[set[int]] = []
    with Sandbox() as sandbox:
        original = sandbox._server.RequestHandlerClass.handle_one_request

        def spy(self: object) -> None:
            seen.append(set(signal.pthread_sigmask(signal.SIG_BLOCK, [])))
            original(self)  # type: ignore[arg-type]

        sandbox._server.RequestHandlerClass.handle_one_request = spy  # type: ignore[method-assign]
        try:
            requests.get(f"{sandbox.url}/status", timeout=5)
        finally:
            sandbox._server.RequestHandlerClass.handle_one_request = original  # type: ignore[method-assign]
    assert seen
    assert signal.SIGINT in seen[0]


def test_every_background_thread_of_azshell_starts_through_start_daemon() -> None:
    """A plain ``threading.Thread(...)`` outside the sandbox's own request/job threads (which
    descend from the masked server thread) would take Ctrl-C from the main thread again."""
    plain = re.compile(r"threading\.Thread\(")
    offenders = [str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                 if path.name != "threads.py" and "sandbox" not in path.parts
                 and plain.search(path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_map_in_threads_keeps_the_order_and_leaves_sigint_to_the_main_thread() -> None:
    masks: list[set[int]] = []
    started = threading.Barrier(4, timeout=10)  # four items at once: four threads

    def work(item: int) -> int:
        started.wait()
        masks.append(set(signal.pthread_sigmask(signal.SIG_BLOCK, [])))
        return item * item

    before = set(signal.pthread_sigmask(signal.SIG_BLOCK, []))
    assert map_in_threads(work, [3, 1, 2, 4], workers=4) == [9, 1, 4, 16]
    assert len(masks) == 4
    assert all({signal.SIGINT, signal.SIGTERM} <= mask for mask in masks)
    assert set(signal.pthread_sigmask(signal.SIG_BLOCK, [])) == before


def test_map_in_threads_raises_the_first_failure_in_order() -> None:
    def work(item: int) -> int:
        if item % 2:
            raise ValueError(f"item {item}")
        return item

    with pytest.raises(ValueError, match="item 1"):
        map_in_threads(work, range(6), workers=3)
