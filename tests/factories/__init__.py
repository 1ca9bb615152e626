"""factory-boy factories for the tests: they build rows directly, without the services."""
