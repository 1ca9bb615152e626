"""The demo's scorecards: every project's figures and the roll-ups, as the nightly worker leaves
them (the demo's writes bypass the worker: they are loaded in one transaction)."""

from oversight.scorecards import figures


def seed(world) -> None:
    figures.refresh_projects()
    figures.roll_up()
