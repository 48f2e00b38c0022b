/** The gzip weight of one extension page as users get it: the store build, without the test build's instruments. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildStoreExtension } from '../../scripts/build-extension.mjs';

let built: string | null = null;

/** The page's HTML and every chunk and asset it loads, gzip level 9, summed. Builds the store extension once. */
export async function pageGzipBytes(page: string): Promise<number> {
  if (!built) {
    const outDir = path.resolve('.output/store');
    buildStoreExtension(outDir);
    built = path.join(outDir, 'chrome-mv3');
  }
  const html = await readFile(path.join(built, page), 'utf8');
  const files = [page, ...new Set([...html.matchAll(/(?:src|href)="\/?((?:chunks|assets)\/[^"]+)"/g)].map((m) => m[1]!))];
  let total = 0;
  for (const file of files) total += gzipSync(await readFile(path.join(built, file)), { level: 9 }).length;
  return total;
}
