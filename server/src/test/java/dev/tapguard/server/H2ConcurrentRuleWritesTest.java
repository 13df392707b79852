package dev.tapguard.server;

/** Concurrent rule writes on H2. */
class H2ConcurrentRuleWritesTest extends ConcurrentRuleWritesContract {
    @Override
    TestStores.Store newStore() {
        return TestStores.h2();
    }
}
