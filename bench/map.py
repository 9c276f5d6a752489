"""Map page: browser load against one pydeck GeoJsonLayer, and the server time of a filter change.

Measured in the same run, medians of several runs, at demo scale (NUTS-2) and at a large scale (NUTS-3,
~1M observations, ~90k flows: demo.BENCHMARK_NUTS3):

- load: a fresh headless Chromium context opens the page until its deck canvas is there and the script is
  idle, as a ratio to bench/baselines/one_layer.py (one GeoJsonLayer of the same NUTS-2 boundaries, the floor);
  the home page (the app's sidebar and navigation without a map) is shown for reference;
- filter change: server time for a filter value the page has not seen yet, caches warm as in a running app:
  (a) the page's own work as pages/map.py does it (map_ui.compute, map_ui.panel, the deck and its JSON), and
  (b) a whole AppTest run of app.py + the map page (sidebar filters, store queries and AppTest's polling
  included), as a ratio to the bare Streamlit page; for country, year and stage changes, and for a year change
  of the heaviest view (location quotient, flow overlay and a selected region with its side panel);
- the size of the deck JSON and of the regions' GeoJSON sent.

Run: .venv/bin/python bench/map.py [--demo-only]   (prints numbers; no pass/fail)
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from common import REPO, bench_env, browser_load, chromium, median_seconds, report, served
from streamlit.testing.v1 import AppTest

from components.state import Map

ONE_LAYER = str(REPO / "bench" / "baselines" / "one_layer.py")
BARE = str(REPO / "bench" / "baselines" / "bare.py")
CANVAS = "[data-testid='stDeckGlJsonChart'] canvas"
CHAIN = "circular_bioeconomy"
LQ_LABEL = "Location quotient (employment)"


@dataclass(frozen=True)
class Change:
    """One filter change to time: the URL the app gets, and the same selection and options for the page."""

    query: dict[str, str | list[str]]
    sel: object  # valuechain.query.Selection
    options: object  # components.map.MapOptions


def large_env() -> dict[str, str]:
    """A DuckDB file with the NUTS-3 benchmark data (the app would otherwise seed the NUTS-2 demo)."""
    from valuechain import demo
    from valuechain.store import open_store

    path = Path(tempfile.mkdtemp(prefix="valuechain-bench-large-")) / "large.duckdb"
    data = demo.generate(**demo.BENCHMARK_NUTS3)
    store = open_store(path=path)
    demo.seed_store(store, data)
    store.close()
    print(f"\nNUTS-3 store: {len(data['observations']):,} observations, {len(data['flows']):,} flows")
    return bench_env(VALUECHAIN_DB_PATH=str(path))


def changes(data: object, level: int) -> dict[str, list[Change]]:
    """Five new values per kind of filter change; countries reuse the cached tables by design."""
    from components.map import MapOptions
    from valuechain.query import Selection, regions_in_view

    years = sorted(data.years(), reverse=True)[1:6]  # type: ignore[attr-defined]  # the latest is the default
    stages = data.stages(CHAIN)  # type: ignore[attr-defined]
    base = Selection(chain_id=CHAIN, year=max(data.years()), level=level)  # type: ignore[attr-defined]
    first = regions_in_view(data, base).iloc[0]  # type: ignore[arg-type]
    region = f"{first['nuts_id']} {first['name']}"
    plain = MapOptions("employment", "quantiles", False, None, 25)
    heavy = MapOptions("location_quotient", "quantiles", False, "goods", 50)
    url = {"level": str(level)}
    return {
        "country change": [
            Change({**url, "country": [c]}, replace(base, countries=(c,)), plain)
            for c in ("SE", "FI", "PL", "DK", "EE")
        ],
        "year change": [Change({**url, "year": str(y)}, replace(base, year=y), plain) for y in years],
        "stage change": [
            Change({**url, "stage": [name]}, replace(base, stages=(stage,)), plain)
            for stage, name in zip(stages["stage_id"], stages["name"], strict=True)
        ],
        "year change, LQ + flows + region panel": [
            Change(
                {
                    **url,
                    "year": str(y),
                    Map.INDICATOR: LQ_LABEL,
                    Map.FLOWS: "Goods flows",
                    Map.TOP: "Largest 50",
                    "region": region,
                },
                replace(base, year=y, region=str(first["nuts_id"])),
                heavy,
            )
            for y in years
        ],
    }


def page_work(data: object, change: Change) -> float:
    """The map page's own server work for one selection, as pages/map.py does it (without drawing)."""
    from components import map as map_ui

    t0 = time.perf_counter()
    view = map_ui.compute(data, change.sel, change.options)  # type: ignore[arg-type]
    map_ui.panel(data, change.sel, change.options)  # type: ignore[arg-type]
    map_ui.deck(data, change.sel, view, change.options).to_json()  # type: ignore[arg-type]
    return time.perf_counter() - t0


def app_run(query: dict[str, str | list[str]]) -> tuple[AppTest, float]:
    """A new session opens the app with `query` in the URL; times the run that draws the map page."""
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("pages/map.py")
    t0 = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - t0
    if at.exception:
        raise RuntimeError([e.value for e in at.exception])
    return at, seconds


def server_times(env: dict[str, str], level: int, label: str) -> None:
    os.environ.update(env)
    from valuechain.query import Data
    from valuechain.store import open_store

    bare_s = median_seconds(AppTest.from_file(BARE, default_timeout=60).run)
    at, cold = app_run({"level": str(level)})  # loads the data, warms the caches (the app would, too)
    store = open_store(path=env["VALUECHAIN_DB_PATH"])
    data = Data.load(store)
    store.close()
    plan = changes(data, level)
    page_work(data, plan["country change"][0])  # this bundle's per-revision tables, as the app's first run
    print(f"\n{label}: server time of a filter change, median of 5 new values")
    print("  (a) the map page's own work (map_ui.compute + map_ui.panel + deck JSON):")
    for name, batch in plan.items():
        print(f"    {name:<46} {statistics.median(page_work(data, c) for c in batch) * 1000:9.1f} ms")
    print("  (b) AppTest run of app.py + the map page:")
    report("bare Streamlit page", bare_s, "bare", bare_s)
    report("first run of a session (cold caches)", cold, "bare", bare_s)
    for name, batch in plan.items():
        report(name, statistics.median(app_run(c.query)[1] for c in batch), "bare", bare_s)
    spec = at.get("deck_gl_json_chart")[0].proto.json
    regions = next(x for x in json.loads(spec)["layers"] if x["id"].startswith("regions"))
    print(
        f"deck JSON sent: {len(spec) / 1024:.0f} KB, of which the regions' GeoJSON "
        f"{len(json.dumps(regions['data'], separators=(',', ':'))) / 1024:.0f} KB "
        f"({len(regions['data']['features'])} NUTS-{level} regions)"
    )
    steps(data, plan["year change"])


def steps(data: object, batch: list[Change]) -> None:
    """Where a year change's time goes, step by step, median of 5 years (nothing cached between years)."""
    from valuechain import choropleth
    from valuechain.derived import LOCATION_QUOTIENT

    times: dict[str, list[float]] = {}

    def timed(name: str, fn: Callable[..., Any], *args: Any) -> Any:
        t0 = time.perf_counter()
        out = fn(*args)
        times.setdefault(name, []).append(time.perf_counter() - t0)
        return out

    for change in batch:
        sel = change.sel
        table = timed("values: query.indicator_by_region", choropleth.region_values, data, sel, "employment")
        timed("values: location quotient", choropleth.region_values, data, sel, LOCATION_QUOTIENT)
        timed("classes: quantiles", choropleth.classify, table["value"], "quantiles")
        timed("classes: natural breaks (Fisher–Jenks)", choropleth.classify, table["value"], "natural_breaks")
        pairs = timed("flows between regions", choropleth.region_flows, data, sel, "goods")
        timed("arcs: largest 25", choropleth.flow_arcs, data, pairs, sel, "goods")
    print("  where a year change goes (median of 5 years):")
    for name, values in times.items():
        print(f"    {name:<46} {statistics.median(values) * 1000:9.1f} ms")


def load_times(env: dict[str, str], level: int, label: str, runs: int = 5) -> None:
    """Page loads taken in turns (floor, map, home, floor, …), so a busy machine slows all of them alike."""
    with served(ONE_LAYER, env) as floor_url, served("app.py", env) as app_url, chromium() as browser:
        cases = {
            "floor": browser_load(browser, floor_url, CANVAS),
            "map": browser_load(browser, f"{app_url}/map?level={level}", CANVAS),
            "home": browser_load(browser, app_url, "[data-testid='stMetricValue']"),
        }
        times: dict[str, list[float]] = {name: [] for name in cases}
        for turn in range(runs + 1):  # the first turn warms the servers and the browser cache up
            for name, load in cases.items():
                t0 = time.perf_counter()
                load()
                if turn:
                    times[name].append(time.perf_counter() - t0)
    floor, page, home = (statistics.median(times[n]) for n in ("floor", "map", "home"))
    print(
        f"\n{label}: load in headless Chromium (new context, until the deck canvas is there and the script is "
        f"idle), median of {runs}, taken in turns:"
    )
    report("one GeoJsonLayer of NUTS-2 (the floor)", floor, "floor", floor)
    report(f"map page, NUTS-{level}", page, "floor", floor)
    report("home page (app sidebar + navigation, no map)", home, "floor", floor)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo-only", action="store_true", help="skip the NUTS-3 scale")
    args = parser.parse_args()
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    demo_env = bench_env()
    load_times(demo_env, 2, "Demo scale (NUTS-2)")
    server_times(demo_env, 2, "Demo scale (NUTS-2)")
    if not args.demo_only:
        big = large_env()
        load_times(big, 3, "Large scale (NUTS-3)")
        server_times(big, 3, "Large scale (NUTS-3)")


if __name__ == "__main__":
    main()
