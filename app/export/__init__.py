"""Excel downloads of the process-management overview (issue 5).

`workbook` writes rows with openpyxl in write-only mode; `rows` turns overview rows into typed
cell values; `build` streams the rows from the database into a workbook and stores the file;
app/workers/exports.py builds the large ones in the background, in whichever process claims them.
"""
