/** PeerJS client options from a signaling URL such as `http://127.0.0.1:9000/peerjs`. */
export function peerServerOptions(url: string): { host: string; port: number; path: string; secure: boolean } {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'https:';
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : secure ? 443 : 80,
    path: parsed.pathname.endsWith('/') ? parsed.pathname : `${parsed.pathname}/`,
    secure,
  };
}
