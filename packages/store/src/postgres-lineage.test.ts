import { openPostgresStore } from './open-postgres-store';
import { describeLineageContract } from './store-lineage.contract';
import { dropSchemas, PG_URL, testSchemas } from './testing/postgres-schemas';

const schemas = testSchemas('hf_lin');

describeLineageContract('postgres', async () => {
  const schema = schemas.fresh();
  return {
    open: () => openPostgresStore({ connectionString: PG_URL, schema, maxConnections: 4 }),
    cleanup: () => dropSchemas([schema]),
  };
});
