/**
 * The simulation at 50 nodes, as `npm test` runs it (`npm run sim` runs 500): the product's nodes
 * converge, route pings along short paths, recover from 10 % of them dying and keep delivering with
 * 5 % hostile. The bounds are on what the code does in virtual time, generous; the figures of the
 * 500-node run are in bench/results/scale.json.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SimMesh } from '../../../../server/sim/sim-mesh';
import { runScenarios, percentile, type SimReport } from '../../../../server/sim/scenarios';
import { MAX_TTL } from '../../../../core/routing/mesh-router';

describe('the simulated mesh, 50 nodes', () => {
  let mesh: SimMesh;
  let report: SimReport;
  const lines: string[] = [];

  afterAll(() => mesh?.stop());

  it('runs the four acts', { timeout: 600_000 }, async () => {
    mesh = await SimMesh.create(50, 7);
    report = await runScenarios(mesh, { pings: 60, log: (line) => lines.push(line) });
    expect(report.nodes).toBe(50);
  });

  it('converges: every node has 4 ready peers within 4 announce periods, and again after the kill', () => {
    expect(report.convergePeriods, lines.join('\n')).not.toBeNull();
    expect(report.convergePeriods!).toBeLessThanOrEqual(4);
    expect(report.killed).toBe(5);
    expect(report.reconvergePeriods, lines.join('\n')).not.toBeNull();
    expect(report.reconvergePeriods!).toBeLessThanOrEqual(4);
    // Found out by their heartbeats (5 s without a pong), not by a record going stale (60 s).
    expect(report.deadDroppedSeconds, lines.join('\n')).not.toBeNull();
    expect(report.deadDroppedSeconds!).toBeLessThan(30);
  });

  it('delivers routed pings along short paths, with a few route copies each instead of a flood', () => {
    expect(report.normal.delivered / report.normal.sent).toBeGreaterThanOrEqual(0.95);
    expect(percentile(report.normal.hops, 99)!).toBeLessThanOrEqual(MAX_TTL);
    // A flood would cost about twice the sum of all degrees (some 800 copies); a path, twice its hops.
    expect(report.normal.copies / report.normal.delivered).toBeLessThan(30);
  });

  it('keeps delivering after 10 % died and with 5 % hostile, whose sessions the honest nodes mostly dropped', () => {
    expect(report.afterKill.delivered / report.afterKill.sent).toBeGreaterThanOrEqual(0.9);
    expect(report.hostile).toBe(3);
    expect(report.withHostile.delivered / report.withHostile.sent).toBeGreaterThanOrEqual(0.9);
    expect(report.hostileSessionsLeft).toBeLessThan(report.hostile * 4);
  });
});
