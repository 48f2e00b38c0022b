/**
 * PeerJS lets the dialler choose the serialization, and the dialled side decodes with it: a dialler
 * that picks `binary` would make us run msgpack and reassemble its chunks before any of our code saw a
 * frame (docs/chromium.md). `new Peer` gets these serializers for every name, so that a frame is only
 * ever UTF-8 text (docs/protocol.md, Framing):
 * - `raw` diallers send text frames; so do we.
 * - `json` diallers send the same JSON text as UTF-8 bytes, and read bytes: we answer in bytes.
 * - anything else (`binary`, `binary-utf8`, msgpack chunks) is decoded as strict UTF-8 text too, which
 *   msgpack is not: the frame is refused and the connection closed.
 */
import { BufferedConnection } from './peerjs';

/** What the link is told about a frame: its text, or that it was not text. */
export type TextFrame = { text: string } | { refused: string };

const encoder = new TextEncoder();

function textConnection(serialization: string, sendsBytes: boolean) {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  return class TextFrameConnection extends BufferedConnection {
    readonly serialization = serialization;

    protected override _handleDataMessage({ data }: MessageEvent): void {
      this.emit('data', decodeFrame(data, decoder));
    }

    protected override _send(data: unknown): void {
      const text = String(data);
      this._bufferedSend((sendsBytes ? encoder.encode(text) : text) as unknown as ArrayBuffer);
    }
  };
}

function decodeFrame(data: unknown, decoder: TextDecoder): TextFrame {
  if (typeof data === 'string') return { text: data };
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
    try {
      return { text: decoder.decode(data) };
    } catch {
      return { refused: 'a binary frame that is not UTF-8 text' };
    }
  }
  return { refused: `a frame of type ${typeof data}` };
}

/** The `serializers` option of `new Peer`: every name PeerJS knows, and its default, read text. */
export const textSerializers = {
  raw: textConnection('raw', false),
  json: textConnection('json', true),
  binary: textConnection('binary', true),
  'binary-utf8': textConnection('binary-utf8', true),
  default: textConnection('raw', false),
};
