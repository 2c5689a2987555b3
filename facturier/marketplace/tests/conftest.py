from facturier.simulator.tests.fixtures import recorded_sleeps, simulator, simulator_client  # noqa: F401
