"""The inspection-ready export of a project's audit trail (21 CFR 11.10(b), (e)): docs/audit-export.md.

For one project and a range of days, every event of its History tab (the same selector), every
signature of its signed records and every signing attempt on them, as a PDF to read, a JSON
document and a CSV to process; built in the background (portal/documents).
"""
