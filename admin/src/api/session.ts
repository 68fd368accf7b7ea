/**
 * The signed-in admin's tokens. The access token lives in memory only; the refresh token in
 * sessionStorage, so a reload of this tab stays signed in while other tabs and a closed browser
 * do not. Scripts come from 'self' only (the CSP), which is what keeps it from other code.
 */
const REFRESH_KEY = 'mercato.refresh_token';

export interface Tokens {
  access_token: string;
  refresh_token: string;
}

let accessToken: string | null = null;
const listeners = new Set<() => void>();

export const session = {
  accessToken: () => accessToken,
  refreshToken: () => sessionStorage.getItem(REFRESH_KEY),
  isSignedIn: () => sessionStorage.getItem(REFRESH_KEY) !== null,
  store(tokens: Tokens) {
    accessToken = tokens.access_token;
    sessionStorage.setItem(REFRESH_KEY, tokens.refresh_token);
    for (const listener of listeners) listener();
  },
  clear() {
    accessToken = null;
    sessionStorage.removeItem(REFRESH_KEY);
    for (const listener of listeners) listener();
  },
  subscribe(listener: () => void) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
