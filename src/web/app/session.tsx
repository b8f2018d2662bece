import { createContext, startTransition, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { CurrentUser } from '../../features/access/access.contract.js';
import type { Permission } from '../../features/access/access.permissions.js';
import { ApiError, sessionApi, setCsrfToken, setUnauthenticatedHandler } from './api.js';

// Who is signed in. A 401 from any request clears the user; the guarded routes then send the
// browser to the sign-in page, keeping the address it wanted.

interface Session {
  /** undefined while the first check runs; null when nobody is signed in */
  user: CurrentUser | null | undefined;
  /** the error of the first check when it was not simply "not signed in" */
  checkError: string | null;
  /** true after the user signed out themselves (then the sign-in page keeps no address to return to) */
  signedOut: boolean;
  signIn: (login: string, password: string) => Promise<CurrentUser>;
  signOut: () => Promise<void>;
  can: (permission: Permission) => boolean;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<CurrentUser | null | undefined>(undefined);
  const [checkError, setCheckError] = useState<string | null>(null);
  const [signedOut, setSignedOut] = useState(false);

  const adopt = useCallback((next: CurrentUser | null) => {
    setCsrfToken(next?.csrfToken ?? null);
    setUser(next);
  }, []);

  // The first check: main.tsx sent it before the app's code arrived, so its answer is usually here
  // already (api.ts, early requests). The screen it lets through renders as a transition, in slices.
  useEffect(() => {
    const controller = new AbortController();
    sessionApi
      .current(controller.signal)
      .then((current) => startTransition(() => adopt(current)))
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        startTransition(() => {
          if (!(err instanceof ApiError && err.status === 401)) setCheckError(err instanceof Error ? err.message : String(err));
          adopt(null);
        });
      });
    setUnauthenticatedHandler(() => adopt(null));
    return () => {
      controller.abort();
      setUnauthenticatedHandler(null);
    };
  }, [adopt]);

  const signIn = useCallback(
    async (login: string, password: string) => {
      const current = await sessionApi.signIn(login, password);
      setCheckError(null);
      setSignedOut(false);
      adopt(current);
      return current;
    },
    [adopt],
  );

  const signOut = useCallback(async () => {
    try {
      await sessionApi.signOut();
    } finally {
      setSignedOut(true);
      adopt(null);
    }
  }, [adopt]);

  const value = useMemo<Session>(
    () => ({ user, checkError, signedOut, signIn, signOut, can: (permission) => user?.permissions.includes(permission) ?? false }),
    [user, checkError, signedOut, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The signed-in user, for pages inside the frame (which render only when someone is signed in). */
export function useCurrentUser(): CurrentUser {
  const { user } = useSession();
  if (!user) throw new Error('useCurrentUser without a signed-in user');
  return user;
}
