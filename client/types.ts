// The client's method and reply types, derived from the shared command table.
import type { ArgsOf, ByOption, ReplyOf } from "../shared/command.js";
import type { CommandName, Commands } from "../shared/commands/index.js";

/** A reply as the bytes view returns it: every string becomes Uint8Array, every record a Map. */
export type ToBytes<T> = T extends string
  ? Uint8Array
  : T extends readonly unknown[]
    ? { -readonly [K in keyof T]: ToBytes<T[K]> }
    : T extends Record<string, infer V>
      ? Map<Uint8Array, ToBytes<V>>
      : T;

/** Whether an option word is among arguments (after the key): true, false, or "maybe" for a string known only at run time. */
type OptionIn<A extends readonly unknown[], W extends string> = A extends readonly [infer H, ...infer T]
  ? H extends string
    ? string extends H
      ? "maybe"
      : Uppercase<H> extends W
        ? true
        : OptionIn<T, W>
    : OptionIn<T, W>
  : false;

/** A declared reply resolved against a call's arguments (see ByOption). */
type Resolve<R, A extends readonly unknown[]> =
  R extends ByOption<infer W, infer Without, infer With>
    ? A extends readonly [unknown, ...infer Rest]
      ? OptionIn<Rest, W> extends true
        ? With
        : OptionIn<Rest, W> extends false
          ? Without
          : With | Without
      : Without
    : R;

/** `kc.get(key)`, `kc.lpush(key, ...elements)`, ...: one method per command. */
export type CommandMethods = {
  [K in CommandName]: ReplyOf<Commands[K]> extends ByOption<string, unknown, unknown>
    ? <const A extends ArgsOf<Commands[K]>>(...args: A) => Promise<Resolve<ReplyOf<Commands[K]>, A>>
    : (...args: ArgsOf<Commands[K]>) => Promise<ReplyOf<Commands[K]>>;
};

/** The same methods with replies as bytes. */
export type BytesCommandMethods = {
  [K in CommandName]: ReplyOf<Commands[K]> extends ByOption<string, unknown, unknown>
    ? <const A extends ArgsOf<Commands[K]>>(...args: A) => Promise<ToBytes<Resolve<ReplyOf<Commands[K]>, A>>>
    : (...args: ArgsOf<Commands[K]>) => Promise<ToBytes<ReplyOf<Commands[K]>>>;
};

/** Batch methods: each adds its reply type to the batch's tuple. */
export type BatchMethods<T extends unknown[]> = {
  [K in CommandName]: ReplyOf<Commands[K]> extends ByOption<string, unknown, unknown>
    ? <const A extends ArgsOf<Commands[K]>>(...args: A) => BatchBuilder<[...T, Resolve<ReplyOf<Commands[K]>, A>]>
    : (...args: ArgsOf<Commands[K]>) => BatchBuilder<[...T, ReplyOf<Commands[K]>]>;
};

export interface BatchBuilder<T extends unknown[]> extends BatchMethods<T> {
  /** Runs the batch as one unit, with no other client's command in between (MULTI/EXEC semantics). */
  atomic(): BatchBuilder<T>;
  /** Sends the batch in one frame; resolves to every reply in order, or rejects with BatchError. */
  exec(): Promise<T>;
  /** Number of commands queued. */
  readonly length: number;
}
