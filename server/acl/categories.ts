// Redis's ACL categories, in the order ACL CAT lists them.

export const CATEGORIES = [
  "keyspace",
  "read",
  "write",
  "set",
  "sortedset",
  "list",
  "hash",
  "string",
  "bitmap",
  "hyperloglog",
  "geo",
  "stream",
  "pubsub",
  "admin",
  "fast",
  "slow",
  "blocking",
  "dangerous",
  "connection",
  "transaction",
  "scripting",
] as const;

const known: ReadonlySet<string> = new Set(CATEGORIES);

export function isCategory(name: string): boolean {
  return known.has(name);
}
