/**
 * The `Block list` region's model (issue 5): the entries as the node host relays them (live, also
 * edits from other tabs and browsers), a filter, inline notes, `Unblock` with `Undo`, export, import
 * with a preview, and clearing. The file format and its checks are core/blocklist/block-list.ts's, run here too
 * so that the preview and a malformed file's reason appear before anything is sent.
 *
 * Edits show at once: an unblocked row goes and an edited note shows while the request is on its way;
 * the background's reply (the new list) then replaces the optimistic view, or a failure puts it back.
 */
import { batch, computed, signal, type ReadonlySignal } from '@preact/signals';
import { clampNote, exportBlockList, parseBlockListFile, previewImport, type BlockEntry, type ImportPreview } from '../../../core/blocklist/block-list';
import type { BlockListState } from '../../../core/blocklist/block-list-store';
import { runAction, type ActionStatus } from '../../ui/action-status';
import type { ConfirmModel } from '../../ui/confirm-model';
import { saveWithLink, type SaveFile } from '../diagnostics/diagnostics-model';
import { countOf, shortId } from '../../ui/format';
import { describeError } from '../../client/node-model';
import type { DashboardNodeModel } from '../snapshot-parts';
import { createUndoSlot, type UndoSlot } from '../../ui/undo-model';
import { removeWithUndo } from '../../ui/removal';
import type { ViewClient } from '../../client/view-client';

/** Rows rendered at first, and added by each `Show more`: a 1,000-entry list stays quick to draw. */
export const BLOCK_LIST_PAGE = 100;
/** IDs listed in the import preview; the rest are counted. */
const PREVIEW_IDS = 50;

export interface BlockListModel {
  /** The list as shown (with edits still on their way applied); null until it first arrives. */
  readonly state: ReadonlySignal<BlockListState | null>;
  readonly filter: ReadonlySignal<string>;
  /** Entries matching the filter, most recently blocked first. */
  readonly matches: ReadonlySignal<readonly BlockEntry[]>;
  /** How many matching rows are drawn. */
  readonly limit: ReadonlySignal<number>;
  /** Export, import and clear outcomes. */
  readonly status: ReadonlySignal<ActionStatus | null>;
  /** Unblock's `Undo`. */
  readonly undo: UndoSlot;
  setFilter(text: string): void;
  showMore(): void;
  /** Unblocks at once and offers Undo (block:restore of the removed entry). Never rejects. */
  unblock(id: string): Promise<void>;
  /** Saves a note (trimmed, at most NOTE_MAX_LENGTH characters); nothing is sent when it did not change. */
  setNote(id: string, note: string): Promise<void>;
  /** Downloads the list as meshdeck-block-list-<date>.json. */
  exportFile(): void;
  /**
   * Reads a chosen file (a `File`), checks it, shows what it would change and imports it when
   * confirmed. Never rejects.
   */
  importFile(file: { name: string; text(): Promise<string> }): Promise<void>;
  /** Asks, then unblocks every entry. Never rejects. */
  clear(): Promise<void>;
  dispose(): void;
}

interface BlockListModelOptions {
  save?: SaveFile;
  now?: () => number;
}

/** "meshdeck-block-list-2026-05-01.json" (UTC date). */
export function blockListFilename(at: number): string {
  return `meshdeck-block-list-${new Date(at).toISOString().slice(0, 10)}.json`;
}

/** Whether `entry` matches a filter text: its ID, note or label contains it (any case). */
export function matchesFilter(entry: BlockEntry, filter: string): boolean {
  const text = filter.trim().toLowerCase();
  if (!text) return true;
  return entry.id.includes(text) || entry.note.toLowerCase().includes(text) || entry.label.toLowerCase().includes(text);
}

/** "Adds 3, updates notes of 1, 2 already blocked." */
export function importSummary(preview: ImportPreview): string {
  return `Adds ${preview.added.length}, updates notes of ${preview.changed.length}, ${preview.unchanged} already blocked.`;
}

/** The lines under the preview: the IDs the import adds, with their kind and note. */
export function previewLines(preview: ImportPreview): string[] {
  const lines = preview.added.slice(0, PREVIEW_IDS).map((e) => `${e.id} (${e.kind})${e.note ? ` — ${e.note}` : ''}`);
  if (preview.added.length > PREVIEW_IDS) lines.push(`… and ${preview.added.length - PREVIEW_IDS} more`);
  return lines;
}

const what = (entry: Pick<BlockEntry, 'id' | 'kind'>) => `${entry.kind} ${shortId(entry.id)}`;

export function createBlockListModel(
  node: Pick<DashboardNodeModel, 'identity'>,
  client: Pick<ViewClient, 'request' | 'onBlockList'>,
  confirm: Pick<ConfirmModel, 'confirm'>,
  options: BlockListModelOptions = {},
): BlockListModel {
  const save = options.save ?? saveWithLink;
  const now = options.now ?? Date.now;
  /** The list as the node host or the background last reported it. */
  const reported = signal<BlockListState | null>(null);
  /** IDs unblocked by requests still on their way. */
  const removing = signal<ReadonlySet<string>>(new Set());
  /** Notes saved by requests still on their way. */
  const noting = signal<ReadonlyMap<string, string>>(new Map());
  const filter = signal('');
  const limit = signal(BLOCK_LIST_PAGE);
  const status = signal<ActionStatus | null>(null);
  const undo = createUndoSlot();
  /** Aborted by dispose(): replies still on their way then write nothing. */
  const scope = new AbortController();

  const state = computed<BlockListState | null>(() => {
    const base = reported.value;
    const gone = removing.value;
    const notes = noting.value;
    if (!base || (gone.size === 0 && notes.size === 0)) return base;
    const entries = base.entries
      .filter((e) => !gone.has(e.id))
      .map((e) => (notes.has(e.id) ? { ...e, note: notes.get(e.id)! } : e));
    return { ...base, entries };
  });
  const matches = computed(() => {
    const entries = state.value?.entries ?? [];
    const text = filter.value;
    return text.trim() ? entries.filter((e) => matchesFilter(e, text)) : entries;
  });

  const accept = (next: BlockListState) => {
    if (!scope.signal.aborted) reported.value = next;
  };
  const stop = client.onBlockList(accept);
  // The host relays the list when a view connects; ask the background too, so that the list shows
  // while the host is still starting (or cannot be reached).
  client.request({ type: 'block:list' }, { signal: scope.signal }).then(
    (value) => {
      if (!reported.peek()) accept(value);
    },
    () => undefined,
  );

  async function restore(entry: BlockEntry): Promise<void> {
    try {
      accept(await client.request({ type: 'block:restore', entry }, { signal: scope.signal }));
    } catch (error) {
      if (!scope.signal.aborted) status.value = { kind: 'error', text: describeError(`block ${what(entry)} again`, error) };
    }
  }

  return {
    state,
    filter,
    matches,
    limit,
    status,
    undo,
    setFilter(text) {
      batch(() => {
        filter.value = text;
        limit.value = BLOCK_LIST_PAGE;
      });
    },
    showMore() {
      limit.value = limit.peek() + BLOCK_LIST_PAGE;
    },
    async unblock(id) {
      const entry = reported.peek()?.entries.find((e) => e.id === id);
      const kind = entry ? what(entry) : shortId(id);
      await removeWithUndo({ removing, status, undo, signal: scope.signal }, id, {
        async send() {
          const { state: next, removed } = await client.request({ type: 'block:remove', id }, { signal: scope.signal });
          return { removed: removed ?? entry ?? null, accept: () => accept(next) };
        },
        doneText: `Unblocked ${kind}.`,
        goneText: `${kind} was not blocked any more.`,
        putBack: restore,
        action: `unblock ${kind}`,
      });
    },
    async setNote(id, raw) {
      const note = clampNote(raw);
      const entry = state.peek()?.entries.find((e) => e.id === id);
      if (!entry || entry.note === note) return;
      noting.value = new Map(noting.peek()).set(id, note);
      try {
        const next = await client.request({ type: 'block:note', id, note }, { signal: scope.signal });
        if (scope.signal.aborted) return;
        batch(() => {
          accept(next);
          const notes = new Map(noting.peek());
          // A newer edit of the same note is still on its way: keep showing it.
          if (notes.get(id) === note) notes.delete(id);
          noting.value = notes;
        });
      } catch (error) {
        if (scope.signal.aborted) return;
        batch(() => {
          const notes = new Map(noting.peek());
          if (notes.get(id) === note) notes.delete(id);
          noting.value = notes;
          status.value = { kind: 'error', text: describeError(`save the note of ${what(entry)}`, error) };
        });
      }
    },
    exportFile() {
      const entries = state.peek()?.entries ?? [];
      const at = now();
      const name = blockListFilename(at);
      try {
        save(name, exportBlockList(entries, at));
        status.value = { kind: 'ok', text: `Saved ${name} (${countOf(entries.length, 'entry', 'entries')}).` };
      } catch (error) {
        status.value = { kind: 'error', text: describeError('export the block list', error) };
      }
    },
    async importFile(file) {
      const name = file.name;
      let text: string;
      let incoming: BlockEntry[];
      try {
        text = await file.text();
        incoming = parseBlockListFile(text, now());
      } catch (error) {
        if (scope.signal.aborted) return;
        // ImportError's message is the reason ("the file is not JSON (…)", "entry 3: …").
        const reason = error instanceof Error && error.name === 'ImportError' ? error.message : describeError('read it', error).replace(/^Could not read it: /, '').replace(/\.$/, '');
        status.value = { kind: 'error', text: `Could not import ${name}: ${reason}. Nothing was imported.` };
        return;
      }
      if (scope.signal.aborted) return;
      const self = node.identity.peek();
      const own = self && incoming.find((e) => e.id === self.nodeId || e.id === self.userId);
      if (own) {
        const whose = own.id === self.nodeId ? "this node's own ID" : 'your own user ID';
        status.value = { kind: 'error', text: `Could not import ${name}: it blocks ${whose} (${shortId(own.id)}). Nothing was imported.` };
        return;
      }
      const preview = previewImport(state.peek()?.entries ?? [], incoming);
      if (preview.added.length === 0 && preview.changed.length === 0) {
        status.value = { kind: 'ok', text: `Nothing to import: ${name} has no ID that is not blocked already.` };
        return;
      }
      status.value = null;
      const ok = await confirm.confirm({ title: `Import ${name}?`, message: importSummary(preview), details: previewLines(preview) });
      if (scope.signal.aborted) return;
      if (!ok) {
        status.value = { kind: 'ok', text: 'Import cancelled: nothing changed.' };
        return;
      }
      await runAction(
        status,
        { action: `import ${name}`, pending: `Importing ${name}…`, done: ({ imported }) => `Imported ${imported} from ${name}.`, signal: scope.signal },
        async () => {
          const reply = await client.request({ type: 'block:import', text }, { signal: scope.signal });
          accept(reply.state);
          return reply;
        },
      );
    },
    async clear() {
      const count = state.peek()?.entries.length ?? 0;
      if (count === 0) {
        status.value = { kind: 'ok', text: 'The block list is empty already.' };
        return;
      }
      const ok = await confirm.confirm({
        title: 'Clear the block list?',
        message: `Unblocks all ${countOf(count, 'ID')}, in every browser that shares this list. This cannot be undone; export the list first to keep a copy.`,
        destructive: true,
      });
      if (!ok || scope.signal.aborted) return;
      undo.clear();
      await runAction(
        status,
        { action: 'clear the block list', pending: 'Clearing the block list…', done: () => `Cleared: ${countOf(count, 'ID')} unblocked.`, signal: scope.signal },
        async () => accept(await client.request({ type: 'block:clear' }, { signal: scope.signal })),
      );
    },
    dispose() {
      scope.abort();
      stop();
      undo.dispose();
    },
  };
}
