"""Builds data/nuts_correspondence.csv from Eurostat's official NUTS change workbooks (run once; the CSV is
committed with its provenance in data/README.md).

    .venv/bin/python scripts/build_nuts_correspondence.py [FOLDER]   # default ../shared/reference/nuts

One row per code that changed from one NUTS version to the next (2010→2013→2016→2021→2024): old_code,
old_version, new_codes (;-separated, in new_version), new_version, change (recoded = only the code changed,
one to one / split / merged / boundary shift / discontinued), level, name and Eurostat's own wording (note).
Source: Eurostat, NUTS classification © European Union. The .xls of 2010→2013 is read by calamine (requirements.txt).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "nuts_correspondence.csv"
# (file, sheet, old version, new version): the full code-by-code table of each change workbook.
STEPS = (
    ("NUTS2010-NUTS2013.xls", "NUTS2010-NUTS2013", 2010, 2013),
    ("NUTS2013-NUTS2016.xlsx", "NUTS2013-NUTS2016", 2013, 2016),
    ("NUTS2016-NUTS2021.xlsx", "Changes detailed NUTS 2016-2021", 2016, 2021),
    ("NUTS2021-NUTS2024.xlsx", "NUTS2021- NUTS2024", 2021, 2024),
)
# The 2016→2021 workbook gives change codes, explained in its own legend.
CHANGE_CODES = {
    "1": "renamed",
    "2": "recoded",
    "3": "boundary change, recode",
    "4": "boundary change, recode, rename",
    "5": "discontinued",
    "6": "new",
}
CODE = re.compile(r"\b([A-Z]{2}) ?([0-9A-Z]{1,3})\b")


def _table(folder: Path, file: str, sheet: str, old: int, new: int) -> pd.DataFrame:
    engine = "openpyxl" if file.endswith(".xlsx") else "calamine"  # calamine also reads the old .xls
    raw = pd.read_excel(folder / file, sheet_name=sheet, header=None, dtype=str, engine=engine)
    header = next(i for i in range(6) if raw.iloc[i].astype(str).str.contains(f"Code {old}").any())
    raw.columns = [str(c).strip() for c in raw.iloc[header]]
    body = raw.iloc[header + 1 :]
    labels = [c for c in body.columns if (c.startswith("NUTS level ") and c[11:12].isdigit()) or c == "Country"]
    change = next(c for c in body.columns if c.lower().startswith("change"))
    comments = body["Change comments"] if "Change comments" in body else pd.Series("", index=body.index)
    text = body[change].fillna("").str.strip()
    if old == 2016:
        text = text.map(lambda c: CHANGE_CODES.get(c, c))
    note = [
        "; ".join(dict.fromkeys(p for p in (a, b.strip()) if p)) for a, b in zip(text, comments.fillna(""), strict=True)
    ]
    name = body[labels].apply(
        lambda r: next((str(v).strip() for v in r if isinstance(v, str) and v.strip()), ""), axis=1
    )
    return pd.DataFrame(
        {
            "old": body[f"Code {old}"].fillna("").str.strip(),
            "new": body[f"Code {new}"].fillna("").str.strip(),
            "level": body["level"] if "level" in body else body.get("NUTS level", ""),
            "name": name,
            "note": note,
        }
    ).reset_index(drop=True)


def _codes(text: str, pool: set[str]) -> list[str]:
    found = ["".join(m) for m in CODE.findall(text.upper())]
    return [c for c in dict.fromkeys(found) if c in pool]


def _kind(note: str, partial: bool, has_new: bool) -> str:
    text = note.lower()
    if "split" in text:
        return "split"
    if "merge" in text or "part of" in text or partial:
        return "merged"
    if "boundary" in text:
        return "boundary shift"
    if has_new and ("recod" in text or "code change" in text or "code, name change" in text):
        return "recoded"
    return "discontinued" if not has_new else "boundary shift"


def step(folder: Path, file: str, sheet: str, old: int, new: int) -> pd.DataFrame:
    t = _table(folder, file, sheet, old, new)
    partial = t["new"].str.contains(r"\(part\)")
    t["new"] = t["new"].str.replace(r"\s*\(part\)", "", regex=True)
    old_codes, new_codes = set(t["old"]) - {""}, set(t["new"]) - {""}
    # New regions name the old ones they were made of ("new; merge of ex-NO021 and NO022", "IE05=IE023+…").
    made_of: dict[str, list[str]] = {}
    for _, r in t[(t["old"] == "") & (t["new"] != "")].iterrows():
        for ex in _codes(r["note"], old_codes - new_codes):
            made_of.setdefault(ex, []).append(r["new"])
    rows = []
    for i, r in t.iterrows():
        if not r["old"] or r["old"] == r["new"]:
            continue
        if r["new"]:
            targets = [r["new"]]
        else:  # successors of the same level, named in the row or by the new regions made of it
            named = [*_codes(r["note"], new_codes), *made_of.get(r["old"], [])]
            targets = [c for c in dict.fromkeys(named) if len(c) == len(r["old"]) and c != r["old"]]
        kind = _kind(r["note"], bool(partial.iat[i]), bool(r["new"]))
        if kind == "recoded" and len(targets) != 1:
            kind = "split"
        rows.append(
            {
                "old_code": r["old"],
                "old_version": old,
                "new_codes": ";".join(targets),
                "new_version": new,
                "change": kind,
                "level": str(r["level"]).strip().split(".")[0],
                "name": r["name"],
                "note": r["note"],
            }
        )
    return pd.DataFrame(rows)


def build(folder: Path) -> pd.DataFrame:
    """Every step's changes, in the order of the versions (tests compare it with the committed CSV)."""
    return pd.concat([step(folder, *s) for s in STEPS], ignore_index=True)


def main(folder: Path) -> None:
    table = build(folder)
    table.to_csv(OUT, index=False)
    print(f"{len(table):,} changes written to {OUT}: " + table["change"].value_counts().to_dict().__repr__())


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "reference" / "nuts")
