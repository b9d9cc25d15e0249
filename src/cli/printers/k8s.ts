// `-w k8s` (our extension): `get` and `watch` as `-w simple` prints them, with values Kubernetes stored made
// readable (see k8s-value.ts): a protobuf object as JSON of its apiVersion, kind and metadata, a JSON object
// re-indented. Any other value is printed as simple prints it. Other commands fail as for an unknown format.
import type { KeyValue, RangeResponse } from '../../api/wire-types.generated.js';
import type { WatchResponseView } from '../../client/watch-stream.js';
import type { OutputStream } from '../io.js';
import { EVENT_TYPE_NAMES, OutputBuffer, asBytes, enumName } from './go-format.js';
import { readableK8sValue } from './k8s-value.js';
import { UnsupportedPrinter } from './unsupported.js';

export const K8S_COMMANDS: ReadonlySet<string> = new Set(['get', 'watch']);

export class K8sPrinter extends UnsupportedPrinter {
  constructor(private readonly out: OutputStream) {
    super('k8s');
  }

  private kv(o: OutputBuffer, kv: KeyValue | null | undefined): void {
    const value = asBytes(kv?.value);
    o.line(asBytes(kv?.key));
    o.line(readableK8sValue(value) ?? value);
  }

  override get(r: RangeResponse): void {
    const o = new OutputBuffer();
    for (const kv of r.kvs ?? []) this.kv(o, kv);
    o.flush(this.out);
  }

  override watch(r: WatchResponseView): void {
    const o = new OutputBuffer();
    for (const e of r.events ?? []) {
      o.line(enumName(e.type, EVENT_TYPE_NAMES));
      if (e.prev_kv) this.kv(o, e.prev_kv);
      this.kv(o, e.kv);
    }
    o.flush(this.out);
  }
}
