"""The scorecard tests stand at one moment, `helpers.NOW`, when they ask for `frozen_now` (most
modules do, through `pytestmark`): the figures depend on today's quarter."""

import pytest
import time_machine

from .helpers import NOW


@pytest.fixture
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield NOW
