/**
 * Loads GUN once, without its greeting (server/quiet-gun.ts), before a test or bench module can: several
 * import core/discovery/gun-rendezvous.ts, whose static `import Gun from 'gun/gun'` would otherwise print
 * it. The first module to import this file loads it: vitest's `setupFiles` for the integration and e2e
 * suites (vitest.config.ts), and the first import of hostile-records.ts, which bench/hostile.ts uses.
 */
import { requireGun } from '../../server/quiet-gun';

requireGun('gun/gun');
