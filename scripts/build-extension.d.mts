/** Types of build-extension.mjs, for the TypeScript benchmarks that call it. */
export declare const LOOPBACK_BUILD_ENV: Record<string, string>;
export declare function buildExtension(env?: Record<string, string>): void;
export declare function buildStoreExtension(outDir: string): void;
export declare const STORE_BUILD_VARIABLES: string[];
export declare function storeBuildEnv(env: Record<string, string | undefined>): Record<string, string | undefined>;
export declare function typecheck(): void;
