"""The projects pages, one module per sub-domain (urls.py names them)."""
