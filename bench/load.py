"""Load on the server, not on browsers: N sessions speaking Streamlit's own websocket protocol at once.

Each session opens `/_stcore/stream` as the browser does, sends a rerun `BackMsg` with a page and a query
string (a page view, or a filter change kept in the URL), and counts the view ready when the server
reports the script finished. A view also records when the first thing appeared in the main area (a
progress message or content): the user's "something is happening" moment. The server's RSS is sampled
from /proc throughout. A few real Chromium sessions run beside the largest level to confirm.

Phases, all in one run on one fresh server (loopback only; bounded in views and seconds):
  cold      the largest number of sessions arrive at once on the fresh server (first views)
  baseline  one session alone, the same views as every session below
  N         N sessions at once (for each N of --sessions), each doing the same views

Run: .venv/bin/python bench/load.py [--sessions 10,20] [--views 8] [--browsers 2] [--db-url postgresql://…]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

# Pages and filter changes a workshop participant makes (page url_path, query string parameters).
VIEWS: tuple[tuple[str, dict[str, str]], ...] = (
    ("", {}),
    ("map", {}),
    ("flows", {"country": "SE"}),
    ("profile", {"region": "SE33 Övre Norrland"}),
    ("matchmaking", {"country": "EE"}),
    ("map", {"country": "FI", "year": "2021"}),
    ("flows", {"level": "1"}),
    ("", {"country": "DK", "year": "2020"}),
    ("profile", {"region": "FI1D Pohjois- ja Itä-Suomi"}),
    ("about", {"chain": "Offshore wind energy"}),
    ("map", {"level": "3", "country": "EE"}),
    ("matchmaking", {"region": "EE00 Eesti"}),
)
FEEDBACK_S = 1.0  # a view slower than this must show something in the main area within this time


@dataclass
class View:
    page: str
    seconds: float = 0.0
    feedback: float | None = None  # seconds until the first progress message or content in the main area
    error: str = ""


@dataclass
class Phase:
    name: str
    sessions: int
    views: list[View] = field(default_factory=list)
    seconds: float = 0.0
    peak_rss_mb: float = 0.0


def _check_loopback(url: str) -> None:
    host = urlsplit(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"load only runs against loopback, not {host}")


async def _rerun(ws: object, page: str, query: dict[str, str], first: bool, timeout: float) -> View:
    """One page view: send the rerun as the browser does on navigation, read until the script finished."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    view = View(page or "home")
    msg = BackMsg()
    msg.rerun_script.page_name = page
    msg.rerun_script.query_string = urlencode(query)
    # A changed URL on an open session: bound widgets take their values from it, as on back/forward.
    msg.rerun_script.is_history_navigation = not first
    t0 = time.monotonic()
    await ws.send(msg.SerializeToString())  # type: ignore[attr-defined]
    deadline = t0 + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            view.error = f"timeout after {timeout:.0f} s"
            break
        fwd = ForwardMsg()
        fwd.ParseFromString(await asyncio.wait_for(ws.recv(), left))  # type: ignore[attr-defined]
        kind = fwd.WhichOneof("type")
        if kind == "delta":
            error = _error_in(fwd)
            if error and not view.error:
                view.error = error
            if view.feedback is None and _shows_in_main(fwd):
                view.feedback = time.monotonic() - t0
        elif kind == "script_finished":
            if fwd.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                view.error = view.error or "script compile error"
            elif fwd.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                break  # FINISHED_EARLY_FOR_RERUN (st.rerun) goes on to the next run
        elif kind == "page_not_found":
            view.error = f"page not found: {page}"
    view.seconds = time.monotonic() - t0
    return view


def _shows_in_main(fwd: object) -> bool:
    """True for a delta that puts something visible into the main area (not the sidebar)."""
    path = list(fwd.metadata.delta_path)  # type: ignore[attr-defined]
    delta = fwd.delta  # type: ignore[attr-defined]
    if not path or path[0] != 0:
        return False
    kind = delta.WhichOneof("type")
    if kind == "new_transient":
        return len(delta.new_transient.elements) > 0  # a spinner; an empty one clears it
    return kind == "new_element"


def _error_in(fwd: object) -> str:
    delta = fwd.delta  # type: ignore[attr-defined]
    if delta.WhichOneof("type") != "new_element":
        return ""
    element = delta.new_element
    kind = element.WhichOneof("type")
    if kind == "exception":
        return f"exception: {element.exception.type}: {element.exception.message[:120]}"
    if kind == "alert" and element.alert.format == element.alert.ERROR:
        return f"error box: {element.alert.body[:120]}"
    return ""


async def _session(url: str, views: list[tuple[str, dict[str, str]]], timeout: float) -> list[View]:
    """One user: a websocket like a browser tab's, then one rerun per view, one after the other."""
    import websockets
    from websockets.typing import Subprotocol

    stream = url.replace("http://", "ws://") + "/_stcore/stream"
    out: list[View] = []
    try:
        async with websockets.connect(
            stream, subprotocols=[Subprotocol("streamlit")], max_size=None, open_timeout=timeout
        ) as ws:
            for i, (page, query) in enumerate(views):
                out.append(await _rerun(ws, page, query, i == 0, timeout))
    except (TimeoutError, OSError, websockets.WebSocketException) as exc:
        out.append(View(views[len(out)][0] or "home", error=f"{type(exc).__name__}: {exc}"[:160]))
    return out


class RssSampler:
    """Peak resident memory of the server process, sampled from /proc every 0.2 s."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def rss_kb(self) -> int:
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.peak_kb = max(self.peak_kb, self.rss_kb())

    def __enter__(self) -> RssSampler:
        self.peak_kb = self.rss_kb()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_phase(name: str, url: str, pid: int, plans: list[list[tuple[str, dict[str, str]]]], timeout: float) -> Phase:
    """All sessions of `plans` at once; each plan is one session's views."""

    async def all_sessions() -> list[list[View]]:
        return await asyncio.gather(*(_session(url, plan, timeout) for plan in plans))

    phase = Phase(name, len(plans))
    with RssSampler(pid) as rss:
        t0 = time.monotonic()
        results = asyncio.run(all_sessions())
        phase.seconds = time.monotonic() - t0
    phase.peak_rss_mb = rss.peak_kb / 1024
    phase.views = [v for session in results for v in session]
    return phase


def browser_sessions(url: str, count: int, views: list[tuple[str, dict[str, str]]], stop_at: float) -> list[View]:
    """Real Chromium tabs doing the same views (page.goto): confirms what the protocol sessions measure."""
    from common import ARTIFACTS, chromium, wait_idle

    out: list[View] = []
    with chromium() as browser:
        contexts = [browser.new_context(viewport={"width": 1400, "height": 900}) for _ in range(count)]
        pages = [c.new_page() for c in contexts]
        for page_name, query in views:
            for tab in pages:
                if time.monotonic() > stop_at:
                    return out
                view = View(page_name or "home")
                t0 = time.monotonic()
                try:
                    tab.goto(f"{url}/{page_name}" + (f"?{urlencode(query)}" if query else ""))
                    tab.wait_for_selector("[data-testid='stMainBlockContainer'] [data-testid='stElementContainer']")
                    view.feedback = time.monotonic() - t0
                    wait_idle(tab, timeout=120_000)
                    if tab.locator("[data-testid='stException'], [data-testid='stAlertContentError']").count():
                        view.error = "error shown on the page"
                except Exception as exc:  # a timeout is a finding, not a crash of the harness
                    view.error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
                view.seconds = time.monotonic() - t0
                out.append(view)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        pages[0].screenshot(path=str(ARTIFACTS / "load-chromium.png"), full_page=True)
        for c in contexts:
            c.close()
    return out


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(phase: Phase, baseline_p95: float | None) -> str:
    ok = [v.seconds for v in phase.views if not v.error]
    errors = [v for v in phase.views if v.error]
    slow = [v for v in phase.views if not v.error and v.seconds > FEEDBACK_S]
    late = [v for v in slow if v.feedback is None or v.feedback > FEEDBACK_S]
    feedback = [v.feedback for v in slow if v.feedback is not None]
    p95 = _pct(ok, 0.95)
    ratio = f"{p95 / baseline_p95:5.2f}×" if baseline_p95 else "   — "
    return (
        f"{phase.name:<10}{phase.sessions:>4} {len(phase.views):>6} {len(errors):>6} "
        f"{len(ok) / phase.seconds if phase.seconds else 0:>8.2f} "
        f"{_pct(ok, 0.5):>7.2f} {p95:>7.2f} {max(ok, default=float('nan')):>7.2f} {ratio:>7} "
        f"{len(slow):>5} {_pct(feedback, 0.95) if feedback else float('nan'):>8.2f} {len(late):>5} "
        f"{phase.peak_rss_mb:>8.0f}"
    )


HEADER = (
    f"{'phase':<10}{'sess':>4} {'views':>6} {'errors':>6} {'views/s':>8} {'p50 s':>7} {'p95 s':>7} {'max s':>7} "
    f"{'p95/1':>7} {'slow':>5} {'fb p95':>8} {'late':>5} {'RSS MB':>8}"
)
LEGEND = (
    "p50/p95/max: page-ready seconds (rerun sent → script finished); p95/1: p95 against the one-session baseline;\n"
    f"slow: views over {FEEDBACK_S:.0f} s; fb p95: their seconds to the first progress message or content in the main "
    f"area; late: slow views with none within {FEEDBACK_S:.0f} s; RSS MB: the server's peak resident memory."
)


def warm_up(url: str, timeout: float) -> int:
    """One session through every page of VIEWS on a running server; 1 when a view failed."""
    _check_loopback(url)
    views = asyncio.run(_session(url, list(VIEWS), timeout))
    failed = [v for v in views if v.error]
    print(f"warm-up of {url}: {len(views) - len(failed)} page views in {sum(v.seconds for v in views):.1f} s")
    for v in failed:
        print(f"  {v.page}: {v.error}")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", default="10,20", help="comma-separated numbers of concurrent sessions")
    parser.add_argument("--views", type=int, default=8, help="views per session (pages and filter changes)")
    parser.add_argument("--browsers", type=int, default=2, help="real Chromium sessions beside the largest level")
    parser.add_argument("--db-url", default="", help="a PostgreSQL URL on loopback instead of a fresh DuckDB file")
    parser.add_argument("--timeout", type=float, default=180, help="seconds a view may take (else an error)")
    parser.add_argument("--max-seconds", type=float, default=900, help="the whole run stops starting work after this")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument(
        "--warm-up",
        metavar="URL",
        help="only open every page once in one session on a running server (deploy/local.sh does this after a "
        "start, so the first users find modules imported and shared caches filled), then exit",
    )
    args = parser.parse_args(argv)
    if args.warm_up:
        return warm_up(args.warm_up.rstrip("/"), args.timeout)
    from common import ARTIFACTS, bench_env, start_app  # the test helpers: not needed (nor installed) to warm up

    levels = sorted({int(n) for n in args.sessions.split(",") if n.strip()})
    if not levels or levels[0] < 1 or levels[-1] > 50 or not 1 <= args.views <= 50:
        parser.error("sessions must be 1–50 and views 1–50")
    env = bench_env()
    if args.db_url:
        _check_loopback(args.db_url.replace("postgresql://", "http://"))
        env["VALUECHAIN_DB_URL"] = args.db_url
    stop_at = time.monotonic() + args.max_seconds
    rng = random.Random(args.seed)
    plan = [VIEWS[i % len(VIEWS)] for i in range(args.views)]

    def plans(n: int) -> list[list[tuple[str, dict[str, str]]]]:
        """Every session does the same views in its own order (so pages overlap, as in a workshop)."""
        return [rng.sample(plan, len(plan)) for _ in range(n)]

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    proc, url = start_app(env)
    _check_loopback(url)
    print(f"server {url} (pid {proc.pid}), {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    print(f"idle RSS {RssSampler(proc.pid).rss_kb() / 1024:.0f} MB")
    phases: list[Phase] = []
    chromium_views: list[View] = []
    try:
        cold = [[VIEWS[i % len(VIEWS)]] for i in range(levels[-1])]
        phases.append(run_phase("cold", url, proc.pid, cold, args.timeout))
        phases.append(run_phase("baseline", url, proc.pid, plans(1), args.timeout))
        for n in levels:
            if time.monotonic() > stop_at:
                print(f"stopped before {n} sessions: --max-seconds reached")
                break
            browser_thread = None
            if n == levels[-1] and args.browsers:
                browser_thread = threading.Thread(
                    target=lambda: chromium_views.extend(browser_sessions(url, args.browsers, plan, stop_at))
                )
                browser_thread.start()
            phases.append(run_phase(str(n), url, proc.pid, plans(n), args.timeout))
            if browser_thread:
                browser_thread.join()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    baseline_p95 = _pct([v.seconds for v in phases[1].views if not v.error], 0.95)
    print(HEADER)
    for phase in phases:
        print(summary(phase, None if phase.name in ("cold", "baseline") else baseline_p95))
    if chromium_views:
        ok = [v.seconds for v in chromium_views if not v.error]
        first = [v.feedback for v in chromium_views if v.feedback is not None]
        print(
            f"chromium  {args.browsers:>4} {len(chromium_views):>6} {sum(bool(v.error) for v in chromium_views):>6} "
            f"{'':>8} {_pct(ok, 0.5):>7.2f} {_pct(ok, 0.95):>7.2f} {max(ok, default=float('nan')):>7.2f}"
            f"   (beside the {levels[-1]} sessions; first element in the main area p95 {_pct(first, 0.95):.2f} s)"
        )
    print(LEGEND)
    errors = [(p.name, v) for p in phases for v in p.views if v.error] + [
        ("chromium", v) for v in chromium_views if v.error
    ]
    for name, v in errors[:10]:
        print(f"error ({name}, {v.page}): {v.error}")
    print(f"load average {os.getloadavg()[0]:.1f} at the end (the machine is shared: compare ratios, not seconds)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
