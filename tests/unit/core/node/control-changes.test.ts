/** What the user changed between two applied settings: the event log's lines, and whether the node's run restarts. */
import { describe, expect, it } from 'vitest';
import { controlChanges, transportsChanged } from '../../../../core/node/control-changes';
import { defaultSettings, type Settings } from '../../../../core/settings/settings';

const base: Settings = { ...defaultSettings(), signalingUrl: 'http://127.0.0.1:9000/peerjs', relayUrls: ['http://127.0.0.1:9000/gun'], iceServers: [] };

describe('controlChanges', () => {
  it('says the network was enabled on the first settings, and nothing else', () => {
    expect(controlChanges(null, { ...base, routing: false })).toEqual([{ type: 'control:enabled', message: 'P2P network enabled' }]);
  });

  it('says each control the user changed, in words', () => {
    const next = { ...base, enabled: false, routing: !base.routing, pauseIncoming: true, trustedOnly: true, relayUrls: ['http://127.0.0.1:9001/gun'] };
    expect(controlChanges(base, next)).toEqual([
      { type: 'control:enabled', message: 'P2P network disabled' },
      { type: 'control:routing', message: `mesh routing ${next.routing ? 'on' : 'off'}` },
      { type: 'control:pause', message: 'incoming connections paused' },
      { type: 'control:trust', message: 'trusted peers only: other connections close' },
      { type: 'control:endpoint', message: 'relays changed to http://127.0.0.1:9001/gun' },
    ]);
    expect(controlChanges(base, { ...base })).toEqual([]);
  });
});

describe('transportsChanged', () => {
  it('restarts the run for new signaling endpoints, room, relays or ICE servers', () => {
    expect(transportsChanged(null, base)).toBe(true);
    expect(transportsChanged(base, { ...base, signalingUrl: 'http://127.0.0.1:9001/peerjs' })).toBe(true);
    expect(transportsChanged(base, { ...base, backupSignalingUrls: ['http://127.0.0.1:9002/peerjs'] })).toBe(true);
    expect(transportsChanged(base, { ...base, room: 'other' })).toBe(true);
    expect(transportsChanged(base, { ...base, relayUrls: [...base.relayUrls, 'http://127.0.0.1:9001/gun'] })).toBe(true);
    expect(transportsChanged(base, { ...base, iceServers: [{ urls: 'stun:127.0.0.1:3478' }] })).toBe(true);
  });

  it('keeps the run for what the parts apply as they go: peers, routing, pauses, trust, a signaling stop', () => {
    const next = { ...base, maxPeers: base.maxPeers + 1, routing: !base.routing, pauseIncoming: true, pauseOutgoing: true, trustedOnly: true, signalingStop: { until: null } };
    expect(transportsChanged(base, next)).toBe(false);
    expect(transportsChanged(base, { ...base, iceServers: [] })).toBe(false);
  });
});
