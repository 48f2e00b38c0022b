/** The simulation's report as the sim_* keys of bench/results/scale.json (docs/benchmarks.md). */
import { percentile, type PingRound, type SimReport } from './scenarios';

const ratio = (round: PingRound): number => Math.round((round.delivered / Math.max(1, round.sent)) * 1000) / 1000;

export function scaleFigures(report: SimReport, wallSeconds: number) {
  return {
    sim_nodes: report.nodes,
    sim_seed: report.seed,
    sim_converge_periods: report.convergePeriods,
    sim_delivery_ratio: ratio(report.normal),
    sim_hops_p50: percentile(report.normal.hops, 50),
    sim_hops_p99: percentile(report.normal.hops, 99),
    sim_forwards_per_delivery: Math.round((report.normal.copies / Math.max(1, report.normal.delivered)) * 10) / 10,
    sim_killed: report.killed,
    sim_reconverge_periods: report.reconvergePeriods,
    sim_dead_dropped_s: report.deadDroppedSeconds,
    sim_delivery_after_kill: ratio(report.afterKill),
    sim_hostile: report.hostile,
    sim_hostile_sessions_left: report.hostileSessionsLeft,
    sim_delivery_with_hostile: ratio(report.withHostile),
    sim_pings_per_round: report.normal.sent,
    sim_virtual_s: Math.round(report.virtualSeconds),
    sim_frames: report.frames,
    sim_wall_s: Math.round(wallSeconds),
  };
}
