"""The assignment decision as files to download: a Word draft (.docx) and a PDF, in the issuer kind's layout.

`layout.decision_layout` turns a decision into plain data once; `docx.py` and `pdf.py` only lay it out.
"""
