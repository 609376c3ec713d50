import { NimbusError } from '../shared/errors.js';

/** Same rule as deploy: the app name is part of URLs and file names. */
export const APP_NAME = /^[a-z][a-z0-9-]{0,62}$/;
/** A secret becomes an environment variable, so it must be a valid variable name. */
export const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export function assertAppName(app: string, field = 'app'): void {
  if (!APP_NAME.test(app)) {
    throw new NimbusError('NIMBUS_ERR_BODY_INVALID', `${field} must be 1-63 lower-case letters, digits and dashes, starting with a letter`, { field });
  }
}

export function assertSecretName(name: string, field = 'name'): void {
  if (!SECRET_NAME.test(name)) {
    throw new NimbusError('NIMBUS_ERR_BODY_INVALID', `${field} must be a letter or underscore followed by up to 127 letters, digits or underscores`, { field });
  }
}
