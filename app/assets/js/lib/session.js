// Who is signed in, per app: the JWT and the user it belongs to, kept in localStorage (so every tab of
// the storefront shares one login and a log-out in one tab logs out the others). The storefront and the
// admin console keep separate logins.

import { api } from './api.js';

export function createSession(storageKey) {
  let state = read();
  const listeners = new Set();

  function read() {
    try {
      const value = JSON.parse(localStorage.getItem(storageKey) || 'null');
      return value && value.token ? value : null;
    } catch (ignored) {
      return null;
    }
  }

  function changed() {
    listeners.forEach((listener) => listener(state));
  }

  window.addEventListener('storage', (event) => {
    if (event.key === storageKey) {
      state = read();
      changed();
    }
  });

  return {
    get token() {
      return state ? state.token : null;
    },
    get user() {
      return state ? state.user : null;
    },
    /** Keeps the answer of POST /api/auth/login or /register. */
    save({ token, user }) {
      state = { token, user };
      localStorage.setItem(storageKey, JSON.stringify(state));
      changed();
    },
    clear() {
      state = null;
      localStorage.removeItem(storageKey);
      changed();
    },
    /** Re-reads the user (GET /api/me); a token the server refuses is dropped by the 401 handler. */
    async refresh() {
      if (!state) return null;
      const user = await api('/api/me', { token: state.token });
      if (state) this.save({ token: state.token, user });
      return user;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
