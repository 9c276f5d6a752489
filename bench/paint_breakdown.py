"""Where a fresh view's time goes in the browser, page by page: what paint.py's ratios are made of.

For each case of paint.py (a page or a floor), fresh browser contexts open it and this prints, per view: painted and
idle (paint.py's probe), the server's messages (count, bytes, first and last), the element chunks fetched (the
front end loads each element type's code only when its first element arrives: when each was asked for and
received), the main-thread long tasks, and the main thread's CPU by script (Chrome's sampling profiler); and the
elements drawn, main area and sidebar. No ratios: read it beside paint.py's figures of the same hour.

Run: .venv/bin/python bench/paint_breakdown.py --only 'flows,five-node Sankey' [--views 3] [--app DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import time
from pathlib import Path
from typing import Any

from common import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, bench_env, start_app
from paint import CASES, PROBE, SCRIPTS, Case, settled

LONG_TASKS = """
window.__tasks = [];
new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__tasks.push([e.startTime, e.duration]); })
  .observe({type: 'longtask', buffered: true});
"""
ELEMENTS = """Array.from(document.querySelectorAll("[data-testid='stElementContainer']")).map((e) => {
  const c = e.firstElementChild;
  return (e.closest("[data-testid='stSidebar']") ? 'sidebar ' : 'main ') + (c && c.getAttribute('data-testid'));
})"""


async def one_view(browser: Any, url: str, case: Case) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    await context.add_init_script(PROBE.replace("PAINTED", case.painted))
    await context.add_init_script(LONG_TASKS)
    page = await context.new_page()
    frames: list[tuple[float, int]] = []
    asked: dict[str, float] = {}
    chunks: list[tuple[str, float, float]] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda p: frames.append((time.monotonic(), len(p)))))
    page.on("request", lambda r: asked.setdefault(r.url, time.monotonic()))
    page.on("requestfinished", lambda r: chunks.append((r.url, asked.get(r.url, 0.0), time.monotonic())))
    cdp = await context.new_cdp_session(page)
    await cdp.send("Profiler.enable")
    await cdp.send("Profiler.start")
    start = time.monotonic()
    await page.goto(url + case.path)
    b = await settled(page)
    profile = (await cdp.send("Profiler.stop"))["profile"]
    tasks = await page.evaluate("window.__tasks")
    elements = await page.evaluate(ELEMENTS)
    await context.close()

    print(f"\n{case.name}: painted {b['painted'] / 1000:.2f} s, idle {b['idle'] / 1000:.2f} s (from navigation start)")
    if frames:
        size = sum(n for _, n in frames)
        first, last = frames[0][0] - start, frames[-1][0] - start
        print(f"  messages: {len(frames)}, {size / 1000:.1f} kB, first {first:.2f} s, last {last:.2f} s after goto")
    # the chunks fetched after the first message: each element type's code, loaded when its element arrives
    late = [
        ((u if u.startswith("blob:") else u.rsplit("/", 1)[-1]), a - start, f - start)
        for u, a, f in chunks
        if frames and a >= frames[0][0]
    ]
    print("  files fetched after the first message (asked → received, s after goto):")
    for name, a, f in sorted(late, key=lambda c: c[1]):
        print(f"    {name:<48} {a:6.2f} → {f:6.2f}")
    print("  long tasks (start s, ms):", ", ".join(f"{s / 1000:.2f} {d:.0f}" for s, d in tasks))
    nodes = {n["id"]: n for n in profile["nodes"]}
    by_script: collections.Counter[str] = collections.Counter()
    for sample, delta in zip(profile["samples"], profile["timeDeltas"], strict=True):
        frame = nodes[sample]["callFrame"]
        by_script[frame["url"].rsplit("/", 1)[-1] or frame["functionName"]] += delta / 1000
    busy = sum(ms for name, ms in by_script.items() if name != "(idle)")
    top = ", ".join(f"{name} {ms:.0f}" for name, ms in by_script.most_common(12) if name != "(idle)")
    print(f"  main thread busy {busy:.0f} ms: {top}")
    counted = collections.Counter(elements)
    print(f"  elements: {len(elements)}:", ", ".join(f"{k} ×{v}" for k, v in sorted(counted.items())))


async def run(args: argparse.Namespace) -> None:
    from playwright.async_api import async_playwright

    names = set(args.only.split(","))
    cases = [c for c in CASES if c.name in names]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    servers: dict[str, tuple[Any, str]] = {}
    try:
        for server in {c.server for c in cases}:
            if server == "app" and args.app:
                servers[server] = start_app(bench_env(), "app.py", cwd=args.app)
            else:
                servers[server] = start_app(bench_env(), SCRIPTS[server])
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            for case in cases:  # a first view warms the server up (its caches, the first script run) and is not shown
                await settled_view(browser, servers[case.server][1], case)
            for _ in range(args.views):
                for case in cases:
                    await asyncio.sleep(1.0)
                    await one_view(browser, servers[case.server][1], case)
            await browser.close()
    finally:
        for proc, _url in servers.values():
            proc.terminate()
            proc.wait(timeout=20)


async def settled_view(browser: Any, url: str, case: Case) -> None:
    context = await browser.new_context()
    await context.add_init_script(PROBE.replace("PAINTED", case.painted))
    page = await context.new_page()
    await page.goto(url + case.path)
    await settled(page)
    await context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="flows,five-node Sankey", help="comma-separated case names of paint.py")
    parser.add_argument("--views", type=int, default=2, help="views of each case, after one warm-up view")
    parser.add_argument("--app", type=Path, help="another checkout of the app to break down instead of this one")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
