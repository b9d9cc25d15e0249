// Plain HTTP/1.1 requests to a server's client port, as curl makes them: for the JSON gateway and
// the health pages. A streamed answer (watch) is read line by line while the request stays open.
import http from 'node:http';

export interface HttpAnswer {
  status: number;
  /** Response headers (lower-case names), trailers under `trailer:<name>`. */
  headers: Record<string, string>;
  body: string;
}

export interface HttpRequest {
  method?: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
}

function collectHeaders(res: http.IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
  return headers;
}

/** One request, its whole answer. `endpoint` is `127.0.0.1:PORT`. */
export function httpRequest(endpoint: string, request: HttpRequest): Promise<HttpAnswer> {
  const [host, port] = endpoint.split(':');
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host, port: Number(port), method: request.method ?? 'POST', path: request.path, headers: request.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const headers = collectHeaders(res);
          for (const [name, value] of Object.entries(res.trailers)) headers[`trailer:${name}`] = String(value);
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(request.body ?? '');
  });
}

export interface HttpStream {
  status: Promise<number>;
  headers: Promise<Record<string, string>>;
  /** The next `count` lines of the answer (waits for them; rejects after `timeoutMs`). */
  lines(count: number, timeoutMs?: number): Promise<string[]>;
  /** More of the request body. */
  write(body: string): void;
  /** Ends the request body, leaving the answer open. */
  endRequest(): void;
  /** Hangs up (the client side of "cancel by closing"). */
  close(): void;
  /** Resolves when the server ended the answer. */
  ended: Promise<void>;
}

/** A request whose body stays open (chunked) and whose answer is read as it comes. */
export function httpStream(endpoint: string, path: string, firstBody: string, headers: Record<string, string> = {}): HttpStream {
  const [host, port] = endpoint.split(':');
  let buffered = '';
  const lines: string[] = [];
  let wake: (() => void) | null = null;
  let resolveEnded!: () => void;
  const ended = new Promise<void>((resolve) => (resolveEnded = resolve));
  let resolveRes!: (res: http.IncomingMessage) => void;
  const response = new Promise<http.IncomingMessage>((resolve) => (resolveRes = resolve));
  const req = http.request({ host, port: Number(port), method: 'POST', path, headers, agent: false }, (res) => {
    resolveRes(res);
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        lines.push(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
      }
      if (buffered && res.complete) lines.push(buffered);
      wake?.();
    });
    res.on('end', () => {
      if (buffered) lines.push(buffered), (buffered = '');
      resolveEnded();
      wake?.();
    });
    res.on('error', () => resolveEnded());
  });
  req.on('error', () => resolveEnded());
  req.write(firstBody);
  let taken = 0;
  return {
    status: response.then((r) => r.statusCode ?? 0),
    headers: response.then(collectHeaders),
    async lines(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (lines.length - taken < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`waited ${timeoutMs} ms for ${count} lines; have ${JSON.stringify(lines.slice(taken))}`);
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([ended.then(() => new Promise((r) => setTimeout(r, 20))), new Promise<void>((r) => { wake = r; timer = setTimeout(r, left); })]);
        clearTimeout(timer);
        if (lines.length - taken < count && (await Promise.race([ended.then(() => true), Promise.resolve(false)]))) {
          throw new Error(`the answer ended after ${JSON.stringify(lines.slice(taken))}`);
        }
      }
      const out = lines.slice(taken, taken + count);
      taken += count;
      return out;
    },
    write: (body) => void req.write(body),
    endRequest: () => void req.end(),
    close: () => req.destroy(),
    ended,
  };
}
