import { useRef } from 'preact/hooks';
import { FormField } from '../../ui/FormField';
import { Panel } from '../../ui/Panel';
import { StatusLine } from '../../ui/StatusLine';
import { formatBytes, formatLimit, formatRate, shortId } from '../../ui/format';
import type { DownloadSnapshot } from '../../../core/files/file-sharing';
import type { FilesModel } from './files-model';
import './files.css';

interface FilesProps {
  files: FilesModel;
}

const STATE_WORDS: Record<DownloadSnapshot['state'], string> = { fetching: 'downloading', done: 'downloaded', failed: 'failed', cancelled: 'cancelled' };

/** A download in one line: progress, speed and peers while it runs; the outcome after. */
function DownloadLine({ download }: { download: DownloadSnapshot }) {
  const percent = Math.round(download.progress * 100);
  return (
    <div class="file-download" data-state={download.state}>
      {download.state === 'fetching' && (
        <progress max={100} value={percent} aria-label={`Download of ${download.name ?? shortId(download.ih)}`}>
          {percent} %
        </progress>
      )}
      <span class="file-download-text">
        {download.state === 'fetching'
          ? `${percent} % · ${formatRate(download.downloadBytesPerSecond)} · ${download.peers} ${download.peers === 1 ? 'peer' : 'peers'}`
          : download.error
            ? `${STATE_WORDS[download.state]}: ${download.error}`
            : STATE_WORDS[download.state]}
      </span>
    </div>
  );
}

/**
 * The `Files` region: `Share a file` (up to the stated limit), the files this node shares with
 * `Stop sharing`, and the files the room shares, each with its size and who shares it, `Download`,
 * its progress, `Cancel` while it runs and `Save` once it is here.
 */
export function Files({ files }: FilesProps) {
  const input = useRef<HTMLInputElement>(null);
  const limit = files.limitBytes.value;
  const available = files.available.value;
  const shared = files.shared.value;
  const room = files.room.value;
  const others = files.otherDownloads.value;
  return (
    <Panel title="Files" area="files">
      <StatusLine status={files.status} />
      <FormField
        label="Share a file"
        hint={
          available
            ? `Shared with the room through WebTorrent, up to ${formatLimit(limit ?? 0)} a file, while the P2P network is on.`
            : 'File sharing works while the P2P network is on.'
        }
      >
        {(control) => (
          <input
            {...control}
            ref={input}
            type="file"
            disabled={!available}
            onChange={(event) => {
              const picked = (event.currentTarget as HTMLInputElement).files?.[0];
              if (picked) void files.share(picked).then(() => input.current && (input.current.value = ''));
            }}
          />
        )}
      </FormField>

      <h3>Shared by this node</h3>
      {shared.length === 0 ? (
        <p class="empty">Nothing shared yet.</p>
      ) : (
        <ul class="file-list">
          {shared.map((file) => (
            <li key={file.ih} data-ih={file.ih}>
              <span class="file-name">{file.name}</span> <span class="file-size">{formatBytes(file.size)}</span>{' '}
              <span class="file-peers">{`${file.peers} ${file.peers === 1 ? 'peer' : 'peers'} · ${formatRate(file.uploadBytesPerSecond)} up`}</span>{' '}
              <button type="button" class="button" onClick={() => void files.stopSharing(file.ih)}>
                Stop sharing
              </button>
            </li>
          ))}
        </ul>
      )}

      <h3>Shared in the room</h3>
      {room.length === 0 ? (
        <p class="empty">No other node of the room shares a file.</p>
      ) : (
        <ul class="file-list">
          {room.map((file) => (
            <li key={file.ih} data-ih={file.ih}>
              <span class="file-name">{file.name}</span> <span class="file-size">{formatBytes(file.size)}</span>{' '}
              <span class="file-by">{`by ${file.sharedBy.map(shortId).join(', ')}`}</span>{' '}
              {(!file.download || file.download.state === 'failed' || file.download.state === 'cancelled') && (
                <button type="button" class="button" onClick={() => void files.download(file.ih)}>
                  Download
                </button>
              )}
              {file.download?.state === 'fetching' && (
                <button type="button" class="button" onClick={() => void files.cancel(file.ih)}>
                  Cancel
                </button>
              )}
              {file.download?.state === 'done' && (
                <button type="button" class="button" onClick={() => void files.save(file.ih)}>
                  Save
                </button>
              )}
              {file.download && <DownloadLine download={file.download} />}
            </li>
          ))}
        </ul>
      )}
      {others.length > 0 && (
        <ul class="file-list">
          {others.map((download) => (
            <li key={download.ih} data-ih={download.ih}>
              <span class="file-name">{download.name ?? shortId(download.ih)}</span> <DownloadLine download={download} />
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}
