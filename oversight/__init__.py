"""The oversight layer: apps that read across the domain apps (red flags, the executive dashboard).

Nothing in the foundation (`portal/`) or the domain apps (`projects/`, `meetings/`, `issues/`)
imports from here; see docs/architecture.md.
"""
