export declare function cliBundleIsCurrent(root?: URL): boolean;
export declare function cliEntry(root?: URL): string;
