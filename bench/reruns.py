"""Whole-rerun server time of every page for every global filter change, at demo scale (AppTest, in process).

For each page and each sidebar filter (value chain, stages, sectors, countries, year, NUTS level, focus region,
large type), the page is run with the filter set to values it has not drawn yet, one whole rerun each (see
rerun()): the median of those reruns is printed, with the slowest, and the bare page's AppTest run as the floor
(AppTest's own polling is in every figure). Beside the wall-clock time, the process's CPU time for the same rerun:
on a machine shared with other people's tests the wall clock also counts the time the script waited for a core,
the CPU time does not. The issue's target: every figure ≤ 100 ms.

AppTest does two things a server does not (see as_server()): it compiles app.py and the page anew on every run (a
new ScriptCache each time; a server keeps one per process), and it takes app.py for a legacy pages-folder app on
every run (it resets PagesManager.uses_pages_directory; a server clears it for good at the first st.navigation), so
each run also lists and registers pages/ first. By default both are set as a server has them after its first view;
--apptest-as-is measures AppTest unchanged (the figures before 2026-11-30 21:40 UTC were measured that way).

Run: .venv/bin/python bench/reruns.py [--pages map,flows] [--values 4] [--apptest-as-is]   (prints figures; no
pass/fail)
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from itertools import cycle, islice
from typing import Any

from common import REPO, bench_env, median_seconds
from streamlit.testing.v1 import AppTest

from components import state

BARE = str(REPO / "bench" / "baselines" / "bare.py")
PAGES = {
    "home": "pages/home.py",
    "map": "pages/map.py",
    "flows": "pages/flows.py",
    "profile": "pages/profile.py",
    "matchmaking": "pages/matchmaking.py",
    "about": "pages/about.py",
}
NEEDS_REGION = {"profile", "matchmaking"}
FOCUS = "SE33"


def as_server() -> None:
    """Run AppTest's scripts as a running server does: one compiled-script cache for the process, and the legacy
    pages-folder mode off (as components/nav.py's st.navigation leaves it for every session after the first)."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared  # type: ignore[assignment,misc]
    init = PagesManager.__init__

    def server_pages(self: PagesManager, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = server_pages  # type: ignore[method-assign]


def values(data: Any, n: int) -> dict[str, tuple[str, list[Any]]]:
    """Per global filter: its URL key and `n` codes to set, none of them the default."""
    from valuechain.query import DEFAULT_LEVEL, Selection, regions_in_view

    chains = list(data.chains()["chain_id"])
    chain = chains[0]
    stages = list(data.stages(chain)["stage_id"])
    sectors = sorted(data.stage_sectors(chain)["nace"])
    years = sorted(data.years(), reverse=True)[1:]
    levels = [lv for lv in data.levels_with_data() if lv != DEFAULT_LEVEL]
    in_view = regions_in_view(data, Selection(chain_id=chain, year=max(data.years()), level=DEFAULT_LEVEL))
    regions = [r for r in in_view["nuts_id"] if r != FOCUS]
    take = lambda seq: [str(v) for v in islice(cycle(seq), n)] if seq else []  # noqa: E731
    return {
        "value chain": (state.CHAIN, take(chains[1:])),
        "stages": (state.STAGE, [[s] for s in take(stages)]),
        "sectors": (state.SECTOR, [[s] for s in take(sectors[::3])]),
        "countries": (state.COUNTRY, [[c] for c in take(data.countries())]),
        "year": (state.YEAR, take(years)),
        "NUTS level": (state.LEVEL, take(levels)),
        "focus region": (state.REGION, take(regions[::7])),
        "large type": (state.PRESENT, ["true"]),
    }


def rerun(page: str, key: str, value: str | list[str]) -> tuple[float, float]:
    """A session opens the app with the filter set in its URL (as a shared link or a filter change writes it) on
    the home page, then switches to `page`: the seconds (wall clock, CPU) of that whole rerun of app.py and the page.

    (AppTest loses app.py's own widget values on a rerun under st.navigation (tests/apptest.py), so the new value
    comes through the URL, which every sidebar widget is bound to.)"""
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
    if page in NEEDS_REGION and key != state.REGION:
        at.query_params[state.REGION] = FOCUS
    at.query_params[key] = value
    at.run()
    at.switch_page(PAGES[page])
    t0, cpu0 = time.perf_counter(), time.process_time()
    at.run()
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    if at.exception:
        raise RuntimeError(page, key, value, [e.value for e in at.exception])
    return seconds, cpu


def rerun_times(data: Any, page: str, n: int) -> dict[str, list[tuple[float, float]]]:
    return {kind: [rerun(page, key, v) for v in chosen] for kind, (key, chosen) in values(data, n).items() if chosen}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated: " + ", ".join(PAGES))
    parser.add_argument("--values", type=int, default=4, help="new values per filter")
    parser.add_argument("--apptest-as-is", action="store_true", help="without as_server(): AppTest's own overheads")
    args = parser.parse_args()
    os.environ.update(bench_env())
    if not args.apptest_as_is:
        as_server()
    from components import data as app_data

    bare = median_seconds(AppTest.from_file(BARE, default_timeout=60).run)
    load = os.getloadavg()[0]
    rerun("home", state.YEAR, "2023")  # seeds the demo database
    data = app_data._data(state.config_key(), app_data._store(state.config_key()).revision())
    how = "AppTest as is" if args.apptest_as_is else "AppTest with a server's script cache and navigation mode"
    print(f"Whole rerun ({how}) per global filter change at demo scale; bare page {bare * 1000:.1f} ms")
    print(f"{'page':<13}{'filter':<15}{'median':>10}{'slowest':>10}{'CPU median':>13}")
    over = []
    for page in args.pages.split(","):
        for kind, times in rerun_times(data, page, args.values).items():
            walls = [w for w, _ in times]
            med, worst, cpu = statistics.median(walls), max(walls), statistics.median(c for _, c in times)
            flag = "  > 100 ms" if med > 0.1 else ""
            if flag:
                over.append(f"{page}/{kind}")
            print(f"{page:<13}{kind:<15}{med * 1000:8.1f} ms{worst * 1000:8.1f} ms{cpu * 1000:10.1f} ms{flag}")
    print(
        f"load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end; "
        f"medians over 100 ms: {', '.join(over) or 'none'}"
    )


if __name__ == "__main__":
    main()
