"""One token for every process and every pass: SharedTokenCache puts a process's cache in front of a shared one."""

from facturier.marketplace.auth import InProcessTokenCache, SharedTokenCache
from facturier.simulator.tests.fixtures import make_client


class BrokenCache:
    """A shared cache that cannot be reached (a database table not created yet, Redis down)."""

    def get(self, key, default=None):
        raise ConnectionError("cache down")

    def set(self, key, value, timeout=None):
        raise ConnectionError("cache down")

    def delete(self, key):
        raise ConnectionError("cache down")


def test_two_processes_sharing_a_cache_fetch_one_token(simulator):
    shared = InProcessTokenCache()  # stands for Redis or the database table
    worker_a = SharedTokenCache(shared, local=InProcessTokenCache())
    worker_b = SharedTokenCache(shared, local=InProcessTokenCache())

    with make_client(simulator, token_cache=worker_a) as first, make_client(simulator, token_cache=worker_b) as second:
        first.count_orders()
        second.count_orders()
        second.count_orders()

    assert simulator.token_requests == 1


def test_a_shared_cache_that_fails_never_fails_a_call(simulator):
    with make_client(simulator, token_cache=SharedTokenCache(BrokenCache(), local=InProcessTokenCache())) as client:
        assert client.count_orders() == 30
        assert client.count_orders() == 30

    assert simulator.token_requests == 1  # the process's own copy still serves
