// DNS SRV discovery of client endpoints (etcd's pkg/srv GetClient): _etcd-client-ssl and _etcd-client records.
import { Resolver } from 'node:dns/promises';

export interface DiscoveryOptions {
  domain: string;
  serviceName: string;
  /** --insecure-discovery: also accept plain-HTTP records. */
  insecure: boolean;
}

/** Go's resolver wording for a failed lookup (`no such host` for NXDOMAIN). */
function lookupError(name: string, server: string, error: NodeJS.ErrnoException): string {
  const reason = error.code === 'ENOTFOUND' || error.code === 'ENODATA' ? 'no such host' : error.message;
  return `lookup ${name} on ${server}: ${reason}`;
}

export async function discoverEndpoints(opts: DiscoveryOptions, warn: (line: string) => void): Promise<string[]> {
  const resolver = new Resolver();
  const server = resolver.getServers()[0] ?? '127.0.0.1';
  const serverAddress = server.includes(':') && !server.startsWith('[') ? server : `${server}:53`;
  const suffix = opts.serviceName ? `-${opts.serviceName}` : '';
  const errors: string[] = [];
  const endpoints: string[] = [];
  for (const [service, scheme] of [[`_etcd-client-ssl${suffix}`, 'https'], [`_etcd-client${suffix}`, 'http']] as const) {
    const name = `${service}._tcp.${opts.domain}`;
    try {
      for (const record of await resolver.resolveSrv(name)) {
        endpoints.push(`${scheme}://${record.name.replace(/\.$/, '')}:${record.port}`);
      }
    } catch (error) {
      errors.push(lookupError(name, serverAddress, error as NodeJS.ErrnoException));
    }
  }
  if (endpoints.length === 0) throw new Error(`dns lookup errors: ${errors.join(' and ')}`);
  if (opts.insecure) return endpoints;
  return endpoints.filter((ep) => {
    if (!ep.startsWith('http://')) return true;
    warn(`ignoring discovered insecure endpoint ${JSON.stringify(ep)}`);
    return false;
  });
}
