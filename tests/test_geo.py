"""Tests for valuechain.geo: NUTS boundaries from VALUECHAIN_GEO_DIR, the cache or a (loopback) download.

The shared BSR cuts of the GISCO files are read from VALUECHAIN_GEO_DIR or ../shared/geo and never
copied into the repository; tests that need GISCO-named files build them in tmp_path. No test
contacts the internet: VALUECHAIN_GISCO_URL always points at a loopback address.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from valuechain import geo

ROOT = Path(__file__).resolve().parents[1]

PROGRAMME_AREA_COUNTS = {0: 8, 1: 24, 2: 56, 3: 248}
ALL_COUNTS = {0: 9, 1: 33, 2: 84, 3: 559}
GISCO_PROPS = ("NUTS_ID", "LEVL_CODE", "CNTR_CODE", "NAME_LATN", "NUTS_NAME", "MOUNT_TYPE", "URBN_TYPE", "COAST_TYPE")
FAKE_FR10 = {
    "type": "Feature",
    "id": "FR10",
    "properties": {
        "NUTS_ID": "FR10",
        "LEVL_CODE": 2,
        "CNTR_CODE": "FR",
        "NAME_LATN": "Ile-de-France",
        "NUTS_NAME": "Ile-de-France",
        "MOUNT_TYPE": 0,
        "URBN_TYPE": 0,
        "COAST_TYPE": 0,
        "FID": "FR10",
    },
    "geometry": {"type": "Polygon", "coordinates": [[[2.0, 48.5], [2.0, 49.0], [3.0, 49.0], [3.0, 48.5], [2.0, 48.5]]]},
}


# --- fixtures -----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def shared_geo() -> Path:
    """The shared BSR cuts: VALUECHAIN_GEO_DIR if set, else <repo>/../shared/geo."""
    configured = os.environ.get("VALUECHAIN_GEO_DIR", "").strip()
    folder = Path(configured) if configured else ROOT.parent / "shared" / "geo"
    if not (folder / "nuts2021_20m_4326_level2_bsr.geojson").is_file():
        pytest.skip(f"NUTS boundary files not found in {folder} (set VALUECHAIN_GEO_DIR to the shared geo folder)")
    return folder


def _closed_port_url() -> str:
    """A loopback URL where nothing listens, so a download attempt fails fast and offline."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/distribution/v2/nuts/geojson"


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No geo dir, an empty cache in tmp_path and a dead loopback GISCO URL; returns the cache dir."""
    monkeypatch.delenv("VALUECHAIN_GEO_DIR", raising=False)
    monkeypatch.setenv("VALUECHAIN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("VALUECHAIN_GISCO_URL", _closed_port_url())
    monkeypatch.setattr(geo, "_FAILED_DOWNLOADS", {})
    return tmp_path / "cache"


@pytest.fixture
def shared_env(isolated: Path, shared_geo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VALUECHAIN_GEO_DIR", str(shared_geo))
    return shared_geo


def _raw_polygons(folder: Path, level: int, scale: str = "20m") -> dict[str, shapely.Geometry]:
    data = json.loads((folder / f"nuts2021_{scale}_4326_level{level}_bsr.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["NUTS_ID"]: shape(f["geometry"]) for f in data["features"]}


def _as_gisco(feature: dict) -> dict:
    """A feature as in GISCO's own distribution files: GISCO properties plus FID, no bsr flag."""
    props = {k: feature["properties"].get(k) for k in GISCO_PROPS}
    props["FID"] = props["NUTS_ID"]
    return {"type": "Feature", "id": props["NUTS_ID"], "properties": props, "geometry": feature["geometry"]}


def _write_gisco_files(shared: Path, dest: Path, levels: tuple[int, ...] = (2,), extra: tuple = (FAKE_FR10,)) -> None:
    """Build GISCO-named files (NUTS_RG_20M_…, NUTS_LB_…) from the shared cuts, with non-BSR extras."""
    dest.mkdir(parents=True, exist_ok=True)
    labels = json.loads((shared / "nuts2021_labelpoints_4326_bsr.geojson").read_text(encoding="utf-8"))
    for level in levels:
        rg = json.loads((shared / f"nuts2021_20m_4326_level{level}_bsr.geojson").read_text(encoding="utf-8"))
        feats = [_as_gisco(f) for f in rg["features"]] + [f for f in extra if f["properties"]["LEVL_CODE"] == level]
        (dest / f"NUTS_RG_20M_2021_4326_LEVL_{level}.geojson").write_text(
            json.dumps({"type": "FeatureCollection", "name": f"NUTS_RG_20M_2021_4326_LEVL_{level}", "features": feats}),
            encoding="utf-8",
        )
        lb = [_as_gisco(f) for f in labels["features"] if f["properties"]["LEVL_CODE"] == level]
        lb += [
            {**f, "geometry": {"type": "Point", "coordinates": [2.35, 48.85]}}
            for f in extra
            if f["properties"]["LEVL_CODE"] == level
        ]
        (dest / f"NUTS_LB_2021_4326_LEVL_{level}.geojson").write_text(
            json.dumps({"type": "FeatureCollection", "name": f"NUTS_LB_2021_4326_LEVL_{level}", "features": lb}),
            encoding="utf-8",
        )


class _Server:
    """Loopback HTTP server over a folder, recording the paths requested."""

    def __init__(self, folder: Path) -> None:
        self.requests: list[str] = []
        requests = self.requests

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                requests.append(self.path)

        self.httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(Handler, directory=str(folder))
        )
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/distribution/v2/nuts/geojson/"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def gisco_server(tmp_path: Path, shared_geo: Path) -> Iterator[_Server]:
    served = tmp_path / "served"
    _write_gisco_files(shared_geo, served / "distribution" / "v2" / "nuts" / "geojson")
    server = _Server(served)
    yield server
    server.stop()


# --- programme area rule ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nuts_id", "expected"),
    [
        ("DE60", True),
        ("DE21", False),
        ("DE", False),
        ("SE33", True),
        ("NO0B", True),
        ("DEF0", True),
        ("DE3", True),
        ("DE939", True),
        ("DEA1", False),
        ("PL91", True),
        ("FR10", False),
        ("se33", True),
        ("", False),
    ],
)
def test_in_programme_area(nuts_id: str, expected: bool) -> None:
    assert geo.in_programme_area(nuts_id) is expected


# --- boundaries from VALUECHAIN_GEO_DIR (BSR cuts) ----------------------------------------------------


@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_counts_per_level(shared_env: Path, level: int) -> None:
    area = geo.boundaries(level)
    assert len(area) == PROGRAMME_AREA_COUNTS[level]
    assert list(area.columns) == ["nuts_id", "name", "country", "level", "bsr", "geometry"]
    assert area["bsr"].all() and (area["level"] == level).all()
    assert list(area["nuts_id"]) == sorted(area["nuts_id"])
    assert area.crs.to_epsg() == 4326
    everything = geo.boundaries(level, programme_area_only=False)
    assert len(everything) == ALL_COUNTS[level]
    assert set(everything["country"]) == set(geo.BSR_COUNTRIES)
    assert area.attrs["origin"] == "VALUECHAIN_GEO_DIR"
    assert area.attrs["source_path"] == str(shared_env / f"nuts2021_20m_4326_level{level}_bsr.geojson")
    assert area.attrs["attribution"] == geo.ATTRIBUTION


def test_programme_area_nuts2_codes(shared_env: Path) -> None:
    ids = set(geo.boundaries(2)["nuts_id"])
    assert {"DE30", "DE40", "DE50", "DE60", "DE80", "DE91", "DE92", "DE93", "DE94", "DEF0"} <= ids
    assert {"DK01", "EE00", "FI1B", "LT01", "LV00", "NO0B", "PL91", "SE33"} <= ids
    assert not {"DE21", "DE11", "DEA1"} & ids
    assert sum(i.startswith("DE") for i in ids) == 10 and sum(i.startswith("PL") for i in ids) == 17


def test_names(shared_env: Path) -> None:
    names = dict(zip(geo.boundaries(2)["nuts_id"], geo.boundaries(2)["name"], strict=True))
    assert names["SE33"] == "Övre Norrland"
    assert names["DE60"] == "Hamburg"
    assert names["DE30"] == "Berlin"
    assert names["NO0B"] == "Jan Mayen and Svalbard"
    level0 = geo.boundaries(0, programme_area_only=False).set_index("nuts_id")
    assert level0.loc["DE", "name"] == "Deutschland" and not level0.loc["DE", "bsr"]


@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_geometry_valid_rounded_and_in_range(shared_env: Path, level: int) -> None:
    gdf = geo.boundaries(level, programme_area_only=False)
    assert gdf.geometry.is_valid.all()
    assert set(gdf.geom_type) <= {"Polygon", "MultiPolygon"}
    assert not gdf.geometry.is_empty.any()
    minx, miny, maxx, maxy = gdf.total_bounds
    assert minx > -10 and maxx < 35 and miny > 47 and maxy < 81.5  # BSR incl. Jan Mayen/Svalbard
    coords = shapely.get_coordinates(gdf.geometry.values)
    assert np.allclose(coords, np.round(coords, 4), atol=1e-12, rtol=0)
    # Outer rings clockwise as in GISCO's files (d3/plotly geo need it).
    first = gdf.geometry.iloc[0]
    ring = (first.geoms[0] if first.geom_type == "MultiPolygon" else first).exterior
    assert not ring.is_ccw


@pytest.mark.parametrize("level", [2, 3])
def test_simplification_keeps_shape_and_shared_borders(shared_env: Path, level: int) -> None:
    raw = _raw_polygons(shared_env, level)
    gdf = geo.boundaries(level, programme_area_only=False)
    assert shapely.get_num_coordinates(gdf.geometry.values).sum() <= sum(
        shapely.get_num_coordinates(g) for g in raw.values()
    )
    for nid, g in zip(gdf["nuts_id"], gdf.geometry, strict=True):
        # each region keeps its shape: area within 2 % and little area moved
        assert abs(g.area - raw[nid].area) <= 0.02 * raw[nid].area, nid
        assert g.symmetric_difference(raw[nid]).area <= 0.05 * raw[nid].area, nid
    # neighbours still share their borders: no visible overlaps (only rounding specks)
    geoms = gdf.geometry.values
    left, right = shapely.STRtree(geoms).query(geoms, predicate="overlaps")
    overlaps = [shapely.intersection(geoms[i], geoms[j]).area for i, j in zip(left, right, strict=True) if i < j]
    assert max(overlaps, default=0.0) < 1e-5


def test_ten_million_scale(shared_env: Path) -> None:
    gdf = geo.boundaries(2, scale="10M")
    assert len(gdf) == 56 and gdf.geometry.is_valid.all()
    assert gdf.attrs["source_path"].endswith("nuts2021_10m_4326_level2_bsr.geojson")
    # more detail than 1:20M
    assert (
        shapely.get_num_coordinates(gdf.geometry.values).sum()
        > shapely.get_num_coordinates(geo.boundaries(2).geometry.values).sum()
    )


def test_invalid_arguments(shared_env: Path) -> None:
    with pytest.raises(ValueError, match="level"):
        geo.boundaries(4)
    with pytest.raises(ValueError, match="scale"):
        geo.boundaries(2, scale="5M")


# --- GeoJSON for the web ------------------------------------------------------------------------------


def test_geojson_nuts2_compact(shared_env: Path) -> None:
    fc = geo.geojson(2)
    text = json.dumps(fc, separators=(",", ":"))
    assert len(text) < 200_000
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 56
    for feature in fc["features"]:
        assert feature["type"] == "Feature"
        assert set(feature["properties"]) == {"nuts_id", "name", "country", "level"}
        assert feature["id"] == feature["properties"]["nuts_id"]
        assert feature["properties"]["level"] == 2
        assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}
        assert shape(feature["geometry"]).is_valid
    by_id = {f["id"]: f for f in fc["features"]}
    assert by_id["SE33"]["properties"]["name"] == "Övre Norrland" and by_id["DE60"]["properties"]["country"] == "DE"
    assert "DE21" not in by_id
    assert json.loads(text) == fc  # plain JSON types only


def test_geojson_other_levels_stay_small(shared_env: Path) -> None:
    sizes = {level: len(json.dumps(geo.geojson(level), separators=(",", ":"))) for level in range(4)}
    assert sizes[0] < sizes[2] < sizes[3] < 300_000
    assert len(geo.geojson(3)["features"]) == 248


# --- label points -------------------------------------------------------------------------------------


def test_label_points_inside_regions(shared_env: Path) -> None:
    points = geo.label_points(2)
    assert list(points.columns) == ["nuts_id", "lon", "lat"]
    assert len(points) == 56 and list(points["nuts_id"]) == sorted(points["nuts_id"])
    assert points.attrs["origin"] == "VALUECHAIN_GEO_DIR"
    raw = _raw_polygons(shared_env, 2)
    web = dict(zip(geo.boundaries(2)["nuts_id"], geo.boundaries(2).geometry, strict=True))
    for nid, lon, lat in points.itertuples(index=False):
        p = shapely.Point(lon, lat)
        assert raw[nid].contains(p), nid
        assert web[nid].buffer(0.02).contains(p), nid
    hamburg = points.set_index("nuts_id").loc["DE60"]
    assert hamburg["lon"] == pytest.approx(10.01, abs=0.01) and hamburg["lat"] == pytest.approx(53.54, abs=0.01)


@pytest.mark.parametrize("level", [0, 1, 3])
def test_label_points_match_regions(shared_env: Path, level: int) -> None:
    assert list(geo.label_points(level)["nuts_id"]) == list(geo.boundaries(level)["nuts_id"])


def test_label_points_fall_back_to_representative_point(
    isolated: Path, shared_geo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    only_polygons = tmp_path / "polygons_only"
    only_polygons.mkdir()
    (only_polygons / "nuts2021_20m_4326_level2_bsr.geojson").symlink_to(
        shared_geo / "nuts2021_20m_4326_level2_bsr.geojson"
    )
    monkeypatch.setenv("VALUECHAIN_GEO_DIR", str(only_polygons))
    points = geo.label_points(2)
    assert points.attrs["origin"] == "representative_point"
    assert len(points) == 56
    raw = _raw_polygons(shared_geo, 2)
    assert all(raw[n].contains(shapely.Point(x, y)) for n, x, y in points.itertuples(index=False))


# --- map extent and outline ---------------------------------------------------------------------------


def test_bounds_and_initial_view_leave_out_svalbard(shared_env: Path) -> None:
    minx, miny, maxx, maxy = geo.bounds()
    assert maxy < 72 and minx > 4
    assert 48.5 < miny < 50 and 30 < maxx < 33
    assert geo.bounds(exclude=())[3] > 79  # with Svalbard the map would reach 80.8°N
    assert geo.bounds(exclude=())[0] < -7  # and Jan Mayen 8°W
    view = geo.initial_view(2)
    assert set(view) == {"longitude", "latitude", "zoom"}
    assert minx < view["longitude"] < maxx and miny < view["latitude"] < maxy
    assert 2.5 < view["zoom"] < 5
    assert geo.initial_view(0) == geo.initial_view(1) == view  # no jump when switching level
    assert geo.initial_view(2, width=2000, height=1300)["zoom"] == pytest.approx(view["zoom"] + 1, abs=0.02)


def test_programme_area_outline(shared_env: Path) -> None:
    outline = geo.programme_area_outline()
    assert outline.is_valid and outline.geom_type in {"Polygon", "MultiPolygon"}
    assert outline.contains(shapely.Point(10.01, 53.54))  # Hamburg
    assert outline.contains(shapely.Point(18.07, 59.33))  # Stockholm
    assert outline.contains(shapely.Point(21.01, 52.23))  # Warsaw
    assert not outline.contains(shapely.Point(11.58, 48.14))  # Munich, DE21
    area = shapely.area(geo.boundaries(2).geometry.values).sum()  # square degrees, like the outline
    assert outline.area == pytest.approx(area, rel=0.01)
    assert geo.programme_area_outline(exclude=geo.FAR_NORTH).bounds[3] < 72


# --- GISCO-named files, download, cache and failure ---------------------------------------------------


def test_official_gisco_names_in_geo_dir(
    isolated: Path, shared_geo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    official = tmp_path / "official"
    _write_gisco_files(shared_geo, official, levels=(2, 3))
    monkeypatch.setenv("VALUECHAIN_GEO_DIR", str(official))
    area = geo.boundaries(2)
    assert len(area) == 56  # bsr flag derived from the rule: GISCO's file has none
    assert area.attrs["source_path"] == str(official / "NUTS_RG_20M_2021_4326_LEVL_2.geojson")
    assert area.attrs["origin"] == "VALUECHAIN_GEO_DIR"
    everything = geo.boundaries(2, programme_area_only=False)
    assert len(everything) == 84 and "FR10" not in set(everything["nuts_id"])
    assert everything.set_index("nuts_id").loc["DE21", "bsr"] == False  # noqa: E712
    assert len(geo.boundaries(3)) == 248
    points = geo.label_points(2)
    assert len(points) == 56 and points.attrs["source_path"].endswith("NUTS_LB_2021_4326_LEVL_2.geojson")
    assert not (isolated / "geo").exists()  # nothing downloaded or cached


def test_download_filters_caches_and_works_offline(
    isolated: Path, gisco_server: _Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VALUECHAIN_GISCO_URL", gisco_server.url)
    downloaded = geo.boundaries(2, programme_area_only=False)
    assert downloaded.attrs["origin"] == "download"
    assert len(downloaded) == 84 and "FR10" not in set(downloaded["nuts_id"])
    assert "/distribution/v2/nuts/geojson/NUTS_RG_20M_2021_4326_LEVL_2.geojson" in gisco_server.requests

    cached = isolated / "geo" / "NUTS_RG_20M_2021_4326_LEVL_2_bsr.geojson"
    assert downloaded.attrs["source_path"] == str(cached)
    content = json.loads(cached.read_text(encoding="utf-8"))
    assert {f["properties"]["CNTR_CODE"] for f in content["features"]} == set(geo.BSR_COUNTRIES)
    assert len(content["features"]) == 84
    assert geo.label_points(2).attrs["origin"] == "download"
    assert [p.name for p in (isolated / "geo").iterdir() if p.name.endswith(".tmp")] == []  # atomic write

    gisco_server.stop()
    again = geo.boundaries(2)
    assert again.attrs["origin"] == "cache" and len(again) == 56
    assert set(again["nuts_id"]) == set(downloaded[downloaded["bsr"]]["nuts_id"])
    points = geo.label_points(2)
    assert points.attrs["origin"] == "cache" and len(points) == 56
    assert geo.available()[0] is True


def test_bad_download_is_not_cached(isolated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    served = tmp_path / "bad"
    served.mkdir()
    (served / "NUTS_RG_20M_2021_4326_LEVL_2.geojson").write_text("<html>maintenance</html>", encoding="utf-8")
    server = _Server(served)
    try:
        monkeypatch.setenv("VALUECHAIN_GISCO_URL", server.url.replace("/distribution/v2/nuts/geojson/", ""))
        with pytest.raises(geo.BoundariesUnavailable, match="failed"):
            geo.boundaries(2)
    finally:
        server.stop()
    assert not (isolated / "geo" / "NUTS_RG_20M_2021_4326_LEVL_2_bsr.geojson").exists()


def test_nothing_available(isolated: Path) -> None:
    with pytest.raises(geo.BoundariesUnavailable) as info:
        geo.boundaries(2)
    message = str(info.value)
    assert "VALUECHAIN_GEO_DIR" in message
    assert str(isolated / "geo") in message
    assert geo.GISCO_PAGE in message
    assert "NUTS_RG_20M_2021_4326_LEVL_2.geojson" in message
    ok, text = geo.available()
    assert ok is False
    assert "VALUECHAIN_GEO_DIR" in text and str(isolated / "geo") in text
    with pytest.raises(geo.BoundariesUnavailable):
        geo.label_points(2)


def test_geo_dir_without_files_falls_through(isolated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("VALUECHAIN_GEO_DIR", str(empty))
    ok, message = geo.available()
    assert ok is False
    assert str(empty) in message and "nuts2021_20m_4326_level2_bsr.geojson" in message


def test_available_and_source(shared_env: Path) -> None:
    ok, message = geo.available()
    assert ok is True and "nuts2021_20m_4326_level2_bsr.geojson" in message
    source = geo.boundary_source(2)
    assert "GISCO" in source and "2021" in source and str(shared_env) in source
    assert "EuroGeographics" in geo.ATTRIBUTION and "EuroGeographics" in geo.CAPTION


def test_great_circle_distances_helsinki_stockholm_tallinn() -> None:
    lon, lat = np.array([24.94, 18.07, 24.75]), np.array([60.17, 59.33, 59.44])  # Helsinki, Stockholm, Tallinn
    assert geo.haversine_km(lon[0], lat[0], lon[1], lat[1]) == pytest.approx(396, abs=5)
    km = geo.distance_matrix_km(lon, lat)
    assert km.shape == (3, 3)
    assert np.allclose(np.diag(km), 0)
    assert np.allclose(km, km.T)
    assert km[0, 2] == pytest.approx(82, abs=3)  # Helsinki – Tallinn across the Gulf of Finland
