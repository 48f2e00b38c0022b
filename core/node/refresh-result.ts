/** What `Refresh peers` did (refresh-peers.ts): the nodes it newly found, and the dials it started. */
export interface RefreshResult {
  /** Valid, fresh nodes the re-read found that were not known before. */
  found: number;
  /** Dials started by the refresh. */
  dialling: number;
}
