"""The Data page's parts: upload → reading options → column mapping → check report → preview → commit;
the versions list with make-current (rollback) and delete; templates per table.

All checking lives in valuechain.ingest; this module only draws it. Every text from a file is shown as
text (st.dataframe, or markdown through layout.plain), never as HTML.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import math
from collections.abc import Callable
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components import auth, layout
from valuechain import export, ingest, text
from valuechain.recipe import Recipe, remembered
from valuechain.schema import TABLES
from valuechain.store import Identity, Restored, Store, StoreError

AUTO = "Automatic"
MISSING = "(not in the file)"
ALL_VALUES = "(all values)"
_PARSED = "_upload_parsed"  # (signature, Parsed) of the file on screen: parsed once, not on every rerun
_CHECKED = "_upload_checked"  # (signature, Checked)
_SIGNATURE = "_upload_signature"  # file + table whose mapping widgets are on screen
_FLASH = "_upload_flash"
_PICKED = "_version_picked"
_ROUND = "_upload_round"  # part of the uploader's key: a new round empties it after a commit
_CONFIRM = "_version_delete_confirm"
# widgets whose values the module also reads or sets outside the widget call
_ENCODING, _DELIMITER, _DECIMAL, _SHEET = "read_encoding", "read_delimiter", "read_decimal", "read_sheet"
# Where the table sits (None = detected): ReadOptions field → widget key, label, least value, help.
_POSITION = {
    "header_row": (
        "read_header_row",
        "Header row",
        1,
        "File row holding the column names; the rows above are skipped.",
    ),
    "header_lines": ("read_header_lines", "Header rows", 1, "Rows the header spans; their names are joined."),
    "footer_rows": ("read_footer_rows", "Footer rows", 0, "Rows at the end that are not data (a legend, a note)."),
}
_MISSING = "read_missing"
_DATASET, _MODE = "upload_dataset", "upload_mode"
_RECIPE = "_upload_recipe"  # (file name, Recipe) loaded on the page, used instead of the remembered one; or why not
_ENCODINGS = {
    AUTO: None,
    "UTF-8": "utf-8",
    "UTF-8 with BOM": "utf-8-sig",
    "UTF-16": "utf-16",
    "Windows-1252 (Western)": "cp1252",
    "Windows-1250 (Central European)": "cp1250",
    "Latin-1 (ISO 8859-1)": "latin-1",
}
_DELIMITERS = {AUTO: None, "Comma ,": ",", "Semicolon ;": ";", "Tab": "\t", "Vertical bar |": "|"}
_DECIMALS = {AUTO: None, "Point 1.5": ".", "Comma 1,5": ","}
_MODES = {
    "update": "Update the dataset: add these rows, keep its other rows",
    "replace": "Replace the dataset: these rows only",
}
_PREFIXES = ("map_", "const_", "filter_", "newind_", _DATASET, _MODE, "rowchoice_")
_LEAVE, _RECODE = "rowchoice_leave_out", "rowchoice_recode"  # kinds of rows the analyst chose to leave out, recode


def flash(section: str) -> None:
    """The outcome of the last commit (section "upload"), rollback or delete ("versions"), kept across the rerun
    that follows it and shown in the tab where it was done."""
    message = st.session_state.get(_FLASH)
    if message and message[0] == section:
        _, kind, shown = st.session_state.pop(_FLASH)
        (st.success if kind == "success" else st.error)(shown)


def upload_section(store: Store, who: Identity) -> None:
    """Choose a table and a file; map its columns; see every problem; preview; commit."""
    flash("upload")
    st.session_state.setdefault("upload_table", "observations")  # a loaded recipe may choose another
    table = st.selectbox(
        "Table",
        ingest.UPLOADABLE,
        key="upload_table",
        format_func=lambda t: f"{TABLES[t].title} ({t})",
    )
    st.caption(layout.plain(TABLES[table].description) + " The Templates tab has a CSV and an Excel template.")
    limit = ingest.max_upload_mb()
    file = st.file_uploader(
        "File: CSV or TSV (any of , ; tab |), Excel .xlsx, Eurostat TSV or SDMX-CSV, also .gz",
        type=["csv", "tsv", "txt", "gz", "xlsx"],
        key=f"upload_file_{st.session_state.get(_ROUND, 0)}",
        max_upload_size=max(1, math.ceil(limit)),
        help=f"At most {limit:g} MB per file (also unpacked). Nothing is stored before you commit.",
    )
    if file is None:
        return
    _recipe_loader()
    parsed = _parse(file)
    with st.expander("Reading options", expanded=not parsed.ok):
        _reading_options(parsed)
    st.caption(f"Read as {layout.plain(parsed.describe())}" + "".join(f" · {layout.plain(n)}" for n in parsed.notes))
    if not parsed.ok:
        report(parsed.failures, parsed.file)
        return
    context = ingest.Context.from_store(store, table)
    _reset_widgets_for(parsed, table, store)
    mapping = _mapping_editor(parsed, table)
    dataset, mode = _dataset_choice(store, table)
    definitions = _new_indicators(parsed, mapping, context) if table == "observations" else None
    checked = _check(parsed, table, mapping, context, dataset, mode, definitions)
    st.subheader("Check")
    row_groups(checked)
    report(checked.report.failures, parsed.file)
    if checked.preview is not None:
        preview(checked)
    recipe = _page_recipe(checked, definitions)
    label = f"Commit as a new version of '{layout.plain(checked.dataset)}'" if checked.dataset else "Commit"
    name_problem = text.problem(dataset, "dataset name", required=False)
    if name_problem:
        st.error(layout.plain(name_problem), icon="🛑")
    left, right = st.columns([3, 2])
    if left.button(
        label,
        type="primary",
        key="upload_commit",
        disabled=not checked.ok or name_problem is not None,
        help="One transaction: all rows are stored, or none. Every choice made here is remembered for the source.",
    ):
        _commit(store, checked, who, recipe)
    right.download_button(
        "Download recipe",
        recipe.to_json(),
        file_name=f"{ingest.file_stem(parsed.file)}.recipe.json",
        mime="application/json",
        key="upload_recipe_download",
        icon=":material/receipt_long:",
        help="Every choice made on this page as JSON: load it here next year, or use it with "
        "python -m valuechain import FILE --recipe RECIPE.",
    )


def _recipe_loader() -> None:
    """A recipe downloaded earlier (or written for the command line) fills every choice below at once."""
    key = f"upload_recipe_file_{st.session_state.get(_ROUND, 0)}"
    with st.expander("Load a recipe", icon=":material/receipt_long:"):
        st.file_uploader(
            "Recipe (JSON) from an earlier upload or the command line",
            type=["json"],
            key=key,
            on_change=_apply_recipe,
            args=(key,),
        )
        loaded = st.session_state.get(_RECIPE)
        if isinstance(loaded, str):
            st.error(loaded)
        elif loaded is not None:
            st.caption(f"Recipe {layout.plain(loaded[0])} applied: its choices are filled in below.")


def _apply_recipe(key: str) -> None:
    """Runs before the page does (a widget callback), so it may set every other widget's value."""
    file = st.session_state.get(key)
    if file is None:
        st.session_state.pop(_RECIPE, None)
        return
    try:
        recipe = Recipe.from_json(file.getvalue(), where=file.name)
    except ingest.IngestError as exc:
        st.session_state[_RECIPE] = layout.plain(exc)
        return
    st.session_state[_RECIPE] = (file.name, recipe)
    st.session_state["upload_table"] = recipe.table
    for name, options, value in (
        (_ENCODING, _ENCODINGS, recipe.read.get("encoding")),
        (_DELIMITER, _DELIMITERS, recipe.read.get("delimiter")),
        (_DECIMAL, _DECIMALS, recipe.read.get("decimal")),
    ):
        st.session_state[name] = next((label for label, v in options.items() if v == value), AUTO)
    if recipe.read.get("sheet"):
        st.session_state[_SHEET] = recipe.read["sheet"]
    for field_name, (key, *_) in _POSITION.items():
        st.session_state[key] = recipe.read.get(field_name)
    st.session_state[_MISSING] = ", ".join(m or repr(m) for m in recipe.choices.missing)
    st.session_state.pop(_SIGNATURE, None)  # the mapping widgets start again, from the recipe


def _parse(file: Any) -> ingest.Parsed:
    options = ingest.ReadOptions(
        encoding=_ENCODINGS.get(st.session_state.get(_ENCODING, AUTO)),
        delimiter=_DELIMITERS.get(st.session_state.get(_DELIMITER, AUTO)),
        decimal=_DECIMALS.get(st.session_state.get(_DECIMAL, AUTO)),
        sheet=st.session_state.get(_SHEET),
        **_position(),
    )
    signature = (file.file_id, file.name, file.size, options)
    cached = st.session_state.get(_PARSED)
    if cached is not None and cached[0] == signature:
        return cached[1]
    with st.spinner(f"Reading {file.name}…"):
        parsed = ingest.read(file.getbuffer(), file.name, options)
    if options.sheet is None and parsed.sheet:  # the sheet picker showing the sheet read is no new choice
        signature = (file.file_id, file.name, file.size, dataclasses.replace(options, sheet=parsed.sheet))
    st.session_state[_PARSED] = (signature, parsed)
    return parsed


def _position() -> dict[str, int]:
    """The analyst's header row, header rows and footer rows (absent = detected)."""
    chosen = {name: st.session_state.get(key) for name, (key, *_) in _POSITION.items()}
    return {name: int(value) for name, value in chosen.items() if value is not None}


def _reading_options(parsed: ingest.Parsed) -> None:
    cols = st.columns(4)
    cols[0].selectbox(
        "Encoding",
        list(_ENCODINGS),
        key=_ENCODING,
        help="Automatic: BOM, else UTF-8 if every byte fits, else Windows-1252 or -1250 by the letters.",
    )
    cols[1].selectbox("Delimiter", list(_DELIMITERS), key=_DELIMITER)
    cols[2].selectbox(
        "Decimal separator",
        list(_DECIMALS),
        key=_DECIMAL,
        help="Automatic: from the numbers in the file (1.234,5 or 1,234.5).",
    )
    if parsed.sheets:
        shown = parsed.sheets.index(parsed.sheet) if parsed.sheet in parsed.sheets else 0  # the one read
        cols[3].selectbox("Sheet", parsed.sheets, index=shown, key=_SHEET)
    cols = st.columns(4)
    for col, (key, label, least, help_text) in zip(cols, _POSITION.values(), strict=False):
        col.number_input(label, min_value=least, step=1, value=None, key=key, placeholder="detected", help=help_text)
    cols[3].caption(f"Table found with its header in row {parsed.header_row}.")
    st.session_state.setdefault(_MISSING, ", ".join(m or repr(m) for m in ingest.DEFAULT_MISSING))  # or a recipe's
    st.text_input(
        "Missing-value markers",
        key=_MISSING,
        help="Cells holding one of these (comma-separated; '' = an empty cell) are missing values, never errors: "
        "such rows are counted and left out, their flags kept in the left-out list. ':' with a flag (': c', "
        "': @C') always counts as missing.",
    )


def _row_choices() -> ingest.RowChoices:
    """The analyst's choices for the file on screen: groups to leave out or recode, missing-value markers."""
    raw = st.session_state.get(_MISSING)
    missing = (
        ingest.DEFAULT_MISSING
        if raw is None
        else tuple(dict.fromkeys("" if m.strip() in ("''", '""') else m.strip() for m in str(raw).split(",")))
    )
    return ingest.RowChoices(
        leave_out=frozenset(st.session_state.get(_LEAVE, ())),
        recode=frozenset(st.session_state.get(_RECODE, ())),
        missing=missing,
    )


def row_groups(checked: ingest.Checked) -> None:
    """One click per group of rows the explorer cannot place: leave them out, or recode them where a one-to-one
    correspondence exists (ISO-3 → NUTS-0, a NUTS code that only changed its code). Each choice is undoable."""
    groups = [g for g in checked.groups if g.kind != "missing"]
    if not groups:
        return
    st.subheader("Rows the explorer cannot place")
    leave, recode = set(st.session_state.get(_LEAVE, ())), set(st.session_state.get(_RECODE, ()))
    for group in groups:
        cols = st.columns([6, 2, 2])
        cols[0].markdown(layout.plain(group.message))
        undecided = group.kind not in leave
        if cols[1].button(
            f"Leave out {group.rows - group.recoded:,}" if undecided else "Keep them again",
            key=f"rowgroup_leave_{group.kind}_{group.column}",
            help="Not stored; counted in the version's record and downloadable from the Versions tab.",
        ):
            leave.symmetric_difference_update({group.kind})
            st.session_state[_LEAVE] = sorted(leave)
            st.rerun()
        if (
            group.kind in ingest.RECODE_KINDS
            and group.recodable
            and cols[2].button(
                f"Recode {group.recodable:,}" if group.kind not in recode else "Undo the recode",
                key=f"rowgroup_recode_{group.kind}_{group.column}",
                help="Only one-to-one changes: splits, merges and boundary shifts are never recoded.",
            )
        ):
            recode.symmetric_difference_update({group.kind})
            st.session_state[_RECODE] = sorted(recode)
            st.rerun()


def _reset_widgets_for(parsed: ingest.Parsed, table: str, store: Store) -> None:
    """A new file or table: the mapping widgets start from the remembered or automatic mapping."""
    signature = (st.session_state[_PARSED][0], table)
    if st.session_state.get(_SIGNATURE) == signature:
        return
    for key in [k for k in st.session_state if str(k).startswith(_PREFIXES)]:
        del st.session_state[key]
    loaded = st.session_state.get(_RECIPE)
    recipe = loaded[1] if isinstance(loaded, tuple) and loaded[1].table == table else None
    recipe = recipe or remembered(store, parsed.source_key, table)
    mapping = ingest.auto_map(parsed, table, recipe.column_map())
    for col in TABLES[table].columns:
        st.session_state[f"map_{col.name}"] = mapping.columns.get(col.name, MISSING)
        st.session_state[f"const_{col.name}"] = mapping.constants.get(col.name, "")
    for name, value in mapping.filters.items():
        st.session_state[f"filter_{name}"] = value
    for definition in recipe.new_indicators:
        ind = definition.get("indicator_id")
        for field in ("name", "unit", "additive", "nonnegative", "description"):
            if field in definition:
                st.session_state[f"newind_{field}_{ind}"] = definition[field]
    st.session_state[_DATASET] = recipe.dataset or parsed.source_name
    st.session_state[_MODE] = recipe.mode
    st.session_state[_LEAVE] = sorted(recipe.choices.leave_out)
    st.session_state[_RECODE] = sorted(recipe.choices.recode)
    st.session_state[_SIGNATURE] = signature


def _mapping_editor(parsed: ingest.Parsed, table: str) -> ingest.ColumnMap:
    """One row per table column: the file column it comes from, or a value for every row. Folded away once
    every required column is filled, so the check report is the next thing the analyst sees."""
    columns = TABLES[table].columns
    open_ = [
        c.name
        for c in columns
        if c.required
        and st.session_state.get(f"map_{c.name}") == MISSING
        and not str(st.session_state.get(f"const_{c.name}", "")).strip()
    ]
    from_file = sum(st.session_state.get(f"map_{c.name}") != MISSING for c in columns)
    label = f"Columns: {from_file} of {len(columns)} from the file" + (
        f" · to fill: {', '.join(open_)}" if open_ else " · every required column filled"
    )
    mapping = ingest.ColumnMap()
    options = [MISSING, *parsed.columns]
    box = st.expander(label, expanded=bool(open_), icon=":material/table_view:")
    box.caption(
        "Matched by name where possible and remembered for the next file from this source. "
        "Required columns are marked *. A column not in the file can get one value for every row."
    )
    for col in columns:
        left, right = box.columns([2, 3])
        chosen = left.selectbox(
            f"{col.name}{' *' if col.required else ''}", options, key=f"map_{col.name}", help=col.description
        )
        if chosen != MISSING:
            mapping.columns[col.name] = chosen
            first = parsed.frame[chosen].dropna()
            example = f" · e.g. {layout.plain(first.iat[0])}" if len(first) and str(first.iat[0]).strip() else ""
            right.caption(layout.plain(col.description) + example)
        else:
            value = right.text_input(
                f"Value of {col.name} for every row",
                key=f"const_{col.name}",
                placeholder=f"e.g. {col.example}" if col.example is not None else "",
                help=col.description,
            )
            if value.strip():
                mapping.constants[col.name] = value.strip()
    dimensions = ingest.unmapped_dimensions(parsed, mapping)
    if dimensions:
        st.caption(
            "Columns not used by the mapping whose values split the rows (e.g. several units): keep one value each."
        )
        cols = st.columns(min(len(dimensions), 3))
        for i, (name, values) in enumerate(dimensions.items()):
            chosen = cols[i % len(cols)].selectbox(
                f"Keep rows where {name} is", [ALL_VALUES, *values], key=f"filter_{name}"
            )
            if chosen != ALL_VALUES:
                mapping.filters[name] = chosen
    return mapping


def _dataset_choice(store: Store, table: str) -> tuple[str, str]:
    versions = store.versions(table)
    existing = sorted(set(versions.loc[versions["origin"] == "upload", "dataset"]))
    left, right = st.columns([2, 3])
    dataset = left.text_input(
        "Dataset",
        key=_DATASET,
        help="Uploads of the same dataset are its versions. "
        + ("Existing: " + ", ".join(map(layout.plain, existing)) if existing else "No uploaded datasets yet."),
    )
    mode = right.radio("Mode", list(_MODES), key=_MODE, format_func=_MODES.get)
    return dataset, str(mode)


def _new_indicators(parsed: ingest.Parsed, mapping: ingest.ColumnMap, context: ingest.Context) -> pd.DataFrame | None:
    """Indicators the file brings that are not defined yet: the analyst defines them here."""
    ids = ingest.new_indicator_ids(parsed, mapping, context)
    if not ids:
        return None
    st.subheader("New indicators")
    st.caption("Defined here, they are stored with the data in the same commit and appear on every page.")
    rows = []
    for ind in ids:
        with st.container(border=True):
            st.markdown(f"**{layout.plain(ind)}**")
            cols = st.columns([3, 2, 1, 1])
            name = cols[0].text_input("Name", key=f"newind_name_{ind}", placeholder="e.g. Employment (Eurostat SBS)")
            unit = cols[1].text_input("Unit", key=f"newind_unit_{ind}", placeholder="e.g. persons")
            st.session_state.setdefault(f"newind_additive_{ind}", True)  # set here: a recipe may set it too
            st.session_state.setdefault(f"newind_nonnegative_{ind}", True)
            additive = cols[2].checkbox(
                "Can be summed",
                key=f"newind_additive_{ind}",
                help="Counts and money can be summed over regions and sectors; rates not.",
            )
            nonnegative = cols[3].checkbox("Never negative", key=f"newind_nonnegative_{ind}")
            description = st.text_input("Definition and source", key=f"newind_description_{ind}")
        rows.append(
            {
                "indicator_id": ind,
                "name": name,
                "unit": unit,
                "additive": additive,
                "nonnegative": nonnegative,
                "description": description,
            }
        )
    return pd.DataFrame(rows)


def _check(
    parsed: ingest.Parsed,
    table: str,
    mapping: ingest.ColumnMap,
    context: ingest.Context,
    dataset: str,
    mode: str,
    definitions: pd.DataFrame | None,
) -> ingest.Checked:
    decimal = _DECIMALS.get(st.session_state.get(_DECIMAL, AUTO))
    choices = _row_choices()
    fingerprint = hashlib.sha256(
        repr(
            (
                sorted(mapping.stored().items()),
                dataset,
                mode,
                decimal,
                choices,
                context.revision,
                None if definitions is None else definitions.to_csv(),
            )
        ).encode()
    ).hexdigest()
    signature = (st.session_state[_PARSED][0], table, fingerprint)
    cached = st.session_state.get(_CHECKED)
    if cached is not None and cached[0] == signature:
        return cached[1]
    with st.spinner("Checking every row…"):
        checked = ingest.check(
            parsed,
            table,
            mapping,
            context,
            dataset=dataset,
            mode=mode,  # type: ignore[arg-type]
            new_indicators=definitions,
            decimal=decimal,
            choices=choices,
        )
    st.session_state[_CHECKED] = (signature, checked)
    return checked


def report(failures: pd.DataFrame, file_name: str) -> None:
    """Every problem as a table (text, never HTML), downloadable; errors block, warnings do not."""
    errors = int((failures["severity"] == "error").sum())
    warnings = int((failures["severity"] == "warning").sum())
    if errors:
        st.error(
            f"**{errors:,} problem(s) to fix** in {layout.plain(file_name)}: nothing can be stored until they "
            "are fixed. Each row below names the file row, the column and the value.",
            icon="🛑",
        )
    else:
        st.success(
            f"No errors in {layout.plain(file_name)}."
            + (f" {warnings:,} warning(s) below do not block." if warnings else ""),
            icon="✅",
        )
    if failures.empty:
        return
    shown = failures.sort_values(["severity", "row"], na_position="first", kind="stable")
    layout.table(
        shown,
        hide_index=True,
        width="stretch",
        key="upload_report",
        column_config={
            "row": st.column_config.NumberColumn("row", format="%d"),
            "message": st.column_config.TextColumn("message", width="large"),
        },
    )
    st.download_button(
        "Download the report (CSV)",
        export.to_csv_bytes(failures),
        key="download_report",
        file_name=text.without_bidi(f"{ingest.file_stem(file_name)}-check-report.csv"),
        mime="text/csv",
    )


def preview(checked: ingest.Checked) -> None:
    """What a commit would add and replace, and a small chart of the new rows."""
    p = checked.preview
    assert p is not None
    st.subheader("Preview")
    cols = st.columns(4)
    cols[0].metric("Rows in the file", f"{p.rows:,}")
    cols[1].metric("New", f"{p.added:,}", help="No row with this key is on screen now.")
    cols[2].metric("Replace other values", f"{p.changed:,}", help="A row with this key is on screen with other values.")
    cols[3].metric("Identical", f"{p.unchanged:,}", help="The same row is on screen already.")
    notes = []
    if p.kept:
        notes.append(f"{p.kept:,} rows of the current version of '{checked.dataset}' are kept (update).")
    if p.dropped:
        notes.append(
            f"{p.dropped:,} rows of the current version of '{checked.dataset}' will no longer be shown "
            "(replace); that version stays available for rollback."
        )
    for name, n in p.taken.items():
        notes.append(
            f"{n:,} rows of dataset '{name}' with the same key are replaced: it gets a new version "
            "without them, which can be rolled back."
        )
    for note in notes:
        st.caption(layout.plain(note))
    figure = _preview_chart(checked)
    if figure is not None:
        st.plotly_chart(figure, key="upload_preview_chart")
    else:
        layout.table(checked.rows.head(20), hide_index=True, key="upload_preview_rows")
    st.caption(f"Source: {layout.plain(checked.parsed.file)} (not stored yet)")


def _preview_chart(checked: ingest.Checked) -> go.Figure | None:
    rows = checked.rows
    if checked.table.name == "observations" and not rows.empty:
        indicator = rows["indicator"].mode().iat[0]
        part = rows[rows["indicator"] == indicator]
        year = int(part["year"].max())
        part = part[part["year"] == year]
        by_region = part.groupby("region_id")["value"].sum().sort_values(ascending=False).head(20)
        unit = str(part["unit"].iat[0])
        title = f"{indicator}, {year}: the 20 largest regions (all sectors of the file summed), {unit}"
    elif checked.table.name == "flows" and not rows.empty:
        year = int(rows["year"].max())
        by_region = rows[rows["year"] == year].groupby("from_region")["value"].sum().sort_values(ascending=False)
        by_region = by_region.head(20)
        title = f"Flows out of each region, {year}: the 20 largest"
    else:
        return None
    figure = go.Figure(
        go.Bar(
            x=by_region.index.tolist(),
            y=by_region.to_numpy().tolist(),
            marker_color="#1f6f8b",
            hovertemplate="%{x}: %{y:,.6g}<extra></extra>",
        )
    )
    figure.update_layout(
        title={"text": title},
        height=320,
        margin={"l": 40, "r": 10, "t": 50, "b": 40},
        yaxis_title=None,
        xaxis_title=None,
    )
    return figure


def _page_recipe(checked: ingest.Checked, definitions: pd.DataFrame | None) -> Recipe:
    """Every choice on the page as a recipe: reading options, mapping, dataset, mode, new indicators."""
    read = {
        "encoding": _ENCODINGS.get(st.session_state.get(_ENCODING, AUTO)),
        "delimiter": _DELIMITERS.get(st.session_state.get(_DELIMITER, AUTO)),
        "decimal": _DECIMALS.get(st.session_state.get(_DECIMAL, AUTO)),
        "sheet": checked.parsed.sheet if checked.parsed.sheets else None,
        **_position(),
    }
    recipe = Recipe(
        table=checked.table.name,
        read={k: v for k, v in read.items() if v is not None},
        dataset=checked.dataset,
        mode=checked.mode,
        choices=_row_choices(),
        new_indicators=[] if definitions is None else definitions.to_dict("records"),
    )
    return recipe.with_mapping(checked.mapping)


def _commit(store: Store, checked: ingest.Checked, who: Identity, recipe: Recipe) -> None:
    bar = st.progress(0.0, text="Storing…")

    def progress(done: int, total: int) -> None:
        bar.progress(done / max(total, 1), text=f"Storing… {done:,} of {total:,} rows")

    try:
        versions = ingest.commit(store, checked, who, progress=progress, remember=recipe.stored())
    except (StoreError, ingest.IngestError) as exc:
        bar.empty()
        st.error(f"Nothing was stored: {auth.error_message(exc)}")
        return
    own = next(v for v in versions if v.table == checked.table.name and v.taken_over_by is None)
    extra = [v for v in versions if v is not own]
    stored = (
        f"Stored version {own.version_id} of dataset '{layout.plain(checked.dataset)}' ({own.rows:,} rows of "
        f"{checked.table.title.lower()}). Every page shows it now."
    )
    if extra:
        stored += (
            " Also new: "
            + "; ".join(f"version {v.version_id} of '{layout.plain(v.dataset)}' ({v.table})" for v in extra)
            + "."
        )
    st.session_state[_FLASH] = ("upload", "success", stored)
    st.session_state[_ROUND] = st.session_state.get(_ROUND, 0) + 1
    for key in (_PARSED, _CHECKED, _SIGNATURE, _PICKED):  # the versions list starts at the newest again
        st.session_state.pop(key, None)
    st.rerun()


# --- versions -----------------------------------------------------------------------------------------------


def versions_section(store: Store, who: Identity) -> None:
    """Every version (who, when, file, content hash, rows); make one current again, or delete one."""
    flash("versions")
    versions = store.versions()
    if versions.empty:
        st.info("No data yet.")
        return
    shown = versions[
        [
            "version_id",
            "table_name",
            "dataset",
            "status",
            "created_at",
            "created_by",
            "file_name",
            "rows",
            "left_out",
            "left_out_kinds",
            "content_hash",
            "note",
            "source_code",
            "source_updated",
            "source_url",
        ]
    ]
    layout.table(
        shown,
        hide_index=True,
        width="stretch",
        key="versions_table",
        column_config={
            "version_id": "version",
            "table_name": "table",
            "created_at": "loaded at",
            "created_by": "by",
            "file_name": "file",
            "left_out": st.column_config.NumberColumn("left out", help="Rows of the file that were not stored"),
            "left_out_kinds": "left out, by kind",
            "content_hash": "SHA-256",
            "source_code": "Eurostat code",
            "source_updated": "Eurostat last update",
            "source_url": st.column_config.LinkColumn("query"),
        },
    )
    labels = {
        int(r.version_id): text.without_bidi(
            f"#{r.version_id} · {r.dataset} · {r.table_name} · {r.status} · {r.rows:,} row{'' if r.rows == 1 else 's'}"
        )
        for r in versions.itertuples()
    }
    options, picked = list(labels), st.session_state.get(_PICKED)
    # A new key with every change of the store: a kept picker would go on showing the old status of the chosen
    # version after a rollback or delete. The choice itself is carried over.
    chosen = st.selectbox(
        "Version",
        options,
        index=options.index(picked) if picked in options else 0,
        format_func=labels.__getitem__,
        key=f"version_pick_{store.revision()}",
    )
    st.session_state[_PICKED] = chosen
    row = versions.set_index("version_id").loc[chosen]
    cols = st.columns([1, 1, 3])
    if cols[0].button(
        "Make current",
        key="version_current",
        disabled=row["status"] != "superseded",
        help="Roll back (or forward) to this version of its dataset.",
    ):
        _act(
            lambda: store.set_current(int(chosen), who=who),
            f"Version {chosen} of '{row['dataset']}' ({row['table_name']}) is current again.",
        )
    left_out = row["left_out"]
    if pd.notna(left_out) and int(left_out) > 0:
        cols[2].download_button(
            f"Download the {int(left_out):,} left-out rows (CSV)",
            export.to_csv_bytes(pd.read_csv(io.StringIO(store.left_out_rows(int(chosen))), dtype=str)),
            key="version_left_out",
            file_name=f"version-{chosen}-left-out.csv",
            mime="text/csv",
        )
    if cols[1].button("Delete…", key="version_delete", disabled=row["status"] == "deleted"):
        st.session_state[_CONFIRM] = int(chosen)
    if st.session_state.get(_CONFIRM) == int(chosen):
        current = (
            " It is the current version: its rows disappear from every page." if row["status"] == "current" else ""
        )
        st.warning(
            f"Delete version {chosen} of dataset '{layout.plain(row['dataset'])}' ({row['table_name']}, "
            f"{int(row['rows']):,} rows)? Its rows are removed for good; the record stays in this list as "
            f"deleted.{current}",
            icon="⚠️",
        )
        yes, no = st.columns([1, 4])
        if yes.button(f"Yes, delete version {chosen}", key="version_delete_yes", type="primary"):
            st.session_state.pop(_CONFIRM, None)
            _act(lambda: store.delete_version(int(chosen), who=who), f"Version {chosen} was deleted.")
        if no.button("Cancel", key="version_delete_no"):
            st.session_state.pop(_CONFIRM, None)
            st.rerun()


def _act(action: Callable[[], list[Restored]], done: str) -> None:
    """Run a rollback or delete; the message also says which datasets got rows back that it had taken over."""
    try:
        restored = action()
    except StoreError as exc:
        st.session_state[_FLASH] = ("versions", "error", f"Nothing changed: {auth.error_message(exc)}")
    else:
        message = layout.plain(" ".join([done, *(r.message() for r in restored)]))
        st.session_state[_FLASH] = ("versions", "success", message)
    st.rerun()


# --- templates ------------------------------------------------------------------------------------------------


def templates_section() -> None:
    """A CSV and an Excel template per table, with a filled example row and what each column means."""
    table = st.selectbox(
        "Table", ingest.UPLOADABLE, key="template_table", format_func=lambda t: f"{TABLES[t].title} ({t})"
    )
    cols = st.columns([1, 1, 3])
    cols[0].download_button(
        "CSV template",
        ingest.template_csv(table),
        file_name=f"{table}-template.csv",
        mime="text/csv",
        key="template_csv",
    )
    cols[1].download_button(
        "Excel template",
        ingest.template_xlsx(table),
        file_name=f"{table}-template.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="template_xlsx",
    )
    layout.table(ingest.column_guide(table), hide_index=True, width="stretch", key="template_guide")
