import type { ConfirmModel, ConfirmRequest } from './confirm-model';
import type { NodeModel } from '../client/node-model';
import { Switch } from './Switch';

interface P2PSwitchProps {
  model: Pick<NodeModel, 'enabled' | 'transition' | 'setEnabled' | 'hostReachable'>;
  /** Asks before turning the node off (issue 6: a destructive action). */
  confirm: Pick<ConfirmModel, 'confirm'>;
}

const DISABLE_P2P: ConfirmRequest = {
  title: 'Turn off the P2P network?',
  message: 'Every connection closes and this node leaves the network until you turn it on again.',
  destructive: true,
};

/**
 * The `Enable P2P network` switch (docs/ui-contract.md). `aria-checked` is the DESIRED state, so it flips
 * the moment it is pressed (turning off, the moment it is confirmed); the text beside it says when
 * the node has not caught up yet. A native <button> gives Space and Enter for free.
 */
export function P2PSwitch({ model, confirm }: P2PSwitchProps) {
  const on = model.enabled.value;
  const transition = model.transition.value;
  const state =
    transition && !model.hostReachable.value
      ? `${on ? 'On' : 'Off'}: will apply when connected`
      : transition === 'turning-on'
        ? 'Turning on…'
        : transition === 'turning-off'
          ? 'Turning off…'
          : on === null
            ? 'Loading…'
            : on
              ? 'On'
              : 'Off';
  return (
    <Switch
      label="Enable P2P network"
      on={on}
      state={state}
      transition={transition ?? undefined}
      onClick={() => {
        if (on === false) void model.setEnabled(true);
        else if (on)
          void confirm.confirm(DISABLE_P2P).then((ok) => {
            if (ok) void model.setEnabled(false);
          });
      }}
    />
  );
}
