/** Writes one benchmark result file with the keys every result carries (../shared/BENCH.md). */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export async function writeResult(name: string, figures: Record<string, unknown> & { runs: number }): Promise<void> {
  const result = {
    command: `npm run bench -- ${name}`,
    date: new Date().toISOString(),
    machine: { cores: os.cpus().length, memory_bytes: os.totalmem(), cpu: os.cpus()[0]?.model ?? 'unknown', node: process.version },
    ...figures,
  };
  const file = path.join('bench', 'results', `${name}.json`);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`${file}:\n${JSON.stringify(result, null, 2)}`);
}
