package dev.tapguard.server;

/** Concurrent rule writes on PostgreSQL. */
class PostgresConcurrentRuleWritesTest extends ConcurrentRuleWritesContract {
    @Override
    TestStores.Store newStore() {
        return TestStores.postgres();
    }
}
