// Create (or with --drop, drop) a database on a PostgreSQL server: `node scripts/create-db.ts <admin-url> <name> [--drop]`.
import pg from 'pg';

const [url, name, flag] = process.argv.slice(2);
if (!url || !name || !/^[a-z_][a-z0-9_]*$/.test(name)) {
  console.error('usage: node scripts/create-db.ts postgres://user@host:port/postgres <name> [--drop]');
  process.exit(2);
}
const client = new pg.Client({ connectionString: url });
await client.connect();
try {
  if (flag === '--drop') await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  else await client.query(`CREATE DATABASE ${name}`);
  console.log(`${flag === '--drop' ? 'dropped' : 'created'} database ${name}`);
} finally {
  await client.end();
}
