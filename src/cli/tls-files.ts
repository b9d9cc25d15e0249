// etcdctl reads its TLS files while building the client config (pkg/transport TLSInfo.ClientConfig), so a
// missing or mismatched file fails before any dial, with Go's error texts.
import { readFileSync } from 'node:fs';

export interface TlsFiles {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

/** Go's os error text for a failed open, e.g. `open /x: no such file or directory`. */
function openError(path: string, error: NodeJS.ErrnoException): string {
  const reason: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EISDIR: 'is a directory',
  };
  return `open ${path}: ${reason[error.code ?? ''] ?? error.message}`;
}

function readOrExplain(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new Error(openError(path, error as NodeJS.ErrnoException));
  }
}

/** Throws an Error with etcdctl's message when the files cannot make a client TLS config. */
export function checkTlsFiles(files: TlsFiles): void {
  if (files.certFile || files.keyFile) {
    if (!files.certFile || !files.keyFile) {
      throw new Error(`KeyFile and CertFile must both be present[key: ${files.keyFile ?? ''}, cert: ${files.certFile ?? ''}]`);
    }
    const cert = readOrExplain(files.certFile);
    const key = readOrExplain(files.keyFile);
    if (!cert.includes('-----BEGIN')) throw new Error('tls: failed to find any PEM data in certificate input');
    if (!key.includes('-----BEGIN')) throw new Error('tls: failed to find any PEM data in key input');
  }
  if (files.caFile) readOrExplain(files.caFile);
}
