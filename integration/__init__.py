"""The integration layer: what lets a customer's own systems read the portal and hear from it.

Above oversight (it serves the scorecards' figures and monitoring's flags), below demo. Its
packages (the read API, webhooks) are siblings that do not import each other.
"""
