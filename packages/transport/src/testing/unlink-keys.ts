import { Redis } from 'ioredis';

/** Deletes every key under `${prefix}:` (a test's or bench's namespace), as a Redis restart without persistence would. */
export async function unlinkKeysUnder(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await client.unlink(...keys);
  } while (cursor !== '0');
}

/** `unlinkKeysUnder` on a connection of its own: what a test's or bench's cleanup needs. */
export async function deleteKeysUnder(url: string, prefix: string): Promise<void> {
  const client = new Redis(url);
  try {
    await unlinkKeysUnder(client, prefix);
  } finally {
    client.disconnect();
  }
}
