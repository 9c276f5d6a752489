"""Issue 10, item 2: data/nuts_correspondence.csv is what scripts/build_nuts_correspondence.py makes from Eurostat's
four NUTS change workbooks (../shared/reference/nuts, provenance in data/README.md), not a list kept by hand."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from valuechain import ingest

ROOT = Path(__file__).resolve().parent.parent
WORKBOOKS = ROOT.parent / "shared" / "reference" / "nuts"


def test_the_committed_correspondence_is_built_from_the_four_eurostat_workbooks() -> None:
    if not WORKBOOKS.is_dir():
        pytest.skip(f"Eurostat's NUTS change workbooks are not beside the clone ({WORKBOOKS})")
    spec = importlib.util.spec_from_file_location(
        "build_nuts_correspondence", ROOT / "scripts" / "build_nuts_correspondence.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert [s[0] for s in script.STEPS] == sorted(p.name for p in WORKBOOKS.glob("NUTS*.xls*"))
    built = script.build(WORKBOOKS).astype(str)
    committed = ingest.nuts_correspondence()
    pd.testing.assert_frame_equal(built, committed, check_dtype=False)
    steps = set(zip(committed["old_version"], committed["new_version"], strict=True))
    assert steps == {("2010", "2013"), ("2013", "2016"), ("2016", "2021"), ("2021", "2024")}
    assert not (ROOT / "data" / "nuts_2016_2021_changes.csv").exists(), "the hand-made list is gone"
