"""NUTS 2021 region boundaries for the Baltic Sea Region (BSR), from Eurostat GISCO.

The maps need NUTS polygons, but the GISCO files may not be redistributed freely with the app
(non-commercial licence, attribution required), so the app finds them at run time, first that works:

1. ``VALUECHAIN_GEO_DIR``: a folder with GISCO NUTS 2021 GeoJSON files (EPSG:4326), named either like
   the BSR cuts (``nuts2021_20m_4326_level{L}_bsr.geojson``, ``nuts2021_10m_4326_level{L}_bsr.geojson``,
   ``nuts2021_labelpoints_4326_bsr.geojson``) or as GISCO distributes them
   (``NUTS_RG_20M_2021_4326_LEVL_{L}.geojson``, ``NUTS_LB_2021_4326_LEVL_{L}.geojson``; the all-level
   files ``NUTS_RG_20M_2021_4326.geojson`` / ``NUTS_LB_2021_4326.geojson`` work too).
2. The cache ``$VALUECHAIN_CACHE_DIR/geo`` (default ``<repo>/var/cache/geo``): files this module
   downloaded earlier, already cut to the nine BSR countries.
3. A download from GISCO's official distribution (NUTS 2021, EPSG:4326, scale 1:20M by default)::

       https://gisco-services.ec.europa.eu/distribution/v2/nuts/geojson/NUTS_RG_{SCALE}_2021_4326_LEVL_{L}.geojson
       https://gisco-services.ec.europa.eu/distribution/v2/nuts/geojson/NUTS_LB_2021_4326_LEVL_{L}.geojson

   with SCALE in 01M, 03M, 10M, 20M, 60M and L the NUTS level 0-3. ``VALUECHAIN_GISCO_URL`` replaces the
   base URL (up to ``/geojson``), e.g. to point tests at a loopback server. The download is cut to the
   BSR countries and written atomically into the cache. A failed download is not retried for
   ``DOWNLOAD_RETRY_S`` seconds, so an offline app does not wait for the timeout on every rerun.
4. Otherwise ``BoundariesUnavailable`` is raised; its message says how to provide the files.

Every map must show ``ATTRIBUTION`` (GISCO licence condition). Functions read from disk on each call
and take small hashable arguments, so the UI can wrap them in ``st.cache_resource``.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike
from shapely.geometry.base import BaseGeometry

__all__ = [
    "ATTRIBUTION",
    "BSR_COUNTRIES",
    "BSR_DE_PREFIXES",
    "CAPTION",
    "FAR_NORTH",
    "GISCO_PAGE",
    "GISCO_URL",
    "SOURCE",
    "BoundariesUnavailable",
    "available",
    "boundaries",
    "boundary_source",
    "bounds",
    "cache_dir",
    "geojson",
    "in_programme_area",
    "initial_view",
    "label_points",
    "programme_area_outline",
]

ATTRIBUTION = "© EuroGeographics for the administrative boundaries"
SOURCE = "Eurostat GISCO, NUTS 2021"
CAPTION = f"Data source: GISCO – Eurostat (European Commission). {ATTRIBUTION}."
GISCO_URL = "https://gisco-services.ec.europa.eu/distribution/v2/nuts/geojson"
GISCO_PAGE = "https://ec.europa.eu/eurostat/web/gisco/geodata/statistical-units/territorial-units-statistics"
NUTS_YEAR = 2021
DEFAULT_SCALE = "20M"
SCALES = ("01M", "03M", "10M", "20M", "60M")
LEVELS = (0, 1, 2, 3)
DOWNLOAD_TIMEOUT_S = 20.0
DOWNLOAD_RETRY_S = 60.0
COORD_DECIMALS = 4  # ~10 m, far below a pixel at BSR zoom levels

BSR_COUNTRIES = ("DE", "DK", "EE", "FI", "LT", "LV", "NO", "PL", "SE")
# Northern German Länder in the Interreg BSR 2021-2027 programme area (NUTS-1 codes).
BSR_DE_PREFIXES = ("DE3", "DE4", "DE5", "DE6", "DE8", "DE9", "DEF")
# Svalbard & Jan Mayen reach 80.8°N and 8°W; leave them out when fitting the map.
FAR_NORTH = ("NO0B", "NO0B1", "NO0B2")

# Coverage-simplification tolerance (degrees, ~ sqrt of the largest removed triangle area) per scale
# and level 0..3. At ~1000 px across the BSR one pixel is ~0.03° of longitude, so these stay below a
# pixel while small level-3 regions (cities) keep their shape; the 1:20M data is already generalised.
_TOLERANCE = {
    "60M": (0.02, 0.015, 0.01, 0.005),
    "20M": (0.02, 0.015, 0.01, 0.005),
    "10M": (0.01, 0.008, 0.005, 0.003),
    "03M": (0.004, 0.003, 0.002, 0.001),
    "01M": (0.004, 0.003, 0.002, 0.001),
}

ORIGIN_GEO_DIR = "VALUECHAIN_GEO_DIR"
ORIGIN_CACHE = "cache"
ORIGIN_DOWNLOAD = "download"
ORIGIN_REPRESENTATIVE = "representative_point"

_DEFAULT_CACHE = Path(__file__).resolve().parent.parent / "var" / "cache"
_FAILED_DOWNLOADS: dict[str, tuple[float, str]] = {}  # url -> (monotonic time, error)


class BoundariesUnavailable(RuntimeError):
    """No NUTS boundaries could be found or downloaded; the message says what to do."""

    def __init__(self, message: str, tried: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.tried = tried


@dataclass(frozen=True)
class _Loaded:
    """Features of one file cut to one level and the BSR countries, plus where they came from."""

    records: tuple[dict[str, Any], ...]
    origin: str
    path: str


# --- programme area -----------------------------------------------------------------------------------


def in_programme_area(nuts_id: str) -> bool:
    """Whether a NUTS region lies in the Interreg BSR 2021-2027 programme area.

    Whole countries DK EE FI LT LV NO PL SE; in Germany only the seven northern Länder, and not DE
    itself, because Germany as a whole is only partly in the area.
    """
    code = str(nuts_id).strip().upper()
    country = code[:2]
    if len(code) < 2 or country not in BSR_COUNTRIES:
        return False
    if country == "DE":
        return len(code) > 2 and code.startswith(BSR_DE_PREFIXES)
    return True


# --- where the files are -----------------------------------------------------------------------------


def cache_dir() -> Path:
    """Folder where downloaded boundaries are kept (``$VALUECHAIN_CACHE_DIR/geo``)."""
    base = os.environ.get("VALUECHAIN_CACHE_DIR", "").strip()
    return (Path(base).expanduser() if base else _DEFAULT_CACHE) / "geo"


def _check_level(level: int) -> int:
    if isinstance(level, bool) or int(level) != level or int(level) not in LEVELS:
        raise ValueError(f"NUTS level must be one of {LEVELS}, not {level!r}")
    return int(level)


def _check_scale(scale: str) -> str:
    s = str(scale).strip().upper()
    if s not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, not {scale!r}")
    return s


def _gisco_name(kind: str, level: int, scale: str) -> str:
    """File name in GISCO's distribution; kind is RG (regions) or LB (label points)."""
    if kind == "RG":
        return f"NUTS_RG_{scale}_{NUTS_YEAR}_4326_LEVL_{level}.geojson"
    return f"NUTS_LB_{NUTS_YEAR}_4326_LEVL_{level}.geojson"


def _dir_names(kind: str, level: int, scale: str) -> tuple[str, ...]:
    """Accepted names in VALUECHAIN_GEO_DIR, preferred first."""
    if kind == "RG":
        return (
            f"nuts{NUTS_YEAR}_{scale.lower()}_4326_level{level}_bsr.geojson",
            _gisco_name(kind, level, scale),
            f"NUTS_RG_{scale}_{NUTS_YEAR}_4326.geojson",
        )
    return (
        f"nuts{NUTS_YEAR}_labelpoints_4326_bsr.geojson",
        _gisco_name(kind, level, scale),
        f"NUTS_LB_{NUTS_YEAR}_4326.geojson",
    )


def _cache_file(kind: str, level: int, scale: str) -> Path:
    return cache_dir() / _gisco_name(kind, level, scale).replace(".geojson", "_bsr.geojson")


def _gisco_url(kind: str, level: int, scale: str) -> str:
    base = os.environ.get("VALUECHAIN_GISCO_URL", "").strip() or GISCO_URL
    return f"{base.rstrip('/')}/{_gisco_name(kind, level, scale)}"


# --- reading ------------------------------------------------------------------------------------------


def _bsr_features(collection: Any, level: int, kind: str) -> list[dict[str, Any]]:
    """Features of one NUTS level in the nine BSR countries (GISCO files cover all of Europe)."""
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise ValueError("not a GeoJSON FeatureCollection")
    features = collection.get("features")
    if not isinstance(features, list):
        raise ValueError("FeatureCollection without a features list")
    wanted = ("Polygon", "MultiPolygon") if kind == "RG" else ("Point",)
    kept = []
    for f in features:
        props = (f or {}).get("properties") or {}
        nuts_id = str(props.get("NUTS_ID") or f.get("id") or "").strip().upper()
        country = str(props.get("CNTR_CODE") or nuts_id[:2]).upper()
        lvl = props.get("LEVL_CODE")
        lvl = len(nuts_id) - 2 if lvl is None else int(lvl)
        geom = f.get("geometry") or {}
        if nuts_id and country in BSR_COUNTRIES and lvl == level and geom.get("type") in wanted:
            kept.append(f)
    if not kept:
        raise ValueError(
            f"no NUTS level {level} {'regions' if kind == 'RG' else 'label points'} of the BSR countries in it"
        )
    return kept


def _record(feature: dict[str, Any], level: int) -> dict[str, Any]:
    props = feature.get("properties") or {}
    nuts_id = str(props.get("NUTS_ID") or feature.get("id")).strip().upper()
    return {
        "nuts_id": nuts_id,
        "name": str(props.get("NAME_LATN") or props.get("NUTS_NAME") or nuts_id),
        "country": str(props.get("CNTR_CODE") or nuts_id[:2]).upper(),
        "level": level,
        "bsr": in_programme_area(nuts_id),  # from the rule, so GISCO's own files (no flag) work too
        "geometry": feature["geometry"],
    }


def _records(features: list[dict[str, Any]], level: int) -> tuple[dict[str, Any], ...]:
    """Normalised, de-duplicated records sorted by NUTS code."""
    by_id: dict[str, dict[str, Any]] = {}
    for f in features:
        rec = _record(f, level)
        by_id.setdefault(rec["nuts_id"], rec)
    return tuple(by_id[k] for k in sorted(by_id))


_READ: dict[tuple[str, int, str], tuple[tuple[int, int], tuple[dict[str, Any], ...]]] = {}
_SIMPLIFIED: dict[tuple[int, str, bool], tuple[tuple[dict[str, Any], ...], gpd.GeoDataFrame]] = {}
_GEOJSON: dict[tuple[int, str, bool], tuple[gpd.GeoDataFrame, dict[str, Any]]] = {}


def _read(path: Path, level: int, kind: str) -> tuple[dict[str, Any], ...]:
    """The file's records, read again only when the file changed (pages ask on every rerun)."""
    stat = path.stat()
    version = (stat.st_mtime_ns, stat.st_size)
    known = _READ.get((str(path), level, kind))
    if known is None or known[0] != version:
        known = version, _records(_bsr_features(json.loads(path.read_bytes()), level, kind), level)
        _READ[(str(path), level, kind)] = known
    return known[1]


def _write_atomic(path: Path, data: dict[str, Any]) -> None:
    """Write JSON via temp file + rename, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, separators=(",", ":"))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _download(kind: str, level: int, scale: str, dest: Path) -> tuple[list[dict[str, Any]], str]:
    """Fetch one GISCO file, cut it to the BSR and cache it; returns features and where they are kept."""
    url = _gisco_url(kind, level, scale)
    failed = _FAILED_DOWNLOADS.get(url)
    if failed and time.monotonic() - failed[0] < DOWNLOAD_RETRY_S:
        raise OSError(f"{failed[1]} (not retried for {DOWNLOAD_RETRY_S:.0f} s)")
    try:
        request = urllib.request.Request(url, headers={"User-Agent": "bsr-s3-valuechain-explorer"})
        with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT_S) as response:
            body = response.read()
        features = _bsr_features(json.loads(body), level, kind)
    except (OSError, ValueError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", None) or exc
        _FAILED_DOWNLOADS[url] = (time.monotonic(), f"{type(exc).__name__}: {reason}")
        raise OSError(f"{type(exc).__name__}: {reason}") from exc
    _FAILED_DOWNLOADS.pop(url, None)
    collection = {
        "type": "FeatureCollection",
        "name": dest.stem,
        "source": url,
        "attribution": ATTRIBUTION,
        "features": features,
    }
    try:
        _write_atomic(dest, collection)
    except OSError:
        return features, url  # read-only disk: still usable for this call
    return features, str(dest)


def _load(kind: str, level: int, scale: str) -> _Loaded:
    """Find one level of boundaries (RG) or label points (LB): geo dir, then cache, then download."""
    tried: list[str] = []
    geo_dir = os.environ.get("VALUECHAIN_GEO_DIR", "").strip()
    if geo_dir:
        folder = Path(geo_dir).expanduser()
        names = _dir_names(kind, level, scale)
        if not folder.is_dir():
            tried.append(f"VALUECHAIN_GEO_DIR={folder} is not a folder")
        elif not any((folder / n).is_file() for n in names):
            tried.append(f"VALUECHAIN_GEO_DIR={folder} has no {' or '.join(names)}")
        for name in names:
            path = folder / name
            if path.is_file():
                try:
                    return _Loaded(_read(path, level, kind), ORIGIN_GEO_DIR, str(path))
                except (OSError, ValueError) as exc:
                    tried.append(f"{path} is unusable ({exc})")
    else:
        tried.append("VALUECHAIN_GEO_DIR is not set")

    cached = _cache_file(kind, level, scale)
    if cached.is_file():
        try:
            return _Loaded(_read(cached, level, kind), ORIGIN_CACHE, str(cached))
        except (OSError, ValueError) as exc:
            tried.append(f"cached {cached} is unusable ({exc})")
    else:
        tried.append(f"no cached {cached}")

    try:
        features, where = _download(kind, level, scale, cached)
        return _Loaded(_records(features, level), ORIGIN_DOWNLOAD, where)
    except OSError as exc:
        tried.append(f"download of {_gisco_url(kind, level, scale)} failed ({exc})")
    raise BoundariesUnavailable(_unavailable_message(level, scale, tried), tuple(tried))


def _unavailable_message(level: int, scale: str, tried: list[str]) -> str:
    rg = _dir_names("RG", level, scale)
    lb = _dir_names("LB", level, scale)
    return (
        f"NUTS {NUTS_YEAR} boundaries (level {level}, scale 1:{scale}) are not available. "
        f"Tried: {'; '.join(tried)}. "
        f"To fix this, set VALUECHAIN_GEO_DIR to a folder with the GISCO NUTS {NUTS_YEAR} GeoJSON files in "
        f"EPSG:4326 (named {rg[0]} or {rg[1]}, and {lb[0]} or {lb[1]} for label points), or run the app once "
        f"with internet access so it downloads them from GISCO into the cache {cache_dir()} "
        f"(VALUECHAIN_CACHE_DIR moves it). The files are on the GISCO download page: {GISCO_PAGE}"
    )


def _describe(loaded: _Loaded, scale: str | None) -> str:
    where = {
        ORIGIN_GEO_DIR: "from VALUECHAIN_GEO_DIR",
        ORIGIN_CACHE: "from the local cache",
        ORIGIN_DOWNLOAD: "downloaded from GISCO",
        ORIGIN_REPRESENTATIVE: "computed from polygons",
    }[loaded.origin]
    what = f"1:{scale}, " if scale else ""
    return f"{SOURCE}, {what}EPSG:4326, {where}: {loaded.path}"


# --- geometry -----------------------------------------------------------------------------------------


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Keep only the polygon parts (make_valid can add stray lines or points)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _round(geoms: np.ndarray) -> np.ndarray:
    return shapely.transform(geoms, lambda xy: np.round(xy, COORD_DECIMALS))


def _web_geometries(geoms: np.ndarray, tolerance: float) -> np.ndarray:
    """Simplify for the web, keeping shared borders shared, round, repair and orient clockwise.

    Coverage simplification treats the regions as one mesh, so neighbours stay gap- and overlap-free
    (plain per-polygon simplification would open slivers along borders). Outer rings end up clockwise
    as in GISCO's files, which d3/plotly geo maps need; deck.gl and MapLibre accept either order.
    """
    geoms = np.array([g if g.is_valid else _polygonal(shapely.make_valid(g)) for g in geoms], dtype=object)
    try:
        simple = shapely.coverage_simplify(geoms, tolerance)
    except (shapely.errors.GEOSException, ValueError, AttributeError):
        simple = shapely.simplify(geoms, tolerance, preserve_topology=True)
    simple = np.where(shapely.is_empty(simple), geoms, simple)
    out = _round(simple)
    bad = ~shapely.is_valid(out)
    if bad.any():  # rounding can make a narrow spot touch itself: snap with noding instead
        out[bad] = _round(shapely.set_precision(simple[bad], 10.0**-COORD_DECIMALS))
    out[~shapely.is_valid(out)] = [_polygonal(shapely.make_valid(g)) for g in out[~shapely.is_valid(out)]]
    return shapely.orient_polygons(out, exterior_cw=True)


def boundaries(level: int, *, scale: str = DEFAULT_SCALE, programme_area_only: bool = True) -> gpd.GeoDataFrame:
    """NUTS 2021 regions of one level as a GeoDataFrame ready for web maps (EPSG:4326).

    Columns nuts_id, name (Latin script), country, level, bsr (in the programme area), geometry;
    sorted by nuts_id. Polygons are simplified per level and scale and rounded to 4 decimals. Where
    the data came from is in ``attrs``: origin (VALUECHAIN_GEO_DIR, cache or download), source_path,
    source, attribution, scale, simplify_tolerance.
    """
    level, scale = _check_level(level), _check_scale(scale)
    loaded = _load("RG", level, scale)
    known = _SIMPLIFIED.get((level, scale, programme_area_only))
    if known is not None and known[0] is loaded.records:  # the same file version: simplified once per process
        return known[1].copy()
    tolerance = _TOLERANCE[scale][level]
    geoms = np.array([shapely.geometry.shape(r["geometry"]) for r in loaded.records], dtype=object)
    frame = pd.DataFrame([{k: v for k, v in r.items() if k != "geometry"} for r in loaded.records])
    gdf = gpd.GeoDataFrame(frame, geometry=_web_geometries(geoms, tolerance), crs="EPSG:4326")
    gdf["level"] = gdf["level"].astype("int64")
    gdf["bsr"] = gdf["bsr"].astype(bool)
    if programme_area_only:
        gdf = gdf[gdf["bsr"]].reset_index(drop=True)
    gdf.attrs.update(
        origin=loaded.origin,
        source_path=loaded.path,
        source=SOURCE,
        attribution=ATTRIBUTION,
        scale=scale,
        level=level,
        simplify_tolerance=tolerance,
        description=_describe(loaded, scale),
    )
    _SIMPLIFIED[(level, scale, programme_area_only)] = (loaded.records, gdf.copy())
    return gdf


def boundary_source(level: int = 2, scale: str = DEFAULT_SCALE) -> str:
    """One line saying which file the boundaries of this level come from (for captions and logs)."""
    scale = _check_scale(scale)
    return _describe(_load("RG", _check_level(level), scale), scale)


def label_points(level: int, *, programme_area_only: bool = True) -> pd.DataFrame:
    """GISCO label points (nuts_id, lon, lat), sorted by nuts_id, for placing region labels.

    Falls back to ``representative_point()`` of the unsimplified 1:20M polygons when no label-point
    file can be found; ``attrs["origin"]`` then says ``representative_point``.
    """
    level = _check_level(level)
    try:
        loaded = _load("LB", level, DEFAULT_SCALE)
        rows = [(r["nuts_id"], *map(float, r["geometry"]["coordinates"][:2])) for r in loaded.records]
        description = _describe(loaded, None)
    except BoundariesUnavailable:
        polys = _load("RG", level, DEFAULT_SCALE)
        points = shapely.point_on_surface([shapely.geometry.shape(r["geometry"]) for r in polys.records])
        rows = [(r["nuts_id"], round(p.x, 5), round(p.y, 5)) for r, p in zip(polys.records, points, strict=True)]
        loaded = _Loaded((), ORIGIN_REPRESENTATIVE, polys.path)
        description = _describe(loaded, DEFAULT_SCALE)
    df = pd.DataFrame(rows, columns=["nuts_id", "lon", "lat"])
    if programme_area_only:
        df = df[df["nuts_id"].map(in_programme_area)]
    df = df.sort_values("nuts_id").reset_index(drop=True)
    df.attrs.update(
        origin=loaded.origin, source_path=loaded.path, source=SOURCE, attribution=ATTRIBUTION, description=description
    )
    return df


def geojson(level: int, *, scale: str = DEFAULT_SCALE, programme_area_only: bool = True) -> dict[str, Any]:
    """Compact GeoJSON FeatureCollection for pydeck/plotly: id = NUTS code, few properties, 4 decimals.

    Built once per simplified boundaries and shared by every caller: treat it as read-only."""
    boundaries(level, scale=scale, programme_area_only=programme_area_only)
    gdf = _SIMPLIFIED[(level, scale, programme_area_only)][1]
    known = _GEOJSON.get((level, scale, programme_area_only))
    if known is not None and known[0] is gdf:
        return known[1]
    geometries = shapely.to_geojson(gdf.geometry.values)
    features = [
        {
            "type": "Feature",
            "id": nid,
            "properties": {"nuts_id": nid, "name": name, "country": cc, "level": int(lv)},
            "geometry": json.loads(g),
        }
        for nid, name, cc, lv, g in zip(
            gdf["nuts_id"], gdf["name"], gdf["country"], gdf["level"], geometries, strict=True
        )
    ]
    collection = {"type": "FeatureCollection", "features": features}
    _GEOJSON[(level, scale, programme_area_only)] = (gdf, collection)
    return collection


# --- map extent ---------------------------------------------------------------------------------------


def bounds(
    exclude: tuple[str, ...] = FAR_NORTH, *, level: int = 2, scale: str = DEFAULT_SCALE
) -> tuple[float, float, float, float]:
    """(minx, miny, maxx, maxy) of the programme area without the regions in ``exclude``.

    Codes in ``exclude`` also drop their sub-regions. Use level 2 or 3: at levels 0-1 Svalbard is
    part of Norway's polygon and cannot be left out.
    """
    gdf = boundaries(level, scale=scale, programme_area_only=True)
    if exclude:
        gdf = gdf[~gdf["nuts_id"].str.startswith(tuple(c.upper() for c in exclude))]
    minx, miny, maxx, maxy = (round(float(v), COORD_DECIMALS) for v in gdf.total_bounds)
    return minx, miny, maxx, maxy


def haversine_km(lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike) -> np.ndarray:
    """Great-circle distance in km between points given in degrees (arrays broadcast)."""
    x1, y1, x2, y2 = (np.radians(np.asarray(a, dtype=float)) for a in (lon1, lat1, lon2, lat2))
    a = np.sin((y2 - y1) / 2) ** 2 + np.cos(y1) * np.cos(y2) * np.sin((x2 - x1) / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def distance_matrix_km(lon: ArrayLike, lat: ArrayLike) -> np.ndarray:
    """Great-circle distances in km between every pair of points (square matrix, in the points' order)."""
    x, y = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return haversine_km(x[:, None], y[:, None], x[None, :], y[None, :])


def mercator_y(lat: float) -> float:
    """Web Mercator's y (radians) of a latitude in degrees, as deck.gl projects it."""
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def initial_view(
    level: int = 2, *, width: int = 1000, height: int = 650, padding: float = 0.05, exclude: tuple[str, ...] = FAR_NORTH
) -> dict[str, float]:
    """pydeck ViewState arguments (longitude, latitude, zoom) fitting the programme area in a map.

    Svalbard and Jan Mayen are left out, or the map would stretch to 81°N. Levels 0-1 use the NUTS-2
    extent (same area, but Svalbard can only be separated there), so the view does not jump when the
    user switches level. Zoom follows deck.gl's Web Mercator (512 px world at zoom 0).
    """
    minx, miny, maxx, maxy = bounds(exclude, level=max(_check_level(level), 2))
    usable_w, usable_h = width * (1 - 2 * padding), height * (1 - 2 * padding)
    y0, y1 = mercator_y(miny), mercator_y(maxy)
    zoom_x = math.log2(usable_w * 360.0 / (512.0 * max(maxx - minx, 1e-6)))
    zoom_y = math.log2(usable_h * 2 * math.pi / (512.0 * max(y1 - y0, 1e-9)))
    latitude = math.degrees(math.atan(math.sinh((y0 + y1) / 2)))
    return {
        "longitude": round((minx + maxx) / 2, 4),
        "latitude": round(latitude, 4),
        "zoom": round(min(zoom_x, zoom_y), 2),
    }


def _drop_small_holes(geom: BaseGeometry, min_area: float) -> BaseGeometry:
    polys = list(getattr(geom, "geoms", [geom]))
    kept = [
        shapely.Polygon(p.exterior, [r for r in p.interiors if shapely.Polygon(r).area >= min_area])
        for p in polys
        if p.geom_type == "Polygon"
    ]
    return kept[0] if len(kept) == 1 else shapely.MultiPolygon(kept)


def programme_area_outline(
    *, scale: str = DEFAULT_SCALE, exclude: tuple[str, ...] = (), tolerance: float = 0.01
) -> BaseGeometry:
    """Outline of the Interreg BSR programme area (union of its NUTS-2 regions), simplified.

    Drawn on top of the choropleth so the programme area stands out against the rest of Germany.
    """
    gdf = boundaries(2, scale=scale, programme_area_only=True)
    if exclude:
        gdf = gdf[~gdf["nuts_id"].str.startswith(tuple(c.upper() for c in exclude))]
    union = _polygonal(shapely.union_all(gdf.geometry.values))
    union = _drop_small_holes(union, min_area=1e-4)  # specks left by rounding, not real lakes
    simple = shapely.simplify(union, tolerance, preserve_topology=True)
    out = _round(np.array([simple], dtype=object))[0]
    if not out.is_valid:
        out = _polygonal(shapely.make_valid(out))
    return shapely.orient_polygons(out, exterior_cw=True)


def available() -> tuple[bool, str]:
    """(ok, message) about NUTS-2 boundaries; never raises, so the app can start without them."""
    try:
        loaded = _load("RG", 2, DEFAULT_SCALE)
        return True, f"NUTS boundaries: {_describe(loaded, DEFAULT_SCALE)}. {ATTRIBUTION}."
    except BoundariesUnavailable as exc:
        return False, str(exc)
    except Exception as exc:  # this check must never break app start-up
        return False, (
            f"NUTS boundaries could not be loaded ({type(exc).__name__}: {exc}). "
            + _unavailable_message(2, DEFAULT_SCALE, [f"{type(exc).__name__}: {exc}"])
        )
