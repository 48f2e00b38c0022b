import { useComputed, type ReadonlySignal } from '@preact/signals';
import { Component } from 'preact';
import { useId, useLayoutEffect, useRef } from 'preact/hooks';
import { NOTE_MAX_LENGTH, type BlockEntry } from '../../../core/blocklist/block-list';
import type { BlockListModel } from './block-list-model';
import type { CopyModel } from '../../ui/copy-model';
import { CopyButton } from '../../ui/CopyButton';
import { DataTable } from '../../ui/DataTable';
import { countOf, formatBytes, formatRelativeTime, shortId } from '../../ui/format';
import { FormField } from '../../ui/FormField';
import { Panel } from '../../ui/Panel';
import { StatusLine } from '../../ui/StatusLine';
import { UndoStatus } from '../../ui/UndoStatus';
import './block-list.css';

interface BlockListProps {
  blockList: BlockListModel;
  node: { now: ReadonlySignal<number> };
  copy: CopyModel;
}

/**
 * The `Block list` region (issue 5, docs/ui-contract.md): every blocked node and user ID, live (edits in
 * other tabs and browsers appear as they happen), filterable, with an editable note, `Unblock` (and
 * `Undo`), export, import with a preview, and clearing. It reads only the block list and the clock,
 * so a block-list change never re-renders the Connections table (and a stats tick never this one).
 */
export function BlockList({ blockList, node, copy }: BlockListProps) {
  const id = useId();
  const fileInput = useRef<HTMLInputElement>(null);
  const state = blockList.state.value;
  const matches = blockList.matches.value;
  const limit = blockList.limit.value;
  const filter = blockList.filter.value;
  const total = state?.entries.length ?? 0;
  const shown = matches.slice(0, limit);

  return (
    <Panel title="Block list" area="blocklist" headingId={`${id}-heading`}>
      <p class="hint" id={`${id}-count`}>
        {state === null
          ? 'Loading the block list…'
          : `${countOf(total, 'ID')} blocked${filter.trim() ? `; ${matches.length} matching` : ''}. Blocks sync to your other browsers.`}
      </p>
      {state && state.overflow > 0 && (
        <p class="warning" data-field="block-overflow">
          {countOf(state.overflow, 'entry', 'entries')} could not fit in sync storage and {state.overflow === 1 ? 'is' : 'are'} kept in this
          browser only.
        </p>
      )}
      <FormField label="Filter block list">
        {(control) => (
          <input
            {...control}
            type="text"
            autoComplete="off"
            spellcheck={false}
            placeholder="ID, note or label"
            value={filter}
            onInput={(event) => blockList.setFilter((event.currentTarget as HTMLInputElement).value)}
          />
        )}
      </FormField>
      <DataTable
        class="connections block-list"
        labelledBy={`${id}-heading`}
        describedBy={`${id}-count`}
        columns={['ID', 'Kind', 'Blocked', 'Note', 'Actions']}
        rows={shown}
        renderRow={(entry) => <BlockRow key={entry.id} entry={entry} uid={id} blockList={blockList} copy={copy} now={node.now} />}
        empty={
          state === null
            ? 'Loading the block list…'
            : total === 0
              ? 'Nothing is blocked. Block a node or user ID in Node controls, or a peer from its row in Connections.'
              : `No blocked ID, note or label matches “${filter.trim()}”.`
        }
      />
      {matches.length > limit && (
        <div class="panel-actions">
          <button type="button" class="button button-small" onClick={() => blockList.showMore()}>
            Show more ({matches.length - limit} not shown)
          </button>
        </div>
      )}
      <UndoStatus slot={blockList.undo} doneText="Blocked again." />
      <div class="panel-actions">
        <button type="button" class="button" onClick={() => blockList.exportFile()}>
          Export block list
        </button>
        <button type="button" class="button" onClick={() => fileInput.current?.click()}>
          Import block list
        </button>
        <input
          ref={fileInput}
          type="file"
          accept="application/json,.json"
          hidden
          aria-label="Block list file to import"
          data-field="block-import-file"
          onChange={(event) => {
            const input = event.currentTarget as HTMLInputElement;
            const file = input.files?.[0];
            // Cleared, so that choosing the same file again fires `change` again.
            input.value = '';
            if (file) void blockList.importFile(file);
          }}
        />
        <button type="button" class="button button-danger" onClick={() => void blockList.clear()}>
          Clear block list
        </button>
      </div>
      <StatusLine status={blockList.status} />
      {state && (
        <p class="hint" data-field="sync-usage">
          Sync storage: {formatBytes(state.syncBytes)} of {formatBytes(state.syncQuotaBytes)} used (
          {Math.round((100 * state.syncBytes) / Math.max(1, state.syncQuotaBytes))}%).
        </p>
      )}
    </Panel>
  );
}

interface BlockRowProps {
  entry: BlockEntry;
  uid: string;
  blockList: BlockListModel;
  copy: CopyModel;
  now: ReadonlySignal<number>;
}

/** One entry; re-rendered only when the entry itself changed ("3 min ago" is bound as text). */
class BlockRow extends Component<BlockRowProps> {
  override shouldComponentUpdate(next: BlockRowProps): boolean {
    const a = this.props.entry;
    const b = next.entry;
    return a.id !== b.id || a.note !== b.note || a.label !== b.label || a.at !== b.at || a.kind !== b.kind;
  }

  override render({ entry, uid, blockList, copy, now }: BlockRowProps) {
    return <BlockRowCells entry={entry} uid={uid} blockList={blockList} copy={copy} now={now} />;
  }
}

function BlockRowCells({ entry, uid, blockList, copy, now }: BlockRowProps) {
  const describedBy = `${uid}-${entry.id}`;
  return (
    <tr data-block-id={entry.id}>
      <th scope="row">
        <span class="peer-cell">
          <code title={entry.id}>{shortId(entry.id)}</code>
          <CopyButton copy={copy} text={entry.id} copyKey={`block ${entry.id}`} label="Copy" ariaLabel={`Copy ID ${entry.id}`} />
        </span>
        {entry.label && (
          <span class="row-label" title={entry.label}>
            {entry.label.replace(/\b([nu][a-z2-7]{26})\b/g, (full) => shortId(full))}
          </span>
        )}
        <span id={describedBy} hidden>
          {entry.kind} {entry.id}
        </span>
      </th>
      <td>{entry.kind}</td>
      <td>
        <Since at={entry.at} now={now} />
      </td>
      <td>
        <NoteInput entry={entry} blockList={blockList} />
      </td>
      <td>
        <button type="button" class="button button-small" aria-describedby={describedBy} onClick={() => void blockList.unblock(entry.id)}>
          Unblock
        </button>
      </td>
    </tr>
  );
}

/** "3 min ago", bound to the clock as text: the row does not re-render as time passes. */
function Since({ at, now }: { at: number; now: ReadonlySignal<number> }) {
  const text = useComputed(() => formatRelativeTime(at, now.value));
  return <time dateTime={new Date(at).toISOString()}>{text}</time>;
}

/**
 * The inline note: saved on blur or Enter (`block:note`), Escape puts the saved note back. While it
 * has the focus a note arriving from elsewhere does not overwrite what is being typed.
 */
function NoteInput({ entry, blockList }: { entry: BlockEntry; blockList: BlockListModel }) {
  const ref = useRef<HTMLInputElement>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && document.activeElement !== el) el.value = entry.note;
  }, [entry.note]);
  const save = () => {
    if (ref.current) void blockList.setNote(entry.id, ref.current.value);
  };
  return (
    <input
      ref={ref}
      type="text"
      class="note-input"
      aria-label={`Note for ${entry.id}`}
      maxLength={NOTE_MAX_LENGTH}
      placeholder="Add a note"
      defaultValue={entry.note}
      onBlur={save}
      onKeyDown={(event) => {
        if (event.key === 'Enter') {
          event.preventDefault();
          save();
        } else if (event.key === 'Escape' && ref.current) {
          ref.current.value = entry.note;
        }
      }}
    />
  );
}
