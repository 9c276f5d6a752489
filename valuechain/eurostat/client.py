"""Eurostat's dissemination API over plain HTTP: data as SDMX-CSV 2.0, the last update from the dataflow.

Plain `urllib` rather than a client library: the explorer needs two requests (an SDMX 3.0 `csvdata` data
query and an SDMX 2.1 dataflow query), its reader already parses SDMX-CSV (valuechain.ingest), and the
parts a library would hide (request splitting, the disk cache, 429 and asynchronous answers) must report
progress and speak to the user here anyway. No extra dependency, and tests point the base URL
(`VALUECHAIN_EUROSTAT_URL`) at a loopback server.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

DEFAULT_URL = "https://ec.europa.eu/eurostat/api/dissemination"
TIMEOUT_S = 60
GEO_PER_REQUEST = 40  # region codes per data request: keeps URLs short and answers below the async limit
MAX_RETRIES = 4  # for 429 "too many requests" and for asynchronous answers that are not ready yet
RETRY_WAIT_S = 5.0
MAX_WAIT_S = 60.0
_DEFAULT_CACHE = Path(__file__).resolve().parent.parent.parent / "var" / "cache"
_SDMX21 = {
    "c": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common",
    "s": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure",
}
Progress = Callable[[int, int, str], None]  # done, total, what


class EurostatError(RuntimeError):
    """A request Eurostat did not answer with data; the message says what to do."""


class EurostatOffline(EurostatError):
    """Eurostat (or the configured URL) cannot be reached at all."""


def base_url() -> str:
    return (os.environ.get("VALUECHAIN_EUROSTAT_URL", "").strip() or DEFAULT_URL).rstrip("/")


def cache_dir() -> Path:
    """Fetched answers are kept in `$VALUECHAIN_CACHE_DIR/eurostat` (default var/cache/eurostat)."""
    base = os.environ.get("VALUECHAIN_CACHE_DIR", "").strip()
    return (Path(base).expanduser() if base else _DEFAULT_CACHE) / "eurostat"


@dataclass(frozen=True)
class Query:
    """One dataset, its dimension filters (dimension → codes), the regions and the first year."""

    code: str
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    geo: tuple[str, ...] = ()
    since: int | None = None

    def url(self, geo: Sequence[str] | None = None) -> str:
        """The SDMX 3.0 data query (SDMX-CSV 2.0 with labels) for these regions (default: all of them)."""
        params: list[tuple[str, str]] = [(f"c[{dim}]", ",".join(codes)) for dim, codes in sorted(self.filters.items())]
        regions = self.geo if geo is None else tuple(geo)
        if regions:
            params.append(("c[geo]", ",".join(regions)))
        if self.since is not None:
            params.append(("c[TIME_PERIOD]", f"ge:{self.since}"))
        params += [("format", "csvdata"), ("formatVersion", "2.0"), ("labels", "name"), ("compress", "false")]
        query = urllib.parse.urlencode(params, safe=",:[]")
        return f"{base_url()}/sdmx/3.0/data/dataflow/ESTAT/{self.code.upper()}/1.0/*?{query}"


@dataclass(frozen=True)
class Fetched:
    """The answer to a query: SDMX-CSV text (the parts of a split request joined), and where it came from."""

    code: str
    text: bytes
    urls: tuple[str, ...]
    fetched_at: datetime
    from_cache: bool

    @property
    def url(self) -> str:
        return self.urls[0] if len(self.urls) == 1 else f"{self.urls[0]} (+{len(self.urls) - 1} more parts)"


def fetch(
    query: Query,
    *,
    refresh: bool = False,
    progress: Progress | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Fetched:
    """The data of a query, in parts of GEO_PER_REQUEST regions; each part is cached on disk by its URL."""
    parts = [query.geo[i : i + GEO_PER_REQUEST] for i in range(0, len(query.geo), GEO_PER_REQUEST)] or [()]
    urls = [query.url(p) if p else query.url() for p in parts]
    header: bytes | None = None
    bodies: list[bytes] = []
    cached_all = True
    times: list[datetime] = []
    for i, url in enumerate(urls):
        if progress is not None:
            progress(i, len(urls), f"{query.code}: part {i + 1} of {len(urls)}")
        text, stamp, cached = _cached_get(url, refresh=refresh, sleep=sleep)
        cached_all &= cached
        times.append(stamp)
        first, _, rest = text.partition(b"\n")
        if not first.strip():
            continue
        if header is None:
            header = first
        elif first.strip() != header.strip():
            raise EurostatError(f"The parts of {query.code} came back with different columns; try again.")
        if rest.strip():
            bodies.append(rest if rest.endswith(b"\n") else rest + b"\n")
    if progress is not None:
        progress(len(urls), len(urls), f"{query.code}: fetched")
    if header is None or not bodies:
        raise EurostatError(
            f"Eurostat has no data for {query.code} with these filters, regions and years: widen the choice."
        )
    return Fetched(query.code, header + b"\n" + b"".join(bodies), tuple(urls), min(times), cached_all)


def last_update(code: str, *, sleep: Callable[[float], None] = time.sleep) -> str:
    """Eurostat's last update of a dataset (ISO 8601), from the UPDATE_DATA annotation of its dataflow."""
    url = f"{base_url()}/sdmx/2.1/dataflow/ESTAT/{code.upper()}/latest?detail=allstubs"
    return parse_last_update(_get(url, sleep=sleep))


def parse_last_update(xml: bytes) -> str:
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise EurostatError(f"Eurostat's dataflow answer could not be read ({exc}).") from exc
    for annotation in root.iter(f"{{{_SDMX21['c']}}}Annotation"):
        kind = annotation.findtext("c:AnnotationType", namespaces=_SDMX21)
        if kind == "UPDATE_DATA":
            return (annotation.findtext("c:AnnotationTitle", namespaces=_SDMX21) or "").strip()
    return ""


def dataflow_title(xml: bytes) -> str:
    """The English name of a dataflow, from the same answer."""
    root = ET.fromstring(xml)
    for name in root.iter(f"{{{_SDMX21['c']}}}Name"):
        if name.get("{http://www.w3.org/XML/1998/namespace}lang") == "en":
            return (name.text or "").strip()
    return ""


# --- HTTP, cache, retries -------------------------------------------------------------------------------------


def _cached_get(url: str, *, refresh: bool, sleep: Callable[[float], None]) -> tuple[bytes, datetime, bool]:
    path = cache_dir() / f"{hashlib.sha256(url.encode()).hexdigest()[:32]}.csv"
    if path.exists() and not refresh:
        return path.read_bytes(), datetime.fromtimestamp(path.stat().st_mtime, UTC), True
    text = _get(url, sleep=sleep)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(text)
    tmp.replace(path)
    return text, datetime.now(UTC), False


def _get(url: str, *, sleep: Callable[[float], None]) -> bytes:
    """GET with bounded retries: 429 waits Retry-After (at most MAX_WAIT_S); an asynchronous answer is polled."""
    for attempt in range(MAX_RETRIES + 1):
        try:
            request = urllib.request.Request(url, headers={"User-Agent": "bsr-s3-valuechain-explorer"})
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                body = response.read()
        except urllib.error.HTTPError as exc:
            if exc.code in (429, 503) and attempt < MAX_RETRIES:
                sleep(_retry_after(exc.headers.get("Retry-After"), attempt))
                continue
            if exc.code in (429, 503):
                raise EurostatError(
                    f"Eurostat asks to slow down (HTTP {exc.code}) and still did after {MAX_RETRIES} retries: "
                    "wait a few minutes and run the same load again (what was fetched is kept in the cache)."
                ) from exc
            if exc.code == 404:
                raise EurostatError(
                    "Eurostat does not know this dataset or one of the codes asked for (HTTP 404): check the "
                    "dataset code in Eurostat's data browser and the filter codes."
                ) from exc
            detail = exc.read()[:300].decode("utf-8", "replace").strip()
            raise EurostatError(f"Eurostat answered HTTP {exc.code}: {detail or exc.reason}") from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            raise EurostatOffline(
                f"Eurostat cannot be reached at {base_url()} ({reason}). Check the internet connection (and a "
                "proxy, if your network needs one), then try again. Without internet: download the dataset as "
                "SDMX-CSV from Eurostat's data browser on another machine and load it on the Upload tab."
            ) from exc
        key = async_key(body)
        if key is None:
            return body
        if attempt < MAX_RETRIES:
            sleep(_retry_after(None, attempt))
            url = f"{base_url()}/1.0/async/data/{key}"
            continue
    raise EurostatError(
        f"Eurostat is still preparing this extraction (asynchronous request {key}) after {MAX_RETRIES} tries: "
        "try again in a few minutes, or narrow the request (fewer regions, years or codes)."
    )


def async_key(body: bytes) -> str | None:
    """The key of Eurostat's asynchronous answer ("data not yet ready"), or None for an ordinary answer.

    Large extractions are answered with an SDMX message whose footer carries code 413 and a key; the data
    is then fetched from `1.0/async/data/{key}` once ready.
    """
    head = body[:4000]
    if b"Footer" not in head or b"413" not in head:
        return None
    match = re.search(rb"<[^>]*Text[^>]*>\s*([0-9a-fA-F-]{16,})\s*</", head)
    return match.group(1).decode() if match else None


def _retry_after(header: str | None, attempt: int) -> float:
    try:
        wait = float(header) if header else RETRY_WAIT_S * 2**attempt
    except ValueError:
        wait = RETRY_WAIT_S * 2**attempt
    return min(max(wait, 0.0), MAX_WAIT_S)
