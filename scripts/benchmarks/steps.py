"""The machinery every measurement shares: bounded steps and their markers, child processes, and the log.

A step runs one measurement under a deadline (``step``); a step that runs out of time or fails fills its keys
with a ``TimedOut`` or ``Failed`` marker instead of a number, so the run goes on and the table says what
happened. ``run_child`` times a command in its own process group and reads its peak memory; ``ENV`` is the
environment every child process gets. ``Value`` is what a measurement holds: a number, a text, a marker, or
None (nothing to show).
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
ENV["NO_MKDOCS_2_WARNING"] = "1"
"""Child processes cache bytecode as on a maintainer's machine, so that process start is not a recompilation."""


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class TimedOut:
    seconds: float


@dataclass(frozen=True)
class Failed:
    reason: str


@dataclass(frozen=True)
class Skipped:
    reason: str


Value = float | int | str | TimedOut | Failed | Skipped | None


class StepTimeout(Exception):
    pass


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise StepTimeout in this (main) thread if the block runs longer than ``seconds``."""

    def expire(signum: int, frame: Any) -> None:
        raise StepTimeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def step(results: dict[str, Value], name: str, keys: list[str], timeout: float, run: Callable[[], dict[str, Value]]) -> None:
    """Run one measurement under a deadline; a timeout or error fills its keys with a marker, never a crash."""
    log(f"{name} ...")
    began = time.perf_counter()
    try:
        with deadline(timeout):
            values = run()
    except (StepTimeout, subprocess.TimeoutExpired):
        log(f"{name}: timed out after {timeout:g} s")
        values = {key: TimedOut(timeout) for key in keys}
    except Exception as error:  # a benchmark reports a broken step and goes on
        log(f"{name}: failed: {type(error).__name__}: {error}")
        values = {key: Failed(f"{type(error).__name__}: {error}") for key in keys}
    results.update(values)
    log(f"{name}: done in {time.perf_counter() - began:.1f} s")


@dataclass
class Child:
    seconds: float
    max_rss_kb: int
    returncode: int
    stderr: str


def run_child(command: list[str], timeout: float, cwd: Path | None = None) -> Child:
    """Run a command, timing it and reading its own peak memory from wait4; kill its process group on timeout."""
    with tempfile.TemporaryFile() as errors:
        began = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=errors, start_new_session=True
        )
        limit = began + timeout
        try:
            while True:
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
                if pid:
                    break
                if time.perf_counter() > limit:
                    raise subprocess.TimeoutExpired(command, timeout)
                time.sleep(0.02)
        except BaseException:  # our own timeout, the step's deadline, or Ctrl-C: stop the whole build
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            os.wait4(process.pid, 0)
            process.returncode = -9
            raise
        seconds = time.perf_counter() - began
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        text = errors.read().decode("utf-8", "replace")
    return Child(seconds, usage.ru_maxrss, process.returncode, text)


def percentile(samples: list[float], fraction: float) -> float:
    """The nearest-rank percentile of ``samples``."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def apkb_command() -> list[str]:
    script = Path(sys.executable).parent / "apkb"
    return [str(script)] if script.exists() else [sys.executable, "-c", "from apkb.cli.main import main; main()"]
