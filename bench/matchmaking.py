"""Matchmaking (and profile) page: server rerun time at NUTS-2 (56 regions) and NUTS-3 (~248 regions), each as a
ratio to a bare Streamlit page, plus the size of the synergy heatmap sent to the browser.

Targets from the issue: a matchmaking rerun under 200 ms at NUTS-2 and under 1 s at NUTS-3.
The NUTS-3 store holds demo.generate(**demo.BENCHMARK_NUTS3): ~1M observations over 27 years.

Run: .venv/bin/python bench/matchmaking.py   (prints medians of several runs; no pass/fail)
"""

from __future__ import annotations

import itertools
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import REPO, bench_env, report, timings
from streamlit.testing.v1 import AppTest

from components.state import Matchmaking
from valuechain import demo
from valuechain.store import open_store

BARE = str(REPO / "bench" / "baselines" / "bare.py")
FOCUS = {2: "SE33 Övre Norrland", 3: "SE332 Norrbottens län"}


RUNS = 9  # on a shared machine the median shows the typical run, the fastest the undisturbed one


def show(name: str, times: list[float], bare: list[float]) -> None:
    report(name, statistics.median(times), "bare", statistics.median(bare))
    print(f"{'':<48} fastest {min(times) * 1000:7.1f} ms   {min(times) / min(bare):6.2f} × fastest bare")


def nuts3_database() -> Path:
    """A DuckDB file seeded with the NUTS-3 benchmark data (the app would seed NUTS-2 demo data itself)."""
    path = Path(tempfile.mkdtemp(prefix="valuechain-bench-nuts3-")) / "bench.duckdb"
    store = open_store(path=path)
    t0 = time.perf_counter()
    frames = demo.generate(**demo.BENCHMARK_NUTS3)
    demo.seed_store(store, frames)
    store.close()
    print(
        f"NUTS-3 store: {len(frames['observations']):,} observations, {len(frames['flows']):,} flows, "
        f"{len(frames['regions'].query('level == 3 and bsr')):,} regions "
        f"(generated and stored in {time.perf_counter() - t0:.0f} s)"
    )
    return path


def page_app(page: str, level: int) -> tuple[AppTest, float]:
    """The page for the focus region at `level`, after its first (cold) run, whose time is returned."""
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=600)
    at.query_params["level"] = str(level)
    at.query_params["region"] = FOCUS[level]
    at.run()
    t0 = time.perf_counter()
    at.switch_page(page).run()
    cold = time.perf_counter() - t0
    assert not at.exception, [e.value for e in at.exception]
    return at, cold


def weight_change(at: AppTest) -> Callable[[], None]:
    """A rerun caused by moving a weight slider (the interactive case), alternating between two values."""
    values = itertools.cycle((4, 3))

    def run() -> None:
        at.slider(key=Matchmaking.weight("complementarity")).set_value(next(values)).run()

    return run


def heatmap_bytes(at: AppTest) -> int:
    chart = next(c for c in at.get("plotly_chart") if "synergy" in c.proto.id)
    return len(chart.proto.spec)


def measure(level: int, bare: list[float]) -> None:
    at, cold = page_app("pages/matchmaking.py", level)
    report(f"matchmaking NUTS-{level}, first run ({FOCUS[level].split(' ')[0]})", cold, "bare", statistics.median(bare))
    show(f"matchmaking NUTS-{level}, rerun", timings(at.run, RUNS), bare)
    show(f"matchmaking NUTS-{level}, weight slider moved", timings(weight_change(at), RUNS), bare)
    print(f"{'':<48} synergy heatmap: {heatmap_bytes(at) / 1024:.0f} KiB of figure JSON")
    profile, cold = page_app("pages/profile.py", level)
    report(f"profile NUTS-{level}, first run", cold, "bare", statistics.median(bare))
    show(f"profile NUTS-{level}, rerun", timings(profile.run, RUNS), bare)


def main() -> None:
    os.environ.update(bench_env())
    bare_app = AppTest.from_file(BARE, default_timeout=60)
    bare = timings(bare_app.run, RUNS)
    print(f"Server script run (AppTest, warm caches unless 'first run'), median of {RUNS}:")
    show("bare Streamlit page", bare, bare)
    measure(2, bare)  # the app seeds its fresh DuckDB file with the NUTS-2 demo data
    os.environ["VALUECHAIN_DB_PATH"] = str(nuts3_database())
    bare = timings(bare_app.run, RUNS)
    show("bare Streamlit page (again)", bare, bare)
    measure(3, bare)


if __name__ == "__main__":
    main()
