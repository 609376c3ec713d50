import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiClient, ApiError } from './api/client.js';
import { keyStorage } from './api/key-storage.js';
import { Nav } from './components/nav.js';
import { BlobsPage } from './pages/blobs.js';
import { BudgetsPage } from './pages/budgets.js';
import { FunctionsPage } from './pages/functions.js';
import { KeysPage } from './pages/keys.js';
import { OverviewPage } from './pages/overview.js';
import { QueuesPage } from './pages/queues.js';
import { identify, SignIn } from './pages/sign-in.js';
import { TimersPage } from './pages/timers.js';
import { UsagePage } from './pages/usage.js';
import { useLocation, type Location } from './router.js';
import { SessionContext, type ConsoleScope, type Session } from './session.js';

type SignedIn = { key: string; scope: ConsoleScope };

export function App() {
  const [signedIn, setSignedIn] = useState<SignedIn | null>(null);
  // A key kept from earlier in this tab is checked again before it is used; the check starts with the
  // first render, not after the first paint, as it decides the first screen.
  const [restoring] = useState(() => {
    const key = keyStorage.read();
    return key === null ? null : identify(key).then((scope) => ({ key, scope }));
  });
  const [waiting, setWaiting] = useState(restoring !== null);
  const [notice, setNotice] = useState<Error | null>(null);

  useEffect(() => {
    restoring?.then(
      (restored) => setSignedIn(restored),
      (err: Error) => {
        // A refused key is forgotten; a node that could not be reached is asked again on the next load.
        if (err instanceof ApiError && (err.status === 401 || err.status === 403)) keyStorage.clear();
        setNotice(err);
      },
    ).finally(() => setWaiting(false));
  }, [restoring]);

  const session = useMemo<Session | null>(() => {
    if (!signedIn) return null;
    const signOut = (): void => {
      keyStorage.clear();
      setSignedIn(null);
    };
    const api = new ApiClient(signedIn.key, (error) => {
      signOut();
      setNotice(error);
    });
    return { api, scope: signedIn.scope, canWrite: signedIn.scope.kind === 'admin', signOut };
  }, [signedIn]);

  if (waiting) return <main class="sign-in" aria-busy="true"><p>Signing in…</p></main>;
  if (!session) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(key, scope) => {
          keyStorage.write(key);
          setNotice(null);
          setSignedIn({ key, scope });
        }}
      />
    );
  }
  return (
    <SessionContext.Provider value={session}>
      <Shell session={session} />
    </SessionContext.Provider>
  );
}

function Shell({ session }: { session: Session }) {
  const location = useLocation();
  return (
    <div class="shell">
      <header class="top-bar">
        <a class="brand" href="#/overview">Nimbus console</a>
        <span class="scope" data-scope={session.scope.kind}>{session.canWrite ? 'admin key' : 'read-only key'}</span>
        <button type="button" class="secondary" onClick={session.signOut}>Sign out</button>
      </header>
      <Nav current={location.area} />
      <main id="content">
        <PageFor location={location} />
      </main>
    </div>
  );
}

function PageFor({ location }: { location: Location }) {
  switch (location.area) {
    case 'overview':
      return <OverviewPage parts={location.parts} />;
    case 'functions':
      return <FunctionsPage parts={location.parts} />;
    case 'queues':
      return <QueuesPage parts={location.parts} />;
    case 'timers':
      return <TimersPage parts={location.parts} />;
    case 'blobs':
      return <BlobsPage parts={location.parts} />;
    case 'budgets':
      return <BudgetsPage parts={location.parts} />;
    case 'usage':
      return <UsagePage parts={location.parts} />;
    case 'keys':
      return <KeysPage parts={location.parts} />;
  }
}
