// Picks the printer for `-w <format>`. Formats load lazily, so `simple` (the default) never loads protobufjs.
//
// --print-value-only: etcdctl keeps it as simple-printer state; the get command rejects other formats itself
// (`print-value-only is only for --write-out=simple`, exit 128) and then calls `printer.setValueOnly?.(true)`.
// --keys-only needs nothing here: the server returns empty values and the printers print them as such.
// Watch progress notifications: like etcdctl, the watch command prints `progress notify: <rev>` itself, before
// handing the (event-less) response to the printer.
import { badFeature } from '../errors.js';
import type { OutputStream } from '../io.js';
import type { Paint } from '../paint.js';
import type { Printer } from './printer.js';

export interface CreatePrinterOptions {
  /** Where simple's endpoint health lines go (etcdctl writes them to stderr). Defaults to process.stderr. */
  errOut?: OutputStream;
  /** The command path (`lease grant`): `-w jsonl` is accepted only by the commands that print it. */
  command?: string;
  /** Colours for stdout (watch event types, table headers); plain when absent. */
  paint?: Paint;
}

export async function createPrinter(
  format: string,
  hex: boolean,
  out: OutputStream,
  options: CreatePrinterOptions = {},
): Promise<Printer> {
  switch (format) {
    case 'simple': {
      const { SimplePrinter } = await import('./simple.js');
      return new SimplePrinter(out, hex, options.errOut ?? process.stderr, options.paint);
    }
    case 'fields': {
      const { FieldsPrinter } = await import('./fields.js');
      return new FieldsPrinter(out);
    }
    case 'table': {
      const { TablePrinter } = await import('./table.js');
      return new TablePrinter(out, options.paint);
    }
    case 'json': {
      const { JsonPrinter } = await import('./json.js');
      return new JsonPrinter(out);
    }
    case 'protobuf': {
      const { ProtobufPrinter } = await import('./protobuf.js');
      return new ProtobufPrinter(out);
    }
    case 'jsonl': {
      // Our extension: elsewhere it fails exactly as an unknown format does in etcdctl, before any request.
      const { JsonlPrinter, JSONL_COMMANDS } = await import('./jsonl.js');
      if (options.command !== undefined && JSONL_COMMANDS.has(options.command)) return new JsonlPrinter(out);
      break;
    }
    case 'k8s': {
      // Our extension, for get and watch only; elsewhere an unknown format, as jsonl.
      const { K8sPrinter, K8S_COMMANDS } = await import('./k8s.js');
      if (options.command !== undefined && K8S_COMMANDS.has(options.command)) return new K8sPrinter(out);
      break;
    }
  }
  throw badFeature('unsupported output format');
}
