/** A package.json as JSON gives it. */
export type PackageJson = Record<string, unknown>;

export interface AppPackageDefaults {
  /** Used when the file has no name. */
  name: string;
  /** Packages the app needs, and the spec each is added with when the file has none. */
  devDependencies: Readonly<Record<string, string>>;
  /** Replace scripts of the same name. */
  force: boolean;
}

/** What `npm run dev` and `npm run deploy` run; the folder is the app. */
export const APP_SCRIPTS: Readonly<Record<string, string>> = {
  dev: 'nimbus dev .',
  deploy: 'nimbus deploy .',
  typecheck: 'tsc --noEmit',
};

/**
 * The app's package.json: a new one, or the existing one (what `npm i -D
 * nimbus-functions` wrote, say) with what the app needs added. An existing
 * dependency on this package is kept as it is (it may be a tarball or a
 * path), and so are the user's own scripts unless `force`.
 */
export function appPackageJson(existing: PackageJson | undefined, defaults: AppPackageDefaults): PackageJson {
  const manifest: PackageJson = existing
    ? { ...existing }
    : { name: defaults.name, version: '0.1.0', private: true };
  if (typeof manifest['name'] !== 'string' || manifest['name'] === '') manifest['name'] = defaults.name;
  // The app is ESM: that is how Nimbus bundles it, and how tsc and editors should read it.
  if (manifest['type'] === undefined) manifest['type'] = 'module';

  const scripts = record(manifest['scripts']);
  for (const [name, command] of Object.entries(APP_SCRIPTS)) {
    if (defaults.force || scripts[name] === undefined) scripts[name] = command;
  }
  manifest['scripts'] = scripts;

  const dependencies = record(manifest['dependencies']);
  const devDependencies = record(manifest['devDependencies']);
  for (const [name, spec] of Object.entries(defaults.devDependencies)) {
    if (dependencies[name] === undefined && devDependencies[name] === undefined) devDependencies[name] = spec;
  }
  manifest['devDependencies'] = devDependencies;
  return manifest;
}

/** A JSON object's fields, copied; anything else (a string, an array, null) as no fields. */
export function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...(value as Record<string, unknown>) } : {};
}
