"""What a new user waits for, in headless Chromium, each page as a ratio to its floor measured in the same run.

For every page and its floor (bench/baselines/): home vs a bare page, map vs one GeoJsonLayer, flows vs a five-node
Sankey, profile and matchmaking vs one plotly bar chart (the kind of chart both lead with):

- **painted**: from navigation start to the main chart drawn (the deck's canvas sized in the page; the Sankey's
  link paths; the bars' paths; home: its first metric; the bare page: its text), read in the page
  (`performance.now()` on every animation frame, so Playwright's polling adds nothing);
- **idle**: from navigation start to Streamlit's status widget idle for good (script finished, every element
  drawn);
- **server CPU per view**: the server process's user + system time (/proc/<pid>/stat) over one fresh view,
  from the request to the closed tab;
- **filter change**: the sidebar's year changed until the chart is drawn again (the server's last message of the
  rerun, the last change inside the chart element, the deck's last WebGL draw or the script idle, whichever is
  latest; printed also without the draw, as 'messages only': a rerun too short for
  the status attribute to show 'running' is still seen), map and flows vs bench/baselines/filter_chart.py, a page
  whose one sidebar widget redraws its single chart;

both **quiet** (one view at a time, views spaced) and **back to back** (bursts of views started 1 s apart, as in
a workshop where many open the link at once). Every view is a fresh browser context (empty cache, new session).
Cases are taken in turns (page, floor, page, floor, …) so a busy machine slows all of them alike; the first turn
warms servers up and is not counted; medians are printed with each ratio.

Run: .venv/bin/python bench/paint.py [--runs 5] [--bursts 2] [--only map,flows] [--compare DIR]
(prints ratios; no pass/fail; --compare times another checkout's pages in the same turns, e.g. the code before a change)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, REPO, bench_env, start_app

from components import state

BASELINES = REPO / "bench" / "baselines"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
FOCUS = "SE33"  # profile and matchmaking need a focus region

# JavaScript predicates: the main chart of a page is there and drawn.
DECK = (
    "(() => { const c = document.querySelector(\"[data-testid='stMain'] [data-testid='stDeckGlJsonChart'] canvas\");"
    " return !!c && c.width > 0 && c.getBoundingClientRect().height > 0; })()"
)
SANKEY = "!!document.querySelector(\"[data-testid='stMain'] path.sankey-link\")"
BARS = "!!document.querySelector(\"[data-testid='stMain'] [data-testid='stPlotlyChart'] .barlayer path\")"
METRIC = "!!document.querySelector(\"[data-testid='stMain'] [data-testid='stMetricValue']\")"
TEXT = "(document.querySelector(\"[data-testid='stMain']\")?.innerText || '').includes('Hello, Baltic Sea Region')"

# Records, in the page, when the script starts and stops, when the main chart is first drawn, when the user
# pressed Enter last, when anything inside a chart element changed last and when the server's last message came.
PROBE = """
(() => {
  const b = window.__bench = {
    state: null, ran: false, idle: null, painted: null, clicked: null, mutated: null, message: null, drawn: null,
  };
  // Every WebGL draw call (the deck's canvas is the page's only WebGL one): the map is drawn again only when deck.gl
  // draws, which can be after the rerun's last message (its spec is parsed and drawn in a task of its own).
  for (const gl of [window.WebGLRenderingContext, window.WebGL2RenderingContext]) {
    for (const name of ['drawArrays', 'drawElements', 'drawArraysInstanced', 'drawElementsInstanced']) {
      const native = gl && gl.prototype[name];
      if (!native) continue;
      gl.prototype[name] = function (...args) { b.drawn = performance.now(); return native.apply(this, args); };
    }
  }
  // Every message from the server (a rerun's deltas end with its script_finished): a rerun too quick for the status
  // attribute to show 'running' between two frames is still seen here.
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', () => { b.message = performance.now(); });
    }
  };
  const painted = () => PAINTED;
  const look = () => {
    const el = document.querySelector('[data-test-script-state]');
    const s = el ? el.getAttribute('data-test-script-state') : null;
    if (s !== b.state) {
      b.state = s;
      if (s === 'running') { b.ran = true; b.idle = null; }
      else if (s === 'notRunning' && b.ran) b.idle = performance.now();
    }
  };
  const frame = () => {
    look();
    if (b.painted === null) { try { if (painted()) b.painted = performance.now(); } catch (e) {} }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  new MutationObserver((records) => {
    look();
    for (const r of records) {
      const node = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      if (node && node.closest && node.closest("[data-testid='stPlotlyChart'], [data-testid='stDeckGlJsonChart']")) {
        b.mutated = performance.now();
      }
    }
  }).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { b.clicked = performance.now(); b.ran = false; b.idle = null; }
  }, true);
})();
"""


@dataclass(frozen=True)
class Case:
    name: str
    server: str  # key into the servers started
    path: str  # URL path and query
    painted: str  # JavaScript predicate
    floor: str | None = None  # the case this one is a ratio to


CASES = (
    Case("bare page", "bare", "/", TEXT),
    Case("home", "app", "/", METRIC, "bare page"),
    Case("one GeoJsonLayer", "deck", "/", DECK),
    Case("map", "app", "/map", DECK, "one GeoJsonLayer"),
    Case("five-node Sankey", "sankey", "/", SANKEY),
    Case("flows", "app", "/flows", SANKEY, "five-node Sankey"),
    Case("one bar chart", "bar", "/", BARS),
    Case("profile", "app", f"/profile?{state.REGION}={FOCUS}", BARS, "one bar chart"),
    Case("matchmaking", "app", f"/matchmaking?{state.REGION}={FOCUS}", BARS, "one bar chart"),
)
FILTER_CASES = (
    Case("floor: year → GeoJsonLayer", "filter", "/?chart=deck", DECK),
    Case("map: year", "app", "/map", DECK, "floor: year → GeoJsonLayer"),
    Case("floor: year → Sankey", "filter", "/", SANKEY),
    Case("flows: year", "app", "/flows", SANKEY, "floor: year → Sankey"),
)
SCRIPTS = {
    "app": "app.py",
    "bare": str(BASELINES / "bare.py"),
    "deck": str(BASELINES / "one_layer.py"),
    "sankey": str(BASELINES / "five_node_sankey.py"),
    "bar": str(BASELINES / "bar_chart.py"),
    "filter": str(BASELINES / "filter_chart.py"),
}
YEARS = (2022, 2021, 2020, 2019, 2018)  # the demo's years but the default (2023): a change to a new value


COMPARED = "compared"  # the server of --compare's checkout


def compared(cases: tuple[Case, ...], other: Path | None) -> tuple[Case, ...]:
    """`cases`, each page of the app followed by the same page of the checkout compared with (same floor)."""
    out: list[Case] = []
    for case in cases:
        out.append(case)
        if other is not None and case.server == "app":
            out.append(Case(f"{case.name} ({other.name})", COMPARED, case.path, case.painted, case.floor))
    return tuple(out)


@dataclass
class Server:
    proc: Any
    url: str

    def cpu(self) -> float:
        """User + system seconds the server process (all its threads) has used so far."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


@dataclass
class Results:
    figures: dict[tuple[str, str, str], list[float]] = field(default_factory=dict)

    def add(self, mode: str, case: str, what: str, value: float) -> None:
        self.figures.setdefault((mode, case, what), []).append(value)

    def median(self, mode: str, case: str, what: str) -> float | None:
        values = self.figures.get((mode, case, what))
        return statistics.median(values) if values else None


async def settled(page: Any, timeout: float = 120.0) -> dict:
    """Wait until the main chart is drawn and the script has been idle for 0.6 s; the probe's record."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        b = await page.evaluate("window.__bench")
        if b["painted"] is not None and b["state"] == "notRunning" and b["idle"] is not None:
            await asyncio.sleep(0.6)
            again = await page.evaluate("window.__bench")
            if again["state"] == "notRunning" and again["idle"] == b["idle"]:
                return again
            continue
        await asyncio.sleep(0.05)
    raise TimeoutError(f"not settled: {b}")


async def redrawn(page: Any, timeout: float = 120.0) -> dict:
    """After a filter change (Enter): wait until the server has answered it and then been silent for 0.6 s with the
    script idle; the probe's record. Seen by the server's messages, not by the status attribute alone: a rerun that
    starts and ends between two frames never shows 'running' (the filter phase hung on such a rerun before)."""
    deadline = time.monotonic() + timeout
    b: dict = {}
    while time.monotonic() < deadline:
        b = await page.evaluate("window.__bench")
        if b["clicked"] is not None and (b["message"] or 0) > b["clicked"] and b["state"] == "notRunning":
            await asyncio.sleep(0.6)
            again = await page.evaluate("window.__bench")
            quiet = all(again[k] == b[k] for k in ("message", "mutated", "drawn"))
            if again["state"] == "notRunning" and quiet:
                return again
            continue
        await asyncio.sleep(0.05)
    raise TimeoutError(f"no answer to the filter change: {b}")


async def open_view(browser: Any, server: Server, case: Case, height: int = 900) -> tuple[Any, Any, dict]:
    """A fresh context opens the case's page; returns the context, the page and the probe's record."""
    context = await browser.new_context(viewport={"width": 1400, "height": height})
    await context.add_init_script(PROBE.replace("PAINTED", case.painted))
    page = await context.new_page()
    await page.goto(server.url + case.path)
    return context, page, await settled(page)


async def view(browser: Any, server: Server, case: Case, results: Results, mode: str) -> None:
    """One fresh view: painted and idle times (and server CPU, when nothing else runs on that server)."""
    context, _page, b = await open_view(browser, server, case)
    await context.close()
    results.add(mode, case.name, "painted", b["painted"] / 1000)
    results.add(mode, case.name, "idle", max(b["idle"], b["painted"]) / 1000)


async def quiet(browser: Any, servers: dict[str, Server], cases: tuple[Case, ...], runs: int, r: Results) -> None:
    for turn in range(runs + 1):
        for case in cases:
            server = servers[case.server]
            await asyncio.sleep(1.0)  # views spaced: the server is quiet when the next one starts
            cpu = server.cpu()
            await view(browser, server, case, r, "quiet" if turn else "warm-up")
            await asyncio.sleep(0.3)  # the closed session's teardown belongs to the view
            if turn:
                r.add("quiet", case.name, "server CPU", server.cpu() - cpu)


async def back_to_back(
    browser: Any, servers: dict[str, Server], cases: tuple[Case, ...], bursts: int, size: int, r: Results
) -> None:
    """Bursts of `size` views 1 s apart on one server; server CPU is the burst's divided by its views."""
    for _ in range(bursts):
        for case in cases:
            server = servers[case.server]
            await asyncio.sleep(2.0)
            cpu = server.cpu()
            tasks = []
            for _ in range(size):
                tasks.append(asyncio.create_task(view(browser, server, case, r, "back to back")))
                await asyncio.sleep(1.0)
            await asyncio.gather(*tasks)
            await asyncio.sleep(0.3)
            r.add("back to back", case.name, "server CPU", (server.cpu() - cpu) / size)


async def pick_year(page: Any, year: int) -> None:
    """Choose `year` in the sidebar's Year selectbox from the keyboard (typed, then Enter), as a person can."""
    box = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']", has_text="Year")
    await box.locator("input").fill(str(year))
    await page.get_by_role("option", name=str(year), exact=True).wait_for()
    await page.keyboard.press("Enter")


async def filter_changes(
    browser: Any, servers: dict[str, Server], cases: tuple[Case, ...], runs: int, r: Results
) -> None:
    for turn in range(runs + 1):
        year = YEARS[turn % len(YEARS)]
        for case in cases:
            # a tall window: the sidebar's Year box and its options are on screen
            context, page, _ = await open_view(browser, servers[case.server], case, height=1300)
            await page.evaluate("window.__bench.mutated = null; window.__bench.drawn = null")
            try:
                await pick_year(page, year)
            except Exception:
                await page.screenshot(path=str(ARTIFACTS / "paint-failed.png"))
                raise
            b = await redrawn(page)
            await context.close()
            if turn:  # the latest of: the last message (the rerun's end), a change in the chart, the status idle, and
                # the deck's last WebGL draw ("messages only" leaves the draw out: how this was measured before)
                answered = max(b["message"], b["mutated"] or 0, b["idle"] or 0)
                done = max(answered, b["drawn"] or 0)
                r.add("quiet", case.name, "filter change", (done - b["clicked"]) / 1000)
                r.add("quiet", case.name, "messages only", (answered - b["clicked"]) / 1000)


def print_table(r: Results, cases: tuple[Case, ...], mode: str, whats: tuple[str, ...]) -> None:
    floors = {c.name: c.floor for c in cases}
    print(f"\n{mode}: median seconds (ratio to the floor measured in the same run)")
    print(f"{'':<30}" + "".join(f"{w:>26}" for w in whats))
    for case in cases:
        cells = []
        for what in whats:
            value = r.median(mode, case.name, what)
            floor = floors[case.name]
            base = r.median(mode, floor, what) if floor else None
            if value is None:
                cells.append(f"{'—':>26}")
            elif base:
                cells.append(f"{value:>12.3f} s {value / base:>8.2f} ×  ")
            else:
                cells.append(f"{value:>12.3f} s {'(floor)':>10}  ")
        print(f"{case.name:<30}" + "".join(cells))
    counts = {len(v) for (m, _c, _w), v in r.figures.items() if m == mode}
    print(f"  (views per figure: {sorted(counts)})")


async def run(args: argparse.Namespace) -> None:
    from playwright.async_api import async_playwright

    only = set(args.only.split(",")) if args.only else {c.name for c in CASES if c.floor}
    floors = {c.floor for c in CASES if c.name in only}
    cases = compared(tuple(c for c in CASES if c.name in only or c.name in floors), args.compare)
    filter_cases = not args.no_filter and bool(only & {"map", "flows"})
    chosen_filter_cases = compared(FILTER_CASES, args.compare)
    needed = {c.server for c in cases} | ({c.server for c in chosen_filter_cases} if filter_cases else set())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    env = bench_env()
    servers: dict[str, Server] = {}
    r = Results()
    try:
        for name in sorted(needed):
            if name == COMPARED:  # its own database: DuckDB allows one server per file
                proc, url = start_app(bench_env(), str(args.compare / "app.py"), cwd=args.compare)
            else:
                proc, url = start_app(env, SCRIPTS[name])
            servers[name] = Server(proc, url)
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            await quiet(browser, servers, cases, args.runs, r)
            if filter_cases:
                await filter_changes(browser, servers, chosen_filter_cases, args.runs, r)
            if args.bursts:
                await back_to_back(browser, servers, cases, args.bursts, args.burst_size, r)
            await browser.close()
    finally:  # a phase that fails (a view that never settles) still leaves the figures of the others printed
        for server in servers.values():
            server.proc.terminate()
            server.proc.wait(timeout=20)
        print(f"Chromium {CHROMIUM}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end")
        print_table(r, cases, "quiet", ("painted", "idle", "server CPU"))
        if filter_cases:
            print_table(r, chosen_filter_cases, "quiet", ("filter change", "messages only"))
        if args.bursts:
            print_table(r, cases, "back to back", ("painted", "idle", "server CPU"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="counted turns of quiet views and filter changes")
    parser.add_argument("--bursts", type=int, default=2, help="bursts of back-to-back views per case")
    parser.add_argument("--burst-size", type=int, default=4, help="views per burst, started 1 s apart")
    parser.add_argument("--only", help="comma-separated case names (their floors come along)")
    parser.add_argument("--no-filter", action="store_true", help="skip the filter changes")
    parser.add_argument(
        "--compare",
        type=Path,
        help="another checkout of the app (e.g. an older commit, unpacked with git archive): each page of it is timed "
        "too, in turns with this one's and against the same floors, so a change is measured in one run",
    )
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
