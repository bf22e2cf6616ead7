// Test helper: opens the SQLite store at argv[2] and prints the outcome as JSON (run as another user).
import { openSqliteStore } from '../open-sqlite-store';

const path = process.argv[2] ?? '';
try {
  const store = await openSqliteStore(path);
  await store.close();
  process.stdout.write(JSON.stringify({ code: 'OK', message: '' }));
} catch (err) {
  const e = err as { code?: string; message?: string };
  process.stdout.write(JSON.stringify({ code: e.code ?? 'UNKNOWN', message: e.message ?? String(err) }));
}
