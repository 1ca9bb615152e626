"""Signed webhooks: an organization's own systems hear of what happens on its projects
(docs/webhooks.md)."""
