"""Flows page: browser load as a ratio to a page with one five-node Sankey, and server time of filter
changes, at demo scale and with 100k flows in the selected chain and year.

Server time is read off the real server's websocket in Chromium (DevTools network timestamps, which
the page's own rendering cannot delay): from the browser's rerun request after a filter change to
the server's "script finished" message, next to the home page's time for the same changes (the app
shell's share). The in-process script time (AppTest) and the domain part alone (selection → Sankey →
plotly JSON) are timed too, to show where the time goes.

Run: .venv/bin/python bench/flows.py   (prints medians of several runs; no pass/fail)
"""

from __future__ import annotations

import base64
import statistics
import time
from collections.abc import Callable
from urllib.parse import quote

from common import REPO, bench_env, browser_load, chromium, median_seconds, report, served
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.testing.v1 import AppTest

from components.state import Flows
from tests.e2e.conftest import screenshot, wait_idle
from valuechain import demo
from valuechain import flows as domain
from valuechain.query import Data, Selection
from valuechain.store import open_store

FLOOR = str(REPO / "bench" / "baselines" / "five_node_sankey.py")
BARE = str(REPO / "bench" / "baselines" / "bare.py")
SANKEY_DRAWN = "path.sankey-link"
# ~100k flows in one chain and year: 248 NUTS-3 regions × 5 stage transitions × ~80 partners each.
BIG_LINKS = {"goods": 60, "knowledge": 40, "investment": 20}
COUNTRIES = ("EE", "FI", "DK", "SE", "LT", "PL", "NO")  # each step adds one: always a new selection
KINDS = ("Knowledge", "Investment", "All kinds", "Goods")
CHAIN = "circular_bioeconomy"


def seed(env: dict[str, str], big: bool) -> tuple[int, int]:
    """Fill the benchmark database; return (year, flows of the chain in that year)."""
    data = demo.generate(level=3, years=[2023], links_per_region=BIG_LINKS) if big else demo.generate()
    store = open_store(path=env["VALUECHAIN_DB_PATH"])
    demo.seed_store(store, data)
    store.close()
    f = data["flows"]
    year = int(f["year"].max())
    return year, int(((f["chain_id"] == CHAIN) & (f["year"] == year)).sum())


def domain_times(env: dict[str, str], year: int, level: int) -> tuple[float, float, int, int]:
    """Median time of selection → FlowView → plotly JSON for new country selections (stage, region view)."""
    import plotly.io as pio

    from components.sankey import figure

    store = open_store(path=env["VALUECHAIN_DB_PATH"])
    data = Data.load(store)
    store.close()
    domain.flow_view(data, Selection(CHAIN, year, level), domain.FlowOptions())  # cuts chain and year once
    selections = [Selection(CHAIN, year, level, countries=COUNTRIES[: i + 1]) for i in range(len(COUNTRIES))]
    out, shapes = [], []
    for view in (domain.STAGE_VIEW, domain.REGION_VIEW):
        times = []
        for sel in selections:  # a new selection each time, as after a filter change
            t0 = time.perf_counter()
            result = domain.flow_view(data, sel, domain.FlowOptions(view=view))
            pio.to_json(figure(result.sankey, view), validate=False)
            times.append(time.perf_counter() - t0)
            shapes.append((len(result.sankey.nodes), len(result.sankey.links)))
        out.append(statistics.median(times))
    return out[0], out[1], *max(shapes)


def snapshot(browser: object, url: str, name: str) -> str:
    """A screenshot of the drawn Sankey, to check it stays readable; returns where it is."""
    context = browser.new_context(viewport={"width": 1400, "height": 1100})  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector(SANKEY_DRAWN, timeout=120_000)
    wait_idle(page)
    path = screenshot(page, name)
    context.close()
    return str(path.relative_to(REPO))


def apptest_times(env: dict[str, str], query: dict[str, str]) -> tuple[float, float]:
    """In-process script time (AppTest): a home-page rerun, and a flows-page rerun after a flow-kind change
    with the view cache cleared, so every run computes its selection afresh. AppTest cannot change the
    sidebar filters (see tests/apptest.py), so the page's own kind filter stands in for them here."""
    import os

    from components import sankey as ui

    os.environ.update(env)
    home = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    home.run()
    page = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    for key, value in query.items():
        page.query_params[key] = value
    page.switch_page("pages/flows.py")
    page.run()
    kinds = iter(["knowledge", "investment", "all", "goods"] * 3)

    def change_kind() -> None:
        page.radio(key=Flows.KIND).set_value(next(kinds))
        ui._cached_view.clear()
        page.run()

    return median_seconds(home.run, runs=7), median_seconds(change_kind, runs=7)


def _frames(cdp: object) -> list[tuple[str, float, bytes]]:
    frames: list[tuple[str, float, bytes]] = []

    def keep(direction: str) -> Callable[[dict], None]:
        def on(params: dict) -> None:
            response = params["response"]
            if response.get("opcode") == 2:  # binary: Streamlit's protobuf messages
                frames.append((direction, float(params["timestamp"]), base64.b64decode(response["payloadData"])))

        return on

    cdp.send("Network.enable")  # type: ignore[attr-defined]
    cdp.on("Network.webSocketFrameSent", keep("out"))  # type: ignore[attr-defined]
    cdp.on("Network.webSocketFrameReceived", keep("in"))  # type: ignore[attr-defined]
    return frames


def _server_seconds(frames: list[tuple[str, float, bytes]]) -> float:
    """From the rerun request to the server's script_finished, by network timestamps."""
    start = next(t for d, t, b in frames if d == "out" and BackMsg.FromString(b).WhichOneof("type") == "rerun_script")
    end = next(
        t
        for d, t, b in frames
        if d == "in" and t >= start and ForwardMsg.FromString(b).WhichOneof("type") == "script_finished"
    )
    return end - start


def filter_change_times(
    browser: object, url: str, ready: str = SANKEY_DRAWN, kinds: tuple[str, ...] = KINDS
) -> tuple[list[float], list[float]]:
    """Server seconds of sidebar country changes and of page flow-kind changes, in one browser session."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    frames = _frames(context.new_cdp_session(page))
    page.goto(url)
    page.wait_for_selector(ready, timeout=120_000)
    wait_idle(page)
    countries, kind_changes = [], []
    box = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']", has_text="Countries")
    for code in COUNTRIES:
        frames.clear()
        box.locator("input").click()
        page.get_by_role("option", name=code, exact=True).click()
        page.keyboard.press("Escape")
        wait_idle(page)
        countries.append(_server_seconds(frames))
    for label in kinds:
        frames.clear()
        page.locator("[data-testid='stRadio']", has_text="Flow kind").get_by_text(label, exact=True).click()
        wait_idle(page)
        kind_changes.append(_server_seconds(frames))
    context.close()
    return countries, kind_changes


def interleaved_loads(browser: object, targets: dict[str, tuple[str, str]], runs: int = 5) -> dict[str, float]:
    """Median load time per page, the pages taking turns so a busy moment hits them all alike."""
    times: dict[str, list[float]] = {name: [] for name in targets}
    for _ in range(runs):
        for name, (url, ready) in targets.items():
            t0 = time.perf_counter()
            browser_load(browser, url, ready)()
            times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(t) for name, t in times.items()}


def measure(browser: object, big: bool) -> None:
    """Everything for one data scale, printed as it is measured."""
    env = bench_env()
    year, n_flows = seed(env, big)
    level = 3 if big else 2
    print(f"\n== {'100k flows' if big else 'demo scale'}: {n_flows:,} flows of {CHAIN} in {year}, NUTS {level} ==")
    with served(FLOOR, env) as floor_url, served(BARE, env) as bare_url, served("app.py", env) as app_url:
        stage_url = f"{app_url}/flows?level={level}"
        region_url = f"{stage_url}&{Flows.VIEW}=" + quote(domain.VIEWS[domain.REGION_VIEW])
        home_ready = "[data-testid='stMetricValue']"
        for url in (stage_url, region_url):
            browser_load(browser, url, SANKEY_DRAWN)()  # first visits fill the server's caches: not timed
        loads = interleaved_loads(
            browser,
            {
                "five-node Sankey page (floor)": (floor_url, SANKEY_DRAWN),
                "bare Streamlit page (one line of text)": (bare_url, "text=Hello, Baltic Sea Region"),
                "home page (app shell and sidebar, no chart)": (app_url, home_ready),
                "flows page, stage view": (stage_url, SANKEY_DRAWN),
                "flows page, region view": (region_url, SANKEY_DRAWN),
            },
        )
        picture = snapshot(browser, region_url, f"bench-flows-{'100k' if big else 'demo'}-region")
        countries, kinds = filter_change_times(browser, stage_url)
        shell, _ = filter_change_times(browser, app_url, home_ready, kinds=())
    print("Browser load in headless Chromium (new context, until the Sankey is drawn and idle), median of 5:")
    floor = loads["five-node Sankey page (floor)"]
    for name, seconds in loads.items():
        report(name, seconds, "floor", floor)
    shell_load = loads["home page (app shell and sidebar, no chart)"] - loads["bare Streamlit page (one line of text)"]
    own = loads["flows page, stage view"] - floor - shell_load
    print(
        f"   app shell (home − bare) {shell_load * 1000:+.0f} ms; flows page beyond floor + shell {own * 1000:+.0f} ms"
    )
    print(f"   region view screenshot: {picture}")
    print(f"Server time of a filter change (rerun request → script finished), median of {len(countries)}:")
    country_s, kind_s, shell_s = (statistics.median(t) for t in (countries, kinds, shell))
    report("home page, same country changes (app shell)", shell_s, "home", shell_s)
    report("flows page, sidebar country filter", country_s, "home", shell_s)
    report("flows page, page flow-kind filter", kind_s, "home", shell_s)
    print(f"   flows page country changes, ms: {', '.join(f'{s * 1000:.0f}' for s in countries)}")
    home_run, flows_run = apptest_times(env, {"level": str(level)})
    print("Server script run in-process (AppTest, no browser or network), median of 7:")
    report("home page rerun", home_run, "home", home_run)
    report("flows page rerun after a flow-kind change", flows_run, "home", home_run)
    stage_s, region_s, nodes, links = domain_times(env, year, level)
    print(f"Domain only (selection → Sankey → plotly JSON, new selections), median of {len(COUNTRIES)}:")
    print(
        f"   stage view {stage_s * 1000:.1f} ms, region view {region_s * 1000:.1f} ms; largest region "
        f"chart {nodes} nodes, {links} links (top {domain.DEFAULT_TOP_N} regions per side + other)"
    )


def main() -> None:
    with chromium() as browser:
        for big in (False, True):
            measure(browser, big)


if __name__ == "__main__":
    t0 = time.perf_counter()
    main()
    print(f"\n(bench took {time.perf_counter() - t0:.0f} s)")
