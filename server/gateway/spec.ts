// The backend setting of gateway mode, parsed. Kept apart from backend.ts so that reading the
// settings does not load the Redis client library into a standalone server.

export interface BackendSpec {
  /** `redis://host:port` or `rediss://host:port` per node, without credentials or db. */
  urls: string[];
  cluster: boolean;
  db: number;
  tls: boolean;
  username?: string;
  password?: string;
}

/**
 * Parses a backend setting. Accepted forms:
 *   redis://[user:pass@]host:port[/db]       one server (rediss:// for TLS)
 *   redis-cluster://[user:pass@]h1:p1,h2:p2  Redis Cluster seed nodes (rediss-cluster:// for TLS)
 * `cluster` set also reads a `redis://` URL, or a comma-separated list of them, as cluster seeds.
 */
export function parseBackend(spec: string, cluster = false): BackendSpec {
  const text = spec.trim();
  const m = /^(redis|rediss|redis-cluster|rediss-cluster):\/\/(?:([^@/]*)@)?([^/?#]+)(?:\/(\d*))?\/?$/i.exec(text);
  if (m === null) {
    // A plain comma-separated list of URLs (seed nodes) when cluster was asked for.
    if (cluster && text.includes(",")) {
      const parts = text.split(",").map((p) => parseBackend(p, false));
      const first = parts[0]!;
      return { ...first, cluster: true, urls: parts.flatMap((p) => p.urls) };
    }
    throw new Error(`invalid backend '${spec}': expected redis://[user:pass@]host:port[/db], rediss://... or redis-cluster://host:port,host:port`);
  }
  const scheme = m[1]!.toLowerCase();
  const tls = scheme.startsWith("rediss");
  const isCluster = cluster || scheme.endsWith("-cluster");
  let username: string | undefined;
  let password: string | undefined;
  if (m[2] !== undefined && m[2] !== "") {
    const colon = m[2].indexOf(":");
    if (colon < 0) password = decodeURIComponent(m[2]);
    else {
      username = decodeURIComponent(m[2].slice(0, colon)) || undefined;
      password = decodeURIComponent(m[2].slice(colon + 1));
    }
  }
  const db = m[4] === undefined || m[4] === "" ? 0 : Number(m[4]);
  if (!Number.isSafeInteger(db) || db < 0) throw new Error(`invalid backend '${spec}': bad database number`);
  if (isCluster && db !== 0) throw new Error(`invalid backend '${spec}': Redis Cluster has database 0 only`);
  const hosts = m[3]!.split(",");
  if (!isCluster && hosts.length > 1) throw new Error(`invalid backend '${spec}': several hosts need redis-cluster:// (or --backend-cluster)`);
  const urls = hosts.map((h) => {
    const hp = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(h.trim());
    if (hp === null) throw new Error(`invalid backend '${spec}': bad host '${h}'`);
    const port = hp[2] === undefined ? 6379 : Number(hp[2]);
    if (port < 1 || port > 65535) throw new Error(`invalid backend '${spec}': bad port in '${h}'`);
    return `${tls ? "rediss" : "redis"}://${hp[1]}:${port}`;
  });
  const out: BackendSpec = { urls, cluster: isCluster, db, tls };
  if (username !== undefined) out.username = username;
  if (password !== undefined) out.password = password;
  return out;
}

/** The spec as a URL without the password, for logs and INFO. */
export function describeBackend(spec: BackendSpec): string {
  const auth = spec.username !== undefined ? `${spec.username}:***@` : spec.password !== undefined ? "***@" : "";
  if (spec.cluster) return `${spec.tls ? "rediss" : "redis"}-cluster://${auth}${spec.urls.map((u) => u.replace(/^rediss?:\/\//, "")).join(",")}`;
  return `${spec.urls[0]!.replace(/^(rediss?:\/\/)/, `$1${auth}`)}${spec.db !== 0 ? `/${spec.db}` : ""}`;
}
