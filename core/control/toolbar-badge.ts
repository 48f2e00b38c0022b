/**
 * The toolbar button's badge: the number of ready peers on a colour for the node's health, and its
 * title in words. The node host works it out from each snapshot and hands it to the background only
 * when it changed, so a node whose state stands still costs no message and no badge update.
 */
import type { HealthLevel, NodeHealth } from '../node/node-health';

export interface ToolbarBadge {
  /** At most 4 characters: what the toolbar can show. */
  text: string;
  /** `#rrggbb` */
  color: string;
  title: string;
}

/** Colours with white text at a contrast of at least 4.5:1, so the count stays legible on each. */
export const BADGE_COLORS: Record<HealthLevel, string> = {
  off: '#5f6368',
  connecting: '#1a5fb4',
  healthy: '#1e7b34',
  degraded: '#9c5700',
  error: '#b3261e',
};

export const MAX_BADGE_TEXT = 4;
export const MAX_BADGE_TITLE = 200;

export function badgeOf(health: NodeHealth): ToolbarBadge {
  const text = health.level === 'off' ? 'off' : health.peers > 999 ? '999+' : String(health.peers);
  return { text, color: BADGE_COLORS[health.level], title: health.title.slice(0, MAX_BADGE_TITLE) };
}

export const sameBadge = (a: ToolbarBadge | null, b: ToolbarBadge): boolean => a !== null && a.text === b.text && a.color === b.color && a.title === b.title;

/** Where the background shows it: the browser's action button. */
export interface Toolbar {
  show(badge: ToolbarBadge): Promise<void>;
}
