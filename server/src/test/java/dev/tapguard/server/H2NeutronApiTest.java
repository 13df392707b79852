package dev.tapguard.server;

/** The API contract on the embedded H2 store. */
class H2NeutronApiTest extends NeutronApiContract {
    @Override
    TestStores.Store newStore() {
        return TestStores.h2();
    }
}
