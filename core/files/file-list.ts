/**
 * What a node shares with its room (docs/protocol.md "File lists"): one signed record per node at
 * `meshdeck/v1/<room>/files/<nodeId>` on the GUN relays, `{"id","list","ts","sig"}`, where `list` is the
 * canonical JSON text of up to MAX_LISTED files `{"ih","name","size"}` and `sig` the node key's
 * signature over `"meshdeck/files/v1\n" + id + "\n" + list + "\n" + ts`. GUN data is public and
 * mutable: a reader takes a list only if the node key of that node's fresh, valid record verifies it.
 */
import { canonical } from '../lib/encoding';
import { isRecord } from '../lib/is-record';
import { verifyText, type Identity } from '../identity/identity';
import { DATED_AHEAD_MS, MAX_FILE_LIST_CHARS, MAX_LISTED, MAX_NAME_CHARS } from '../discovery/graph-families';

// Bounds shared with the screen in front of GUN, which checks the same fields before anything is kept.
export { MAX_LISTED, MAX_NAME_CHARS } from '../discovery/graph-families';
const CONTEXT = 'meshdeck/files/v1';
export const INFO_HASH = /^[0-9a-f]{40}$/;

export interface ListedFile {
  /** The torrent's infohash, 40 lower-case hex digits. */
  ih: string;
  name: string;
  /** Bytes. */
  size: number;
}

interface FileListRecord {
  id: string;
  list: string;
  ts: number;
  sig: string;
}

const listText = (id: string, list: string, ts: number): string => `${CONTEXT}\n${id}\n${list}\n${ts}`;

export async function signFileList(identity: Identity, files: readonly ListedFile[], ts: number): Promise<FileListRecord> {
  const list = canonical(files.slice(0, MAX_LISTED).map(({ ih, name, size }) => ({ ih, name, size })));
  return { id: identity.nodeId, list, ts, sig: await identity.sign(listText(identity.nodeId, list, ts)) };
}

function listedFile(value: unknown): ListedFile | null {
  if (!isRecord(value) || typeof value.ih !== 'string' || !INFO_HASH.test(value.ih)) return null;
  if (typeof value.name !== 'string' || value.name.length === 0 || value.name.length > MAX_NAME_CHARS) return null;
  if (!Number.isSafeInteger(value.size) || (value.size as number) <= 0) return null;
  return { ih: value.ih, name: value.name, size: value.size as number };
}

/** The files `nodeId` lists, from what a relay returned, or why it was refused. */
export async function openFileList(raw: unknown, nodeId: string, nodeKey: CryptoKey, now: number): Promise<{ files: ListedFile[]; ts: number } | string> {
  if (!isRecord(raw) || raw.id !== nodeId || typeof raw.list !== 'string' || typeof raw.sig !== 'string' || !Number.isSafeInteger(raw.ts)) return 'not a file list';
  // Read once, before the await: what is parsed is what was verified, whatever happens to `raw` meanwhile.
  const { list, sig } = raw;
  const ts = raw.ts as number;
  if (ts > now + DATED_AHEAD_MS) return 'dated ahead';
  if (list.length > MAX_FILE_LIST_CHARS) return 'too long';
  if (!(await verifyText(nodeKey, listText(nodeId, list, ts), sig))) return 'its signature does not verify';
  let parsed: unknown;
  try {
    parsed = JSON.parse(list);
  } catch {
    return 'its list is not JSON';
  }
  if (!Array.isArray(parsed) || parsed.length > MAX_LISTED) return 'its list is not a list of files';
  const files: ListedFile[] = [];
  for (let i = 0; i < parsed.length; i++) {
    const file = listedFile(parsed[i]);
    if (!file) return 'a file in it is malformed';
    files.push(file);
  }
  return { files, ts };
}
