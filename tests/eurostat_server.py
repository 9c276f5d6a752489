"""A loopback stand-in for Eurostat's dissemination API that serves REAL recorded answers.

Data queries (`/sdmx/3.0/data/dataflow/ESTAT/{CODE}/1.0/*?c[dim]=…`) are answered with the lines of the
recorded SDMX-CSV answer in tests/fixtures/eurostat/{CODE}.csv that match the filters, unchanged, as Eurostat
filters its answers. Dataflow queries (`/sdmx/2.1/dataflow/ESTAT/{CODE}/…`) are answered with the recorded
SDMX-ML dataflow message of GOV_10Q_GGNFA, whose id and UPDATE_DATA date are set to the code asked for and to the
recording's own last update (SDMX-CSV 1.0 answers carry one) or a date a test asks for (the only edits; see
tests/fixtures/eurostat/README.md). Switches make it fail, rate-limit or answer
asynchronously, as Eurostat does.
"""

from __future__ import annotations

import csv
import io
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest

from valuechain.eurostat import catalogue, client

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "eurostat"
RECORDED_UPDATE = "2023-01-23T11:00:00+0100"  # the UPDATE_DATA date in the recorded dataflow message
ASYNC_KEY = "4f1c9b2e-7d3a-4c55-9e0b-2a6f1d8c3b71"
# Eurostat's asynchronous answer (SDMX-ML 2.1 footer, code 413, the key), as the Asynchronous API guide shows it.
ASYNC_ANSWER = f"""<?xml version="1.0" encoding="UTF-8"?>
<message:StructureSpecificData xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
 xmlns:footer="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message/footer"
 xmlns:common="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common">
<footer:Footer><footer:Message code="413" severity="Infomation">
<common:Text>ASYNC_KEY</common:Text><common:Text>{ASYNC_KEY}</common:Text>
</footer:Message></footer:Footer></message:StructureSpecificData>
""".encode()


@dataclass
class Behaviour:
    """What the server does next: per dataset code a status to fail with, rate limits, asynchronous answers."""

    fail: dict[str, int] = field(default_factory=dict)  # CODE → HTTP status for its data queries
    rate_limit: int = 0  # answer this many requests with 429 first
    asynchronous: int = 0  # answer this many data queries with the asynchronous footer first
    updated: dict[str, str] = field(default_factory=dict)  # CODE → UPDATE_DATA date (default RECORDED_UPDATE)
    delay: float = 0.0  # seconds before each data answer (to watch progress in a browser)
    constructed: dict[str, bytes] = field(default_factory=dict)  # CODE → an answer a test wrote itself (made up,
    # never a recording: for datasets of which no real answer was found; the test says so where it builds one)
    requests: list[str] = field(default_factory=list)


def _answer(code: str, behaviour: Behaviour) -> bytes | None:
    """The whole answer of a dataset: the recording in FIXTURES, else what a test constructed, else none."""
    path = FIXTURES / f"{code}.csv"
    return path.read_bytes() if path.exists() else behaviour.constructed.get(code)


def _filtered(answer: bytes | None, query: dict[str, list[str]]) -> bytes | None:
    if answer is None:
        return None
    lines = answer.split(b"\n")
    header = next(csv.reader([lines[0].decode()]))
    wanted: dict[int, tuple[str, set[str]]] = {}
    for key, values in query.items():
        if key.startswith("c[") and key.endswith("]"):
            dim = key[2:-1]
            if dim not in header:
                return b""
            value = values[0]
            if value.startswith("ge:"):
                wanted[header.index(dim)] = ("ge", {value[3:]})
            else:
                wanted[header.index(dim)] = ("in", set(value.split(",")))
    out = [lines[0]]
    for line in lines[1:]:
        if not line.strip():
            continue
        row = next(csv.reader(io.StringIO(line.decode())))
        ok = True
        for i, (kind, codes) in wanted.items():
            ok &= row[i] >= next(iter(codes)) if kind == "ge" else row[i] in codes
        if ok:
            out.append(line)
    return b"\n".join(out) + b"\n" if len(out) > 1 else b""


def recorded_update(code: str) -> str:
    """The last update a recording carries itself (SDMX-CSV 1.0 `LAST UPDATE`, dd/mm/yy hh:mm:ss), as Eurostat's
    dataflow gives it; recordings without one (and constructed answers) get the recorded dataflow message's date."""
    path = FIXTURES / f"{code}.csv"
    if not path.exists():
        return RECORDED_UPDATE
    with open(path, encoding="utf-8", newline="") as handle:
        first = next(csv.DictReader(handle), {})
    stamp = first.get("LAST UPDATE", "")
    if not stamp:
        return RECORDED_UPDATE
    day, clock = stamp.split(" ")
    d, m, y = day.split("/")
    return f"20{y}-{m}-{d}T{clock}+0200"


def _dataflow(code: str, updated: str) -> bytes:
    text = (FIXTURES / "dataflow_GOV_10Q_GGNFA.xml").read_text(encoding="utf-8")
    return text.replace("GOV_10Q_GGNFA", code).replace(RECORDED_UPDATE, updated).encode()


def _handler(behaviour: Behaviour) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet
            pass

        def _send(
            self, status: int, body: bytes, kind: str = "text/csv", headers: dict[str, str] | None = None
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            behaviour.requests.append(self.path)
            if behaviour.rate_limit > 0:
                behaviour.rate_limit -= 1
                self._send(429, b"Too many requests", "text/plain", {"Retry-After": "0"})
                return
            parsed = urllib.parse.urlsplit(self.path)
            parts = parsed.path.strip("/").split("/")
            query = urllib.parse.parse_qs(parsed.query)
            if parts[:5] == ["sdmx", "3.0", "data", "dataflow", "ESTAT"] and len(parts) >= 6:
                code = parts[5]
                if code in behaviour.fail:
                    self._send(behaviour.fail[code], b"Internal error", "text/plain")
                    return
                if behaviour.asynchronous > 0:
                    behaviour.asynchronous -= 1
                    behaviour.requests.append(f"async:{code}:{parsed.query}")
                    self._send(200, ASYNC_ANSWER, "application/xml")
                    return
                time.sleep(behaviour.delay)
                body = _filtered(_answer(code, behaviour), query)
                self._send(404, b"No such dataflow", "text/plain") if body is None else self._send(200, body)
                return
            if parts[:2] == ["1.0", "async"] and parts[-1] == ASYNC_KEY:
                if behaviour.asynchronous > 0:  # still not ready
                    behaviour.asynchronous -= 1
                    self._send(200, ASYNC_ANSWER, "application/xml")
                    return
                asked = next(r for r in reversed(behaviour.requests) if r.startswith("async:"))
                _, code, qs = asked.split(":", 2)
                self._send(200, _filtered(_answer(code, behaviour), urllib.parse.parse_qs(qs)) or b"")
                return
            if parts[:4] == ["sdmx", "2.1", "dataflow", "ESTAT"] and len(parts) >= 5:
                code = parts[4]
                if _answer(code, behaviour) is None:
                    self._send(404, b"No such dataflow", "text/plain")
                    return
                updated = behaviour.updated.get(code) or recorded_update(code)
                self._send(200, _dataflow(code, updated), "application/xml")
                return
            self._send(404, b"Not found", "text/plain")

    return Handler


@contextmanager
def serve() -> Iterator[tuple[str, Behaviour]]:
    """Start the server on a free loopback port; yields its base URL and the switches."""
    behaviour = Behaviour()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(behaviour))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", behaviour
    finally:
        server.shutdown()
        server.server_close()


def recorded_api(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Behaviour]:
    """The loopback server, a fresh cache, a catalogue whose starter set is the two recorded datasets."""
    frame = pd.read_csv(catalogue.CATALOGUE, dtype=str, keep_default_na=False)
    frame = frame[frame["entry_id"].isin(["gerd_pc_gdp", "gdp"])].iloc[::-1]  # GERD first, then GDP
    frame.to_csv(tmp_path / "catalogue.csv", index=False)
    monkeypatch.setenv("VALUECHAIN_EUROSTAT_CATALOGUE", str(tmp_path / "catalogue.csv"))
    monkeypatch.setenv("VALUECHAIN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(client, "RETRY_WAIT_S", 0.0)
    with serve() as (url, behaviour):
        monkeypatch.setenv("VALUECHAIN_EUROSTAT_URL", url)
        yield behaviour
