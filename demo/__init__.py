"""The demo world: organizations, people and projects with a believable history.

The top layer: it may import from every app below and nothing imports from it. It builds its
data through the apps' services wherever one exists; see docs/architecture.md.
"""
