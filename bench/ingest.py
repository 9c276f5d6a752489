"""Ingest of a 1M-row observations CSV: time as a ratio to plain pandas.read_csv of the same file in the same
run, and to the peer an analyst team would write instead (read_csv plus a pandera DataFrameSchema with the same
checks, lazy; target: ingest ≤ 0.7× the peer), and peak memory of each, measured in fresh processes.

- pandas.read_csv: `pd.read_csv(path)` with pandas' defaults, the baseline;
- ingest: what the Data page does before the commit button — read (encoding check, pyarrow parse of the
  uploaded bytes), column mapping, every check of the schema and of ingest (references, duplicates,
  ranges, flags, markup) and the preview against an empty store;
- commit: storing the checked rows as a new version in a fresh DuckDB file (and PostgreSQL when
  VALUECHAIN_TEST_PG_URL is set), reported separately, also as a ratio to read_csv;
- two floors, without any check: pyarrow parsing every cell as text (as ingest does), and that plus the
  dictionary encoding of the text columns and the cast of the numbers, the least work any ingest must do to
  check references and duplicate keys once per distinct value. They show how much of the time is checking.

Peak memory is each step's peak resident set size in a fresh process minus that process's size after its
imports, so what the step itself holds (the upload's bytes included for ingest, as Streamlit holds them).

Wall-clock time and CPU time (every thread of the process) are printed for the same rounds: on a shared machine
the wall clock also holds the time other processes ran, while the CPU time is the step's own work (pyarrow parses
in threads, so ingest's CPU time may exceed its wall-clock time on an idle machine; pandas and pandera use one).

Run: .venv/bin/python bench/ingest.py [--rows N] [--rounds R] [--profile]   (prints numbers; no pass/fail)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from common import REPO, report

sys.path.insert(0, str(REPO))

from valuechain import demo, ingest
from valuechain.store import SYSTEM, DuckDBBackend, Load, PostgresBackend, Store


def write_csv(path: Path, rows: int) -> None:
    """Valid observations: programme-area NUTS-2/3 regions × every sector × 5 indicators × years, cut to `rows`."""
    defs = demo.load_definitions()
    regions = defs["regions"].query("bsr == True and level >= 2")["nuts_id"].to_numpy()
    sectors = defs["sectors"]["nace"].to_numpy()
    indicators = defs["indicators"]["indicator_id"].to_numpy()
    per_year = len(regions) * len(sectors) * len(indicators)
    years = np.arange(2000, 2000 + -(-rows // per_year))
    i = np.arange(rows)
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "region_id": regions[i % len(regions)],
            "sector": sectors[(i // len(regions)) % len(sectors)],
            "indicator": indicators[(i // (len(regions) * len(sectors))) % len(indicators)],
            "year": years[i // per_year],
            "value": rng.gamma(2.0, 500.0, rows).round(1),
            "unit": "persons",
            "source": "bench: synthetic observations",
            "flag": np.where(rng.random(rows) < 0.05, "p", ""),
        }
    )
    frame.to_csv(path, index=False)


def step(name: str, path: Path) -> None:
    """One measured step in this (fresh) process; prints seconds and the peak resident size it added, sampled
    every 2 ms (ru_maxrss would include the imports' own peak)."""
    base = _rss_now()
    peak = [base]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _rss_now())
            time.sleep(0.002)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.perf_counter()
    if name == "pandas":
        result = pd.read_csv(path)
    else:
        result = _ingest(path.read_bytes())
        assert result.ok, result.report.errors.head()
    seconds = time.perf_counter() - t0
    done.set()
    sampler.join()
    peak[0] = max(peak[0], _rss_now())
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mb": (peak[0] - base) / 1e6,
                "rows": len(result if name == "pandas" else result.rows),
            }
        )
    )


def _rss_now() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


_CONTEXT: ingest.Context | None = None


def _ingest(data: bytes) -> ingest.Checked:
    global _CONTEXT
    if _CONTEXT is None:
        _CONTEXT = ingest.Context.from_frames(demo.load_definitions(), "observations")
    parsed = ingest.read(data, "observations.csv")
    mapping = ingest.auto_map(parsed, "observations")
    return ingest.check(parsed, "observations", mapping, _CONTEXT, dataset="Bench")


TEXT_COLUMNS = ("region_id", "sector", "indicator", "unit", "source", "flag")


_PEER: object | None = None


def pandera_peer(path: Path) -> pd.DataFrame:
    """What an analyst team would write instead: pandas.read_csv plus a pandera DataFrameSchema with the same
    checks (known regions, sectors and indicators by `isin`, year range, types, flags, unique key), lazy so that
    every failure is collected, as ingest's report does."""
    global _PEER
    import pandera.pandas as pa_schema

    if _PEER is None:
        defs = demo.load_definitions()
        known = {
            "region_id": list(defs["regions"]["nuts_id"]),
            "sector": list(defs["sectors"]["nace"]),
            "indicator": list(defs["indicators"]["indicator_id"]),
        }
        flags = "".join(ingest.FLAGS)
        _PEER = pa_schema.DataFrameSchema(
            {
                **{c: pa_schema.Column(str, pa_schema.Check.isin(v)) for c, v in known.items()},
                "year": pa_schema.Column(int, pa_schema.Check.in_range(1990, 2100)),
                "value": pa_schema.Column(float, pa_schema.Check.less_than_or_equal_to(1e15)),
                "unit": pa_schema.Column(str),
                "source": pa_schema.Column(str, pa_schema.Check.str_length(max_value=2000)),
                "flag": pa_schema.Column(str, pa_schema.Check.str_matches(f"^[{flags}]*$"), nullable=True),
            },
            unique=["region_id", "sector", "indicator", "year"],
            strict=False,
        )
    frame = pd.read_csv(path, dtype={"flag": str})
    try:
        return _PEER.validate(frame, lazy=True)  # type: ignore[attr-defined]
    except pa_schema.errors.SchemaErrors as exc:
        return exc.failure_cases


def parse_as_text(data: bytes) -> pa.Table:
    names = data[: data.index(b"\n")].decode().strip().split(",")
    return pacsv.read_csv(
        pa.py_buffer(data),
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 20),
        convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=False),
    )


def parse_encode_cast(data: bytes) -> None:
    table = parse_as_text(data)
    with ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:
        list(pool.map(lambda c: pc.dictionary_encode(table[c].combine_chunks()), TEXT_COLUMNS))
    pc.cast(table["value"], pa.float64())
    pc.cast(table["year"], pa.int64())


def interleaved_medians(
    steps: dict[str, Callable[[], object]], rounds: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Median wall-clock seconds and median CPU seconds (this process, every thread) of each step over `rounds`
    rounds, each round running every step once in turn. On a shared machine the wall clock includes the time
    other people's processes ran; the CPU time is the work the step itself did."""
    for fn in steps.values():
        fn()
    wall: dict[str, list[float]] = {name: [] for name in steps}
    cpu: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(rounds):
        for name, fn in steps.items():
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            wall[name].append(time.perf_counter() - t0)
            cpu[name].append(time.process_time() - c0)
    return (
        {name: statistics.median(values) for name, values in wall.items()},
        {name: statistics.median(values) for name, values in cpu.items()},
    )


def in_fresh_process(name: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--step", name, str(path)], capture_output=True, text=True, check=True, cwd=REPO
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def commit_seconds(checked: ingest.Checked, fresh: Callable[[], tuple[Store, Callable[[], None]]]) -> float:
    """Median time to store the checked rows as a new version in a fresh store (created and dropped untimed)."""
    times = []
    for _ in range(3):
        store, drop = fresh()
        try:
            t0 = time.perf_counter()
            store.commit_loads([Load("observations", checked.rows, "Bench", take_over=True)], who=SYSTEM)
            times.append(time.perf_counter() - t0)
        finally:
            store.close()
            drop()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds (the median is printed)")
    parser.add_argument("--profile", action="store_true", help="print where ingest's CPU time goes, then stop")
    parser.add_argument("--step", nargs=2, metavar=("NAME", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        step(args.step[0], Path(args.step[1]))
        return
    folder = Path(tempfile.mkdtemp(prefix="valuechain-bench-ingest-"))
    path = folder / "observations.csv"
    write_csv(path, args.rows)
    data = path.read_bytes()
    print(f"{args.rows:,} observations, {len(data) / 1e6:.1f} MB CSV; load average {_load()} at the start")
    if args.profile:
        profile(data)
        return
    steps: dict[str, Callable[[], object]] = {
        "pandas.read_csv (baseline)": lambda: pd.read_csv(path),
        "peer: read_csv + pandera schema, same checks": lambda: pandera_peer(path),
        "ingest: read + map + check + preview": lambda: _ingest(data),
        "  of which read (parse, encodings, cell checks)": lambda: ingest.read(data, "observations.csv"),
        "floor: pyarrow parse as text, no check": lambda: parse_as_text(data),
        "floor: + encode text columns, cast numbers": lambda: parse_encode_cast(data),
    }
    seconds, cpu = interleaved_medians(steps, rounds=args.rounds)
    baseline = seconds["pandas.read_csv (baseline)"]
    print(
        f"Time, median of {args.rounds} rounds that each run every step once (after one warm-up), so drift hits "
        "all alike:"
    )
    for name, value in seconds.items():
        report(name, value, "read_csv", baseline)
    peer_name, ingest_name = "peer: read_csv + pandera schema, same checks", "ingest: read + map + check + preview"
    report("ingest (read + map + check + preview)", seconds[ingest_name], "peer", seconds[peer_name])
    print("CPU time of the same rounds (every thread of this process; what the step did, whoever else ran):")
    for name, value in cpu.items():
        report(name, value, "read_csv", cpu["pandas.read_csv (baseline)"])
    report("ingest (read + map + check + preview), CPU", cpu[ingest_name], "peer", cpu[peer_name])
    print(f"load average {_load()} after the rounds (the machine may be shared: the ratios are what compares)")
    checked = _ingest(data)
    duck = commit_seconds(checked, lambda: _fresh_duckdb(folder))
    report("commit into a fresh DuckDB file", duck, "read_csv", baseline)
    pg = os.environ.get("VALUECHAIN_TEST_PG_URL", "")
    if pg:
        report("commit into PostgreSQL (COPY)", commit_seconds(checked, lambda: _fresh_pg(pg)), "read_csv", baseline)
    del checked
    print("Peak memory above the process's size after imports, in a fresh process each:")
    mem = {name: in_fresh_process(name, path) for name in ("pandas", "ingest")}
    for name, label in (("pandas", "pandas.read_csv (baseline)"), ("ingest", "ingest (with the upload's bytes)")):
        ratio = mem[name]["peak_mb"] / mem["pandas"]["peak_mb"]
        print(f"{label:<48} {mem[name]['peak_mb']:9.0f} MB   {ratio:6.2f} × read_csv")


def profile(data: bytes, runs: int = 3) -> None:
    """CPU time of ingest's own functions (cumulative, per ingest), by cProfile on the process clock, so that other
    people's processes on a shared machine do not count."""
    import cProfile
    import pstats

    _ingest(data)
    profiler = cProfile.Profile(time.process_time)
    for _ in range(runs):
        profiler.enable()
        _ingest(data)
        profiler.disable()
    stats = pstats.Stats(profiler)
    rows = [
        (cumulative / runs, f"{Path(file).parent.name}/{Path(file).name}:{name}")
        for (file, _, name), (_, _, _, cumulative, _) in stats.stats.items()  # type: ignore[attr-defined]
        if "/valuechain/" in file
    ]
    print(f"CPU ms per ingest (cumulative, cProfile's overhead included), mean of {runs}:")
    for seconds, where in sorted(rows, reverse=True)[:30]:
        print(f"{seconds * 1000:9.1f}  {where}")


def _load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def _fresh_duckdb(folder: Path) -> tuple[Store, Callable[[], None]]:
    path = folder / f"bench-{time.monotonic_ns()}.duckdb"
    return Store(DuckDBBackend(path)), lambda: path.unlink(missing_ok=True)


def _fresh_pg(url: str) -> tuple[Store, Callable[[], None]]:
    import uuid

    import psycopg

    name = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")

    def drop() -> None:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    return Store(PostgresBackend(url.rsplit("/", 1)[0] + f"/{name}")), drop


if __name__ == "__main__":
    main()
