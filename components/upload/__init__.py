"""The Data page's parts, one module per part in the order the analyst meets them:

1. `flow.upload_section`: the upload tab, which calls the parts below in turn.
2. `recipe`: load a recipe that fills every choice; the page's choices as a recipe to download.
3. `reading`: reading options (encoding, delimiter, decimal, sheet, header and footer rows, missing markers)
   and the file read once per choice.
4. `mapping`: the column mapping, the dataset and mode, indicators the file brings.
5. `rows`: row groups the explorer cannot place (leave out, recode) and the other row choices.
6. `report`: the check, its report and the preview of a commit.
7. `commit`: one transaction, its outcome shown after the rerun.
8. `versions`: the versions list with make-current (rollback) and delete; `templates`: templates per table.

All checking lives in valuechain.ingest; this package only draws it. Every text from a file is shown as text
(st.dataframe, or markdown through layout.plain), never as HTML. Session keys the parts share: session.py.
"""

from components.upload.flow import upload_section
from components.upload.report import preview, report
from components.upload.rows import row_groups
from components.upload.session import flash
from components.upload.templates import templates_section
from components.upload.versions import versions_section

__all__ = ["flash", "preview", "report", "row_groups", "templates_section", "upload_section", "versions_section"]
