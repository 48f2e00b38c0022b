import type { DiagnosticsModel } from './diagnostics-model';
import { EventLog } from './EventLog';
import { HealthList } from './HealthList';
import type { LogModel } from './log-model';
import { Panel } from '../../ui/Panel';
import { StatusLine } from '../../ui/StatusLine';
import './diagnostics.css';

interface DiagnosticsProps {
  diagnostics: DiagnosticsModel;
  log: LogModel;
}

/** The `Diagnostics` region: health at a glance, the event log, and `Download diagnostics`. */
export function Diagnostics({ diagnostics, log }: DiagnosticsProps) {
  return (
    <Panel title="Diagnostics" area="diag">
      <HealthList diagnostics={diagnostics} />
      <div class="panel-actions">
        <button type="button" class="button" onClick={() => void diagnostics.download()}>
          Download diagnostics
        </button>
        <span class="hint">Settings, state, stats history and log as JSON; never a private key.</span>
      </div>
      <StatusLine status={diagnostics.exportStatus} />
      <EventLog log={log} />
    </Panel>
  );
}
