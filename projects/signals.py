"""Signals the projects app sends; the apps above connect to them in their AppConfig.ready()."""

from django.dispatch import Signal

# A working agreement version came into force (signed by both leads, or approved in a change
# request). Sent with `agreement` inside the transaction that put it in force, after the project's
# own settings were written: issues writes its response-time rows from it, in the same transaction.
agreement_in_force = Signal()
