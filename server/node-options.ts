/**
 * `meshdeck-node`'s command line and config file (issue 14): what the operator asks for, turned into
 * validated Settings and the node-only options. Pure apart from reading the config file, so the unit
 * tests drive it directly; every mistake is a UsageError whose message is one line naming the flag or
 * field, which the command prints before exiting with code 2.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import {
  defaultSettings,
  LOCAL_SERVER_DEFAULTS,
  SettingsError,
  validateSettings,
  type IceServer,
  type Settings,
} from '../core/settings/settings';
import { errorText } from '../core/lib/error-text';
import { SETTING_KEYS, type OperatorSource, type SettingSources } from './setting-sources';

/** A bad flag, flag value or config file: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface NodeOptions {
  /** What the config file and flags give, over the defaults; the dashboard's changes go over these (setting-sources.ts). */
  settings: Settings;
  /** Which of `settings` the operator gave, and how. */
  sources: SettingSources<OperatorSource>;
  /** Where the identity file lives (identity-file.ts). */
  identityPath: string;
  /** Seconds between periodic status lines; 0: only when something changes. */
  statusIntervalS: number;
  /** Where the block and trust lists live (server/headless/lists-file.ts). */
  listsPath: string;
  /** Where the settings changed in the dashboard live (server/headless/state-file.ts). */
  statePath: string;
  /** Serve the Node Dashboard on 127.0.0.1 at this port (0: any free port); null: no dashboard. */
  dashboard: { port: number } | null;
}

type ParsedCommand = { help: true } | { help: false; options: NodeOptions };

/** What the config file may hold: the settings a headless node uses, and the node-only options. */
interface NodeConfigFile {
  signalingUrls?: string[];
  relayUrls?: string[];
  trackerUrls?: string[];
  room?: string;
  maxPeers?: number;
  iceServers?: IceServer[];
  routing?: boolean;
  pauseIncoming?: boolean;
  pauseOutgoing?: boolean;
  trustedOnly?: boolean;
  identity?: string;
  lists?: string;
  state?: string;
  statusInterval?: number;
  dashboard?: boolean;
  dashboardPort?: number;
}

const CONFIG_KEYS = new Set<string>([
  'signalingUrls',
  'relayUrls',
  'trackerUrls',
  'room',
  'maxPeers',
  'iceServers',
  'routing',
  'pauseIncoming',
  'pauseOutgoing',
  'trustedOnly',
  'identity',
  'lists',
  'state',
  'statusInterval',
  'dashboard',
  'dashboardPort',
]);

const DEFAULT_IDENTITY_PATH = (home = homedir()): string => path.join(home, '.config', 'meshdeck', 'identity.json');

export const USAGE = `Usage: meshdeck-node [options]

Runs a headless Meshdeck node (the extension's core/ over @roamhq/wrtc) until SIGINT or SIGTERM.

Options:
  --config <file>          JSON settings file (see docs/meshdeck-node.md); flags override it
  --identity <file>        identity file, mode 0600 (default ~/.config/meshdeck/identity.json)
  --signaling <url>        PeerJS server; repeat for backups, the first is the primary
                           (default ${LOCAL_SERVER_DEFAULTS.signalingUrl})
  --relay <url>            GUN relay; repeatable (default ${LOCAL_SERVER_DEFAULTS.relayUrls[0]})
  --tracker <url>          WebSocket tracker (ws:// or wss://); repeatable (default: none)
  --room <name>            rendezvous room (default ${LOCAL_SERVER_DEFAULTS.room})
  --max-peers <n>          auto-dial stops at this many connections, 0-64 (default 8)
  --ice-server <json|url>  STUN/TURN server: a URL (stun:host:3478) or JSON
                           ({"urls":"turn:host:3478","username":"u","credential":"c"}); repeatable
                           (default: none)
  --lists <file>           block and trust lists, kept across restarts (default lists.json beside
                           the identity file)
  --state <file>           settings changed in the dashboard, kept across restarts (default
                           state.json beside the lists file)
  --dashboard-port <n>     serve the Node Dashboard on 127.0.0.1:<n> (default 0: any free port);
                           its address, with the token it needs, is printed at start
  --no-dashboard           serve no dashboard
  --status-interval <s>    also print the status line every <s> seconds (default 0: on change only)
  -h, --help               this text
`;

/** Which flag sets each setting, so that a SettingsError names what the operator typed. */
const FLAG_OF: Partial<Record<keyof Settings, string>> = {
  signalingUrl: '--signaling',
  backupSignalingUrls: '--signaling',
  relayUrls: '--relay',
  trackerUrls: '--tracker',
  room: '--room',
  maxPeers: '--max-peers',
  iceServers: '--ice-server',
};

interface Flags {
  config?: string;
  identity?: string;
  signaling: string[];
  relay: string[];
  tracker: string[];
  room?: string;
  maxPeers?: string;
  iceServer: string[];
  statusInterval?: string;
  lists?: string;
  state?: string;
  dashboardPort?: string;
  noDashboard: boolean;
  help: boolean;
}

const VALUED = new Set(['--config', '--identity', '--signaling', '--relay', '--tracker', '--room', '--max-peers', '--ice-server', '--status-interval', '--lists', '--state', '--dashboard-port']);

/** Splits argv into flags; `--flag value` and `--flag=value` both work. */
export function parseFlags(argv: readonly string[]): Flags {
  const flags: Flags = { signaling: [], relay: [], tracker: [], iceServer: [], noDashboard: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') {
      flags.help = true;
      continue;
    }
    if (arg === '--no-dashboard') {
      flags.noDashboard = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (!VALUED.has(name)) {
      throw new UsageError(arg.startsWith('-') ? `unknown option ${name} (see --help)` : `unexpected argument "${arg}" (see --help)`);
    }
    let value: string;
    if (name !== arg) value = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`${name} needs a value`);
      value = next;
      i++;
    }
    switch (name) {
      case '--signaling':
        flags.signaling.push(value);
        break;
      case '--relay':
        flags.relay.push(value);
        break;
      case '--tracker':
        flags.tracker.push(value);
        break;
      case '--ice-server':
        flags.iceServer.push(value);
        break;
      case '--config':
        flags.config = value;
        break;
      case '--identity':
        flags.identity = value;
        break;
      case '--room':
        flags.room = value;
        break;
      case '--max-peers':
        flags.maxPeers = value;
        break;
      case '--status-interval':
        flags.statusInterval = value;
        break;
      case '--lists':
        flags.lists = value;
        break;
      case '--state':
        flags.state = value;
        break;
      case '--dashboard-port':
        flags.dashboardPort = value;
        break;
    }
  }
  return flags;
}

/** `--ice-server`: a JSON object (or list of them) when it starts with `{` or `[`, else one URL. */
export function parseIceServerFlag(value: string): IceServer[] {
  const text = value.trim();
  if (!text.startsWith('{') && !text.startsWith('[')) return [{ urls: text }];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--ice-server: not valid JSON: ${errorText(error)}`);
  }
  return (Array.isArray(parsed) ? parsed : [parsed]) as IceServer[];
}

function wholeNumber(flag: string, text: string, max: number): number {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${flag}: "${text}" is not a whole number`);
  const n = Number(text);
  if (n > max) throw new UsageError(`${flag}: at most ${max}`);
  return n;
}

/** Reads and checks the config file: JSON, an object, only known keys. */
async function readConfigFile(file: string): Promise<NodeConfigFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--config: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? errorText(error)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--config: ${file} is not valid JSON: ${errorText(error)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`--config: ${file} must hold a JSON object`);
  for (const key of Object.keys(parsed)) {
    if (!CONFIG_KEYS.has(key)) throw new UsageError(`--config: ${file}: unknown setting "${key}" (known: ${[...CONFIG_KEYS].join(', ')})`);
  }
  const config = parsed as NodeConfigFile;
  for (const key of ['signalingUrls', 'relayUrls', 'trackerUrls'] as const) {
    if (config[key] !== undefined && !Array.isArray(config[key])) throw new UsageError(`--config: ${file}: ${key} must be a list of URLs`);
  }
  for (const key of ['identity', 'lists', 'state'] as const) {
    if (config[key] !== undefined && typeof config[key] !== 'string') throw new UsageError(`--config: ${file}: ${key} must be a file path`);
  }
  if (config.dashboard !== undefined && typeof config.dashboard !== 'boolean') throw new UsageError(`--config: ${file}: dashboard must be true or false`);
  if (config.dashboardPort !== undefined && !(Number.isInteger(config.dashboardPort) && config.dashboardPort >= 0 && config.dashboardPort <= 65_535)) {
    throw new UsageError(`--config: ${file}: dashboardPort must be a port number from 0 to 65535`);
  }
  return config;
}

/** The settings of a node started with no config file and no flag: the local server on 127.0.0.1; no tracker, no ICE server. */
export function nodeDefaults(): Settings {
  return { ...defaultSettings(), trackerUrls: [] };
}

/** The settings the config file names: only those it has. */
function configSettings(config: NodeConfigFile): Partial<Settings> {
  const out: Partial<Settings> = {};
  if (config.signalingUrls?.length) {
    out.signalingUrl = config.signalingUrls[0];
    out.backupSignalingUrls = config.signalingUrls.slice(1);
  }
  if (config.relayUrls) out.relayUrls = config.relayUrls;
  if (config.trackerUrls) out.trackerUrls = config.trackerUrls;
  for (const key of ['room', 'maxPeers', 'iceServers', 'routing', 'pauseIncoming', 'pauseOutgoing', 'trustedOnly'] as const) {
    // A null, like an absent key, leaves the default.
    if (config[key] != null) (out as Record<string, unknown>)[key] = config[key];
  }
  return out;
}

/** The settings the flags name: only those given. A repeatable flag given replaces the config file's whole list. */
function flagSettings(flags: Flags): Partial<Settings> {
  const out: Partial<Settings> = {};
  if (flags.signaling.length) {
    out.signalingUrl = flags.signaling[0];
    out.backupSignalingUrls = flags.signaling.slice(1);
  }
  if (flags.relay.length) out.relayUrls = flags.relay;
  if (flags.tracker.length) out.trackerUrls = flags.tracker;
  if (flags.room !== undefined) out.room = flags.room;
  if (flags.iceServer.length) out.iceServers = flags.iceServer.flatMap(parseIceServerFlag);
  if (flags.maxPeers !== undefined) out.maxPeers = wholeNumber('--max-peers', flags.maxPeers, 64);
  return out;
}

/**
 * The options `argv` asks for: each setting from its flag, else the config file, else nodeDefaults();
 * `sources` says which.
 */
export async function parseCommand(argv: readonly string[], { home = homedir() }: { home?: string } = {}): Promise<ParsedCommand> {
  const flags = parseFlags(argv);
  if (flags.help) return { help: true };
  const config = flags.config ? await readConfigFile(flags.config) : {};
  const configDir = flags.config ? path.dirname(path.resolve(flags.config)) : process.cwd();
  const where = flags.config ? `--config ${flags.config}: ` : '';

  if (config.signalingUrls?.length === 0 && !flags.signaling.length) throw new UsageError(`${where}signalingUrls: needs at least one signaling URL`);
  const fromConfig = configSettings(config);
  const fromFlags = flagSettings(flags);
  const candidate: Settings = { ...nodeDefaults(), ...fromConfig, ...fromFlags };
  const sources = Object.fromEntries(
    SETTING_KEYS.map((key): [keyof Settings, OperatorSource] => [key, key in fromFlags ? 'flag' : key in fromConfig ? 'config' : 'default']),
  ) as SettingSources<OperatorSource>;
  let settings: Settings;
  try {
    settings = validateSettings(candidate);
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    const flag = FLAG_OF[error.field];
    throw new UsageError(`bad setting ${error.field}${flag ? ` (${flag})` : ''}: ${error.message}`);
  }
  const statusIntervalS =
    flags.statusInterval !== undefined
      ? wholeNumber('--status-interval', flags.statusInterval, 86_400)
      : config.statusInterval !== undefined
        ? checkConfigInterval(where, config.statusInterval)
        : 0;
  const identityPath = flags.identity
    ? path.resolve(flags.identity)
    : config.identity
      ? path.resolve(configDir, config.identity)
      : DEFAULT_IDENTITY_PATH(home);
  const listsPath = flags.lists
    ? path.resolve(flags.lists)
    : config.lists
      ? path.resolve(configDir, config.lists)
      : path.join(path.dirname(identityPath), 'lists.json');
  const statePath = flags.state
    ? path.resolve(flags.state)
    : config.state
      ? path.resolve(configDir, config.state)
      : path.join(path.dirname(listsPath), 'state.json');
  const dashboardPort = flags.dashboardPort !== undefined ? wholeNumber('--dashboard-port', flags.dashboardPort, 65_535) : (config.dashboardPort ?? 0);
  const dashboard = flags.noDashboard || (config.dashboard === false && flags.dashboardPort === undefined) ? null : { port: dashboardPort };
  return { help: false, options: { settings, sources, identityPath, statusIntervalS, listsPath, statePath, dashboard } };
}

function checkConfigInterval(where: string, value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 86_400) {
    throw new UsageError(`${where}statusInterval: must be a whole number of seconds from 0 to 86400`);
  }
  return value as number;
}
