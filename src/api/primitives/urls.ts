import { goQuote } from './go-quote.js';

// etcd's one rule for member URLs (types.NewURLs): Go's url.Parse, then the scheme, a host:port and no
// path, with Go's error texts. clientv3's member add/update, snapshot restore and etcd's URL flags all
// run it; http://10.0.0.1:80 passes (a default port is still a port).

export class UrlError extends Error {}

const ETCD_SCHEMES = new Set(['http', 'https', 'unix', 'unixs']);

export interface GoUrl {
  scheme: string;
  /** host[:port] as written (userinfo removed). */
  host: string;
  /** The path as written (still escaped); '' when there is none. */
  path: string;
}

/** Go's net/url.Parse, as far as etcd's checks look at it; throws Go's `parse "…": …` errors. */
export function parseGoUrl(raw: string): GoUrl {
  const fail = (why: string): never => {
    throw new UrlError(`parse ${goQuote(raw)}: ${why}`);
  };
  if (/[\x00-\x1f\x7f]/.test(raw)) fail('net/url: invalid control character in URL');
  let rest = raw.split('#')[0]!;
  let scheme = '';
  const schemeMatch = /^[a-zA-Z][a-zA-Z0-9+.-]*:/.exec(rest);
  if (rest.startsWith(':')) fail('missing protocol scheme');
  if (schemeMatch) {
    scheme = schemeMatch[0].slice(0, -1).toLowerCase();
    rest = rest.slice(schemeMatch[0].length);
  }
  const query = rest.indexOf('?');
  if (query !== -1) rest = rest.slice(0, query);
  if (!rest.startsWith('/')) {
    if (scheme !== '') return { scheme, host: '', path: '' }; // opaque, as in "http:host"
    if (rest.split('/')[0]!.includes(':')) fail('first path segment in URL cannot contain colon');
  }
  let host = '';
  if (rest.startsWith('//') && (scheme !== '' || !rest.startsWith('///'))) {
    const slash = rest.indexOf('/', 2);
    const authority = slash === -1 ? rest.slice(2) : rest.slice(2, slash);
    rest = slash === -1 ? '' : rest.slice(slash);
    host = authority.slice(authority.lastIndexOf('@') + 1);
    checkHost(host, fail);
  }
  const badEscape = /%(?![0-9a-fA-F]{2})/.exec(rest);
  if (badEscape) fail(`invalid URL escape ${goQuote(rest.slice(badEscape.index, badEscape.index + 3))}`);
  return { scheme, host, path: rest };
}

/** url.parseHost's port check: what follows the host must be empty or ':' and digits. */
function checkHost(host: string, fail: (why: string) => never): void {
  let colonPort: string;
  if (host.startsWith('[')) {
    const close = host.lastIndexOf(']');
    if (close === -1) fail("missing ']' in host");
    colonPort = host.slice(close + 1);
  } else {
    const colon = host.lastIndexOf(':');
    colonPort = colon === -1 ? '' : host.slice(colon);
  }
  if (colonPort !== '' && !/^:\d*$/.test(colonPort)) fail(`invalid port ${goQuote(colonPort)} after host`);
}

/** Go's net.SplitHostPort succeeds: one port after the last colon, brackets around a host with colons. */
function hasHostPort(host: string): boolean {
  if (host.startsWith('[')) return /^\[[^\[\]]*\]:[^\[\]]*$/.test(host);
  const colon = host.lastIndexOf(':');
  return colon !== -1 && !host.slice(0, colon).includes(':') && !/[\[\]]/.test(host);
}

/** etcd's types.NewURLs check of each URL (trimmed first, as etcd does); throws etcd's error text. */
export function checkEtcdUrls(urls: readonly string[]): void {
  if (urls.length === 0) throw new UrlError('no valid URLs given');
  for (const written of urls) {
    const url = written.trim();
    const parsed = parseGoUrl(url);
    if (!ETCD_SCHEMES.has(parsed.scheme)) throw new UrlError(`URL scheme must be http, https, unix, or unixs: ${url}`);
    if (!hasHostPort(parsed.host)) throw new UrlError(`URL address does not have the form "host:port": ${url}`);
    if (parsed.path !== '') throw new UrlError(`URL must not contain a path: ${url}`);
  }
}
