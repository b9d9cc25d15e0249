// Module-loader hooks for record-modules.ts: append each loaded module's URL to a file.
import { appendFileSync } from 'node:fs';

let outputFile: string | undefined;

export function initialize(data: { outputFile: string }): void {
  outputFile = data.outputFile;
}

type LoadResult = { format?: string | null; source?: unknown; shortCircuit?: boolean };
type NextLoad = (url: string, context?: unknown) => Promise<LoadResult>;

export async function load(url: string, context: unknown, nextLoad: NextLoad): Promise<LoadResult> {
  const result = await nextLoad(url, context);
  if (outputFile) appendFileSync(outputFile, `esm ${url}\n`);
  return result;
}
