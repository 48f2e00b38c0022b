import { describe, expect, it } from 'vitest';
import { envelope, PROTOCOL_VERSION } from '../../../../core/control/protocol';
import { parseHostCommand, parseRequest } from '../../../../core/control/protocol-guard';

const toBackground = (message: Record<string, unknown>) => ({ ...message, v: PROTOCOL_VERSION, to: 'background' });
const toHost = (message: Record<string, unknown>) => ({ ...message, v: PROTOCOL_VERSION, to: 'host' });

describe('parseRequest', () => {
  it('passes a well-formed request and leaves messages for other contexts alone', () => {
    expect(parseRequest(envelope({ type: 'block:add', id: 'n' + 'a'.repeat(26) }, 'background'))).toMatchObject({ type: 'block:add' });
    expect(parseRequest(toHost({ type: 'node:refresh' }))).toBeNull();
    expect(parseRequest(null)).toBeNull();
    expect(parseRequest([1, 2])).toBeNull();
  });

  it('refuses another protocol version, an unknown type and missing fields, saying which', () => {
    expect(() => parseRequest({ type: 'settings:get', v: 99, to: 'background' })).toThrow(/version 99/);
    expect(() => parseRequest(toBackground({ type: 'settings:nuke' }))).toThrow(/unknown request "settings:nuke"/);
    expect(() => parseRequest(toBackground({ type: 'settings:update', patch: 'enabled' }))).toThrow(/patch object/);
    expect(() => parseRequest(toBackground({ type: 'block:add', id: 7 }))).toThrow(/needs an id/);
    expect(() => parseRequest(toBackground({ type: 'block:import' }))).toThrow(/file text/);
    expect(() => parseRequest(toBackground({ type: 'block:restore', entry: { note: 'no id' } }))).toThrow(/entry with an id/);
    expect(() => parseRequest(toBackground({ type: 'node:ping' }))).toThrow(/needs a nodeId/);
    expect(() => parseRequest(toBackground({ type: 'history:append', point: 3 }))).toThrow(/needs a point/);
    expect(() => parseRequest(toBackground({ type: 'settings:trial-result', ok: true }))).toThrow(/trialId/);
    expect(() => parseRequest(toBackground({ type: 'host:alive', failure: 5 }))).toThrow(/failure/);
  });

  it('checks the trust list requests like the block list ones', () => {
    const id = 'n' + 'a'.repeat(26);
    for (const request of [{ type: 'trust:add', id, note: 'laptop' }, { type: 'trust:remove', id }, { type: 'trust:list' }]) {
      expect(parseRequest(toBackground(request))).toMatchObject(request);
    }
    expect(() => parseRequest(toBackground({ type: 'trust:add' }))).toThrow(/trust:add needs an id/);
    expect(() => parseRequest(toBackground({ type: 'trust:remove', id: ['n'] }))).toThrow(/trust:remove needs an id/);
    expect(() => parseRequest(toBackground({ type: 'trust:add', id, label: 3 }))).toThrow(/the label must be text/);
  });
});

describe('parseHostCommand', () => {
  it('passes configurations with a revision, log lines and node actions', () => {
    expect(parseHostCommand(toHost({ type: 'host:configure', config: { revision: 3 } }))).toMatchObject({ type: 'host:configure' });
    expect(parseHostCommand(toHost({ type: 'host:log', entries: [] }))).toMatchObject({ type: 'host:log' });
    expect(parseHostCommand(toHost({ type: 'diagnostics:export' }))).toMatchObject({ type: 'diagnostics:export' });
    expect(parseHostCommand(toBackground({ type: 'settings:get' }))).toBeNull();
  });

  it('refuses a configuration without a revision, an unknown command and another version', () => {
    expect(() => parseHostCommand(toHost({ type: 'host:configure', config: {} }))).toThrow(/unknown host command/);
    expect(() => parseHostCommand(toHost({ type: 'host:log', entries: 'x' }))).toThrow(/unknown host command/);
    expect(() => parseHostCommand(toHost({ type: 'host:explode' }))).toThrow(/unknown host command/);
    expect(() => parseHostCommand({ type: 'node:refresh', v: 0, to: 'host' })).toThrow(/version 0/);
  });
});
