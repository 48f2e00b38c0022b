/** The gzip weight of one extension page as users get it: the store build, without the test build's instruments. */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildStoreExtension } from '../../scripts/build-extension.mjs';

let built: string | null = null;

/** The store build's Chrome folder, built once. */
function storeBuild(): string {
  if (!built) {
    const outDir = path.resolve('.output/store');
    buildStoreExtension(outDir);
    built = path.join(outDir, 'chrome-mv3');
  }
  return built;
}

/** The page's HTML and every chunk and asset it loads, gzip level 9, summed (a chunk loaded by `import()` later is not). */
export async function pageGzipBytes(page: string): Promise<number> {
  const built = storeBuild();
  const html = await readFile(path.join(built, page), 'utf8');
  const files = [page, ...new Set([...html.matchAll(/(?:src|href)="\/?((?:chunks|assets)\/[^"]+)"/g)].map((m) => m[1]!))];
  let total = 0;
  for (const file of files) total += gzipSync(await readFile(path.join(built, file)), { level: 9 }).length;
  return total;
}

/** The gzip weight (level 9) of the lazy chunk built from the module named `name` (chunks/<name>-<hash>.js). */
export async function chunkGzipBytes(name: string): Promise<number> {
  const chunks = path.join(storeBuild(), 'chunks');
  const file = (await readdir(chunks)).find((f) => f.startsWith(`${name}-`) && f.endsWith('.js'));
  if (!file) throw new Error(`no chunk ${name} in ${chunks}`);
  return gzipSync(await readFile(path.join(chunks, file)), { level: 9 }).length;
}
