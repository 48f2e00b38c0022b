/** The part of npm `bittorrent-tracker`'s server used here (the package ships no types). */
declare module 'bittorrent-tracker/server' {
  import type { EventEmitter } from 'node:events';
  import type { WebSocketServer } from 'ws';

  interface ServerOptions {
    http: false;
    udp: false;
    ws: { noServer: true };
    stats: false;
    trustProxy: false;
  }

  export default class Server extends EventEmitter {
    constructor(options: ServerOptions);
    readonly ws: WebSocketServer;
    close(callback?: () => void): void;
  }
}
