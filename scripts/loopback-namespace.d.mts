/** Types of loopback-namespace.mjs, for the TypeScript helpers that call it. */
export declare function isInLoopbackNamespace(): boolean;
export declare function holdLoopbackDefaultRoute(): () => void;
export declare function runInLoopbackNamespace(command: string[], options?: { cwd?: string; env?: NodeJS.ProcessEnv }): Promise<number>;
