"""Shared benchmark helpers: every figure is a median of several runs and is printed as a ratio to a
baseline measured in the same run, never compared with a fixed number of seconds."""

from __future__ import annotations

import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# AppTest warns about a missing ScriptRunContext on every run: noise between the numbers (errors still show).
logging.disable(logging.WARNING)

from tests.e2e.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, start_app, wait_idle  # noqa: E402


def timings(fn: Callable[[], object], runs: int = 7, warmup: int = 1) -> list[float]:
    """Seconds of `runs` calls after `warmup` untimed ones."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def median_seconds(fn: Callable[[], object], runs: int = 7, warmup: int = 1) -> float:
    return statistics.median(timings(fn, runs, warmup))


def report(name: str, seconds: float, baseline_name: str, baseline: float) -> None:
    print(f"{name:<48} {seconds * 1000:9.1f} ms   {seconds / baseline:6.2f} × {baseline_name}")


def bench_env(**extra: str) -> dict[str, str]:
    """Environment for a benchmark server: a fresh DuckDB file, boundaries from VALUECHAIN_GEO_DIR."""
    tmp = tempfile.mkdtemp(prefix="valuechain-bench-")
    env = {**os.environ, "VALUECHAIN_DB_PATH": str(Path(tmp) / "bench.duckdb"), **extra}
    env.pop("VALUECHAIN_DB_URL", None)
    geo = REPO.parent / "shared" / "geo"
    if "VALUECHAIN_GEO_DIR" not in env and geo.is_dir():
        env["VALUECHAIN_GEO_DIR"] = str(geo)
    return env


@contextmanager
def served(script: str, env: dict[str, str]):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    proc, url = start_app(env, script)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def browser_load(browser: object, url: str, ready_selector: str) -> Callable[[], None]:
    """A fresh browser context opens `url` and waits until the script ran and `ready_selector` shows."""

    def load() -> None:
        context = browser.new_context(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector(ready_selector, timeout=60_000)
        wait_idle(page)
        context.close()

    return load
