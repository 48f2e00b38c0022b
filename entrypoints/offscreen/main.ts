/** The node host in Chrome: the offscreen document runs the node and talks to the background over runtime messages. */
// First: its instruments (test builds) must load before PeerJS and GUN.
import { startNodeHost } from '../background/host-place/start-node-host';
import { askOverRuntime, commandsOverRuntime, observersOverRuntime } from '../background/host-place/host-channel';
import { createHostChannel } from '../../core/host/host-channel';

startNodeHost(createHostChannel(askOverRuntime, commandsOverRuntime, observersOverRuntime));
