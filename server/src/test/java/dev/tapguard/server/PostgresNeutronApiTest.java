package dev.tapguard.server;

/** The API contract on PostgreSQL (TAPGUARD_TEST_PG_URL, started by scripts/services.sh). */
class PostgresNeutronApiTest extends NeutronApiContract {
    @Override
    TestStores.Store newStore() {
        return TestStores.postgres();
    }
}
