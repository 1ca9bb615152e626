"""The read API (issue 16): what a customer's own systems read, as their organization.

JSON under `/api/v1/`, described by an OpenAPI 3 schema with browsable docs (django-ninja,
docs/api.md). An organization's admin creates named, expiring, revocable read-only tokens; a
token acts as its organization as a whole, through the same visibility selectors as the pages.
"""
