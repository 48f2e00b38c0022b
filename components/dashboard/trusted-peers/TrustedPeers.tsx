import { useId } from 'preact/hooks';
import type { DashboardNodeModel } from '../snapshot-parts';
import type { CopyModel } from '../../ui/copy-model';
import { CopyButton } from '../../ui/CopyButton';
import { DataTable } from '../../ui/DataTable';
import { countOf, shortId } from '../../ui/format';
import { IdBox } from '../node-controls/IdBox';
import { Panel } from '../../ui/Panel';
import { SettingSwitch } from '../../ui/SettingSwitch';
import { StatusLine } from '../../ui/StatusLine';
import type { TrustModel } from './trust-model';
import { UndoStatus } from '../../ui/UndoStatus';
// Its table wears the block list's look (class `block-list`).
import '../block-list/block-list.css';

interface TrustedPeersProps {
  trust: TrustModel;
  node: Pick<DashboardNodeModel, 'switches' | 'observedSwitches' | 'hostReachable'>;
  copy: CopyModel;
}

/**
 * The `Trusted peers` region (issue 13, docs/ui-contract.md): the `Trusted peers only` switch, the
 * trust list (a table: ID, kind, whether it is connected, `Untrust`), and the `Trusted node or user
 * ID` box with `Trust`. Beside the block list: the two lists are kept and synced the same way.
 */
export function TrustedPeers({ trust, node, copy }: TrustedPeersProps) {
  const id = useId();
  const rows = trust.rows.value;
  return (
    <Panel title="Trusted peers" area="trust" headingId={`${id}-heading`}>
      <SettingSwitch
        model={node}
        field="trustedOnly"
        onToggle={(on) => void trust.setTrustedOnly(on)}
        label="Trusted peers only"
        onText="Only trusted peers"
        offText="Any peer"
        hint="On: only the IDs below and your own browsers may connect; other connections close and new ones are refused."
      />
      <UndoStatus slot={trust.undo} doneText="Undone." />
      <p class="hint" id={`${id}-count`}>
        {rows === null ? 'Loading the trust list…' : `${countOf(rows.length, 'ID')} trusted. The trust list syncs to your other browsers.`}
      </p>
      <DataTable
        class="connections block-list trust-list"
        labelledBy={`${id}-heading`}
        describedBy={`${id}-count`}
        columns={['ID', 'Kind', 'Connection', 'Actions']}
        rows={rows ?? []}
        renderRow={(row) => (
          <tr key={row.id} data-trust-id={row.id}>
            <th scope="row">
              <span class="peer-cell">
                <code title={row.id}>{shortId(row.id)}</code>
                <CopyButton copy={copy} text={row.id} copyKey={`trust ${row.id}`} label="Copy" ariaLabel={`Copy ID ${row.id}`} />
              </span>
            </th>
            <td>{row.kind}</td>
            <td>{row.connected ? 'connected' : 'not connected'}</td>
            <td>
              <button type="button" class="button button-small" aria-label={`Untrust ${row.id}`} onClick={() => void trust.untrust(row.id)}>
                Untrust
              </button>
            </td>
          </tr>
        )}
        empty={rows === null ? 'Loading the trust list…' : 'Nobody is trusted yet. Your own browsers are trusted without being listed.'}
      />
      <StatusLine status={trust.status} />
      <IdBox
        box={trust.box}
        class="trust-box"
        label="Trusted node or user ID"
        action="Trust"
        hint="A node ID trusts one browser; a user ID trusts every browser of that user."
      />
    </Panel>
  );
}
