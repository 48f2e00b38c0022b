import { useRef } from 'preact/hooks';
import { FormField } from '../../ui/FormField';
import { Panel } from '../../ui/Panel';
import type { PingModel } from './ping-model';
import { StatusLine } from '../../ui/StatusLine';
import { shortId } from '../../ui/format';
import './mesh-controls.css';

interface MeshPingProps {
  ping: PingModel;
}

/**
 * The `Mesh ping` region: ping any discovered node over the mesh; the answer is the round trip and
 * the path ("23 ms via nA… → nB… → nC…"), or what failed.
 */
export function MeshPing({ ping }: MeshPingProps) {
  const select = useRef<HTMLSelectElement>(null);
  const targets = ping.targets.value;
  const target = ping.target.value;
  const error = ping.targetError.value;
  const gone = target !== '' && !targets.some((t) => t.nodeId === target);
  return (
    <Panel title="Mesh ping" area="ping">
      {/* The answer first: it is what the panel is for once a ping was sent. */}
      <StatusLine status={ping.status} />
      <form
        class="ping-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void ping.ping().then(() => {
            if (ping.targetError.peek()) select.current?.focus();
          });
        }}
      >
        <FormField
          label="Node"
          hint="The ping travels over ready connections; nodes further away answer when routing is on along the way."
          error={error}
          action={
            <button type="submit" class="button">
              Ping
            </button>
          }
        >
          {(control) => (
            <select {...control} ref={select} value={target} onChange={(event) => ping.setTarget((event.currentTarget as HTMLSelectElement).value)}>
              <option value="">{targets.length ? 'Choose a node…' : 'No node discovered yet'}</option>
              {targets.map((t) => (
                <option key={t.nodeId} value={t.nodeId}>
                  {t.label}
                </option>
              ))}
              {gone && <option value={target}>{`${shortId(target)} — no longer announced`}</option>}
            </select>
          )}
        </FormField>
      </form>
    </Panel>
  );
}
