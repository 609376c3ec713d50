import type { PageProps } from '../router.js';
import { FunctionDetail } from './functions/function-detail.js';
import { FunctionList } from './functions/function-list.js';

/** `#/functions` lists them; `#/functions/<app>/<fn>` is one (a fresh page per function: filters start over). */
export function FunctionsPage({ parts }: PageProps) {
  const [app, fn] = parts;
  return app && fn ? <FunctionDetail key={`${app}/${fn}`} app={app} fn={fn} /> : <FunctionList />;
}
