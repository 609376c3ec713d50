import type { BuildResult } from 'esbuild';

export declare const OUT_DIR: string;
export declare const SDK_SOURCE_DIR: string;
export declare function sources(dir: string): string[];
export declare function compileSources(entryPoints: readonly string[], options?: { write?: boolean; root?: string }): Promise<BuildResult>;
