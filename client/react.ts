// keycast/react: live views as React hooks. React is a peer dependency of this entry only.
// Nothing here opens a connection or a watch during render: views start in effects, so a
// server render (and the hydration pass after it) shows the loading state.

import { createContext, createElement, useCallback, useContext, useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from "react";
import { connect, type ConnectOptions, type KeycastClient } from "./client.js";
import { exactPattern, type LiveEntry, type LiveOptions, type LiveSnapshot, type LiveStatus, type LiveValue, type LiveView } from "./live.js";
import type { Key } from "../shared/command.js";

export type { LiveSnapshot, LiveStatus, LiveValue, LiveEntry, LiveOptions } from "./live.js";

/** The state before a view is live, on the server and during hydration: empty, "loading". */
export const LOADING: LiveSnapshot<string> = Object.freeze({
  status: "loading" as LiveStatus,
  error: null,
  size: 0,
  get: () => undefined,
  entry: () => undefined,
  has: () => false,
  keys: () => [],
  entries: () => [],
});

const noop = (): void => {};
const serverSnapshot = (): LiveSnapshot<string> => LOADING;

/**
 * A live view of a key or pattern, as an immutable snapshot that changes identity exactly
 * when the view changes (status included). `kc` may be null while connecting.
 */
export function useLive(kc: KeycastClient | null | undefined, pattern: string, options?: LiveOptions): LiveSnapshot<string> {
  const optionsKey = options === undefined ? "" : JSON.stringify(options);
  const [view, setView] = useState<LiveView | null>(null);
  useEffect(() => {
    if (!kc) return;
    const v = kc.view(pattern, options);
    setView(v);
    return () => {
      v.close().catch(noop);
      setView((cur) => (cur === v ? null : cur));
    };
    // options are compared by value (optionsKey): an inline object literal must not restart the view.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [kc, pattern, optionsKey]);
  const subscribe = useCallback((onChange: () => void) => (view ? view.subscribe(onChange) : noop), [view]);
  const getSnapshot = useCallback(() => (view ? view.getSnapshot() : LOADING), [view]);
  return useSyncExternalStore(subscribe, getSnapshot, serverSnapshot);
}

export interface KeyState<T = LiveValue<string>> {
  /** The key's value (shapes in docs/live.md), or undefined while loading or when the key does not exist. */
  value: T | undefined;
  status: LiveStatus;
  error: Error | null;
  /** Deadline of the key's TTL (ms since 1970, client clock), or null. */
  expiresAt: number | null;
}

/** One key, kept current: `const { value, status } = useKey(kc, "greeting")`. */
export function useKey<T = LiveValue<string>>(kc: KeycastClient | null | undefined, key: string, options?: LiveOptions): KeyState<T> {
  const snap = useLive(kc, exactPattern(key), options);
  return useMemo(() => {
    const e: LiveEntry<string> | undefined = snap.entry(key as Key);
    return { value: e?.value as T | undefined, status: snap.status, error: snap.error, expiresAt: e?.expiresAt ?? null };
  }, [snap, key]);
}

const ClientContext = createContext<KeycastClient | null>(null);

export interface KeycastProviderProps {
  /** A connected client to share. */
  client?: KeycastClient | null;
  /** Or an address to connect to once mounted (in the browser only, never during a server render). */
  url?: string;
  options?: ConnectOptions;
  children?: ReactNode;
}

/** Shares one client with every `useKeycast()` below it; with `url`, connects after mount and closes on unmount. */
export function KeycastProvider(props: KeycastProviderProps): ReactNode {
  const [own, setOwn] = useState<KeycastClient | null>(null);
  const { url, client } = props;
  const optionsKey = props.options === undefined ? "" : JSON.stringify(props.options);
  useEffect(() => {
    if (client !== undefined || url === undefined) return;
    let cancelled = false;
    let kc: KeycastClient | null = null;
    connect(url, props.options).then(
      (c) => {
        kc = c;
        if (cancelled) c.close().catch(noop);
        else setOwn(c);
      },
      // A first connection that fails leaves the hooks loading; the client reports it through onState.
      noop,
    );
    return () => {
      cancelled = true;
      kc?.close().catch(noop);
      setOwn(null);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [url, client, optionsKey]);
  return createElement(ClientContext.Provider, { value: client ?? own }, props.children);
}

/** The provider's client, or null until it is connected. */
export function useKeycast(): KeycastClient | null {
  return useContext(ClientContext);
}
