import './panels.css';
import { useState } from 'preact/hooks';
import type { PageProps } from '../router.js';
import { useSession } from '../session.js';
import { CreateKeyForm } from './keys/create-key-form.js';
import { KeyList } from './keys/key-list.js';
import { AppChooser, SecretsPanel } from './keys/secrets-panel.js';

/** `#/keys`: API keys, and the secrets of the app in `#/keys/<app>`. */
export function KeysPage({ parts }: PageProps) {
  const { canWrite } = useSession();
  const app = parts[0];
  const [version, setVersion] = useState(0);
  const [said, setSaid] = useState('');
  return (
    <section class="page keys">
      <h1>Keys and secrets</h1>
      <p class="status" role="status">{said}</p>
      {canWrite ? <CreateKeyForm onCreated={() => setVersion((v) => v + 1)} /> : null}
      <KeyList version={version} onRevoked={setSaid} />
      <h2>App secrets</h2>
      <AppChooser key={app} app={app} />
      {app ? <SecretsPanel key={app} app={app} /> : null}
    </section>
  );
}
